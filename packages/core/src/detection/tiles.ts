/**
 * Overlapping square tiles for finding small faces.
 *
 * The detector sees its input letterboxed to 128x128, and BlazeFace short range finds a face
 * reliably from about a third of that input (measured on FER2013 faces: at 30% of the input 86-98%
 * of them score 0.5, at 40% 97-100%; at 20%, 31-74%). A 48-pixel face in a 640x480 frame is 10
 * input pixels of the whole frame, 19 of a tile of half the frame's longer side. Tiles of two
 * levels bring faces down to about a twelfth of the frame's longer side into range:
 *
 * - half the longer side (faces of about 1/7 to 1/4 of it; 6 tiles in a 640x480 frame), for frames
 *   whose shorter side is at least 256 pixels;
 * - a quarter of the longer side (faces of about 1/13 to 1/8 of it; 24 tiles in 640x480), for frames
 *   whose longer side is at least 512 pixels (smaller tiles would be blown up past the detector's
 *   own input, which finds nothing more).
 *
 * Neighbouring tiles of a level overlap by half a tile, so any face up to half a tile wide lies
 * wholly inside at least one tile (detections cut by a tile's inner edge are left to other tiles, or
 * to the closer look: face-detector.ts).
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
  /** Frames whose longer side is below this (pixels) are not tiled at this level. */
  minLongSide?: number;
  /** The largest face (fraction of the tile's side) that must lie wholly inside some tile: neighbours overlap by this. */
  maxFace?: number;
}

/** The levels of the small-face search, coarse to fine. */
export const TILE_LEVELS: readonly Required<TileOptions>[] = [
  { tileFraction: 1 / 2, minFrameSide: 256, minLongSide: 0, maxFace: 1 / 2 },
  { tileFraction: 1 / 4, minFrameSide: 256, minLongSide: 512, maxFace: 1 / 3 },
];

/** Positions windows of `size` evenly over `length`, the first at 0, the last at the end, at most `step` apart. */
function starts(length: number, size: number, step: number): number[] {
  if (size >= length) return [0];
  const count = Math.ceil((length - size) / step) + 1;
  const gap = (length - size) / (count - 1);
  return Array.from({ length: count }, (_, i) => Math.round(i * gap));
}

/** Tiles covering a `width` x `height` frame at one level, or none when the frame is too small to need them. */
export function tileLayout(width: number, height: number, options: TileOptions = {}): Tile[] {
  const { tileFraction = 0.5, minFrameSide = 256, minLongSide = 0, maxFace = 0.5 } = options;
  if (!(width > 0 && height > 0) || Math.min(width, height) < minFrameSide || Math.max(width, height) < minLongSide) return [];
  const size = Math.min(Math.round(Math.max(width, height) * tileFraction), width, height);
  const step = Math.max(1, size * (1 - maxFace));
  const tiles: Tile[] = [];
  for (const y of starts(height, size, step)) {
    for (const x of starts(width, size, step)) {
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

/** The tiles of every level for a `width` x `height` frame, coarse level first (none for a small frame). */
export function tileLevels(width: number, height: number): Tile[][] {
  return TILE_LEVELS.map((level) => tileLayout(width, height, level)).filter((tiles) => tiles.length > 1);
}
