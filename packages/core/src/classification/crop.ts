/**
 * Cuts a face out of a frame with the model card's framing: a square of side
 * scale x max(box w, h), centred on the box, moved down by offsetY x side along the face's own
 * vertical, and rotated so the eyes are level. One canvas transform does it all.
 */
import type { DetectedFace } from '../types.js';
import type { ModelCard } from './model-card.js';
import type { PixelBuffer } from './preprocess.js';
import { context2d, makeCanvas, type Drawable } from '../frame/frame.js';

export interface CropGeometry {
  /** Centre of the square, source pixels. */
  cx: number;
  cy: number;
  side: number;
  /** Rotation of the face (radians, image y down); the crop undoes it. */
  angle: number;
}

export function cropGeometry(face: DetectedFace, crop: ModelCard['crop']): CropGeometry {
  const { box, keypoints } = face;
  const side = crop.scale * Math.max(box.width, box.height);
  let angle = 0;
  if (crop.align === 'eyes') {
    let dx = keypoints.leftEye.x - keypoints.rightEye.x;
    let dy = keypoints.leftEye.y - keypoints.rightEye.y;
    // Whichever eye is named left, measure the line from the image-left one to the other.
    if (dx < 0) {
      dx = -dx;
      dy = -dy;
    }
    if (dx > 0 || dy !== 0) angle = Math.atan2(dy, dx);
  }
  const shift = crop.offsetY * side;
  return {
    cx: box.x + box.width / 2 - Math.sin(angle) * shift,
    cy: box.y + box.height / 2 + Math.cos(angle) * shift,
    side,
    angle,
  };
}

/** Draws face crops into one reused canvas and returns their RGBA pixels. */
export class FaceCropper {
  private readonly canvas: OffscreenCanvas | HTMLCanvasElement;
  private readonly ctx: CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D;

  /** `size`: the crop's side in pixels (about twice the model input; preprocess area-resizes it). */
  constructor(readonly size: number) {
    this.canvas = makeCanvas(size, size);
    this.ctx = context2d(this.canvas);
    this.ctx.imageSmoothingEnabled = true;
    this.ctx.imageSmoothingQuality = 'high';
  }

  crop(image: Drawable, g: CropGeometry): PixelBuffer {
    const { ctx, size } = this;
    const k = size / g.side;
    const cos = Math.cos(g.angle) * k;
    const sin = Math.sin(g.angle) * k;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    // Outside the frame stays black (transparent black reads as 0).
    ctx.clearRect(0, 0, size, size);
    // canvas = R(-angle) (p - c) k + size/2
    ctx.setTransform(cos, -sin, sin, cos, size / 2 - (cos * g.cx + sin * g.cy), size / 2 - (-sin * g.cx + cos * g.cy));
    ctx.drawImage(image, 0, 0);
    const { data } = ctx.getImageData(0, 0, size, size);
    return { data, width: size, height: size, channels: 4 };
  }
}
