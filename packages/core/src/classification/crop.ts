/**
 * Cuts a face out of a frame with the model card's framing: a square of side
 * scale x max(box w, h), centred on the box, moved down by offsetY x side along the face's own
 * vertical, and rotated so the eyes are level. One canvas transform does it all.
 */
import { EmotionDetectorError } from '../errors.js';
import type { DetectedFace } from '../types.js';
import type { CropGeometry } from '../geometry/box.js';
import type { ModelCard } from '../model-card.js';
import type { PixelBuffer } from './preprocess.js';
import { context2d, makeCanvas, type Drawable } from '../frame/frame.js';


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

/**
 * Draws face crops into one reused canvas and returns their RGBA pixels.
 *
 * The crop is drawn at half the face's source size, kept between `minSize` and `maxSize`, so that
 * the canvas shrinks it by at most 2x with its cheap bilinear filter (no aliasing at that ratio);
 * the preprocessing then area-averages it to the model input. Only a face too big for `maxSize`
 * needs the canvas's high-quality filter, which builds mipmaps on every draw
 * (about 0.3 ms more per face here).
 */
export class FaceCropper {
  private canvas!: OffscreenCanvas | HTMLCanvasElement;
  private ctx!: CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D;

  /** Crops are `minSize` to `maxSize` pixels square (by default always `minSize`). */
  constructor(
    readonly minSize: number,
    readonly maxSize = minSize,
  ) {
    this.reset();
  }

  /** A fresh canvas: a canvas that once drew a cross-origin frame stays unreadable for good. */
  private reset(): void {
    this.canvas = makeCanvas(this.maxSize, this.maxSize);
    this.ctx = context2d(this.canvas);
    this.ctx.imageSmoothingEnabled = true;
  }

  crop(image: Drawable, g: CropGeometry): PixelBuffer {
    const { ctx } = this;
    const size = Math.min(this.maxSize, Math.max(this.minSize, Math.ceil(g.side / 2)));
    ctx.imageSmoothingQuality = g.side > 2 * size ? 'high' : 'low';
    const k = size / g.side;
    const cos = Math.cos(g.angle) * k;
    const sin = Math.sin(g.angle) * k;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    // Outside the frame stays black (transparent black reads as 0).
    ctx.clearRect(0, 0, size, size);
    // canvas = R(-angle) (p - c) k + size/2
    ctx.setTransform(cos, -sin, sin, cos, size / 2 - (cos * g.cx + sin * g.cy), size / 2 - (-sin * g.cx + cos * g.cy));
    // Only the source pixels under the (rotated) square: the canvas then prepares no more of the
    // frame (a source rectangle past the frame's edge is clipped by drawImage, keeping the mapping).
    const r = g.side * Math.SQRT1_2 + 2;
    const x0 = Math.floor(g.cx - r);
    const y0 = Math.floor(g.cy - r);
    const w = Math.ceil(g.cx + r) - x0;
    const h = Math.ceil(g.cy + r) - y0;
    ctx.drawImage(image, x0, y0, w, h, x0, y0, w, h);
    let data: Uint8ClampedArray;
    try {
      data = ctx.getImageData(0, 0, size, size).data;
    } catch (e) {
      if ((e as DOMException)?.name !== 'SecurityError') throw e;
      this.reset();
      throw new EmotionDetectorError('tainted-source', 'The frame became cross-origin without CORS; its pixels cannot be read', { cause: e });
    }
    return { data, width: size, height: size, channels: 4 };
  }
}

/** The cropper the engine uses for a model: crops two to four times the model's input side. */
export function cropperFor(card: ModelCard): FaceCropper {
  const side = Math.max(card.input.width, card.input.height);
  return new FaceCropper(2 * side, 4 * side);
}
