/** Reads a media element's layout from the DOM (the maths are in fit.ts). */
import { layoutOf, mirrorOfStyle, parseObjectFit, parseObjectPosition, type MediaLayout, type Mirror, type Size } from './fit.js';

export type MediaElement = HTMLVideoElement | HTMLImageElement | HTMLCanvasElement;

/** The picture's own size in pixels; 0 x 0 before a video or image has one. */
export function intrinsicSize(media: MediaElement): Size {
  if (media instanceof HTMLVideoElement) return { width: media.videoWidth, height: media.videoHeight };
  if (media instanceof HTMLImageElement) return { width: media.naturalWidth, height: media.naturalHeight };
  return { width: media.width, height: media.height };
}

function parentAcrossShadow(n: Element): Element | null {
  if (n.parentElement) return n.parentElement;
  const root = n.getRootNode();
  return root instanceof ShadowRoot ? root.host : null;
}

/**
 * The flips of `el` on screen: negative scales (`transform`, `scale`) on it and on its ancestors,
 * across shadow roots. Walks every ancestor's style: measure it once per analysis round, not every
 * animation frame, and pass it to `measure`.
 */
export function mirrorOf(el: Element): Mirror {
  let x = false;
  let y = false;
  for (let n: Element | null = el; n; n = parentAcrossShadow(n)) {
    const cs = getComputedStyle(n);
    if ((!cs.transform || cs.transform === 'none') && (!cs.scale || cs.scale === 'none')) continue;
    const m = mirrorOfStyle(cs.transform, cs.scale);
    if (m.x) x = !x;
    if (m.y) y = !y;
  }
  return { x, y };
}

export interface MeasureOptions {
  /**
   * Give the layout relative to this element's padding box (the containing block of an
   * absolutely positioned overlay inside it), in its own CSS px. Default: the viewport, in CSS px.
   */
  relativeTo?: Element;
  /** The flips, when known (see `mirrorOf`). Default: read now. */
  mirror?: Mirror;
}

/**
 * Where `media`'s picture is now: its content box (inside borders and padding), the picture's
 * rectangle (object-fit, object-position, flips) and the scale of CSS transforms. Null while it
 * has no picture or no size.
 */
export function measure(media: MediaElement, options: MeasureOptions = {}): MediaLayout | null {
  const intrinsic = intrinsicSize(media);
  if (!intrinsic.width || !intrinsic.height || !media.offsetWidth || !media.offsetHeight) return null;
  const r = media.getBoundingClientRect();
  let originX = 0;
  let originY = 0;
  let zoom = 1;
  const { relativeTo } = options;
  if (relativeTo) {
    const c = relativeTo.getBoundingClientRect();
    const width = relativeTo instanceof HTMLElement ? relativeTo.offsetWidth : 0;
    zoom = width > 0 ? c.width / width : 1;
    originX = c.left + relativeTo.clientLeft * zoom;
    originY = c.top + relativeTo.clientTop * zoom;
  }
  // Layout units per CSS px of the media element.
  const scale = r.width / zoom / media.offsetWidth;
  const mirror = options.mirror ?? mirrorOf(media);
  const cs = getComputedStyle(media);
  const px = (v: string) => (parseFloat(v) || 0) * scale;
  let left = px(cs.borderLeftWidth) + px(cs.paddingLeft);
  let right = px(cs.borderRightWidth) + px(cs.paddingRight);
  let top = px(cs.borderTopWidth) + px(cs.paddingTop);
  let bottom = px(cs.borderBottomWidth) + px(cs.paddingBottom);
  // A flipped element shows its left border on the right.
  if (mirror.x) [left, right] = [right, left];
  if (mirror.y) [top, bottom] = [bottom, top];
  const content = {
    x: (r.left - originX) / zoom + left,
    y: (r.top - originY) / zoom + top,
    width: Math.max(0, r.width / zoom - left - right),
    height: Math.max(0, r.height / zoom - top - bottom),
  };
  return layoutOf({ content, intrinsic, fit: parseObjectFit(cs.objectFit), position: parseObjectPosition(cs.objectPosition), mirror, scale });
}
