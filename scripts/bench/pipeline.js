// Runs in the benchmark page (scripts/bench/pipeline.html), one engine per page, driven by
// scripts/bench.mjs through `window.bench`. Both engines get the very same frames.

const PHOTOS = '/node_modules/@vladmandic/face-api/demo';
const FACEAPI = '/node_modules/@vladmandic/face-api';

/** Per scene: what the engines read (the canvas, or a <video> playing it) and how to show its frame number i. @type {Map<string, { input: HTMLCanvasElement | HTMLVideoElement, show: (i: number) => Promise<void>, next?: number }>} */
const scenes = new Map();
/**
 * The people sway sideways like someone in a video call: a sine of this amplitude (px, at
 * 640x480; scaled with the frame) and period (frames), up to 2.5 px per frame at 640x480. A still
 * frame would flatter an engine that reuses work from the previous frame.
 */
const SWAY_PX = 16;
const SWAY_FRAMES = 40;
/** @type {{ frame: (c: HTMLCanvasElement, t: number) => Promise<{ detection: number, classification: number, faces: number }>, close: () => Promise<void> } | null} */
let engine = null;
let clock = 0;

async function photo(n) {
  const res = await fetch(`${PHOTOS}/sample${n}.jpg`);
  if (!res.ok) throw new Error(`sample${n}.jpg: HTTP ${res.status}`);
  return createImageBitmap(await res.blob());
}

/**
 * One face: the right-hand woman in sample1.jpg, cropped around (1560, 300) at the frame's aspect
 * ratio, 480 source px tall (exactly x 1240..1880, y 60..540 for 640x480), kept inside the photo.
 * Five faces: sample5.jpg scaled to fit (letterboxed, nothing cut off).
 */
function scene(img, faces, width, height) {
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const g = canvas.getContext('2d');
  const draw = (i) => {
    const dx = (SWAY_PX * width) / 640 * Math.sin((2 * Math.PI * i) / SWAY_FRAMES);
    g.fillStyle = '#000';
    g.fillRect(0, 0, width, height);
    if (faces === 1) {
      const sh = 480;
      const sw = Math.round((sh * width) / height);
      const sx = Math.min(Math.max(1560 - sw / 2, 0), img.width - sw);
      g.drawImage(img, sx, 60, sw, sh, dx, 0, width, height);
    } else {
      const s = Math.min(width / img.width, height / img.height);
      const w = img.width * s;
      const h = img.height * s;
      g.drawImage(img, (width - w) / 2 + dx, (height - h) / 2, w, h);
    }
    // Canvas drawing is deferred: paint now, so that the engines are not timed painting the scene
    // (a video's frame is decoded before anyone reads it).
    g.getImageData(0, 0, 1, 1);
  };
  draw(0);
  return { canvas, draw };
}

/**
 * The canvas as a playing <video> (its captureStream, a frame per draw): what a page analysing a
 * camera or a call gives the engines, with the browser's own video frame handling.
 */
