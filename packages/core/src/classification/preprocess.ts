/**
 * Pixels -> model input tensor, exactly as the model card says. Pure functions on typed arrays
 * (no DOM), shared by the browser engine and by the evaluation command (models/eval), so the
 * accuracy we report is the accuracy of the code that ships.
 */
import type { ModelCard } from '../model-card.js';

/** Numbers in one model input of a card's input shape (channels x height x width). */
export function itemSizeOf(input: Pick<ModelCard['input'], 'channels' | 'height' | 'width'>): number {
  return input.channels * input.height * input.width;
}

/** A packed image: 1 (gray), 3 (RGB) or 4 (RGBA) bytes per pixel, row-major. */
export interface PixelBuffer {
  data: Uint8Array | Uint8ClampedArray;
  width: number;
  height: number;
  channels: 1 | 3 | 4;
}

const DEFAULT_GRAY: [number, number, number] = [0.299, 0.587, 0.114];

/** One channel plane (gray, or R/G/B) of the source as floats in 0..255. */
function plane(src: PixelBuffer, card: Pick<ModelCard, 'input'>, c: number): Float32Array {
  const n = src.width * src.height;
  const out = new Float32Array(n);
  const { data, channels } = src;
  if (channels === 1) {
    for (let i = 0; i < n; i++) out[i] = data[i];
  } else if (card.input.channels === 1) {
    const [wr, wg, wb] = card.input.grayscaleWeights ?? DEFAULT_GRAY;
    for (let i = 0, p = 0; i < n; i++, p += channels) out[i] = wr * data[p] + wg * data[p + 1] + wb * data[p + 2];
  } else {
    for (let i = 0, p = c; i < n; i++, p += channels) out[i] = data[p];
  }
  return out;
}

/**
 * Resizes one plane to w x h: area averaging when shrinking (no aliasing from big crops),
 * bilinear when enlarging.
 */
export function resizePlane(src: Float32Array, sw: number, sh: number, w: number, h: number): Float32Array {
  if (sw === w && sh === h) return src;
  const out = new Float32Array(w * h);
  const fx = sw / w;
  const fy = sh / h;
  if (fx >= 1 && fy >= 1) {
    for (let y = 0; y < h; y++) {
      const y0 = y * fy, y1 = y0 + fy;
      for (let x = 0; x < w; x++) {
        const x0 = x * fx, x1 = x0 + fx;
        let sum = 0, area = 0;
        for (let sy = Math.floor(y0); sy < Math.min(sh, Math.ceil(y1)); sy++) {
          const wy = Math.min(y1, sy + 1) - Math.max(y0, sy);
          for (let sx = Math.floor(x0); sx < Math.min(sw, Math.ceil(x1)); sx++) {
            const wx = Math.min(x1, sx + 1) - Math.max(x0, sx);
            sum += src[sy * sw + sx] * wx * wy;
            area += wx * wy;
          }
        }
        out[y * w + x] = sum / area;
      }
    }
    return out;
  }
  for (let y = 0; y < h; y++) {
    const sy = Math.min(sh - 1, Math.max(0, (y + 0.5) * fy - 0.5));
    const y0 = Math.floor(sy), y1 = Math.min(sh - 1, y0 + 1), ty = sy - y0;
    for (let x = 0; x < w; x++) {
      const sx = Math.min(sw - 1, Math.max(0, (x + 0.5) * fx - 0.5));
      const x0 = Math.floor(sx), x1 = Math.min(sw - 1, x0 + 1), tx = sx - x0;
      const a = src[y0 * sw + x0] * (1 - tx) + src[y0 * sw + x1] * tx;
      const b = src[y1 * sw + x0] * (1 - tx) + src[y1 * sw + x1] * tx;
      out[y * w + x] = a * (1 - ty) + b * ty;
    }
  }
  return out;
}

/**
 * Writes one image as the model's input (C x H x W floats) into `out` at `offset`
 * (so a batch is filled image by image). Returns `out`.
 */
export function toModelInput(src: PixelBuffer, card: Pick<ModelCard, 'input'>, out?: Float32Array, offset = 0): Float32Array {
  const { width: w, height: h, channels: c, normalization: norm } = card.input;
  const size = w * h;
  const target = out ?? new Float32Array(c * size);
  for (let ch = 0; ch < c; ch++) {
    const resized = resizePlane(plane(src, card, ch), src.width, src.height, w, h);
    const mean = norm.mean[ch] ?? norm.mean[0] ?? 0;
    const std = norm.std[ch] ?? norm.std[0] ?? 1;
    const base = offset + ch * size;
    for (let i = 0; i < size; i++) target[base + i] = (resized[i] * norm.scale - mean) / std;
  }
  return target;
}

/** Softmax, for cards whose model outputs logits. */
export function softmax(logits: ArrayLike<number>): Float32Array {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]);
  const out = new Float32Array(logits.length);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += out[i] = Math.exp(logits[i] - max);
  for (let i = 0; i < out.length; i++) out[i] /= sum;
  return out;
}
