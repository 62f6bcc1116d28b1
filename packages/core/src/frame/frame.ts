/**
 * Turns any supported frame source into something both the face detector and the cropper can
 * draw, with its size; says when a source is not ready (empty result) or unreadable (typed error).
 */
import { EmotionDetectorError } from '../errors.js';
import type { FrameSource } from '../types.js';

/** A frame the detector and `drawImage` both accept. */
export type Drawable = HTMLVideoElement | HTMLImageElement | HTMLCanvasElement | OffscreenCanvas | ImageBitmap;

export interface Frame {
  image: Drawable;
  width: number;
  height: number;
}

const has = (name: string): boolean => typeof (globalThis as Record<string, unknown>)[name] === 'function';
const is = <T>(v: unknown, name: string): v is T =>
  has(name) && v instanceof ((globalThis as Record<string, unknown>)[name] as abstract new (...a: never[]) => T);

/** A 2D canvas that works on the main thread and in workers. */
export function makeCanvas(width: number, height: number): OffscreenCanvas | HTMLCanvasElement {
  if (has('OffscreenCanvas')) return new OffscreenCanvas(width, height);
  const c = document.createElement('canvas');
  c.width = width;
  c.height = height;
  return c;
}

export function context2d(canvas: OffscreenCanvas | HTMLCanvasElement, willReadFrequently = true): CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D {
  const ctx = canvas.getContext('2d', { willReadFrequently }) as CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D | null;
  if (!ctx) throw new EmotionDetectorError('runtime-error', 'Could not create a 2D canvas context');
  return ctx;
}

/** Whether the source is a video by its kind (an element playing one, or one of its frames). */
export function isVideoSource(src: FrameSource): boolean {
  return is<HTMLVideoElement>(src, 'HTMLVideoElement') || is<VideoFrame>(src, 'VideoFrame');
}

/** Size of a drawable source, 0x0 when it has no frame yet (video loading, image not decoded). */
export function sourceSize(src: FrameSource): { width: number; height: number } | undefined {
  if (is<HTMLVideoElement>(src, 'HTMLVideoElement')) {
    // HAVE_CURRENT_DATA: before it there is no frame to draw.
    return src.readyState >= 2 ? { width: src.videoWidth, height: src.videoHeight } : { width: 0, height: 0 };
  }
  if (is<HTMLImageElement>(src, 'HTMLImageElement')) {
    return src.complete ? { width: src.naturalWidth, height: src.naturalHeight } : { width: 0, height: 0 };
  }
  if (is<VideoFrame>(src, 'VideoFrame')) return { width: src.displayWidth, height: src.displayHeight };
  if (
    is<HTMLCanvasElement>(src, 'HTMLCanvasElement') ||
    is<OffscreenCanvas>(src, 'OffscreenCanvas') ||
    is<ImageBitmap>(src, 'ImageBitmap') ||
    is<ImageData>(src, 'ImageData')
  ) {
    return { width: src.width, height: src.height };
  }
  return undefined;
}

/** Reads frames; owns the reusable canvases it needs (one per reader, none per frame). */
export class FrameReader {
  private staging?: OffscreenCanvas | HTMLCanvasElement;
  private probe?: CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D;

  /**
   * The source's size after checking it can be read: undefined when it has nothing to show yet;
   * throws 'unsupported-source' or 'tainted-source'.
   */
  check(src: FrameSource): { width: number; height: number } | undefined {
    const size = sourceSize(src);
    if (!size) {
      const what = src === null ? 'null' : typeof src === 'object' ? (src as object).constructor?.name ?? 'object' : typeof src;
      throw new EmotionDetectorError('unsupported-source', `Cannot read frames from ${what}; pass a video, image, canvas, ImageBitmap, VideoFrame or ImageData`);
    }
    if (!size.width || !size.height) return undefined;
    // ImageData and VideoFrame carry their pixels with them: never tainted.
    if (!is<ImageData>(src, 'ImageData') && !is<VideoFrame>(src, 'VideoFrame')) this.assertReadable(src as Drawable);
    return size;
  }

  /** The frame, drawable by the detector and the cropper, or undefined when the source has nothing to show yet. */
  read(src: FrameSource): Frame | undefined {
    const size = this.check(src);
    if (!size) return undefined;
    const { width, height } = size;
    if (is<ImageData>(src, 'ImageData')) {
      this.stagingContext(width, height).putImageData(src, 0, 0);
      return { image: this.staging!, width, height };
    }
    if (is<VideoFrame>(src, 'VideoFrame')) {
      this.stagingContext(width, height).drawImage(src, 0, 0, width, height);
      return { image: this.staging!, width, height };
    }
    return { image: src as Drawable, width, height };
  }

  /**
   * Throws 'tainted-source' for a cross-origin frame that the page may not read. Every frame is
   * checked (one pixel): an element with the same URL can turn cross-origin mid-stream (a redirect,
   * a media segment from another origin), and a tainted frame must never reach the detector, whose
   * graph stays broken after one.
   */
  assertReadable(src: Drawable): void {
    const url = is<HTMLVideoElement>(src, 'HTMLVideoElement') || is<HTMLImageElement>(src, 'HTMLImageElement') ? src.currentSrc : undefined;
    this.probe ??= context2d(makeCanvas(1, 1));
    try {
      this.probe.drawImage(src, 0, 0, 1, 1, 0, 0, 1, 1);
      this.probe.getImageData(0, 0, 1, 1);
    } catch (e) {
      // A tainted canvas stays tainted: start a fresh probe next time.
      this.probe = undefined;
      if ((e as DOMException)?.name === 'SecurityError') {
        throw new EmotionDetectorError(
          'tainted-source',
          `The frame${url ? ` from ${url}` : ''} is cross-origin without CORS, so the page may not read its pixels. ` +
            'Serve it from your origin or with Access-Control-Allow-Origin, and set crossOrigin="anonymous" on the element.',
          { cause: e },
        );
      }
      throw new EmotionDetectorError('runtime-error', `Could not read the frame: ${String(e)}`, { cause: e });
    }
  }

  private stagingContext(width: number, height: number) {
    this.staging ??= makeCanvas(width, height);
    if (this.staging.width !== width || this.staging.height !== height) {
      this.staging.width = width;
      this.staging.height = height;
    }
    return context2d(this.staging, false);
  }
}
