// Runs in the benchmark page (scripts/bench/pipeline.html), one engine per page, driven by
// scripts/bench.mjs through `window.bench`. Both engines get the very same canvases.

const PHOTOS = '/node_modules/@vladmandic/face-api/demo';
const FACEAPI = '/node_modules/@vladmandic/face-api';

/** @type {Map<string, HTMLCanvasElement>} */
const canvases = new Map();
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
function drawScene(img, faces, width, height) {
  const c = document.createElement('canvas');
  c.width = width;
  c.height = height;
  const g = c.getContext('2d');
  g.fillStyle = '#000';
  g.fillRect(0, 0, width, height);
  if (faces === 1) {
    const sh = 480;
    const sw = Math.round((sh * width) / height);
    const sx = Math.min(Math.max(1560 - sw / 2, 0), img.width - sw);
    g.drawImage(img, sx, 60, sw, sh, 0, 0, width, height);
  } else {
    const s = Math.min(width / img.width, height / img.height);
    const w = img.width * s;
    const h = img.height * s;
    g.drawImage(img, (width - w) / 2, (height - h) / 2, w, h);
  }
  return c;
}

/** Draws every scene: `[{ id, faces, width, height }]`. */
async function prepareScenes(list) {
  const photos = { 1: await photo(1), 5: await photo(5) };
  for (const s of list) canvases.set(s.id, drawScene(photos[s.faces], s.faces, s.width, s.height));
  return list.map((s) => s.id);
}

/** Our engine from the built package, WASM backend. */
async function startOurs({ threads, model, smallFaces }) {
  const { EmotionDetector } = await import('/packages/core/dist/index.js');
  const detector = await EmotionDetector.create({
    backend: 'wasm',
    numThreads: threads,
    assetsBase: '/packages/core/dist/assets/',
    maxFaces: 8,
    smoothing: 300,
    smallFaces,
    ...(model ? { model } : {}),
  });
  engine = {
    async frame(canvas, t) {
      const r = await detector.detect(canvas, t);
      return { detection: r.timings.detection, classification: r.timings.classification, faces: r.faces.length };
    },
    close: () => detector.dispose(),
  };
  return { backend: detector.backend, model: detector.modelCard.name, threads, smallFaces };
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
    async frame(canvas) {
      const t0 = performance.now();
      const detections = await faceapi.detectAllFaces(canvas, options);
      const t1 = performance.now();
      if (detections.length) {
        const crops = await faceapi.extractFaces(canvas, detections);
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

/** `warmup` untimed frames, then `n` timed ones: per frame { frame, detection, classification, faces }. */
async function run({ scene, n, warmup = 0 }) {
  const canvas = canvases.get(scene);
  if (!canvas) throw new Error(`unknown scene ${scene}`);
  if (!engine) throw new Error('no engine started');
  for (let i = 0; i < warmup; i++) await engine.frame(canvas, (clock += 33));
  const samples = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const r = await engine.frame(canvas, (clock += 33));
    samples.push({ frame: performance.now() - t0, ...r });
  }
  return samples;
}

function info() {
  return { userAgent: navigator.userAgent, hardwareConcurrency: navigator.hardwareConcurrency, crossOriginIsolated };
}

window.bench = { prepareScenes, startOurs, startFaceApi, run, info, close: () => engine?.close() };
window.benchReady = true;
