/**
 * Overlapping square tiles for finding small faces.
 *
 * The detector sees its input letterboxed to 128x128, and BlazeFace short range finds a face
 * reliably from about a third of that input (measured on FER2013 faces: at 30% of the input 86-98%
 * of them score 0.5, at 40% 97-100%; at 20%, 31-74%). At 30% its score also swings with where the
 * face sits against its anchors and with a dark surround (83-98% of faces at 0.5;
 * models/eval/detector-scale.mjs), at 37.5% far less (95-98%). A 48-pixel face in a 640x480 frame
 * is 10 input pixels of the whole frame, 19 of a tile of half the frame's longer side. Tiles of three
 * levels bring faces down to about a sixteenth of the frame's longer side into range:
 *
 * - half the longer side (faces of about 1/7 to 1/4 of it; 6 tiles in a 640x480 frame), for frames
 *   whose shorter side is at least 256 pixels;
 * - a third of it (faces of about 1/8 to 1/4 of it; 15 tiles in 640x480) and a sixth of it (faces
 *   of about 1/16 to 1/8; 63 tiles in 640x480, where a 48-pixel face fills 45% of a tile), for frames
 *   whose longer side is at least 512 pixels (their sixths of 85 px are blown up to the detector's
 *   128; smaller frames' tiles would be blown up further, which finds nothing more).
 *
 * Tiles of a fifth of the longer side as the finest level (42 in 640x480, no middle level) left 7%
 * of faces a tenth of the frame on black with no find at all (150 Training faces in eval:pipeline),
 * tiles of a sixth 1-2%; the middle level keeps a face a fifth of the frame, too big for a sixth's
 * tiles, at 45% of its tiles.
 *
 * Neighbouring tiles of a level overlap by its `maxFace` (half a coarse tile, a third of a finer
 * one), so any face up to that wide lies wholly inside at least one tile; a wider one, cut by the
 * edges of a level's tiles, is found whole by a neighbour, by the next coarser level, or by the
 * closer looks centred on a cut find (face-detector.ts).
 */
import type { Box } from '../types.js';

export interface Tile extends Box {
  /** Which sides of the tile are also sides of the frame (a face may touch those). */
  frameEdges: { left: boolean; top: boolean; right: boolean; bottom: boolean };
}

/** A tile of the small-face search. */
export interface LevelTile extends Tile {
  /** The widest unsure find (fraction of the tile's side) worth a closer look: see TileOptions.maxUnsure. */
  maxUnsure: number;
  /** How far past the frame's edge the tile reaches where it touches it: see TileOptions.pastEdge. */
  pastEdge: number;
  /** Whether the tile is searched in its mirror image too: see TileOptions.mirrorCorners. */
  mirrored: boolean;
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
  /**
   * An unsure find wider than this fraction of the tile is not a small face, and gets no closer
   * look: a face that big is the whole frame's or a coarser level's to find. The fine level's
   * reaches as far as the next coarser level's faces begin (about 30% of a coarse tile, 75% of a finer one).
   */
  maxUnsure?: number;
  /**
   * How far (fraction of the tile's side) the level's tiles that touch the frame's edge are searched
   * past it, mid-grey there (reachingPast). The finest level's: a face a sixteenth to an eighth of the
   * frame in its corner then sits a fifth of the input in from the input's corner instead of touching
   * it, where BlazeFace scores small faces low, on black the most (models/eval/detector-scale.mjs: of
   * faces at 30% of its input, 83% score 0.5 in its black corner, 91.5% centred). The coarser levels'
   * tiles keep to the frame: their faces, grown past the edge, would fall under a third of the input.
   */
  pastEdge?: number;
  /**
   * Whether the level's four corner tiles (each touching two of the frame's edges) are searched in
   * their mirror image too, their finds looked at mirrored (face-detector.ts, confirm). The finest
   * level's: in the frame's corner BlazeFace scores a face a tenth of a 640x480 frame high just under
   * the frame's threshold as it is (0.39-0.48 for 9 of the 11 of 1,000 dev faces that the search
   * missed in the black corner: they got no closer look), and BlazeFace is not symmetric; mirrored,
   * 5 of those 11 score 0.5-0.69 and hold in the closer looks. Those 1,000 dev faces: 98.9 -> 99.4%
   * found in the black corner, 99.2 -> 99.6% in the grey one, no face lost and no box moved. Four
   * passes more, only where the finest level is searched.
   */
  mirrorCorners?: boolean;
}

