/** Reads a video element's on-screen layout from the DOM (see geometry.ts for the maths). */
import { parseObjectFit, parseObjectPosition, type VideoLayout } from './geometry.js';

/** Negative scales on the element or its ancestors (across shadow roots) mirror the picture. */
export function mirrorOf(el: Element): { x: boolean; y: boolean } {
  let x = false;
  let y = false;
  for (let n: Element | null = el; n; n = parentAcrossShadow(n)) {
    const t = getComputedStyle(n).transform;
    if (!t || t === 'none') continue;
    const m = new DOMMatrixReadOnly(t);
    if (m.a < 0) x = !x;
    if (m.d < 0) y = !y;
  }
  return { x, y };
}

function parentAcrossShadow(n: Element): Element | null {
  if (n.parentElement) return n.parentElement;
  const root = n.getRootNode();
  return root instanceof ShadowRoot ? root.host : null;
}

/**
 * The layout now. `mirror` is passed in because walking the ancestors' styles every animation
 * frame would cost the page; the caller refreshes it once per analysis round.
 */
export function measureVideo(video: HTMLVideoElement, mirror: { x: boolean; y: boolean }): VideoLayout | null {
  const r = video.getBoundingClientRect();
  if (r.width < 2 || r.height < 2 || !video.offsetWidth) return null;
  const cs = getComputedStyle(video);
  const scale = r.width / video.offsetWidth;
  const px = (v: string) => (parseFloat(v) || 0) * scale;
  const left = px(cs.borderLeftWidth) + px(cs.paddingLeft);
  const right = px(cs.borderRightWidth) + px(cs.paddingRight);
  const top = px(cs.borderTopWidth) + px(cs.paddingTop);
  const bottom = px(cs.borderBottomWidth) + px(cs.paddingBottom);
  return {
    content: { x: r.left + left, y: r.top + top, width: r.width - left - right, height: r.height - top - bottom },
    videoWidth: video.videoWidth,
    videoHeight: video.videoHeight,
    fit: parseObjectFit(cs.objectFit),
    position: parseObjectPosition(cs.objectPosition, scale),
    mirrorX: mirror.x,
    mirrorY: mirror.y,
    scale,
  };
}