async function asVideo({ canvas, draw }) {
  const stream = canvas.captureStream(0);
  const [track] = stream.getVideoTracks();
  const video = document.createElement('video');
  video.muted = true;
  video.srcObject = stream;
  const presented = () =>
    new Promise((resolve) => {
      const timer = setTimeout(resolve, 500); // a frame identical to the last may not be presented again
      video.requestVideoFrameCallback(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  const show = async (i) => {
    const next = presented();
    draw(i);
    track.requestFrame();
    await next;
  };
  const started = video.play();
  await show(0);
  await started;
  return { input: video, show };
}

/** Draws every scene: `[{ id, faces, width, height }]`; with `video`, each plays in a <video>. */
async function prepareScenes(list, { video = false } = {}) {
  const photos = { 1: await photo(1), 5: await photo(5) };
  for (const s of list) {
    const c = scene(photos[s.faces], s.faces, s.width, s.height);
    scenes.set(s.id, video ? await asVideo(c) : { input: c.canvas, show: async (i) => c.draw(i) });
  }
  return list.map((s) => s.id);
}

/** Our engine from the built package, WASM backend. */
async function startOurs({ threads, model, smallFaces, parallel }) {
  const { EmotionDetector } = await import('/packages/core/dist/index.js');
  const detector = await EmotionDetector.create({
    backend: 'wasm',
    numThreads: threads,
    parallel,
    assetsBase: '/packages/core/dist/assets/',
    maxFaces: 8,
    smoothing: 300,
    smallFaces,
    ...(model ? { model } : {}),
  });
  engine = {
    async frame(input, t) {
      // The scene's frames are a video (a canvas redrawn, or a <video>): tracked and smoothed.
      const r = await detector.detect(input, t, { video: true });
      return { detection: r.timings.detection, classification: r.timings.classification, faces: r.faces.length };
    },
    close: () => detector.dispose(),
  };
  return { backend: detector.backend, model: detector.modelCard.name, threads, smallFaces, parallel: detector.parallel };
}

/**
 * face-api.js (@vladmandic/face-api, tfjs bundled): TinyFaceDetector + FaceExpressionNet, the
 * same steps as `detectAllFaces(input, options).withFaceExpressions()`: detect, crop each face
 * from the input, classify each face separately.
 */
async function startFaceApi({ backend, threads, inputSize }) {
  const faceapi = await import(`${FACEAPI}/dist/face-api.esm.js`);
  const { tf } = faceapi;
  if (backend === 'wasm') {
    tf.setWasmPaths('/tfwasm/');
    tf.setThreadsCount(threads);
  }
  if (!(await tf.setBackend(backend))) throw new Error(`tfjs backend ${backend} did not initialise`);
  await tf.ready();
  await faceapi.nets.tinyFaceDetector.loadFromUri(`${FACEAPI}/model`);
  await faceapi.nets.faceExpressionNet.loadFromUri(`${FACEAPI}/model`);
  const options = new faceapi.TinyFaceDetectorOptions({ inputSize, scoreThreshold: 0.5 });
  engine = {
    async frame(input) {
      const t0 = performance.now();
      const detections = await faceapi.detectAllFaces(input, options);
      const t1 = performance.now();
      if (detections.length) {
        const crops = await faceapi.extractFaces(input, detections);
        await Promise.all(crops.map((c) => faceapi.nets.faceExpressionNet.predictExpressions(c)));
      }
      return { detection: t1 - t0, classification: performance.now() - t1, faces: detections.length };
    },
    async close() {
      faceapi.nets.tinyFaceDetector.dispose();
      faceapi.nets.faceExpressionNet.dispose();
    },
  };
  const threadsUsed = backend === 'wasm' ? (tf.backend().getThreadsCount?.() ?? threads) : 1;
  return { backend: tf.getBackend(), tfjs: tf.version_core, threads: threadsUsed, inputSize };
}

/**
 * `warmup` untimed frames, then `n` timed ones: per frame { frame, detection, classification, faces }.
 * `gapMs`: an untimed pause before each frame (an app analysing a few frames a second).
 */
async function run({ scene: id, n, warmup = 0, gapMs = 0 }) {
  const s = scenes.get(id);
  if (!s) throw new Error(`unknown scene ${id}`);
  if (!engine) throw new Error('no engine started');
  // Every engine sees the same sequence of frames: the n-th frame of a scene is drawn alike.
  s.next ??= 0;
  const pause = () => (gapMs > 0 ? new Promise((r) => setTimeout(r, gapMs)) : undefined);
  for (let i = 0; i < warmup; i++) {
    await s.show(s.next++);
    await engine.frame(s.input, (clock += 33));
  }
  const samples = [];
  for (let i = 0; i < n; i++) {
    await pause();
    await s.show(s.next++);
    const t0 = performance.now();
    const r = await engine.frame(s.input, (clock += 33));
    samples.push({ frame: performance.now() - t0, ...r });
  }
  return samples;
}

function info() {
  return { userAgent: navigator.userAgent, hardwareConcurrency: navigator.hardwareConcurrency, crossOriginIsolated };
}

window.bench = { prepareScenes, startOurs, startFaceApi, run, info, close: () => engine?.close() };
window.benchReady = true;
