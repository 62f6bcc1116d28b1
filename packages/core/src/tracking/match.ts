/** Matching this frame's boxes to the tracks' boxes by overlap. */
import type { Box } from '../types.js';

/** Intersection over union of two boxes; 0 when they do not overlap (or are empty). */
export function iou(a: Box, b: Box): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  const union = a.width * a.height + b.width * b.height - inter;
  return union > 0 ? inter / union : 0;
}

const centreDistance = (a: Box, b: Box): number =>
  Math.hypot(a.x + a.width / 2 - (b.x + b.width / 2), a.y + a.height / 2 - (b.y + b.height / 2));

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
