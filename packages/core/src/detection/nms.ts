/**
 * Merges the detections of the whole-frame pass and of the tiles: the same face is usually found
 * several times (overlapping tiles, whole frame) with slightly different boxes.
 */
import type { Box, DetectedFace, FaceKeypoints, Point } from '../types.js';
import { iou, overlapOfSmaller } from '../geometry/box.js';

export interface MergeOptions {
  /** Boxes overlapping more than this (IoU) are the same face. Default 0.3. */
  iouThreshold?: number;
  /** A box lying this much (intersection / smaller area) inside another is the same face. Default 0.7. */
  containThreshold?: number;
}

function weighted(values: number[], weights: number[]): number {
  let sum = 0;
  let total = 0;
  values.forEach((v, i) => {
    sum += v * weights[i]!;
    total += weights[i]!;
  });
  return sum / total;
}

/**
 * A find whose closer looks fell just short of confirming it (face-detector.ts, NEAR_MISS): it is
 * kept only where the face verifier calls its crop a face (pipeline.ts).
 */
export interface Unconfirmed {
  unconfirmed?: true;
}

/**
 * Score-weighted average of the boxes and keypoints of detections of one face; unconfirmed only
 * when every one of them is (a near miss that is also found for sure is found).
 */
function average(group: (DetectedFace & Unconfirmed)[]): DetectedFace & Unconfirmed {
  const w = group.map((f) => f.score);
  const box: Box = {
    x: weighted(group.map((f) => f.box.x), w),
    y: weighted(group.map((f) => f.box.y), w),
    width: weighted(group.map((f) => f.box.width), w),
    height: weighted(group.map((f) => f.box.height), w),
  };
  const point = (key: keyof FaceKeypoints): Point => ({
    x: weighted(group.map((f) => f.keypoints[key].x), w),
    y: weighted(group.map((f) => f.keypoints[key].y), w),
  });
  const keypoints: FaceKeypoints = {
    rightEye: point('rightEye'),
    leftEye: point('leftEye'),
    noseTip: point('noseTip'),
    mouth: point('mouth'),
    rightEarTragion: point('rightEarTragion'),
    leftEarTragion: point('leftEarTragion'),
  };
  return { box, keypoints, score: Math.max(...w), ...(group.every((f) => f.unconfirmed) ? { unconfirmed: true as const } : {}) };
}

/**
 * Weighted non-maximum suppression: the best-scoring detection claims every other one that is the
 * same face; the group's boxes and keypoints are averaged (steadier than keeping only the best).
 */
export function mergeDetections(faces: readonly (DetectedFace & Unconfirmed)[], options: MergeOptions = {}): (DetectedFace & Unconfirmed)[] {
  const { iouThreshold = 0.3, containThreshold = 0.7 } = options;
  const rest = [...faces].sort((a, b) => b.score - a.score);
  const out: (DetectedFace & Unconfirmed)[] = [];
  while (rest.length) {
    const best = rest.shift()!;
    const group = [best];
    for (let i = rest.length - 1; i >= 0; i--) {
      const other = rest[i]!;
      if (iou(best.box, other.box) > iouThreshold || overlapOfSmaller(best.box, other.box) > containThreshold) {
        group.push(other);
        rest.splice(i, 1);
      }
    }
    // Average only boxes that agree closely; a loosely overlapping one is suppressed, not blended.
    out.push(average(group.filter((f) => f === best || iou(best.box, f.box) > 0.5)));
  }
  return out;
}
