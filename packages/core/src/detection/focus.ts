/**
 * Focus passes: where to look again for the faces of the previous frame.
 *
 * The full search for small faces (tiles.ts) costs one detector pass per tile, and most of a
 * detector pass is fixed cost (MediaPipe's image conversion, about 5 ms here), not pixels. In a
 * video the faces of the last frame are known, so between two full searches the detector only looks
 * in a square cell around each of them, with room for a frame's worth of motion. The cells of up to
 * four faces are packed into one 2x2 mosaic and searched in one pass: the detector reads 128x128
 * pixels, so a face in a cell is still about 26 of them, as big as a small face in a tile of the
 * full search. (Not nine in a 3x3 mosaic: a face must then fill most of its cell, and BlazeFace
 * draws such a face's box too big, so that frame after frame the cell and the box grow.)
 */
import type { Box } from '../types.js';
import { centredSquare } from '../geometry/box.js';
import type { Tile } from './tiles.js';

/** One detector pass: `grid` x `grid` cells, each a square of the frame around one face. */
export interface FocusPass {
  grid: 1 | 2;
  cells: Tile[];
}

/** Most cells in one pass (a 2x2 mosaic). */
const MAX_CELLS = 4;
/**
 * Cell side in face sizes, by grid: the face and about 0.7 of it on each side for motion, so that
 * the face is at least 26 of the detector's 128 pixels.
 */
const REACH: Record<FocusPass['grid'], number> = { 1: 2.5, 2: 2.4 };

/** A square of `reach` times the face's size, centred on it, moved inside the frame. */
export function cellAround(b: Box, reach: number, width: number, height: number): Tile {
  const square = centredSquare(b, reach, Math.min(width, height));
  const side = square.width;
  const x = Math.min(Math.max(0, square.x), width - side);
  const y = Math.min(Math.max(0, square.y), height - side);
  return {
    x,
    y,
    width: side,
    height: side,
    frameEdges: { left: x === 0, top: y === 0, right: x + side >= width, bottom: y + side >= height },
  };
}

/** The passes that search around `faces` (boxes in a `width` x `height` frame): a cell per face. */
export function focusPasses(faces: readonly Box[], width: number, height: number): FocusPass[] {
  const passes: FocusPass[] = [];
  for (let i = 0; i < faces.length; i += MAX_CELLS) {
    const some = faces.slice(i, i + MAX_CELLS);
    const grid = Math.ceil(Math.sqrt(some.length)) as FocusPass['grid'];
    passes.push({ grid, cells: some.map((b) => cellAround(b, REACH[grid], width, height)) });
  }
  return passes;
}
