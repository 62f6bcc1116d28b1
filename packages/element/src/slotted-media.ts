/**
 * The slotted <video>, <img> or <canvas>: which one it is, when it shows a new picture (an image
 * loaded, a video's first data) and when it or the host changes size (the overlay is placed again).
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { intrinsicSize, type MediaElement } from '@emotion-detector/core/layout';

export type { MediaElement };

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

/** True when a frame can be read now. */
export function hasFrame(media: MediaElement): boolean {
  const { width, height } = intrinsicSize(media);
  if (width === 0 || height === 0) return false;
  if (media instanceof HTMLVideoElement) return media.readyState >= HTMLMediaElement.HAVE_CURRENT_DATA;
  if (media instanceof HTMLImageElement) return media.complete;
  return true;
}

const FRAME_EVENTS = ['load', 'loadeddata', 'resize'] as const;

export interface SlottedMediaOptions {
  /** Another element is slotted (or none): the pictures change. */
  onBound(media: MediaElement | null): void;
  /** The media shows a new picture (`load`, `loadeddata`) or changed its intrinsic size (`resize`); the host then updates. */
  onFrame(kind: 'picture' | 'resize'): void;
}

export class SlottedMedia implements ReactiveController {
  media: MediaElement | null = null;
  private resize: ResizeObserver | null = null;

  constructor(
    private readonly host: ReactiveControllerHost & HTMLElement,
    private readonly options: SlottedMediaOptions,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    this.resize = new ResizeObserver(() => this.host.requestUpdate());
    this.resize.observe(this.host);
    if (this.media) this.resize.observe(this.media);
    // The default slot's elements, before (or without) a slotchange.
    this.bind([...this.host.children].filter((el) => !el.hasAttribute('slot')));
  }

  hostDisconnected(): void {
    this.resize?.disconnect();
    this.resize = null;
  }

  /** The slot's assigned elements changed. */
  readonly onSlotChange = (e: Event): void => {
    this.bind((e.target as HTMLSlotElement).assignedElements({ flatten: true }));
  };

  private bind(assigned: readonly Element[]): void {
    const media = findMedia(assigned);
    if (media === this.media) return;
    if (this.media) {
      for (const type of FRAME_EVENTS) this.media.removeEventListener(type, this.onMediaEvent);
      this.resize?.unobserve(this.media);
    }
    this.media = media;
    if (media) {
      for (const type of FRAME_EVENTS) media.addEventListener(type, this.onMediaEvent);
      this.resize?.observe(media);
    }
    this.options.onBound(media);
  }

  private readonly onMediaEvent = (e: Event): void => {
    this.options.onFrame(e.type === 'resize' ? 'resize' : 'picture');
    this.host.requestUpdate();
  };
}
