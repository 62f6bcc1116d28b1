/**
 * Box and crop geometry shared by detection (merging detections), tracking (matching faces frame
 * to frame) and classification (cutting faces out): one low module, so none of them imports another.
 */
import type { Box, Point } from '../types.js';

/** Where a face is cut out for the expression model: a square, turned so the eyes are level. */
export interface CropGeometry {
  /** Centre of the square, source pixels. */
  cx: number;
  cy: number;
  side: number;
  /** Rotation of the face (radians, image y down); the crop undoes it. */
  angle: number;
}

export function area(b: Box): number {
  return Math.max(0, b.width) * Math.max(0, b.height);
}

export function centre(b: Box): Point {
  return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
}

/** Whether `p` lies in `b` (its left and top edges in, its right and bottom edges out). */
export function containsPoint(b: Box, p: Point): boolean {
  return p.x >= b.x && p.x < b.x + b.width && p.y >= b.y && p.y < b.y + b.height;
}

/** Area of the overlap of two boxes. */
export function intersection(a: Box, b: Box): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
}

/** Intersection over union of two boxes, in [0, 1]. */
export function iou(a: Box, b: Box): number {
  const i = intersection(a, b);
  return i ? i / (area(a) + area(b) - i) : 0;
}

/** Intersection over the smaller box: high when one box lies inside the other. */
export function overlapOfSmaller(a: Box, b: Box): number {
  const i = intersection(a, b);
  return i ? i / Math.min(area(a), area(b)) : 0;
}

/**
 * A square of `reach` times `b`'s larger side (at most `maxSide`) centred on it, even where that
 * reaches past the frame. The detector's closer looks use it as it is: a face at the frame's corner
 * then sits in the middle of the detector's input, not at its corner, where BlazeFace misses more
 * faces (models/eval/detector-scale.mjs); the focus search's cells move it inside the frame.
 */
export function centredSquare(b: Box, reach: number, maxSide = Infinity): Box {
  const side = Math.round(Math.min(reach * Math.max(b.width, b.height), maxSide));
  const c = centre(b);
  return { x: Math.round(c.x - side / 2), y: Math.round(c.y - side / 2), width: side, height: side };
}
