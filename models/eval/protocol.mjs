#!/usr/bin/env node
// The honest protocol: a dev split carved from FER2013 Training chooses everything; PublicTest
// without its 280 copies of Training images is scored once per shipped model, with bootstrap 95%
// intervals.
//
//   npm run eval:protocol                          every shipped model: dev split, then PublicTest
//   npm run eval:protocol -- --model models/emotion/NAME.onnx [--model ...]
//   options: --dev-only (never reads PublicTest's labels: for choosing)
//            --curve (offsets on the log-probabilities of angry and fear, on a grid, on the dev split:
//              the front of FER+ accuracy against the original labels' macro recall, the trade-off)
//            --pick P (with --curve: the offsets >= 0 with the most dev macro recall at a dev FER+
//              accuracy at most P points below the model's own, for models/training/offsets.py)
//            --pick-floor F (with --curve: the offsets, of either sign, with the most dev macro recall
//              at a dev FER+ accuracy of at least F%)
//            --svg FILE (with --curve: the dev fronts of all models as an SVG chart)
//            --update-card (write the figures into the card's metrics.protocol)
//            --flip-average  --runtime node|web  --threads 1  --resamples 2000  --json FILE  --data DIR
//
// Dev split: models/eval/lib/devsplit.mjs (the same rule as models/training/fer_data.py).
// The shipped nets before this protocol were trained on all of Training, the dev rows included,
// so their dev figures are optimistic; their PublicTest figures are the ones to quote.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { loadCore, root } from './lib/core.mjs';
import { listCards, predict, resolveModel } from './lib/model.mjs';
import { DEFAULT_DATA, hasPublicTest, loadPublicTest } from './lib/publictest.mjs';
import { hasTraining, loadDevSplit } from './lib/devsplit.mjs';
import { offsetGrid, paretoFront, pickOffsets, protocolFigures, topClasses, withBootstrap } from './lib/protocol.mjs';
import { lineChart } from './lib/svg.mjs';
import { parseCli } from '../../scripts/lib/cli.mjs';

const { values: opt } = parseCli(import.meta.url, 'protocol', {
  options: {
    model: { type: 'string', multiple: true }, data: { type: 'string' }, 'dev-only': { type: 'boolean' },
    curve: { type: 'boolean' }, pick: { type: 'string' }, 'pick-floor': { type: 'string' }, svg: { type: 'string' }, 'update-card': { type: 'boolean' },
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
    // The trade-off on the dev split: offsets on angry and fear (-1 to 2.5 in steps of 0.1) and the
    // front of FER+ accuracy against the original labels' macro recall.
    const grid = offsetGrid(devProbs, dev.labels.ferplus, dev.labels.orig, [0, 2], { min: -1 });
    const front = paretoFront(grid).filter((g) => Math.abs(g.ferplusAccuracy - devFig.ferplusAccuracy) <= 0.05);
    result.curve = front.map((g) => ({ offsets: g.offsets, ferplusAccuracy: g.ferplusAccuracy, originalAccuracy: g.originalAccuracy,
      originalMacroRecall: g.originalMacroRecall, originalRecall: g.originalRecall }));
    console.log('\ntrade-off on the dev split (offsets on angry and fear, chosen there): | FER+ | original | macro recall | anger | fear | offsets angry, fear |');
    for (const g of front) {
      console.log(`| ${pct(g.ferplusAccuracy)} | ${pct(g.originalAccuracy)} | ${pct(g.originalMacroRecall)} | ${pct(g.originalRecall[0])} | ` +
        `${pct(g.originalRecall[2])} | ${g.offsets[0]}, ${g.offsets[2]} |`);
    }
    if (opt['pick-floor'] !== undefined) {
      // A model trained towards anger and fear may have to raise their thresholds (offsets < 0) to
      // reach a given FER+ accuracy: here any offsets of the grid, at an absolute dev FER+ floor.
      const p = pickOffsets(grid, Number(opt['pick-floor']) / 100);
      result.pick = { floor: Number(opt['pick-floor']), offsets: p.offsets, ferplusAccuracy: p.ferplusAccuracy, originalMacroRecall: p.originalMacroRecall };
      console.log(`pick: the most macro recall at a dev FER+ accuracy of at least ${opt['pick-floor']}%: ` +
        `FER+ ${pct(p.ferplusAccuracy)}, macro recall ${pct(p.originalMacroRecall)}, anger ${pct(p.originalRecall[0])}, ` +
        `fear ${pct(p.originalRecall[2])} with --class-offsets angry=${p.offsets[0]},fear=${p.offsets[2]}`);
    }
    if (opt.pick !== undefined) {
      // Only lowered thresholds for angry and fear (offsets >= 0): the aim is to name them more often,
      // not to trade one of them for the other's recall.
      const p = pickOffsets(grid.filter((g) => g.offsets.every((v) => v >= 0)), devFig.ferplusAccuracy - Number(opt.pick) / 100);
      result.pick = { drop: Number(opt.pick), offsets: p.offsets, ferplusAccuracy: p.ferplusAccuracy, originalMacroRecall: p.originalMacroRecall };
      console.log(`pick: the most macro recall at a dev FER+ accuracy at most ${opt.pick} point(s) below the model's own: ` +
        `FER+ ${pct(p.ferplusAccuracy)}, macro recall ${pct(p.originalMacroRecall)}, anger ${pct(p.originalRecall[0])}, ` +
        `fear ${pct(p.originalRecall[2])} with --class-offsets angry=${p.offsets[0]},fear=${p.offsets[2]}`);
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
if (opt.svg && opt.curve) {
  const series = results.map((r) => ({
    name: path.basename(r.model, '.onnx') + (run.flipAverage ? ' (mirror-averaged)' : ''),
    points: r.curve.map((g) => ({ x: g.ferplusAccuracy, y: g.originalMacroRecall })),
    marks: r.pick ? [{ x: r.pick.ferplusAccuracy, y: r.pick.originalMacroRecall, label: `angry ${r.pick.offsets[0]}, fear ${r.pick.offsets[2]}` }] : [],
  }));
  fs.writeFileSync(opt.svg, lineChart(series, {
    title: 'Dev split: FER+ accuracy against original-label macro recall (offsets on angry and fear)',
    xLabel: 'FER+ majority accuracy (%)', yLabel: 'original-label macro recall (%)',
  }));
  console.log(`chart -> ${opt.svg}`);
}
if (opt.json) {
  fs.writeFileSync(opt.json, JSON.stringify({ classes: EMOTIONS, devImages: dev.data.n, testImages: testRows.length, results }, null, 1) + '\n');
  console.log(`report -> ${opt.json}`);
}
