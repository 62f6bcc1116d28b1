#!/usr/bin/env node
// The honest protocol: a dev split carved from FER2013 Training chooses everything; PublicTest
// without its 280 copies of Training images is scored once per shipped model, with bootstrap 95%
// intervals.
//
//   npm run eval:protocol                          every shipped model: dev split, then PublicTest
//   npm run eval:protocol -- --model models/emotion/NAME.onnx [--model ...]
//   options: --dev-only (never reads PublicTest's labels: for choosing)
//            --curve (per-class offsets on the log-probabilities, chosen on the dev split to
//              maximise the original labels' macro recall at each FER+ floor: the trade-off curve)
//            --ferplus-drop P (with --curve: also print the offsets for a dev FER+ floor P points
//              below the model's own, as JSON, for models/training/offsets.py)
//            --update-card (write the figures into the card's metrics.protocol)
//            --flip-average  --runtime node|web  --threads 1  --resamples 2000  --json FILE  --data DIR
//
// Dev split: models/eval/lib/devsplit.mjs (the same rule as models/training/fer_data.py).
// The shipped nets before this protocol were trained on all of Training, the dev rows included,
// so their dev figures are optimistic; their PublicTest figures are the ones to quote.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadCore, root } from './lib/core.mjs';
import { listCards, predict, resolveModel } from './lib/model.mjs';
import { DEFAULT_DATA, hasPublicTest, loadPublicTest } from './lib/publictest.mjs';
import { hasTraining, loadDevSplit } from './lib/devsplit.mjs';
import { protocolFigures, topClasses, withBootstrap } from './lib/protocol.mjs';
import { bestClassOffsets } from './lib/agreement.mjs';

const { values: opt } = parseArgs({
  options: {
    model: { type: 'string', multiple: true }, data: { type: 'string' }, 'dev-only': { type: 'boolean' },
    curve: { type: 'boolean' }, 'ferplus-drop': { type: 'string' }, 'update-card': { type: 'boolean' },
    'flip-average': { type: 'boolean' }, runtime: { type: 'string', default: 'node' }, threads: { type: 'string', default: '1' },
    resamples: { type: 'string', default: '2000' }, json: { type: 'string' },
  },
});
const fail = (msg) => {
  console.error(`eval:protocol: ${msg}`);
  process.exit(2);
};
if (opt['update-card'] && opt['dev-only']) fail('--update-card stores the PublicTest figures; leave out --dev-only');
const dataDir = opt.data ? path.resolve(opt.data) : DEFAULT_DATA;
if (!hasPublicTest(dataDir) || !hasTraining(dataDir)) fail(`no FER2013 Training and PublicTest files in ${dataDir} (pass --data DIR)`);
if (!['node', 'web'].includes(opt.runtime)) fail(`--runtime is node or web, not ${opt.runtime}`);
const run = { threads: Number(opt.threads), flipAverage: !!opt['flip-average'], runtime: opt.runtime };
const resamples = Number(opt.resamples);

const { EMOTIONS } = await loadCore();
const pt = loadPublicTest(dataDir);
const dev = loadDevSplit(dataDir, pt.data.images);
const testRows = [];
for (let i = 0; i < pt.data.n; i++) if (pt.dup[i] !== 1) testRows.push(i);
const devRows = Array.from({ length: dev.data.n }, (_, i) => i);
const models = opt.model ?? listCards().map((c) => c.replace(/\.json$/, '.onnx'));
const rel = (p) => path.relative(process.cwd(), p) || p;
const pct = (v) => (v === null ? '–' : `${(100 * v).toFixed(1)}%`);
const withCi = (f) => `${(100 * f.value).toFixed(2)}% [${(100 * f.ci95[0]).toFixed(1)}, ${(100 * f.ci95[1]).toFixed(1)}]`;
const short = ['ang', 'dis', 'fea', 'hap', 'sad', 'sur', 'neu'];
console.log(`dev split: ${dev.data.n} Training images (${devRows.filter((i) => dev.labels.ferplus[i] !== 255).length} with a FER+ majority); ` +
  `PublicTest without the Training duplicates: ${testRows.length} images`);

