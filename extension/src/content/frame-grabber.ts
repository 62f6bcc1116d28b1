/**
 * Takes the current picture of a video as a small ImageBitmap: one drawImage into a reused
 * OffscreenCanvas, the only per-frame work on the page's main thread (measured cheaper than
 * createImageBitmap(video) with software rendering). Videos whose pixels the page may not read
 * (cross-origin without CORS) are skipped for good.
 */
import type { FrameImage, FrameTransport } from '../shared/engine-protocol.js';

const tainted = new WeakSet<HTMLVideoElement>();
/** The source each video was last checked readable with (reading pixels back costs a GPU sync: once per source). */
const checked = new WeakMap<HTMLVideoElement, string>();
let canvas: OffscreenCanvas | null = null;
let ctx: OffscreenCanvasRenderingContext2D | null = null;

/** Long side of the frames sent for analysis: faces in call tiles stay well above the 48 px the classifier needs. */
export const FRAME_LONG_SIDE = 480;

export function isAnalysable(video: HTMLVideoElement): boolean {
  return !tainted.has(video) && video.readyState >= 2 && video.videoWidth >= 32 && video.videoHeight >= 32;
}

/** The picture as an ImageBitmap, or as RGBA pixels (`pixels`: where bitmaps cannot cross to the engine). */
export function grabFrame(video: HTMLVideoElement, transport: FrameTransport = 'bitmap', longSide = FRAME_LONG_SIDE): FrameImage | null {
  if (!isAnalysable(video)) return null;
  const vw = video.videoWidth;
  const vh = video.videoHeight;
  const s = Math.min(1, longSide / Math.max(vw, vh));
  const w = Math.max(1, Math.round(vw * s));
  const h = Math.max(1, Math.round(vh * s));
  if (!canvas || !ctx) {
    canvas = new OffscreenCanvas(w, h);
    ctx = canvas.getContext('2d', { alpha: false, desynchronized: true }) as OffscreenCanvasRenderingContext2D | null;
    if (!ctx) return null;
  }
  if (canvas.width !== w || canvas.height !== h) {
    canvas.width = w;
    canvas.height = h;
  }
  try {
    ctx.drawImage(video, 0, 0, w, h);
    // A cross-origin picture taints the canvas: reading one pixel says so (and throws).
    const source = video.currentSrc || 'stream';
    if (checked.get(video) !== source) {
      ctx.getImageData(0, 0, 1, 1);
      checked.set(video, source);
    }
    return transport === 'pixels' ? ctx.getImageData(0, 0, w, h) : canvas.transferToImageBitmap();
  } catch (e) {
    if (e instanceof DOMException && e.name === 'SecurityError') tainted.add(video);
    // Start afresh: a tainted canvas stays tainted.
    canvas = null;
    ctx = null;
    return null;
  }
}
