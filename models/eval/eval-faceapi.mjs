#!/usr/bin/env node
// Peer comparison: face-api's expression model (@vladmandic/face-api, tfjs) against our ONNX model
// (onnxruntime-web WASM), both in one headless Chromium page, on the same images and labels.
//
//   npm run eval:faceapi                       FER2013 PublicTest (../shared/data/fer2013)
//   npm run eval:faceapi -- --images X.u8 --labels Y.u8 [--skip Z.u8] [--size 48]
//   options: --backend wasm|cpu|webgl (tfjs backend; default wasm when its binaries are found, see
//              --tfjs-wasm, else cpu, which is ~50x slower)  --tfjs-wasm DIR (folder with
//              tfjs-backend-wasm*.wasm, default node_modules/@tensorflow/tfjs-backend-wasm/dist)  --batch 64  --threads 1 (ORT and tfjs wasm)
//            --model models/emotion/NAME.onnx  --no-ours  --limit N (first N images)  --json out.json
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleCore, loadCore, root } from './lib/core.mjs';
import { loadDataset, scoredRows } from './lib/dataset.mjs';
import { score } from './lib/metrics.mjs';
import { resolveModel } from './lib/model.mjs';
import { DEFAULT_DATA, hasPublicTest, publicTestFiles, loadPublicTest, scorePublicTest } from './lib/publictest.mjs';
import { serveStatic } from '../../scripts/lib/static-server.mjs';
import { launch } from '../../scripts/lib/chromium.mjs';
import { parseCli } from '../../scripts/lib/cli.mjs';

/** face-api's output order, mapped onto ours (angry, disgust, fear, happy, sad, surprise, neutral). */
export const FACEAPI_LABELS = ['neutral', 'happy', 'sad', 'angry', 'fearful', 'disgusted', 'surprised'];
const FACEAPI_TO_OURS = { neutral: 'neutral', happy: 'happy', sad: 'sad', angry: 'angry', fearful: 'fear', disgusted: 'disgust', surprised: 'surprise' };

const { values: opt } = parseCli(import.meta.url, 'eval-faceapi', {
  options: {
    images: { type: 'string' }, labels: { type: 'string' }, skip: { type: 'string' }, size: { type: 'string' },
    data: { type: 'string' }, backend: { type: 'string' }, 'tfjs-wasm': { type: 'string' }, batch: { type: 'string', default: '64' },
    threads: { type: 'string', default: '1' }, model: { type: 'string' }, 'no-ours': { type: 'boolean' },
    limit: { type: 'string' }, json: { type: 'string' },
  },
});
const fail = (msg) => {
  console.error(`eval-faceapi: ${msg}`);
  process.exit(2);
};
if (!!opt.images !== !!opt.labels) fail('--images and --labels go together');

const { EMOTIONS } = await loadCore();
/** Reorders N x 7 probabilities from `labels` order into EMOTIONS order. */
function toCanonical(probs, labels) {
  const idx = labels.map((l) => EMOTIONS.indexOf(l));
  const out = new Float32Array(probs.length);
  for (let i = 0; i < probs.length / 7; i++) for (let c = 0; c < 7; c++) out[i * 7 + idx[c]] = probs[i * 7 + c];
  return out;
}

// The dataset and how to score it.
let data, imagesFile, scoreAll;
try {
  if (opt.images) {
    data = loadDataset({ images: opt.images, labels: opt.labels, skip: opt.skip, size: opt.size ? Number(opt.size) : undefined });
    imagesFile = path.resolve(opt.images);
    scoreAll = (p) => ({
      main: score(p, data.labels, scoredRows(data.labels.subarray(0, n), data.skip)),
      ...(data.skip ? { withSkipped: score(p, data.labels, scoredRows(data.labels.subarray(0, n))) } : {}),
    });
  } else {
    const dir = opt.data ? path.resolve(opt.data) : DEFAULT_DATA;
    if (!hasPublicTest(dir)) fail(`no FER2013 PublicTest files in ${dir} (pass --data DIR, or --images/--labels)`);
    const pt = loadPublicTest(dir);
    data = pt.data;
    imagesFile = publicTestFiles(dir).images;
    scoreAll = (p) => scorePublicTest(p, {
      labels: { ferplus: pt.labels.ferplus.subarray(0, n), orig: pt.labels.orig.subarray(0, n) },
      dup: pt.dup.subarray(0, n),
    });
  }
} catch (e) {
  fail(e.message);
}
const tfjsWasm = path.resolve(opt['tfjs-wasm'] ?? path.join(root, 'node_modules/@tensorflow/tfjs-backend-wasm/dist'));
const hasTfjsWasm = fs.existsSync(path.join(tfjsWasm, 'tfjs-backend-wasm-simd.wasm'));
const backend = opt.backend ?? (hasTfjsWasm ? 'wasm' : 'cpu');
if (!['wasm', 'cpu', 'webgl'].includes(backend)) fail(`unknown tfjs backend ${backend}`);
if (backend === 'wasm' && !hasTfjsWasm) fail(`no tfjs-backend-wasm-simd.wasm in ${tfjsWasm} (pass --tfjs-wasm DIR)`);
if (!opt.backend && !hasTfjsWasm) console.log(`note: tfjs WASM binaries not found in ${tfjsWasm}; using the slow cpu backend`);
const n = Math.min(data.n, opt.limit ? Number(opt.limit) : Infinity);
const ours = opt['no-ours'] ? null : await resolveModel({ model: opt.model }).catch((e) => {
  if (opt.model) fail(e.message);
  console.log(`note: ${e.message}; evaluating face-api alone`);
  return null;
});

