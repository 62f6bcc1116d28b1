/**
 * Takes the current picture of a video as a small ImageBitmap (the only work done on the page's
 * main thread per frame: one GPU-side scale and copy). Videos whose pixels the page may not read
 * (cross-origin without CORS) are skipped for good.
 */
const tainted = new WeakSet<HTMLVideoElement>();

/** Long side of the frames sent for analysis: faces in call tiles stay well above the 48 px the classifier needs. */
export const FRAME_LONG_SIDE = 480;

export function isAnalysable(video: HTMLVideoElement): boolean {
  return !tainted.has(video) && video.readyState >= 2 && video.videoWidth >= 32 && video.videoHeight >= 32;
}

export async function grabFrame(video: HTMLVideoElement, longSide = FRAME_LONG_SIDE): Promise<ImageBitmap | null> {
  if (!isAnalysable(video)) return null;
  const vw = video.videoWidth;
  const vh = video.videoHeight;
  const s = Math.min(1, longSide / Math.max(vw, vh));
  try {
    return await createImageBitmap(video, {
      resizeWidth: Math.max(1, Math.round(vw * s)),
      resizeHeight: Math.max(1, Math.round(vh * s)),
      resizeQuality: 'low',
    });
  } catch (e) {
    if (e instanceof DOMException && e.name === 'SecurityError') tainted.add(video);
    return null;
  }
}
