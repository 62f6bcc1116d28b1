// Runs in headless Chromium (driven by eval-faceapi.mjs): evaluates face-api's expression model
// (tfjs) and, in the same page, our ONNX model (onnxruntime-web WASM) on the same images.
// Everything is served locally by the script; nothing is fetched from elsewhere.

async function fetchBytes(url) {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
  return new Uint8Array(await r.arrayBuffer());
}

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

/** One image as an H x W x 3 float RGB array (gray replicated), what face-api's NetInput takes. */
function rgbImage(images, i, size, channels) {
  const px = size * size;
  const out = new Float32Array(px * 3);
  const base = i * px * channels;
  for (let p = 0; p < px; p++) {
    for (let c = 0; c < 3; c++) out[p * 3 + c] = images[base + p * channels + (channels === 3 ? c : 0)];
  }
  return out;
}

/**
 * face-api's FaceExpressionNet on every image: its own preprocessing (NetInput: pad to square,
 * bilinear resize to 112 x 112, mean RGB subtraction). Returns probabilities in face-api's label
 * order, and the time per face, batched and one face at a time.
 */
export async function evalFaceApi({ imagesUrl, n, size, channels, backend, threads, batch, latencyRuns }) {
  const faceapi = await import('/faceapi/dist/face-api.esm.js');
  const { tf } = faceapi;
  if (backend === 'wasm') {
    // face-api bundles tfjs's WASM backend code; its binaries are served from /tfwasm/.
    tf.setWasmPaths('/tfwasm/');
    tf.setThreadsCount(threads);
  }
  if (!(await tf.setBackend(backend))) throw new Error(`tfjs backend ${backend} failed to initialise`);
  await tf.ready();
  const net = faceapi.nets.faceExpressionNet;
  await net.loadFromUri('/faceapi/model');
  const images = await fetchBytes(imagesUrl);
  const tensor = (i) => tf.tensor3d(rgbImage(images, i, size, channels), [size, size, 3], 'float32');
  const run = async (idx) => {
    const inputs = idx.map(tensor);
    const out = await net.forward(inputs);
    const data = await out.data();
    out.dispose();
    inputs.forEach((t) => t.dispose());
    return data;
  };
  await run([0, 1]); // warm-up (kernel set-up, weight upload)
  runners.faceapi = (i) => run([i % n]);
  const probs = new Float32Array(n * 7);
  const t0 = performance.now();
  for (let s = 0; s < n; s += batch) {
    const idx = Array.from({ length: Math.min(batch, n - s) }, (_, j) => s + j);
    probs.set(await run(idx), s * 7);
  }
  const batchedMs = (performance.now() - t0) / n;
  const single = [];
  for (let k = 0; k < latencyRuns; k++) {
    const t = performance.now();
    await run([k % n]);
    single.push(performance.now() - t);
  }
  return { probs: Array.from(probs), batchedMs, singleMs: median(single), backend: tf.getBackend(), tfjs: tf.version_core };
}

/**
 * Our model in onnxruntime-web (WASM, the shipped runtime), through the engine's preprocessing.
 * Returns probabilities in the card's label order and the time per face.
 */
export async function evalOnnx({ imagesUrl, n, size, channels, modelUrl, card, threads, batch, latencyRuns }) {
  const ort = await import('/ort/ort.wasm.min.mjs');
  const { toModelInput, parseModelCard } = await import('/core/core.mjs');
  ort.env.wasm.numThreads = threads;
  ort.env.wasm.wasmPaths = '/ort/';
  const c = parseModelCard(card);
  const session = await ort.InferenceSession.create(modelUrl, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
  const images = await fetchBytes(imagesUrl);
  const { width, height, channels: cin } = c.input;
  const per = cin * width * height, bytes = size * size * channels, k = c.output.labels.length;
  const inputFor = (idx) => {
    const data = new Float32Array(idx.length * per);
    idx.forEach((i, j) => toModelInput({ data: images.subarray(i * bytes, (i + 1) * bytes), width: size, height: size, channels }, c, data, j * per));
    return new ort.Tensor('float32', data, [idx.length, cin, height, width]);
  };
  const run = async (idx) => (await session.run({ [c.input.name]: inputFor(idx) }))[session.outputNames[0]].data;
  await run([0]);
  runners.ours = (i) => run([i % n]);
  const probs = new Float32Array(n * k);
  const t0 = performance.now();
  for (let s = 0; s < n; s += batch) {
    const idx = Array.from({ length: Math.min(batch, n - s) }, (_, j) => s + j);
    probs.set(await run(idx), s * k);
  }
  const batchedMs = (performance.now() - t0) / n;
  const single = [];
  for (let i = 0; i < latencyRuns; i++) {
    const t = performance.now();
    await run([i % n]);
    single.push(performance.now() - t);
  }
  return { probs: Array.from(probs), batchedMs, singleMs: median(single) };
}

/** One-face-per-call functions of the models evaluated so far in this page. */
const runners = {};

/**
 * Median ms per single-face call for every model, with the calls interleaved (a, b, a, b...) so
 * that a busy machine slows them alike and the comparison stays fair.
 */
export async function interleavedLatency(runs) {
  const times = Object.fromEntries(Object.keys(runners).map((k) => [k, []]));
  for (let i = 0; i < runs; i++) {
    for (const [k, run] of Object.entries(runners)) {
      const t = performance.now();
      await run(i);
      times[k].push(performance.now() - t);
    }
  }
  // p10 as well as the median: on a busy machine the fast tail is closer to the model's own cost.
  const p10 = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 10)];
  return Object.fromEntries(Object.entries(times).map(([k, t]) => [k, { median: median(t), p10: p10(t) }]));
}
