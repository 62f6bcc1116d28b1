/**
 * The engine frame: an extension page that a content script embeds (invisible) in the call page.
 * It runs @emotion-detector/core (MediaPipe + ONNX Runtime WASM) under the extension's CSP and in
 * the extension's process, on frames the content script transfers (ImageBitmaps, or raw pixels).
 *
 * One EmotionDetector serves every video of the page: each video is its own `stream` (ids,
 * smoothing and the dominant emotion's hysteresis stay per video: two tiles with centred faces
 * never blend), `forget` drops a video that went away, and settings changes go through
 * `setOptions` (no new runtime).
 *
 * Nothing runs before the background says yes: the ticket in the URL hash is redeemed first (see
 * shared/engine-protocol.ts). A frame with no ticket, or one the background refuses (another
 * tab's, already used, revoked, made up by a page), stays inert: it loads no runtime and no model
 * and never answers. A revoked engine (a newer one took its tab) stops and releases its models.
 */
import browser from 'webextension-polyfill';
import { EmotionDetector, type RuntimeOptions } from '@emotion-detector/core';
import { serve } from '@emotion-detector/core/channel';
import {
  TICKET_PATTERN,
  type ConnectMessage,
  type EngineConfig,
  type EngineEvent,
  type EngineProgress,
  type EngineRequest,
  type FrameIn,
  type FrameOut,
  type RedeemReply,
  type RedeemRequest,
} from '../shared/engine-protocol.js';

const ticket = location.hash.slice(1);
let port: MessagePort | null = null;
let detector: EmotionDetector | null = null;
let revoked = false;

/** Whether the background admits this engine; asked once, before anything is loaded. */
const admitted: Promise<boolean> = TICKET_PATTERN.test(ticket) && window.parent !== window
  ? browser.runtime.sendMessage({ type: 'engine-redeem', ticket } satisfies RedeemRequest).then((r) => (r as RedeemReply | undefined)?.ok === true, () => false)
  : Promise.resolve(false);

browser.runtime.onMessage.addListener((m: unknown) => {
  const n = m as { type?: string; ticket?: string } | null;
  if (n?.type === 'engine-revoked' && n.ticket === ticket) stop();
  return undefined;
});

/** Revoked: no more answers, models and runtimes released. */
function stop(): void {
  revoked = true;
  if (port) {
    port.onmessage = null;
    port.close();
  }
  void detector?.dispose();
  detector = null;
}

/** Frames of all videos share one detector clock, which must never go back. */
let clock = 0;

function runtimeOptions(config: EngineConfig): RuntimeOptions {
  return { maxFaces: config.maxFaces, smoothing: config.smoothing };
}

addEventListener('message', (ev: MessageEvent) => {
  const m = ev.data as ConnectMessage | undefined;
  // Only the content script knows the ticket (the frame sits in a closed shadow root): accept
  // one connection, carrying it.
  if (port || revoked || ev.source !== window.parent || !m || m.type !== 'connect' || m.ticket !== ticket || !ev.ports[0]) return;
  const p = ev.ports[0];
  port = p;
  void admitted.then((ok) => {
    if (ok && !revoked) listen(p);
    else p.close();
  });
});

function listen(p: MessagePort): void {
  serve<EngineRequest, object, EngineProgress>(p, (msg, progress) => handle(msg, progress), (other) => {
    const n = other as { type?: string; image?: ImageBitmap; n?: unknown } | null;
    // Liveness, answered here and now (not queued behind a `start` that is still loading): the
    // content script's supervisor takes silence for a dead engine, loading or not.
    if (n?.type === 'ping' && typeof n.n === 'number') return event(p, { type: 'pong', n: n.n });
    if (n?.type !== 'probe') return;
    event(p, { type: 'probe', ok: n.image instanceof ImageBitmap && n.image.width > 0 });
    n.image?.close?.();
  });
  // A message that cannot be deserialised here (an ImageBitmap from another process, in some
  // browsers) arrives as messageerror: the content script then sends raw pixels instead.
  p.onmessageerror = () => event(p, { type: 'probe', ok: false });
}

function event(p: MessagePort, e: EngineEvent): void {
  p.postMessage(e);
}

async function handle(m: EngineRequest, progress: (p: EngineProgress) => void): Promise<object> {
  switch (m.type) {
    case 'start':
      return start(m.config, progress);
    case 'configure':
      await ready().setOptions(runtimeOptions(m.config));
      return {};
    case 'forget':
      m.keys.forEach((k) => ready().forget(k));
      return {};
    case 'detect':
      return detectAll(m.frames, progress);
  }
}

function ready(): EmotionDetector {
  if (!detector) throw new Error('engine not started');
  return detector;
}

async function start(config: EngineConfig, progress: (p: EngineProgress) => void): Promise<object> {
  if (detector) return { backend: detector.backend, loadMs: 0 };
  const t0 = performance.now();
  const d = await EmotionDetector.create({
    backend: 'wasm',
    ...runtimeOptions(config),
    // A video is analysed a few times a second at most, and less when busy: keep tracks that long.
    trackingMemory: 5000,
    // One thread: the extension analyses each video a few times a second and keeps its CPU use
    // low, and it does not ship the engine's worker script.
    parallel: false,
    assetsBase: browser.runtime.getURL('assets/'),
    onProgress: (p) => progress({ fraction: p.fraction }),
  });
  if (revoked) {
    void d.dispose();
    throw new Error('engine revoked');
  }
  detector = d;
  return { backend: d.backend, loadMs: Math.round(performance.now() - t0) };
}

async function detectAll(frames: FrameIn[], progress: (p: EngineProgress) => void): Promise<object> {
  const t0 = performance.now();
  const out: FrameOut[] = [];
  try {
    const d = ready();
    for (const { key, image } of frames) {
      clock = Math.max(clock + 1, performance.now());
      const r = await d.detect(image, clock, { stream: key });
      const faces = r.faces.map((f) => ({ id: f.id, box: f.box, emotions: f.emotions, dominant: f.dominant }));
      const frame = { key, width: r.width || image.width, height: r.height || image.height, faces };
      out.push(frame);
      progress({ frame, engineMs: r.timings.total });
    }
    return { frames: out, engineMs: performance.now() - t0 };
  } finally {
    frames.forEach((f) => (f.image instanceof ImageBitmap ? f.image.close() : undefined));
  }
}
