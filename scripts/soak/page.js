// Runs in scripts/soak/page.html. Four "calls": playing <video>s (each a face photo swaying on a
// canvas, through captureStream) that one engine analyses as four streams, round-robin, as fast
// as it can; videos join and leave on request. Also create()/dispose() cycles for the lifecycle
// checks. Driven through `window.soak`.
import { EmotionDetector } from '/packages/core/dist/index.js';

const PHOTOS = '/node_modules/@vladmandic/face-api/demo';
const WIDTH = 480;
const HEIGHT = 360;
const FPS = 15;
/** The people sway sideways, as in a video call (px, frames per period). */
const SWAY_PX = 12;
const SWAY_FRAMES = 45;

const photos = [];
let nextPhoto = 0;
let nextStream = 0;
/** @type {Map<number, { photo: number, video: HTMLVideoElement, stop: () => void }>} */
const streams = new Map();
/** @type {EmotionDetector | null} */
let detector = null;
let running = false;
let loop = Promise.resolve();
/**
 * Running totals since start: frames analysed, faces in them, the engine's detector work
 * (`result.work`: frames per search kind, detector passes, faces classified) and its time per stage (`timings`, ms).
 */
const counters = {
  frames: 0,
  faces: 0,
  errors: 0,
  lastError: '',
  searches: { tiles: 0, frame: 0, focus: 0, none: 0 },
  /** Per search kind: frames, detector passes, detection and total ms. */
  byKind: Object.fromEntries(['tiles', 'frame', 'focus', 'none'].map((k) => [k, { frames: 0, passes: 0, detectionMs: 0, totalMs: 0 }])),
  passes: 0,
  classified: 0,
  detectionMs: 0,
  classificationMs: 0,
  totalMs: 0,
  /** The same per photo (sample1..6.jpg): frames, faces, passes, totalMs. */
  byPhoto: {},
};

function recordError(e) {
  counters.errors++;
  counters.lastError = String(e?.code ? `${e.code}: ${e.message}` : e?.message ?? e);
}
addEventListener('error', (e) => recordError(e.error ?? e.message));
addEventListener('unhandledrejection', (e) => recordError(e.reason));

async function loadPhotos() {
  if (photos.length) return;
  for (const n of [1, 2, 3, 4, 5, 6]) {
    const res = await fetch(`${PHOTOS}/sample${n}.jpg`);
    if (!res.ok) throw new Error(`sample${n}.jpg: HTTP ${res.status}`);
    photos.push(await createImageBitmap(await res.blob()));
  }
}

/** A playing video of a face photo, letterboxed and swaying; `stop()` ends it and removes it. */
async function playingVideo(photo) {
  const canvas = document.createElement('canvas');
  canvas.width = WIDTH;
  canvas.height = HEIGHT;
  const ctx = canvas.getContext('2d');
  const scale = Math.min(WIDTH / photo.width, HEIGHT / photo.height);
  const w = photo.width * scale;
  const h = photo.height * scale;
  let frame = 0;
  const draw = () => {
    const dx = SWAY_PX * Math.sin((2 * Math.PI * frame++) / SWAY_FRAMES);
    ctx.fillStyle = '#333';
    ctx.fillRect(0, 0, WIDTH, HEIGHT);
    ctx.drawImage(photo, (WIDTH - w) / 2 + dx, (HEIGHT - h) / 2, w, h);
  };
  draw();
  const timer = setInterval(draw, 1000 / FPS);
  const stream = canvas.captureStream(FPS);
  const video = document.createElement('video');
  video.muted = true;
  video.playsInline = true;
  video.srcObject = stream;
  document.body.append(video);
  await video.play();
  return {
    video,
    stop: () => {
      clearInterval(timer);
      for (const t of stream.getTracks()) t.stop();
      video.srcObject = null;
      video.remove();
    },
  };
}

async function analyse() {
  while (running) {
    const ids = [...streams.keys()];
    if (!ids.length) {
      await new Promise((r) => setTimeout(r, 50));
      continue;
    }
    for (const id of ids) {
      const s = streams.get(id);
      if (!running || !s) continue;
      try {
        const r = await detector.detect(s.video, performance.now(), { stream: id });
        counters.frames++;
        counters.faces += r.faces.length;
        counters.searches[r.work.search]++;
        counters.passes += r.work.detectorPasses;
        counters.classified += r.work.facesClassified;
        const k = counters.byKind[r.work.search];
        k.frames++;
        k.passes += r.work.detectorPasses;
        k.detectionMs += r.timings.detection;
        k.totalMs += r.timings.total;
        counters.detectionMs += r.timings.detection;
        counters.classificationMs += r.timings.classification;
        counters.totalMs += r.timings.total;
        const p = (counters.byPhoto[s.photo] ??= { frames: 0, faces: 0, passes: 0, totalMs: 0 });
        p.frames++;
        p.faces += r.faces.length;
        p.passes += r.work.detectorPasses;
        p.totalMs += r.timings.total;
      } catch (e) {
        recordError(e);
      }
    }
  }
}

window.soak = {
  /** Whether the page is cross-origin isolated (WASM threads possible). */
  isolated: () => globalThis.crossOriginIsolated === true,
  /** One create(), a detect() on a photo (so every runtime really ran), dispose(); the faces found. */
  async cycle(options) {
    await loadPhotos();
    const d = await EmotionDetector.create({ assetsBase: '/packages/core/dist/assets/', ...options });
    try {
      return (await d.detect(photos[1], 0)).faces.length;
    } finally {
      await d.dispose();
    }
  },
  /** create() and a detect() on a photo, keeping the detector (for `dispose`); the faces found. */
  async create(options) {
    await loadPhotos();
    detector = await EmotionDetector.create({ assetsBase: '/packages/core/dist/assets/', ...options });
    return (await detector.detect(photos[1], 0)).faces.length;
  },
  async dispose() {
    await detector?.dispose();
    detector = null;
  },
  /** Starts the engine and `count` videos, analysed as streams. */
  async start(options, count) {
    await loadPhotos();
    detector = await EmotionDetector.create({ assetsBase: '/packages/core/dist/assets/', ...options });
    for (let i = 0; i < count; i++) await this.join();
    running = true;
    loop = analyse();
    return { backend: detector.backend, parallel: detector.parallel };
  },
  /** A new video joins (a new stream). */
  async join() {
    const id = nextStream++;
    const photo = nextPhoto++ % photos.length;
    streams.set(id, { photo: photo + 1, ...(await playingVideo(photos[photo])) });
    return streams.size;
  },
  /** The oldest video leaves; its stream is forgotten where the engine can. */
  leave() {
    const id = streams.keys().next().value;
    if (id === undefined) return 0;
    streams.get(id).stop();
    streams.delete(id);
    detector?.forget?.(id);
    return streams.size;
  },
  counters: () => ({ ...counters, searches: { ...counters.searches }, byPhoto: structuredClone(counters.byPhoto), byKind: structuredClone(counters.byKind), streams: streams.size, photos: [...streams.values()].map((s) => s.photo) }),
  async stop() {
    running = false;
    await loop;
    for (const s of streams.values()) s.stop();
    streams.clear();
    await detector?.dispose();
    detector = null;
  },
};
window.dispatchEvent(new Event('soak-ready'));