const results = [];
for (const m of models) {
  const model = await resolveModel({ model: m }).catch((e) => fail(e.message));
  console.log(`\n## ${model.card.name} (${rel(model.onnxPath)}${run.flipAverage ? ', mirror-averaged' : ''})`);
  const devProbs = await predict(model, dev.data, run);
  const devFig = protocolFigures(topClasses(devProbs), dev.labels.ferplus, dev.labels.orig, devRows);
  console.log(`dev: FER+ ${pct(devFig.ferplusAccuracy)}, original ${pct(devFig.originalAccuracy)}, original macro recall ` +
    `${pct(devFig.originalMacroRecall)}; original recall ${devFig.originalRecall.map((r, c) => `${short[c]} ${pct(r)}`).join(' ')}`);
  const result = { model: rel(model.onnxPath), dev: devFig };
  if (opt.curve) {
    // The trade-off on the dev split: at each FER+ floor (the model's own dev accuracy minus a
    // drop), the offsets that maximise the original labels' macro recall.
    console.log('\ntrade-off on the dev split (offsets chosen there): | FER+ drop | FER+ | original | macro recall | anger | fear | offsets (angry…neutral) |');
    result.curve = [];
    const drops = [0, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10, 100];
    const wanted = opt['ferplus-drop'] !== undefined ? Number(opt['ferplus-drop']) : null;
    if (wanted !== null && !drops.includes(wanted)) drops.push(wanted), drops.sort((a, b) => a - b);
    for (const drop of drops) {
      const b = bestClassOffsets(devProbs, dev.labels.ferplus, dev.labels.orig, devFig.ferplusAccuracy - drop / 100 - 1e-9, { objective: 'macro' });
      const f = protocolFigures(topClasses(devProbs, 7, b.bias), dev.labels.ferplus, dev.labels.orig, devRows);
      result.curve.push({ drop, offsets: b.bias, ...f });
      console.log(`| ${drop} | ${pct(f.ferplusAccuracy)} | ${pct(f.originalAccuracy)} | ${pct(f.originalMacroRecall)} | ` +
        `${pct(f.originalRecall[0])} | ${pct(f.originalRecall[2])} | ${b.bias.map((x) => x.toFixed(1)).join(' ')} |`);
      if (drop === wanted) console.log(`offsets for a ${drop}-point FER+ drop on dev: ${JSON.stringify({ labels: EMOTIONS, offsets: b.bias })}`);
    }
  }
  if (!opt['dev-only']) {
    const top = topClasses(await predict(model, pt.data, run));
    const test = withBootstrap(top, pt.labels.ferplus, pt.labels.orig, testRows, { resamples });
    result.publicTestNoDuplicates = test;
    console.log(`PublicTest without duplicates (scored once; 95% bootstrap interval): FER+ ${withCi(test.ferplusAccuracy)} ` +
      `(${test.ferplusImages} images), original ${withCi(test.originalAccuracy)}, original macro recall ${withCi(test.originalMacroRecall)}`);
    console.log(`  original recall: ${test.originalRecall.map((r, c) => `${EMOTIONS[c]} ${withCi(r)}`).join(', ')}`);
    if (opt['update-card']) {
      const sha256 = crypto.createHash('sha256').update(fs.readFileSync(model.onnxPath)).digest('hex');
      const r4 = (v) => Math.round(v * 1e4) / 1e4;
      const fig = (f) => ({ value: r4(f.value), ci95: f.ci95.map(r4) });
      const args = ['--update-card', run.flipAverage && '--flip-average', run.runtime !== 'node' && `--runtime ${run.runtime}`,
        `--model ${path.relative(root, path.resolve(model.onnxPath))}`].filter(Boolean).join(' ');
      const key = run.flipAverage ? 'protocolFlipAverage' : 'protocol';
      model.raw.metrics = {
        ...model.raw.metrics,
        [key]: {
          publicTestNoDuplicates: {
            ferplusAccuracy: fig(test.ferplusAccuracy),
            originalAccuracy: fig(test.originalAccuracy),
            originalMacroRecall: fig(test.originalMacroRecall),
            originalRecall: Object.fromEntries(EMOTIONS.map((e, c) => [e, fig(test.originalRecall[c])])),
            images: { ferplus: test.ferplusImages, original: test.images },
          },
          dev: {
            ferplusAccuracy: r4(devFig.ferplusAccuracy), originalAccuracy: r4(devFig.originalAccuracy),
            originalMacroRecall: r4(devFig.originalMacroRecall), images: devFig.images,
          },
          bootstrap: test.bootstrap,
          onnxSha256: sha256,
          runtime: run.runtime === 'web' ? 'onnxruntime-web (WASM, in Node)' : 'onnxruntime-node (CPU)',
          command: `npm run eval:protocol -- ${args}`,
          measuredAt: new Date().toISOString().slice(0, 10),
          note: 'Honest protocol (models/README.md): a dev split of Training (one image in ten by pixel hash, ' +
            'no PublicTest image) chooses; PublicTest without its 280 copies of Training images is scored once. ' +
            'ferplus = FER+ majority label (rows without one left out); original = FER2013 label.',
        },
      };
      fs.writeFileSync(model.cardPath, JSON.stringify(model.raw, null, 2) + '\n');
      console.log(`metrics.${key} -> ${rel(model.cardPath)}`);
    }
  }
  results.push(result);
}
if (opt.json) {
  fs.writeFileSync(opt.json, JSON.stringify({ classes: EMOTIONS, devImages: dev.data.n, testImages: testRows.length, results }, null, 1) + '\n');
  console.log(`report -> ${opt.json}`);
}
