/**
 * Focus regions: where to look again for the small faces of the previous frame.
 *
 * The tiled search for small faces (tiles.ts) costs one detector pass per tile, and most of a
 * detector pass is fixed cost (MediaPipe's image conversion), not pixels. In a video the small
 * faces of the last frame are known, so between two full searches the detector only looks in a
 * square around each of them, with room for a frame's worth of motion. Nearby faces share a
 * region as long as each stays big enough in it for the detector's 128x128 input.
 */
import type { Box } from '../types.js';
import type { Tile } from './tiles.js';

/** A region is at least this many face sizes wide: the face, and 0.75 of it for motion on each side. */
const REACH = 2.5;
/**
 * Faces share a region while each is at least 1/MAX_SPREAD of its side: about 26 px of the
 * detector's 128, as big as a face in a tile of the full search (a tenth of a frame, a fifth of a tile).
 */
const MAX_SPREAD = 5;

interface Group {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  /** The smallest face side in the group. */
  face: number;
}

const span = (g: Group): number => Math.max(g.x1 - g.x0, g.y1 - g.y0);

function around(b: Box): Group {
  const face = Math.max(b.width, b.height);
  const cx = b.x + b.width / 2;
  const cy = b.y + b.height / 2;
  const h = (REACH * face) / 2;
  return { x0: cx - h, y0: cy - h, x1: cx + h, y1: cy + h, face };
}

function union(a: Group, b: Group): Group {
  return {
    x0: Math.min(a.x0, b.x0),
    y0: Math.min(a.y0, b.y0),
    x1: Math.max(a.x1, b.x1),
    y1: Math.max(a.y1, b.y1),
    face: Math.min(a.face, b.face),
  };
}

/** A square of the group's span, centred on it and moved inside the frame. */
function toTile(g: Group, width: number, height: number): Tile {
  const side = Math.round(Math.min(span(g), width, height));
  const clampStart = (centre: number, length: number) => Math.round(Math.min(Math.max(0, centre - side / 2), length - side));
  const x = clampStart((g.x0 + g.x1) / 2, width);
  const y = clampStart((g.y0 + g.y1) / 2, height);
  return {
    x,
    y,
    width: side,
    height: side,
    frameEdges: { left: x === 0, top: y === 0, right: x + side >= width, bottom: y + side >= height },
  };
}

/** Square regions covering `faces` (boxes in a `width` x `height` frame), nearby faces grouped. */
export function focusRegions(faces: readonly Box[], width: number, height: number): Tile[] {
  const groups: Group[] = [];
  for (const face of [...faces].sort((a, b) => a.x - b.x || a.y - b.y)) {
    const g = around(face);
    const i = groups.findIndex((other) => {
      const u = union(other, g);
      return span(u) <= MAX_SPREAD * u.face;
    });
    if (i >= 0) groups[i] = union(groups[i]!, g);
    else groups.push(g);
  }
  return groups.map((g) => toTile(g, width, height));
}