/** The levels of the small-face search, coarse to fine. */
export const TILE_LEVELS: readonly Required<TileOptions>[] = [
  { tileFraction: 1 / 2, minFrameSide: 256, minLongSide: 0, maxFace: 1 / 2, maxUnsure: 0.6, pastEdge: 0, mirrorCorners: false },
  { tileFraction: 1 / 3, minFrameSide: 256, minLongSide: 512, maxFace: 1 / 3, maxUnsure: 0.75, pastEdge: 0, mirrorCorners: false },
  { tileFraction: 1 / 6, minFrameSide: 256, minLongSide: 512, maxFace: 1 / 3, maxUnsure: 0.75, pastEdge: 0.25, mirrorCorners: true },
];

/** Positions windows of `size` evenly over `length`, the first at 0, the last at the end, at most `step` apart. */
function starts(length: number, size: number, step: number): number[] {
  if (size >= length) return [0];
  const count = Math.ceil((length - size) / step) + 1;
  const gap = (length - size) / (count - 1);
  return Array.from({ length: count }, (_, i) => Math.round(i * gap));
}

/** Tiles covering a `width` x `height` frame at one level, or none when the frame is too small to need them. */
export function tileLayout(width: number, height: number, options: TileOptions = {}): LevelTile[] {
  const { tileFraction = 0.5, minFrameSide = 256, minLongSide = 0, maxFace = 0.5, maxUnsure = 0.6, pastEdge = 0, mirrorCorners = false } = options;
  if (!(width > 0 && height > 0) || Math.min(width, height) < minFrameSide || Math.max(width, height) < minLongSide) return [];
  const size = Math.min(Math.round(Math.max(width, height) * tileFraction), width, height);
  const step = Math.max(1, size * (1 - maxFace));
  const tiles: LevelTile[] = [];
  for (const y of starts(height, size, step)) {
    for (const x of starts(width, size, step)) {
      const frameEdges = { left: x === 0, top: y === 0, right: x + size >= width, bottom: y + size >= height };
      const corner = (frameEdges.left || frameEdges.right) && (frameEdges.top || frameEdges.bottom);
      tiles.push({ x, y, width: size, height: size, frameEdges, maxUnsure, pastEdge, mirrored: mirrorCorners && corner });
    }
  }
  return tiles;
}

/**
 * A frame this much longer than high (or higher than wide), or more, also has its squares
 * (frameSquares); a squarer one's squares would be nearly the whole frame again.
 */
export const SQUARES_ASPECT = 1.2;

/**
 * Squares of a non-square frame's shorter side along its longer side, overlapping by at least half
 * (two in 4:3, three in 16:9): how the search sees a big face against the frame's edge. MediaPipe
 * letterboxes the whole frame into its square input, so a face half the height of a 4:3 frame
 * fills 37.5% of the input there, and where it touches the frame's edge it touches the input's:
 * BlazeFace then scores many such faces under 0.5 (a face cut tightly at the frame's corner on black
 * the most). In a square of the frame's height the same face fills half the input, its best range.
 * None for a frame squarer than SQUARES_ASPECT.
 */
export function frameSquares(width: number, height: number): Tile[] {
  const [long, short] = [Math.max(width, height), Math.min(width, height)];
  if (!(short > 0) || long < SQUARES_ASPECT * short) return [];
  // One row (or column) of tiles as wide as the frame's shorter side, half-overlapping.
  return tileLayout(width, height, { tileFraction: short / long, minFrameSide: 0, maxFace: 1 / 2 });
}

