#!/usr/bin/env node
// Accuracy of the shipped emotion model on a raw-format dataset, with onnxruntime-node and the
// engine's own preprocessing (packages/core/src/classification/preprocess.ts).
//
//   npm run eval                                   PublicTest (../shared/data/fer2013), FER+ and original labels
//   npm run eval -- --images X-images.u8 --labels X-labels.u8 [--skip X-dup.u8] [--size 48]
//   options: --model models/emotion/NAME.onnx  --png confusion.png  --json report.json
//            --data DIR (FER2013 folder)  --update-card (write PublicTest metrics into the card)
//            --batch 256  --threads 1
//            --runtime node|web (node: onnxruntime-node, the default; web: onnxruntime-web's WASM, the
//              engine's own kernels, run in Node: slower, and what int8 models should be measured with)
//            --flip-average (as the engine's flipAverage option: each image and its mirror, averaged;
//              with --update-card the figures go to the card's metrics.flipAverage)
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { loadCore, root } from './lib/core.mjs';
import { loadDataset, scoredRows } from './lib/dataset.mjs';
import { score, formatReport } from './lib/metrics.mjs';
import { confusionPng } from './lib/png.mjs';
import { resolveModel, predict } from './lib/model.mjs';
import { DEFAULT_DATA, hasPublicTest, loadPublicTest, scorePublicTest, cardMetrics } from './lib/publictest.mjs';
import { parseCli } from '../../scripts/lib/cli.mjs';

const { values: opt } = parseCli(import.meta.url, 'eval', {
  options: {
    images: { type: 'string' }, labels: { type: 'string' }, skip: { type: 'string' }, size: { type: 'string' },
    model: { type: 'string' }, png: { type: 'string' }, json: { type: 'string' }, data: { type: 'string' },
    'update-card': { type: 'boolean' }, 'flip-average': { type: 'boolean' }, runtime: { type: 'string', default: 'node' }, batch: { type: 'string', default: '256' }, threads: { type: 'string', default: '1' },
  },
});

function fail(msg) {
  console.error(`eval: ${msg}`);
  process.exit(2);
}
if (!!opt.images !== !!opt.labels) fail('--images and --labels go together');
if (opt['update-card'] && opt.images) fail('--update-card measures PublicTest from --data; leave out --images/--labels');

const { EMOTIONS } = await loadCore();
const model = await resolveModel({ model: opt.model }).catch((e) => fail(e.message));
const run = { batch: Number(opt.batch), threads: Number(opt.threads), flipAverage: !!opt['flip-average'], runtime: opt.runtime };
if (!['node', 'web'].includes(run.runtime)) fail(`--runtime is node or web, not ${run.runtime}`);
const rel = (p) => path.relative(process.cwd(), p) || p;
console.log(`model ${rel(model.onnxPath)} (card ${rel(model.cardPath)}; input ${model.card.input.width}x${model.card.input.height}x${model.card.input.channels})`);

/** name -> score result; the ones listed in `full` get the full report and a PNG. */
const reports = {};
const full = [];
const t0 = performance.now();
let images = 0;
if (opt.images) {
  const data = (() => {
    try {
      return loadDataset({ images: opt.images, labels: opt.labels, skip: opt.skip, size: opt.size ? Number(opt.size) : undefined });
    } catch (e) {
      return fail(e.message);
    }
  })();
  console.log(`dataset ${rel(opt.images)}: ${data.n} images ${data.size}x${data.size}, ${data.channels === 1 ? 'grayscale' : 'RGB'}`);
  const probs = await predict(model, data, run);
  images = data.n;
  reports.main = score(probs, data.labels, scoredRows(data.labels, data.skip));
  full.push('main');
  if (data.skip) reports.withSkipped = score(probs, data.labels, scoredRows(data.labels));
} else {
  const dataDir = opt.data ? path.resolve(opt.data) : DEFAULT_DATA;
  if (!hasPublicTest(dataDir)) fail(`no FER2013 PublicTest files in ${dataDir} (pass --data DIR, or --images/--labels)`);
  const pt = loadPublicTest(dataDir);
  console.log(`dataset FER2013 PublicTest (${rel(dataDir)}): ${pt.data.n} images ${pt.data.size}x${pt.data.size}`);
  const probs = await predict(model, pt.data, run);
  images = pt.data.n;
  Object.assign(reports, scorePublicTest(probs, pt));
  full.push('ferplus', 'orig');
}
const seconds = (performance.now() - t0) / 1000;

