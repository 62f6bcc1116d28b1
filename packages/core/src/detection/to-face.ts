/** Converts MediaPipe detections into our `DetectedFace`, in source-frame pixels. */
import type { Detection } from '@mediapipe/tasks-vision';
import type { Box, DetectedFace, FaceKeypoints, Point } from '../types.js';

/** Where the detector's input lies in the source frame (the whole frame, or a tile). */
export interface Placement {
  x: number;
  y: number;
  /** Source pixels per detector-input pixel. */
  scale: number;
  /** Size of the detector's input in its own pixels. */
  width: number;
  height: number;
}

/**
 * BlazeFace keypoint order: 0 and 1 the eyes, 2 nose tip, 3 mouth centre, 4 and 5 the ear
 * tragions. MediaPipe calls 0 the "right eye" (the person's right, on the image's left); our
 * names are as seen in the image (see types.ts), so 0 is `leftEye`.
 */
const KEYPOINT_NAMES: (keyof FaceKeypoints)[] = ['leftEye', 'rightEye', 'noseTip', 'mouth', 'leftEarTragion', 'rightEarTragion'];

export function toDetectedFace(d: Detection, at: Placement): DetectedFace | undefined {
  const bb = d.boundingBox;
  if (!bb || d.keypoints.length < KEYPOINT_NAMES.length) return undefined;
  const box: Box = {
    x: at.x + bb.originX * at.scale,
    y: at.y + bb.originY * at.scale,
    width: bb.width * at.scale,
    height: bb.height * at.scale,
  };
  const point = (i: number): Point => ({
    x: at.x + d.keypoints[i]!.x * at.width * at.scale,
    y: at.y + d.keypoints[i]!.y * at.height * at.scale,
  });
  const keypoints = Object.fromEntries(KEYPOINT_NAMES.map((name, i) => [name, point(i)])) as unknown as FaceKeypoints;
  return { box, keypoints, score: d.categories[0]?.score ?? 0 };
}

/** `face` found in the `from` part of an image, moved and scaled to where `to` lies in the frame. */
export function moveFace(face: DetectedFace, from: Box, to: Box): DetectedFace {
  const sx = to.width / from.width;
  const sy = to.height / from.height;
  const point = (p: Point): Point => ({ x: to.x + (p.x - from.x) * sx, y: to.y + (p.y - from.y) * sy });
  const { box } = face;
  const corner = point(box);
  const keypoints = Object.fromEntries(Object.entries(face.keypoints).map(([name, p]) => [name, point(p)])) as unknown as FaceKeypoints;
  return { ...face, box: { ...corner, width: box.width * sx, height: box.height * sy }, keypoints };
}

/** Clips a box to the frame (the model may extend it past the border for a face at the edge). */
export function clipBox(b: Box, width: number, height: number): Box {
  const x = Math.max(0, b.x);
  const y = Math.max(0, b.y);
  return { x, y, width: Math.max(0, Math.min(width, b.x + b.width) - x), height: Math.max(0, Math.min(height, b.y + b.height) - y) };
}

/** The keypoint that `name` becomes in a mirror image (left and right swap). */
const MIRRORED: Record<keyof FaceKeypoints, keyof FaceKeypoints> = {
  leftEye: 'rightEye',
  rightEye: 'leftEye',
  noseTip: 'noseTip',
  mouth: 'mouth',
  leftEarTragion: 'rightEarTragion',
  rightEarTragion: 'leftEarTragion',
};

/**
 * `face`, found in the mirror image (flipped left to right) of the `region` of a frame, as it lies in
 * the frame: its box and keypoints mirrored about the region's vertical centre line, and the left
 * and right keypoints swapped (the mirror image's left eye is the frame's right one).
 */
export function unmirrorFace(face: DetectedFace, region: Box): DetectedFace {
  const axis = 2 * region.x + region.width;
  const { box } = face;
  const keypoints = Object.fromEntries(
    (Object.keys(MIRRORED) as (keyof FaceKeypoints)[]).map((name) => {
      const p = face.keypoints[MIRRORED[name]];
      return [name, { x: axis - p.x, y: p.y }];
    }),
  ) as unknown as FaceKeypoints;
  return { ...face, box: { ...box, x: axis - box.x - box.width }, keypoints };
}
