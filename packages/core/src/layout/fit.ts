/**
 * Overlay geometry: where a box given in a frame's pixels lands on the rendered media element:
 * object-fit, object-position (either keyword order, px, %, calc), mirroring on either axis, and
 * the content box inside borders and padding. Pure functions, no DOM (measure.ts reads the DOM).
 *
 * All boxes of a layout share one coordinate space, the caller's choice: the viewport in CSS px, or
 * the padding box of an overlay's container in its own CSS px (see `measure`).
 */
import type { Box } from '../types.js';

export type ObjectFit = 'contain' | 'cover' | 'fill' | 'none' | 'scale-down';

export interface Size {
  width: number;
  height: number;
}

/** One axis of `object-position`: a fraction of the free space plus an offset in the element's CSS px. */
export interface AxisPosition {
  fraction: number;
  offset: number;
}

export interface ObjectPosition {
  x: AxisPosition;
  y: AxisPosition;
}

/** Which axes the picture is flipped on, on screen (a negative scale on the element or an ancestor). */
export interface Mirror {
  x: boolean;
  y: boolean;
}

export const CENTER: ObjectPosition = { x: { fraction: 0.5, offset: 0 }, y: { fraction: 0.5, offset: 0 } };
export const NO_MIRROR: Mirror = { x: false, y: false };

const FITS: readonly ObjectFit[] = ['contain', 'cover', 'fill', 'none', 'scale-down'];

/** A computed `object-fit`; anything else is the initial value, 'fill'. */
export function parseObjectFit(value: string | null | undefined): ObjectFit {
  return FITS.includes(value as ObjectFit) ? (value as ObjectFit) : 'fill';
}

const KEYWORDS: Record<string, number> = { left: 0, top: 0, center: 0.5, right: 1, bottom: 1 };

/** One value: a keyword, `N%`, `Npx`, or `calc(A% + Bpx)` (how browsers compute `right 10px`). */
function parseAxis(token: string): AxisPosition | undefined {
  if (token in KEYWORDS) return { fraction: KEYWORDS[token]!, offset: 0 };
  const out: AxisPosition = { fraction: 0, offset: 0 };
  const body = /^calc\((.*)\)$/.exec(token)?.[1] ?? token;
  // Terms with their signs: "100% - 10px" -> ["100%", "-10px"].
  const terms = body.replace(/\s+([+-])\s+/g, ' $1').trim().split(/\s+/);
  for (const term of terms) {
    const m = /^([+-]?[\d.]+(?:e[+-]?\d+)?)(%|px)$/i.exec(term);
    if (!m) return undefined;
    if (m[2] === '%') out.fraction += Number(m[1]) / 100;
    else out.offset += Number(m[1]);
  }
  return out;
}

/** Splits at spaces outside parentheses. */
function tokens(value: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of value.trim()) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (/\s/.test(ch) && depth === 0) {
      if (current) out.push(current);
      current = '';
    } else current += ch;
  }
  if (current) out.push(current);
  return out;
}

/**
 * A computed `object-position` ("50% 50%", "0px 10px", "left top", "top left",
 * "calc(100% - 10px) 0%"); anything it cannot read is the initial value, centred.
 */
export function parseObjectPosition(value: string | null | undefined): ObjectPosition {
  const parts = tokens((value ?? '').toLowerCase());
  if (parts.length !== 2) return CENTER;
  // `top left`: a vertical keyword first, or a horizontal one second.
  if (parts[0] === 'top' || parts[0] === 'bottom' || parts[1] === 'left' || parts[1] === 'right') parts.reverse();
  const x = parseAxis(parts[0]!);
  const y = parseAxis(parts[1]!);
  return x && y ? { x, y } : CENTER;
}

/**
 * The rectangle the picture (of size `intrinsic`) is drawn into inside a content box of size `box`,
 * relative to the box's corner. `scale`: layout units per CSS px of the element (for `none`,
 * `scale-down` and px offsets); 1 when the layout is in the element's own CSS px.
 */
export function fitRect(fit: ObjectFit, intrinsic: Size, box: Size, position: ObjectPosition = CENTER, scale = 1): Box {
  if (intrinsic.width <= 0 || intrinsic.height <= 0) return { x: 0, y: 0, width: box.width, height: box.height };
  let width: number;
  let height: number;
  if (fit === 'fill') {
    width = box.width;
    height = box.height;
  } else {
    const contain = Math.min(box.width / intrinsic.width, box.height / intrinsic.height);
    const cover = Math.max(box.width / intrinsic.width, box.height / intrinsic.height);
    const k = fit === 'contain' ? contain : fit === 'cover' ? cover : fit === 'none' ? scale : Math.min(scale, contain);
    width = intrinsic.width * k;
    height = intrinsic.height * k;
  }
  const place = (free: number, p: AxisPosition) => free * p.fraction + p.offset * scale;
  return { x: place(box.width - width, position.x), y: place(box.height - height, position.y), width, height };
}

