/**
 * The slotted <video>, <img> or <canvas>: which one it is, when it shows a new picture (an image
 * loaded, a video's first data) and when it or the host changes size (the overlay is placed again).
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { findMedia, type MediaElement } from './media.js';

const FRAME_EVENTS = ['load', 'loadeddata', 'resize'] as const;

export interface SlottedMediaOptions {
  /** Another element is slotted (or none): the pictures change. */
  onBound(media: MediaElement | null): void;
  /** The media shows a new picture (`load`, `loadeddata`) or changed its intrinsic size (`resize`). */
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
  };
}
