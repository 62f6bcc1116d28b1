/** The media the element analyses, and where it is drawn (read from layout, in CSS pixels). */
import { fitRect, isMirrored, parseObjectFit, parseObjectPosition, type Size } from './geometry.js';
import type { Box } from '@emotion-detector/core';

export type MediaElement = HTMLVideoElement | HTMLImageElement | HTMLCanvasElement;

export function isMedia(el: Element | null | undefined): el is MediaElement {
  return el instanceof HTMLVideoElement || el instanceof HTMLImageElement || el instanceof HTMLCanvasElement;
}

/** The first media element among the slotted elements or inside them. */
export function findMedia(assigned: readonly Element[]): MediaElement | null {
  for (const el of assigned) {
    if (isMedia(el)) return el;
    const inner = el.querySelector('video, img, canvas');
    if (isMedia(inner)) return inner;
  }
  return null;
}

export function intrinsicSize(media: MediaElement): Size {
  if (media instanceof HTMLVideoElement) return { width: media.videoWidth, height: media.videoHeight };
  if (media instanceof HTMLImageElement) return { width: media.naturalWidth, height: media.naturalHeight };
  return { width: media.width, height: media.height };
}

/** True when a frame can be read now. */
export function hasFrame(media: MediaElement): boolean {
  const { width, height } = intrinsicSize(media);
  if (width === 0 || height === 0) return false;
  if (media instanceof HTMLVideoElement) return media.readyState >= HTMLMediaElement.HAVE_CURRENT_DATA;
  if (media instanceof HTMLImageElement) return media.complete;
  return true;
}

export interface MediaLayout {
  /** The media's content box relative to the container, in CSS pixels. */
  content: Box;
  /** Where the pixels are drawn inside the content box (object-fit, object-position). */
  drawn: Box;
  mirrored: boolean;
  intrinsic: Size;
}

/** Measures `media` relative to `container` (the overlay's positioning box). */
export function measureMedia(media: MediaElement, container: HTMLElement): MediaLayout | null {
  const intrinsic = intrinsicSize(media);
  if (!intrinsic.width || !intrinsic.height) return null;
  const m = media.getBoundingClientRect();
  const c = container.getBoundingClientRect();
  // Undo any ancestor CSS scale so positions are in the container's own CSS pixels.
  const zoom = container.offsetWidth > 0 ? c.width / container.offsetWidth : 1;
  const cs = getComputedStyle(media);
  const px = (v: string) => parseFloat(v) || 0;
  const left = px(cs.borderLeftWidth) + px(cs.paddingLeft);
  const right = px(cs.borderRightWidth) + px(cs.paddingRight);
  const top = px(cs.borderTopWidth) + px(cs.paddingTop);
  const bottom = px(cs.borderBottomWidth) + px(cs.paddingBottom);
  const content: Box = {
    x: (m.left - c.left) / zoom + left,
    y: (m.top - c.top) / zoom + top,
    width: Math.max(0, m.width / zoom - left - right),
    height: Math.max(0, m.height / zoom - top - bottom),
  };
  const drawn = fitRect(parseObjectFit(cs.objectFit), intrinsic, content, parseObjectPosition(cs.objectPosition));
  return { content, drawn, mirrored: isMirrored(cs.transform, cs.scale), intrinsic };
}