/** Where a media element's picture is, in one coordinate space (see the module comment). */
export interface MediaLayout {
  /** The content box (inside borders and padding): the visible area. */
  content: Box;
  /** Where the whole picture is drawn, flips included; it overflows `content` with cover or none. */
  drawn: Box;
  /** The picture's own size in pixels (videoWidth x videoHeight, naturalWidth x naturalHeight...). */
  intrinsic: Size;
  mirror: Mirror;
  /** Layout units per CSS px of the element (its and its ancestors' CSS transforms' scale). */
  scale: number;
}

export interface LayoutInput {
  content: Box;
  intrinsic: Size;
  /** Default 'fill' (CSS's initial value). */
  fit?: ObjectFit;
  /** Default centred. */
  position?: ObjectPosition;
  /** Default none. */
  mirror?: Mirror;
  /** Default 1. */
  scale?: number;
}

/** The layout of a picture from its element's measured content box and styles. */
export function layoutOf({ content, intrinsic, fit = 'fill', position = CENTER, mirror = NO_MIRROR, scale = 1 }: LayoutInput): MediaLayout {
  const local = fitRect(fit, intrinsic, content, position, scale);
  // A flip turns the picture about the content box's centre.
  const x = mirror.x ? content.width - local.x - local.width : local.x;
  const y = mirror.y ? content.height - local.y - local.height : local.y;
  return { content, drawn: { x: content.x + x, y: content.y + y, width: local.width, height: local.height }, intrinsic, mirror, scale };
}

/** A box in the pixels of a frame of size `frame` (any downscale of the picture), on the layout; not clipped. */
export function mapBox(box: Box, frame: Size, layout: MediaLayout): Box {
  const { drawn, mirror } = layout;
  const kx = drawn.width / frame.width;
  const ky = drawn.height / frame.height;
  const width = box.width * kx;
  const height = box.height * ky;
  const u = box.x * kx;
  const v = box.y * ky;
  return {
    x: mirror.x ? drawn.x + drawn.width - u - width : drawn.x + u,
    y: mirror.y ? drawn.y + drawn.height - v - height : drawn.y + v,
    width,
    height,
  };
}

/** The part of `box` inside `to`, or null when less than a pixel of it is (cover and none crop the picture). */
export function clip(box: Box, to: Box): Box | null {
  const x0 = Math.max(box.x, to.x);
  const y0 = Math.max(box.y, to.y);
  const x1 = Math.min(box.x + box.width, to.x + to.width);
  const y1 = Math.min(box.y + box.height, to.y + to.height);
  if (x1 - x0 < 1 || y1 - y0 < 1) return null;
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

/** A box in frame pixels where it shows on the layout, clipped to the content box; null when it does not show. */
export function placeBox(box: Box, frame: Size, layout: MediaLayout): Box | null {
  return clip(mapBox(box, frame, layout), layout.content);
}

/**
 * The flips a computed `transform` (a matrix) and `scale` property make. A negative x scale
 * mirrors left to right; a 180-degree turn flips both axes, and maps boxes as such.
 */
export function mirrorOfStyle(transform: string | null | undefined, scale?: string | null): Mirror {
  let x = false;
  let y = false;
  const t = (transform ?? '').trim();
  const m2 = /^matrix\(([^,]+),\s*[^,]+,\s*[^,]+,\s*([^,]+),/.exec(t);
  const m3 = /^matrix3d\(([^,]+),(?:\s*[^,]+,){4}\s*([^,]+),/.exec(t);
  const m = m2 ?? m3;
  if (m) {
    x = Number(m[1]) < 0;
    y = Number(m[2]) < 0;
  }
  const s = (scale ?? '').trim();
  if (s && s !== 'none') {
    const [a, b] = s.split(/\s+/).map(Number);
    if (a !== undefined && Number.isFinite(a)) {
      if (a < 0) x = !x;
      if ((b !== undefined && Number.isFinite(b) ? b : a) < 0) y = !y;
    }
  }
  return { x, y };
}
