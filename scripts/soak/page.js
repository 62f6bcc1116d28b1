// Runs in scripts/soak/page.html. Four "calls": playing <video>s (each a face photo swaying on a
// canvas, through captureStream, 30 frames/s) that one engine analyses as four streams,
// round-robin, as fast as it can, each new picture at most once; videos join and leave on request. Also create()/dispose() cycles for the lifecycle
// checks. Driven through `window.soak`.
import { EmotionDetector } from '/packages/core/dist/index.js';

const PHOTOS = '/node_modules/@vladmandic/face-api/demo';
const WIDTH = 480;
const HEIGHT = 360;
/** The videos' frame rate, a camera's: above what the engine analyses here, so it never waits for a new picture. */
const FPS = 30;
/** The people sway sideways, as in a video call (px, ms per period). */
const SWAY_PX = 12;
const SWAY_MS = 3000;

/**
 * The videos' pictures, in the order they join: face-api's sample4.jpg and sample6.jpg (4 faces
 * each, found in every frame) and their mirror images, so that every video has the same faces to
 * find and classify and the work per frame is the same whichever videos are live. (The other
 * samples have 3 or 5 faces, and some of them are found only in some frames: with them, the work
 * per frame changed with the live set.)
 */
const SCENES = [
  { photo: 4, mirror: false },
  { photo: 6, mirror: false },
  { photo: 4, mirror: true },
  { photo: 6, mirror: true },
];
const sceneName = ({ photo, mirror }) => `${photo}${mirror ? 'm' : ''}`;
/** sample1..6.jpg, as ImageBitmaps (index n - 1). */
const photos = [];
let nextScene = 0;
let nextStream = 0;
/** @type {Map<number, { scene: string, video: HTMLVideoElement, drawn: () => number, shown: () => number, lastShown?: number, stop: () => void }>} */
const streams = new Map();
/** @type {EmotionDetector | null} */
let detector = null;
let running = false;
let loop = Promise.resolve();
/**
 * Running totals since start: frames analysed, faces in them, the engine's detector work
 * (`result.work`: frames per search kind, detector passes, faces classified, finds verified) and its time per stage (`timings`, ms).
 */
const counters = {
  frames: 0,
  faces: 0,
  errors: 0,
  lastError: '',
  searches: { tiles: 0, frame: 0, focus: 0, none: 0 },
  /** Per search kind: frames, detector passes, detection and total ms. */
  byKind: Object.fromEntries(['tiles', 'frame', 'focus', 'none'].map((k) => [k, { frames: 0, passes: 0, detectionMs: 0, totalMs: 0 }])),
  /** Time the loop waited because no video had a picture not yet analysed. */
  waitMs: 0,
  passes: 0,
  classified: 0,
  verified: 0,
  detectionMs: 0,
  classificationMs: 0,
  totalMs: 0,
  /** The same per scene ('4', '6m': sample4.jpg, sample6.jpg mirrored): frames, faces, passes, totalMs. */
  byScene: {},
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

/** A playing video of a face photo (mirrored or not), letterboxed and swaying; `stop()` ends it and removes it. */
async function playingVideo(photo, mirror = false) {
  const canvas = document.createElement('canvas');
  canvas.width = WIDTH;
  canvas.height = HEIGHT;
  const ctx = canvas.getContext('2d');
  const scale = Math.min(WIDTH / photo.width, HEIGHT / photo.height);
  const w = photo.width * scale;
  const h = photo.height * scale;
  let frame = 0;
  const draw = () => {
    frame++;
    // By the clock, not by the frame count: a late timer shows the people where they are by then.
    const dx = SWAY_PX * Math.sin((2 * Math.PI * performance.now()) / SWAY_MS);
    ctx.fillStyle = '#333';
    ctx.fillRect(0, 0, WIDTH, HEIGHT);
    ctx.save();
    if (mirror) ctx.setTransform(-1, 0, 0, 1, WIDTH, 0);
    ctx.drawImage(photo, (WIDTH - w) / 2 + dx, (HEIGHT - h) / 2, w, h);
    ctx.restore();
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
  // The frames the video has shown (each a new picture), counted as they are presented.
  let shown = 0;
  let stopped = false;
  const onFrame = (_now, meta) => {
    shown = meta.presentedFrames;
    if (!stopped) video.requestVideoFrameCallback(onFrame);
  };
  video.requestVideoFrameCallback(onFrame);
  return {
    video,
    /** Pictures drawn so far (at most FPS a second; fewer when the thread is busy). */
    drawn: () => frame,
    /** Frames the video has shown so far: a new count is a new picture to analyse. */
    shown: () => shown,
    stop: () => {
      stopped = true;
      clearInterval(timer);
      for (const t of stream.getTracks()) t.stop();
      video.srcObject = null;
      video.remove();
    },
  };
}

/**
 * Round-robin over the live videos, each analysed when it shows a picture it has not been analysed
 * on (a picture analysed again would be cheaper work: nothing moved). When none has one, the loop
 * waits (counted in `waitMs`: the engine was faster than the videos).
 */
async function analyse() {
  while (running) {
    let analysed = 0;
    for (const id of [...streams.keys()]) {
      const s = streams.get(id);
      if (!running || !s) continue;
      const shown = s.shown();
      if (shown === s.lastShown) continue;
      s.lastShown = shown;
      analysed++;
      try {
        const r = await detector.detect(s.video, performance.now(), { stream: id });
        counters.frames++;
        counters.faces += r.faces.length;
        counters.searches[r.work.search]++;
        counters.passes += r.work.detectorPasses;
        counters.classified += r.work.facesClassified;
        counters.verified += r.work.facesVerified;
        const k = counters.byKind[r.work.search];
        k.frames++;
        k.passes += r.work.detectorPasses;
        k.detectionMs += r.timings.detection;
        k.totalMs += r.timings.total;
        counters.detectionMs += r.timings.detection;
        counters.classificationMs += r.timings.classification;
        counters.totalMs += r.timings.total;
        const p = (counters.byScene[s.scene] ??= { frames: 0, faces: 0, passes: 0, totalMs: 0 });
        p.frames++;
        p.faces += r.faces.length;
        p.passes += r.work.detectorPasses;
        p.totalMs += r.timings.total;
      } catch (e) {
        recordError(e);
      }
    }
    if (!analysed && running) {
      const t0 = performance.now();
      await new Promise((r) => setTimeout(r, 4));
      counters.waitMs += performance.now() - t0;
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
    const scene = SCENES[nextScene++ % SCENES.length];
    streams.set(id, { scene: sceneName(scene), ...(await playingVideo(photos[scene.photo - 1], scene.mirror)) });
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
  /** The totals, and per live video: its scene, the pictures it has drawn and the frames it has shown. */
  counters: () => ({
    ...counters,
    searches: { ...counters.searches },
    byScene: structuredClone(counters.byScene),
    byKind: structuredClone(counters.byKind),
    streams: streams.size,
    scenes: [...streams.values()].map((s) => s.scene),
    drawn: Object.fromEntries([...streams.values()].map((s) => [s.scene, s.drawn()])),
    shown: Object.fromEntries([...streams.values()].map((s) => [s.scene, s.shown()])),
  }),
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
