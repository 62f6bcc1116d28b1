/**
 * Overlapping square tiles for finding small faces.
 *
 * The detector sees its input letterboxed to 128x128, so a face a tenth of a 1920-wide photo is
 * about 13 input pixels: too small for BlazeFace short range, which is reliable from roughly a
 * sixth of its input. Running it again on tiles a few times smaller than the frame brings such
 * faces into range. Neighbouring tiles overlap by half, so any face up to half a tile wide lies
 * wholly inside at least one tile (detections cut by a tile's inner edge are dropped later).
 */
import type { Box } from '../types.js';

export interface Tile extends Box {
  /** Which sides of the tile are also sides of the frame (a face may touch those). */
  frameEdges: { left: boolean; top: boolean; right: boolean; bottom: boolean };
}

export interface TileOptions {
  /** Tile side as a fraction of the frame's longer side. */
  tileFraction?: number;
  /** Frames whose shorter side is below this (pixels) are not tiled: faces there are not small. */
  minFrameSide?: number;
}

/** Positions `count` windows of `size` evenly over `length`, the first at 0 and the last at the end. */
function starts(length: number, size: number): number[] {
  if (size >= length) return [0];
  const count = Math.ceil((length - size) / (size / 2)) + 1;
  const step = (length - size) / (count - 1);
  return Array.from({ length: count }, (_, i) => Math.round(i * step));
}

/** Tiles covering a `width` x `height` frame, or none when the frame is too small to need them. */
export function tileLayout(width: number, height: number, options: TileOptions = {}): Tile[] {
  const { tileFraction = 0.5, minFrameSide = 256 } = options;
  if (!(width > 0 && height > 0) || Math.min(width, height) < minFrameSide) return [];
  const size = Math.min(Math.round(Math.max(width, height) * tileFraction), width, height);
  const tiles: Tile[] = [];
  for (const y of starts(height, size)) {
    for (const x of starts(width, size)) {
      tiles.push({
        x,
        y,
        width: size,
        height: size,
        frameEdges: { left: x === 0, top: y === 0, right: x + size >= width, bottom: y + size >= height },
      });
    }
  }
  return tiles;
}