const coreDir = fs.mkdtempSync(path.join(os.tmpdir(), 'emotion-eval-core-'));
fs.writeFileSync(path.join(coreDir, 'core.mjs'), await bundleCore('browser'));
const roots = {
  '/faceapi/': path.join(root, 'node_modules/@vladmandic/face-api'),
  '/ort/': path.join(root, 'node_modules/onnxruntime-web/dist'),
  '/data/': path.dirname(imagesFile),
  '/core/': coreDir,
  '/': path.join(root, 'models/eval'),
};
if (backend === 'wasm') roots['/tfwasm/'] = tfjsWasm;
if (ours) roots['/model/'] = path.dirname(ours.onnxPath);
const server = await serveStatic({ roots });
const browser = await launch();
const common = { imagesUrl: `/data/${path.basename(imagesFile)}`, n, size: data.size, channels: data.channels, batch: Number(opt.batch), latencyRuns: 100 };
const results = {};
try {
  const page = await browser.newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(`${server.url}/bench-model.html`);
  console.log(`${n} images ${data.size}x${data.size}; headless Chromium; face-api tfjs backend "${backend}"`);
  const fa = await page.evaluate(
    async (args) => (await import('/peer-page.mjs')).evalFaceApi(args),
    { ...common, backend, threads: Number(opt.threads) },
  );
  const faProbs = toCanonical(fa.probs, FACEAPI_LABELS.map((l) => FACEAPI_TO_OURS[l]));
  results.faceapi = { label: `face-api 1.7 (tfjs ${fa.tfjs} ${fa.backend})`, scores: scoreAll(faProbs), batchedMs: fa.batchedMs, singleMs: fa.singleMs };
  if (ours) {
    const on = await page.evaluate(
      async (args) => (await import('/peer-page.mjs')).evalOnnx(args),
      { ...common, modelUrl: `/model/${path.basename(ours.onnxPath)}`, card: ours.raw, threads: Number(opt.threads) },
    );
    results.ours = {
      label: `${ours.card.name} (ort-web wasm, ${opt.threads} thread)`,
      scores: scoreAll(toCanonical(on.probs, ours.card.output.labels)), batchedMs: on.batchedMs, singleMs: on.singleMs,
    };
    const inter = await page.evaluate(async (runs) => (await import('/peer-page.mjs')).interleavedLatency(runs), 200);
    results.faceapi.interleavedMs = inter.faceapi;
    results.ours.interleavedMs = inter.ours;
  }
} finally {
  await browser.close();
  await server.close();
  fs.rmSync(coreDir, { recursive: true, force: true });
}

// Side-by-side table.
const cols = Object.values(results);
const rows = [];
const pct = (v) => `${(100 * v).toFixed(2)}%`;
const names = {
  ferplus: 'FER+ majority', ferplusNoDup: 'FER+ majority, no duplicates', orig: 'original labels', origNoDup: 'original labels, no duplicates',
  main: 'labels', withSkipped: 'labels, incl. skipped rows',
};
for (const key of Object.keys(cols[0].scores)) {
  rows.push([`accuracy, ${names[key]} (n=${cols[0].scores[key].n})`, ...cols.map((c) => pct(c.scores[key].accuracy))]);
  rows.push([`macro recall, ${names[key]}`, ...cols.map((c) => pct(c.scores[key].macroRecall))]);
}
const first = Object.keys(cols[0].scores)[0];
rows.push([`ECE (15 bins), ${names[first]}`, ...cols.map((c) => c.scores[first].ece.toFixed(4))]);
rows.push([`ms/face, batch ${opt.batch}`, ...cols.map((c) => c.batchedMs.toFixed(2))]);
rows.push(['ms/face, one face per call (median)', ...cols.map((c) => c.singleMs.toFixed(2))]);
if (results.ours) {
  rows.push(['ms/face, one face per call, interleaved (median)', ...cols.map((c) => c.interleavedMs.median.toFixed(2))]);
  rows.push(['ms/face, one face per call, interleaved (p10)', ...cols.map((c) => c.interleavedMs.p10.toFixed(2))]);
}
const w0 = Math.max(...rows.map((r) => r[0].length));
const ws = cols.map((c, i) => Math.max(c.label.length, ...rows.map((r) => r[i + 1].length)));
console.log(['', ...cols.map((c) => c.label)].map((v, i) => (i ? v.padStart(ws[i - 1]) : v.padEnd(w0))).join('  '));
for (const r of rows) console.log(r.map((v, i) => (i ? v.padStart(ws[i - 1]) : v.padEnd(w0))).join('  '));
for (const [name, c] of Object.entries(results)) {
  console.log(`${name} per-class recall (${names[first]}): ${EMOTIONS.map((e, i) => `${e} ${c.scores[first].recall[i] === null ? '-' : pct(c.scores[first].recall[i])}`).join(', ')}`);
}
if (opt.json) fs.writeFileSync(opt.json, JSON.stringify({ images: n, classes: EMOTIONS, results }, null, 1) + '\n');
