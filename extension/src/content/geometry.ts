/**
 * Where a point of a video's picture lands on screen: the content box, object-fit,
 * object-position and mirroring (scaleX(-1) selfie views). Pure functions, no DOM.
 */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export type ObjectFit = 'fill' | 'contain' | 'cover' | 'none' | 'scale-down';

export interface VideoLayout {
  /** The element's content box in viewport px (after CSS transforms' scale). */
  content: Rect;
  /** The picture's intrinsic size (videoWidth x videoHeight). */
  videoWidth: number;
  videoHeight: number;
  fit: ObjectFit;
  /** object-position per axis: a fraction of the free space (50% -> 0.5) or px (already scaled). */
  position: [PositionValue, PositionValue];
  /** Content flipped horizontally / vertically on screen (negative scale in a transform). */
  mirrorX: boolean;
  mirrorY: boolean;
  /** Viewport px per CSS px (a CSS transform's scale); 1 without transforms. */
  scale: number;
}

export type PositionValue = { fraction: number } | { px: number };

/** The rectangle the whole picture occupies (may overflow the content box with cover/none). */
export function pictureRect(l: VideoLayout): Rect {
  const { content: c, videoWidth: vw, videoHeight: vh } = l;
  if (!vw || !vh) return { ...c };
  let sx: number;
  let sy: number;
  const contain = Math.min(c.width / vw, c.height / vh);
  switch (l.fit) {
    case 'fill':
      return { ...c };
    case 'contain':
      sx = sy = contain;
      break;
    case 'cover':
      sx = sy = Math.max(c.width / vw, c.height / vh);
      break;
    case 'none':
      sx = sy = l.scale;
      break;
    case 'scale-down':
      sx = sy = Math.min(contain, l.scale);
      break;
  }
  const w = vw * sx;
  const h = vh * sy;
  return { x: c.x + offset(l.position[0], c.width - w), y: c.y + offset(l.position[1], c.height - h), width: w, height: h };
}

function offset(p: PositionValue, free: number): number {
  return 'fraction' in p ? free * p.fraction : p.px;
}

/** Maps a box in frame pixels (a frame of frameWidth x frameHeight) to viewport px, clipped to the content box. */
export function mapBox(box: Rect, frameWidth: number, frameHeight: number, l: VideoLayout): Rect | null {
  const pic = pictureRect(l);
  const kx = pic.width / frameWidth;
  const ky = pic.height / frameHeight;
  let x = box.x * kx;
  let y = box.y * ky;
  const w = box.width * kx;
  const h = box.height * ky;
  if (l.mirrorX) x = pic.width - x - w;
  if (l.mirrorY) y = pic.height - y - h;
  return clip({ x: pic.x + x, y: pic.y + y, width: w, height: h }, l.content);
}

export function clip(r: Rect, to: Rect): Rect | null {
  const x0 = Math.max(r.x, to.x);
  const y0 = Math.max(r.y, to.y);
  const x1 = Math.min(r.x + r.width, to.x + to.width);
  const y1 = Math.min(r.y + r.height, to.y + to.height);
  if (x1 - x0 < 1 || y1 - y0 < 1) return null;
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

/** Parses a computed object-position (`50% 50%`, `0px 10px`, `left top`). */
export function parseObjectPosition(value: string, scale = 1): [PositionValue, PositionValue] {
  const keyword: Record<string, number> = { left: 0, top: 0, center: 0.5, right: 1, bottom: 1 };
  const parts = value.trim().split(/\s+/);
  const one = (s: string | undefined): PositionValue => {
    if (!s) return { fraction: 0.5 };
    if (s in keyword) return { fraction: keyword[s] };
    if (s.endsWith('%')) return { fraction: parseFloat(s) / 100 };
    if (s.endsWith('px')) return { px: parseFloat(s) * scale };
    return { fraction: 0.5 };
  };
  if (parts.length !== 2) return [{ fraction: 0.5 }, { fraction: 0.5 }];
  // `top left` order: a vertical keyword first.
  if (parts[0] === 'top' || parts[0] === 'bottom' || parts[1] === 'left' || parts[1] === 'right') parts.reverse();
  return [one(parts[0]), one(parts[1])];
}

export function parseObjectFit(value: string): ObjectFit {
  return (['fill', 'contain', 'cover', 'none', 'scale-down'] as const).find((f) => f === value) ?? 'fill';
}
