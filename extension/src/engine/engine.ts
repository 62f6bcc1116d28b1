/**
 * The engine frame: an extension page that a content script embeds (invisible) in the call page.
 * It runs @emotion-detector/core (MediaPipe + ONNX Runtime WASM) under the extension's CSP and in
 * the extension's process, on frames the content script transfers (ImageBitmaps, or raw pixels).
 *
 * One EmotionDetector serves every video of the page. Its own tracker assumes a single stream,
 * so it runs with smoothing 0 and each video gets its own FaceTracker (ids, smoothing and the
 * dominant emotion's hysteresis stay per video: two tiles with centred faces never blend).
 */
import browser from 'webextension-polyfill';
import { EmotionDetector, FaceTracker, isEmotionDetectorError } from '../../../packages/core/src/index.js';
import type { EngineConfig, FrameIn, FrameOut, FromEngine, ToEngine } from '../shared/engine-protocol.js';

const nonce = location.hash.slice(1);
const MAX_FACES = 16;
let port: MessagePort | null = null;
let config: EngineConfig = { maxFaces: 4, smoothing: 400 };
let detector: EmotionDetector | null = null;
const trackers = new Map<number, FaceTracker>();
/** Frames of all videos share one detector clock, which must never go back. */
let clock = 0;

function post(m: FromEngine): void {
  port?.postMessage(m);
}

addEventListener('message', (ev: MessageEvent) => {
  const m = ev.data as ToEngine | undefined;
  // Only the content script knows the nonce (the frame sits in a closed shadow root): accept
  // one connection, carrying it.
  if (port || !m || m.type !== 'connect' || !nonce || m.nonce !== nonce || !ev.ports[0]) return;
  port = ev.ports[0];
  config = m.config;
  port.onmessage = (e: MessageEvent<ToEngine>) => void onMessage(e.data);
  // A message that cannot be deserialised here (an ImageBitmap from another process, in some
  // browsers) arrives as messageerror: the content script then sends raw pixels instead.
  port.onmessageerror = () => post({ type: 'probe', ok: false });
  void start();
});

async function start(): Promise<void> {
  const t0 = performance.now();
  try {
    detector = await EmotionDetector.create({
      backend: 'wasm',
      // The most the settings allow; each video's faces are cut to the current setting below.
      maxFaces: MAX_FACES,
      smoothing: 0,
      // One thread: the extension analyses each video a few times a second and keeps its CPU use
      // low, and it does not ship the engine's worker script.
      parallel: false,
      assetsBase: browser.runtime.getURL('assets/'),
      onProgress: (p) => post({ type: 'progress', fraction: p.fraction }),
    });
    post({ type: 'ready', backend: detector.backend, loadMs: Math.round(performance.now() - t0) });
  } catch (e) {
    post({ type: 'error', code: isEmotionDetectorError(e) ? e.code : 'runtime-error', message: String((e as Error)?.message ?? e) });
  }
}

function trackerFor(key: number): FaceTracker {
  let t = trackers.get(key);
  if (!t) {
    // A video is analysed a few times a second at most, and less when busy: keep tracks that long.
    t = new FaceTracker({ halfLifeMs: config.smoothing, maxMissedMs: 5000 });
    trackers.set(key, t);
  }
  return t;
}

async function onMessage(m: ToEngine): Promise<void> {
  switch (m.type) {
    case 'configure':
      // A new smoothing applies to fresh trackers.
      if (m.config.smoothing !== config.smoothing) trackers.clear();
      config = m.config;
      return;
    case 'forget':
      m.keys.forEach((k) => trackers.delete(k));
      return;
    case 'detect':
      return detectAll(m.id, m.frames);
    case 'probe':
      post({ type: 'probe', ok: m.image instanceof ImageBitmap && m.image.width > 0 });
      m.image?.close?.();
      return;
    default:
      return;
  }
}

async function detectAll(id: number, frames: FrameIn[]): Promise<void> {
  const t0 = performance.now();
  const out: FrameOut[] = [];
  try {
    if (!detector) throw new Error('engine not ready');
    for (const { key, image } of frames) {
      clock = Math.max(clock + 1, performance.now());
      const r = await detector.detect(image, clock, { stream: key });
      const faces = trackerFor(key)
        .update(r.faces.slice(0, config.maxFaces).map((f) => ({ box: f.box, keypoints: f.keypoints, score: f.score, probabilities: f.rawEmotions })), clock)
        .map((f) => ({ id: f.id, box: f.box, emotions: f.emotions, dominant: f.dominant }));
      const frame = { key, width: r.width || image.width, height: r.height || image.height, faces };
      out.push(frame);
      post({ type: 'frame', id, frame, engineMs: r.timings.total });
    }
    post({ type: 'result', id, frames: out, engineMs: performance.now() - t0 });
  } catch (e) {
    post({ type: 'result-error', id, message: String((e as Error)?.message ?? e) });
  } finally {
    frames.forEach((f) => (f.image instanceof ImageBitmap ? f.image.close() : undefined));
  }
}
