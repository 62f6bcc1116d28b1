/**
 * A coarse map of a frame's brightness, read back once per search, that tells where the detector
 * should see the frame at a lower contrast: BlazeFace scores a face on a dark surround low or not at
 * all (face-detector.ts, LOW_CONTRAST), while a lower contrast costs faces in ordinary light.
 */
import type { Box } from '../types.js';
import { containsPoint } from '../geometry/box.js';

export interface LumaMap {
  /**
   * Mean luma (0-1) of `region` without `hole`, or 1 where no cell of the map is left. `beyond`, what
   * lies past the frame's edge: `'skipped'` (the default: no scene there, dark or not) or `'black'`
   * (as the detector's input shows it there).
   */
  mean(region: Box, hole?: Box, beyond?: 'skipped' | 'black'): number;
  /**
   * Standard deviation of the luma (0-1) of the cells of `region` without `hole` that lie in the
   * frame, or 0 where none is left: how far from plain (a wall, a flat ground) the scene there is.
   */
  spread(region: Box, hole?: Box): number;
}

/** Longest side of the map, in cells (a cell of 10 px in 640x480: a tenth face is about 5). */
export const LUMA_MAP_SIDE = 64;

/** The map's size for a `width` x `height` frame: LUMA_MAP_SIDE on the longer side. */
export function lumaMapSize(width: number, height: number): { width: number; height: number } {
  const s = LUMA_MAP_SIDE / Math.max(width, height);
  return { width: Math.max(1, Math.round(width * s)), height: Math.max(1, Math.round(height * s)) };
}

/**
 * The map of RGBA `pixels` (the frame drawn at `lumaMapSize`) for a `width` x `height` frame; a cell
 * counts in a box when its centre lies in it.
 */
export function lumaMap(pixels: { data: Uint8ClampedArray; width: number; height: number }, width: number, height: number): LumaMap {
  const { data, width: w, height: h } = pixels;
  const luma = new Float32Array(w * h);
  for (let i = 0; i < w * h; i++) luma[i] = (0.299 * data[i * 4]! + 0.587 * data[i * 4 + 1]! + 0.114 * data[i * 4 + 2]!) / 255;
  const [sx, sy] = [w / width, h / height];
  /** Calls `visit` with the map's cells whose centre lies in `region` and not in `hole` (continued past the frame's edge: null there). */
  const cells = (region: Box, hole: Box | undefined, visit: (luma: number | null) => void): void => {
    const [x0, x1] = [Math.floor(region.x * sx), Math.ceil((region.x + region.width) * sx)];
    const [y0, y1] = [Math.floor(region.y * sy), Math.ceil((region.y + region.height) * sy)];
    for (let y = y0; y < y1; y++) {
      for (let x = x0; x < x1; x++) {
        // The cell's centre, in the frame's pixels.
        const c = { x: (x + 0.5) / sx, y: (y + 0.5) / sy };
        if (!containsPoint(region, c) || (hole && containsPoint(hole, c))) continue;
        visit(x >= 0 && x < w && y >= 0 && y < h ? luma[y * w + x]! : null);
      }
    }
  };
  return {
    mean(region, hole, beyond = 'skipped') {
      let sum = 0;
      let n = 0;
      cells(region, hole, (l) => {
        if (l === null && beyond === 'skipped') return;
        sum += l ?? 0;
        n++;
      });
      return n ? sum / n : 1;
    },
    spread(region, hole) {
      let [sum, squares, n] = [0, 0, 0];
      cells(region, hole, (l) => {
        if (l === null) return;
        sum += l;
        squares += l * l;
        n++;
      });
      return n ? Math.sqrt(Math.max(0, squares / n - (sum / n) ** 2)) : 0;
    },
  };
}