/**
 * The frame's two end squares (frameSquares' first and last) moved `by` of their side past the
 * frame's ends (mid-grey there): how the search sees a big face that the frame cuts at its left or
 * right edge (top or bottom of a portrait frame), which MediaPipe's input cuts at its own edge too.
 * BlazeFace scores a face cut by its input's edge low (of 600 dev faces half a 640x480 frame high
 * reaching a fifth past its left edge, the 14 that the search missed: 0.23-0.59 in the end square as
 * it is, 0.31-0.76 moved a fifth past); moved, the face's cut side meets grey in the input, as a
 * face beside a plain wall does. Every side but the inner one is the frame's (or past it). None
 * where frameSquares has none.
 */
export function squaresPastEnds(width: number, height: number, by: number): Tile[] {
  const squares = frameSquares(width, height);
  if (squares.length === 0) return [];
  const [first, last] = [squares[0]!, squares[squares.length - 1]!];
  const shift = by * first.width;
  const edges = { left: true, top: true, right: true, bottom: true };
  return width > height
    ? [
        { ...first, x: first.x - shift, frameEdges: { ...edges, right: false } },
        { ...last, x: last.x + shift, frameEdges: { ...edges, left: false } },
      ]
    : [
        { ...first, y: first.y - shift, frameEdges: { ...edges, bottom: false } },
        { ...last, y: last.y + shift, frameEdges: { ...edges, top: false } },
      ];
}

/**
 * The frame seen from further away: a region `zoom` times its size, centred on it, reaching past
 * every edge (the search fills that part mid-grey). MediaPipe letterboxes a 4:3 frame into its square
 * input, so a face that fills the frame's height fills three quarters of the input, beyond the range
 * where BlazeFace scores faces surely (FER2013 faces filling a 640x480 frame: 16 of 3,000 frames on
 * grey and black under 0.5, of them 10 at 0.62-0.82 seen 1.5 times further away, where the face fills
 * half the input). Every side is the frame's: a face may touch any of them.
 */
export function frameZoomedOut(width: number, height: number, zoom: number): Tile {
  const [w, h] = [zoom * width, zoom * height];
  return { x: (width - w) / 2, y: (height - h) / 2, width: w, height: h, frameEdges: { left: true, top: true, right: true, bottom: true } };
}

/**
 * `tile` grown past the frame's edges it touches by `by` of its side, and as much along the other
 * axis (half on each side) where it touches the edges of one axis only, so it stays square: a face in the frame's corner or against its edge then sits `by` of a tile in from the
 * input's edge (the search fills past the frame mid-grey) instead of touching it (TileOptions.pastEdge).
 * A tile that touches no frame edge is returned as it is.
 */
export function reachingPast<T extends Tile>(tile: T, by: number): T {
  const { left, top, right, bottom } = tile.frameEdges;
  const grow = by * tile.width;
  const [dx0, dx1] = [left ? grow : 0, right ? grow : 0];
  const [dy0, dy1] = [top ? grow : 0, bottom ? grow : 0];
  // The axis grown less is grown as much, evenly, so the tile stays square.
  const [gx, gy] = [dx0 + dx1, dy0 + dy1];
  const [ex, ey] = [Math.max(0, gy - gx) / 2, Math.max(0, gx - gy) / 2];
  return {
    ...tile,
    x: tile.x - dx0 - ex,
    y: tile.y - dy0 - ey,
    width: tile.width + Math.max(gx, gy),
    height: tile.height + Math.max(gx, gy),
  };
}

/** The tiles of every level for a `width` x `height` frame, coarse level first (none for a small frame). */
export function tileLevels(width: number, height: number): LevelTile[][] {
  return TILE_LEVELS.map((level) => tileLayout(width, height, level)).filter((tiles) => tiles.length > 1);
}
