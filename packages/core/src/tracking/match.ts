/** Matching this frame's boxes to the tracks' boxes by overlap. */
import type { Box } from '../types.js';
import { centre, iou } from '../geometry/box.js';

const centreDistance = (a: Box, b: Box): number => {
  const p = centre(a);
  const q = centre(b);
  return Math.hypot(p.x - q.x, p.y - q.y);
};

/**
 * Greedy assignment by best overlap: repeatedly pair the track and detection with the highest IoU
 * (ties broken by the nearer centres) among the pairs at or above `threshold`. With a handful of
 * faces this equals the optimal assignment in practice and costs O(T * D * log(T * D)).
 * Returns `pairs[d] = track index` for each detection, or -1 for a new face.
 */
export function matchBoxes(tracks: readonly Box[], detections: readonly Box[], threshold: number): number[] {
  const candidates: { t: number; d: number; overlap: number; distance: number }[] = [];
  tracks.forEach((tb, t) =>
    detections.forEach((db, d) => {
      const overlap = iou(tb, db);
      if (overlap > 0 && overlap >= threshold) candidates.push({ t, d, overlap, distance: centreDistance(tb, db) });
    }),
  );
  candidates.sort((a, b) => b.overlap - a.overlap || a.distance - b.distance);
  const pairs = detections.map(() => -1);
  const usedTracks = new Set<number>();
  for (const c of candidates) {
    if (pairs[c.d] !== -1 || usedTracks.has(c.t)) continue;
    pairs[c.d] = c.t;
    usedTracks.add(c.t);
  }
  return pairs;
}
