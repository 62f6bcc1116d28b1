/**
 * Overlay geometry: where a box given in source pixels lands on the rendered media, in CSS pixels
 * relative to the media element's content box. Pure functions, no DOM access.
 */
import type { Box } from '@emotion-detector/core';

export type ObjectFit = 'contain' | 'cover' | 'fill' | 'none' | 'scale-down';

export interface Size {
  width: number;
  height: number;
}

/** One axis of `object-position`: a fraction of the free space plus a fixed CSS pixel offset. */
export interface AxisPosition {
  fraction: number;
  offset: number;
}

export interface ObjectPosition {
  x: AxisPosition;
  y: AxisPosition;
}

export const CENTER: ObjectPosition = { x: { fraction: 0.5, offset: 0 }, y: { fraction: 0.5, offset: 0 } };

const FITS: readonly ObjectFit[] = ['contain', 'cover', 'fill', 'none', 'scale-down'];

export function parseObjectFit(value: string | null | undefined): ObjectFit {
  return FITS.includes(value as ObjectFit) ? (value as ObjectFit) : 'fill';
}

/** Parses a computed `object-position` ("50% 50%", "0px 10px", "left top", "calc(...)" falls back to center). */
export function parseObjectPosition(value: string | null | undefined): ObjectPosition {
  const parts = (value ?? '').trim().split(/\s+/).filter(Boolean);
  if (parts.length !== 2) return CENTER;
  const keyword: Record<string, number> = { left: 0, top: 0, center: 0.5, right: 1, bottom: 1 };
  const axis = (token: string): AxisPosition => {
    if (token in keyword) return { fraction: keyword[token]!, offset: 0 };
    const m = /^(-?[\d.]+)(%|px)$/.exec(token);
    if (!m) return { fraction: 0.5, offset: 0 };
    const n = Number(m[1]);
    return m[2] === '%' ? { fraction: n / 100, offset: 0 } : { fraction: 0, offset: n };
  };
  return { x: axis(parts[0]!), y: axis(parts[1]!) };
}

/** The rectangle the media's pixels are drawn into, inside a content box of size `box`. */
export function fitRect(fit: ObjectFit, intrinsic: Size, box: Size, position: ObjectPosition = CENTER): Box {
  if (intrinsic.width <= 0 || intrinsic.height <= 0) return { x: 0, y: 0, width: box.width, height: box.height };
  let width: number;
  let height: number;
  if (fit === 'fill') {
    width = box.width;
    height = box.height;
  } else {
    const contain = Math.min(box.width / intrinsic.width, box.height / intrinsic.height);
    const cover = Math.max(box.width / intrinsic.width, box.height / intrinsic.height);
    const scale = fit === 'contain' ? contain : fit === 'cover' ? cover : fit === 'none' ? 1 : Math.min(1, contain);
    width = intrinsic.width * scale;
    height = intrinsic.height * scale;
  }
  const place = (free: number, p: AxisPosition) => free * p.fraction + p.offset;
  return { x: place(box.width - width, position.x), y: place(box.height - height, position.y), width, height };
}

/**
 * Maps a box in source pixels onto the content box. `mirrored`: the element is flipped
 * horizontally (transform: scaleX(-1) about its centre), so the box flips around the content box.
 */
export function mapBox(box: Box, source: Size, drawn: Box, content: Size, mirrored = false): Box {
  const sx = drawn.width / source.width;
  const sy = drawn.height / source.height;
  const width = box.width * sx;
  const height = box.height * sy;
  let x = drawn.x + box.x * sx;
  const y = drawn.y + box.y * sy;
  if (mirrored) x = content.width - x - width;
  return { x, y, width, height };
}

/** Intersection of a box with the visible content box (cover and none crop the media). */
export function clip(box: Box, content: Size): Box | null {
  const x0 = Math.max(0, box.x);
  const y0 = Math.max(0, box.y);
  const x1 = Math.min(content.width, box.x + box.width);
  const y1 = Math.min(content.height, box.y + box.height);
  if (x1 <= x0 || y1 <= y0) return null;
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

/**
 * True when a computed `transform` (matrix) and `scale` flip the element horizontally only
 * (a 180-degree turn flips both axes and is not a mirror).
 */
export function isMirrored(transform: string | null | undefined, scale?: string | null): boolean {
  let sx = 1;
  let sy = 1;
  const m2 = /^matrix\(([^,]+),\s*[^,]+,\s*[^,]+,\s*([^,]+),/.exec(transform ?? '');
  const m3 = /^matrix3d\(([^,]+),(?:\s*[^,]+,){4}\s*([^,]+),/.exec(transform ?? '');
  const m = m2 ?? m3;
  if (m) {
    sx = Math.sign(Number(m[1])) || 1;
    sy = Math.sign(Number(m[2])) || 1;
  }
  const s = (scale ?? '').trim();
  if (s && s !== 'none') {
    const [a, b] = s.split(/\s+/).map(Number);
    if (a !== undefined && Number.isFinite(a)) {
      sx *= Math.sign(a) || 1;
      sy *= Math.sign(b !== undefined && Number.isFinite(b) ? b : a) || 1;
    }
  }
  return sx < 0 && sy > 0;
}