const titles = {
  main: opt.skip ? `labels ${rel(opt.labels)}, without rows marked in ${rel(opt.skip)}` : `labels ${rel(opt.labels ?? '')}`,
  withSkipped: 'all labelled rows (skip file ignored)',
  ferplus: 'FER+ majority labels', ferplusNoDup: 'FER+ majority labels, without duplicates of Training images',
  orig: 'original FER2013 labels', origNoDup: 'original FER2013 labels, without duplicates of Training images',
};
for (const name of full) console.log('\n' + formatReport(titles[name], reports[name], EMOTIONS));
console.log('');
for (const [name, s] of Object.entries(reports)) {
  if (!full.includes(name)) console.log(`${titles[name]}: ${s.n} images, accuracy ${(100 * s.accuracy).toFixed(2)}%, macro recall ${(100 * s.macroRecall).toFixed(2)}%`);
}
console.log(`${images} images in ${seconds.toFixed(1)} s (${run.runtime === 'web' ? 'onnxruntime-web WASM' : 'onnxruntime-node CPU'}, ${run.threads} thread(s), batch ${run.batch}${run.flipAverage ? ', each image and its mirror averaged' : ''})`);

if (opt.png) {
  for (const name of full) {
    const file = full.length > 1 ? opt.png.replace(/(\.png)?$/, `-${name}.png`) : opt.png;
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    fs.writeFileSync(file, confusionPng(reports[name].confusion, EMOTIONS));
    console.log(`confusion matrix -> ${file}`);
  }
}
if (opt.json) {
  const out = { model: rel(model.onnxPath), card: rel(model.cardPath), classes: EMOTIONS, reports };
  fs.writeFileSync(opt.json, JSON.stringify(out, null, 1) + '\n');
  console.log(`report -> ${opt.json}`);
}
if (opt['update-card']) {
  const sha256 = crypto.createHash('sha256').update(fs.readFileSync(model.onnxPath)).digest('hex');
  // The command as someone would retype it from the repository root.
  const fromRoot = (p) => (path.resolve(p).startsWith(root + path.sep) ? path.relative(root, path.resolve(p)) : path.resolve(p));
  const args = ['--update-card', run.flipAverage && '--flip-average', run.runtime !== 'node' && `--runtime ${run.runtime}`, opt.model && `--model ${fromRoot(opt.model)}`, opt.data && `--data ${fromRoot(opt.data)}`].filter(Boolean).join(' ');
  const measured = cardMetrics(reports, {
    onnxSha256: sha256,
    runtime: `${run.runtime === 'web' ? 'onnxruntime-web (WASM, in Node)' : 'onnxruntime-node (CPU)'}, engine preprocessing (packages/core/src/classification/preprocess.ts)`,
    command: `npm run eval -- ${args}`,
    measuredAt: new Date().toISOString().slice(0, 10),
  });
  // The plain figures are the card's own (the accuracy floor of npm test); mirror averaging's sit
  // beside them, and either set is kept only while it was measured on this very ONNX file.
  const earlier = model.raw.metrics?.onnxSha256 === sha256 ? model.raw.metrics : undefined;
  const earlierFlip = model.raw.metrics?.flipAverage?.onnxSha256 === sha256 ? model.raw.metrics.flipAverage : undefined;
  if (run.flipAverage) model.raw.metrics = { ...earlier, flipAverage: measured };
  else model.raw.metrics = { ...measured, ...(earlierFlip && { flipAverage: earlierFlip }) };
  fs.writeFileSync(model.cardPath, JSON.stringify(model.raw, null, 2) + '\n');
  console.log(`metrics -> ${rel(model.cardPath)}`);
}
