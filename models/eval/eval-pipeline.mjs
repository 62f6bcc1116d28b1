#!/usr/bin/env node
// `npm run eval:pipeline`: the expression model as users meet it. FER2013 PublicTest faces are
// rendered into 640x480 frames the way users' frames look (the face filling the frame's height,
// at half of it, a fifth, a tenth; centred, at the edge, partly past it, in the corner, anywhere; grey, black and textured
// backgrounds; grey and colour), and every frame goes through the whole engine (the built
// packages/core/dist: MediaPipe face detection, the engine's crop, the ONNX model) in headless
// Chromium, each frame analysed afresh. Printed per condition: how often the face was found, the
// pipeline's accuracy on the FER+ majority labels (a face not found counts as wrong), and the same
// model's accuracy on the original 48x48 crops of the same faces (onnxruntime-web's WASM kernels,
// the engine's preprocessing; once per face, and mirror-averaged as the engine classifies stills),
// with how often the two agree on the top emotion; the boxes found elsewhere in the frame (false
// ones: a frame holds one face), the detector passes per frame, and the median ms a frame takes and
// of it classifying (the engine's own timings).
//
// Faces: a fixed-seed sample of the PublicTest rows that have a FER+ majority label and are not
// copies of Training images; the same faces in every condition.
//
//   npm run eval:pipeline [-- options]
//     --faces N           faces per condition (default 400; 3,105 are eligible)
//     --seed S            sample seed (default 1)
//     --only a,b          only the conditions whose name contains one of these
//     --model X.onnx      the emotion model (its card X.json beside it); default: the build's default
//     --data DIR          FER2013 folder (default ../shared/data/fer2013)
//     --threads N         WASM threads of the engine (default 1)
//     --json out.json     also write the figures as JSON
//     --split Training    Training rows instead (to choose the engine's crop without looking at PublicTest)
//     --split dev         the dev split's rows (Training rows held out of the --dev nets' training:
//                         to choose between such nets without looking at PublicTest)
//     --dump out.json     also write every frame's outcome (face found, box, keypoints, probabilities)
//     --misses DIR        also write the frames where the face was not found (PNG, at most 20 per condition)
//     --small-faces L     the engine's smallFaces level: true (the default), false or tiny
//     --flip-average M    the engine's flipAverage: stills (its default: these frames are stills, so each
//                         face is mirror-averaged), true or false. The model alone is printed both ways:
//                         once per face (the targets' reference) and mirror-averaged
// Needs a build first (`npm run build`). About 25 frames a second on one free core.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { root } from './lib/core.mjs';
import { predict, resolveModel } from './lib/model.mjs';
import { DEFAULT_DATA, hasPublicTest, loadPublicTest } from './lib/publictest.mjs';
import { scoredRows } from './lib/dataset.mjs';
import { hasTraining, loadDevSplit, loadTraining } from './lib/devsplit.mjs';
import { pairedDifferenceSE, topClass } from './lib/metrics.mjs';
import { serveStatic } from '../../scripts/lib/static-server.mjs';
import { launch } from '../../scripts/lib/chromium.mjs';
import { callPage, flipAverageOption, openPipelinePage, runFrames, smallFacesOption } from './lib/pipeline-page.mjs';
import { random } from './lib/random.mjs';
import { parseCli } from '../../scripts/lib/cli.mjs';
import { conditionsMatching, H, W } from './lib/pipeline-conditions.mjs';

const { values: opt } = parseCli(import.meta.url, 'eval-pipeline', {
  options: {
    faces: { type: 'string', default: '400' }, seed: { type: 'string', default: '1' }, only: { type: 'string' },
    model: { type: 'string' }, data: { type: 'string' }, threads: { type: 'string', default: '1' }, json: { type: 'string' },
    dump: { type: 'string' }, 'small-faces': { type: 'string' }, 'flip-average': { type: 'string' }, split: { type: 'string', default: 'PublicTest' }, misses: { type: 'string' },
  },
});
const fail = (msg) => {
  console.error(`eval-pipeline: ${msg}`);
  process.exit(2);
};

const conditions = conditionsMatching(opt.only);
if (conditions instanceof Error) fail(conditions.message);
const smallFaces = smallFacesOption(opt['small-faces']);
if (smallFaces === null) fail(`--small-faces takes true, false or tiny, not ${opt['small-faces']}`);
const flipAverage = flipAverageOption(opt['flip-average']);
if (flipAverage === null) fail(`--flip-average takes stills, true or false, not ${opt['flip-average']}`);
const dataDir = opt.data ? path.resolve(opt.data) : DEFAULT_DATA;
// Any other spelling would silently score PublicTest, the set that is to be scored once.
if (!['PublicTest', 'Training', 'dev'].includes(opt.split)) fail(`--split takes PublicTest, Training or dev, not ${opt.split}`);
if (!(opt.split === 'PublicTest' ? hasPublicTest : hasTraining)(dataDir)) fail(`no FER2013 ${opt.split} files in ${dataDir} (pass --data DIR)`);
const dist = path.join(root, 'packages/core/dist');
if (!fs.existsSync(path.join(dist, 'index.js'))) fail('packages/core/dist/index.js is missing: run `npm run build` first');

// The model: --model, else the build's default (the one the engine loads without a `model` option).
let modelPath = opt.model && path.resolve(opt.model);
if (!modelPath) {
  const index = JSON.parse(fs.readFileSync(path.join(dist, 'assets/models/emotion/index.json'), 'utf8'));
  modelPath = path.join(dist, 'assets/models/emotion', index.default.replace(/\.json$/, '.onnx'));
}
const model = await resolveModel({ model: modelPath }).catch((e) => fail(e.message));

function trainingSample(dir) {
  const data = loadTraining(dir);
  return { data, labels: { ferplus: data.labels }, dup: null };
}

function devSample(dir) {
  if (!hasPublicTest(dir)) fail(`--split dev needs PublicTest's images in ${dir} too (the dev split leaves out its copies)`);
  const { data, labels } = loadDevSplit(dir, loadPublicTest(dir).data.images);
  return { data, labels, dup: null };
}

// The sample: PublicTest rows with a FER+ majority, without the Training copies, shuffled with the
// seed (or, with --split Training, Training rows: for choosing the engine's crop without PublicTest;
// with --split dev, the dev split's rows, which PublicTest's pixels are needed to carve).
const { data, labels, dup } = opt.split === 'Training' ? trainingSample(dataDir)
  : opt.split === 'dev' ? devSample(dataDir) : loadPublicTest(dataDir);
const eligible = scoredRows(labels.ferplus, dup);
const rnd = random(Number(opt.seed));
for (let i = eligible.length - 1; i > 0; i--) {
  const j = Math.floor(rnd() * (i + 1));
  [eligible[i], eligible[j]] = [eligible[j], eligible[i]];
}
const n = Math.min(Number(opt.faces), eligible.length);
if (!(n > 0)) fail('--faces must be a positive number');
const rows = eligible.slice(0, n);
const px = data.size * data.size;
const images = new Uint8Array(n * px);
rows.forEach((r, k) => images.set(data.images.subarray(r * px, (r + 1) * px), k * px));
const truth = rows.map((r) => labels.ferplus[r]);

// The model alone on the original crops, with the engine's own runtime kernels: once per face (the
// targets' reference), and mirror-averaged as the engine classifies stills by default.
const alone = await predict(model, { n, size: data.size, channels: 1, images }, { runtime: 'web' });
const aloneTop = truth.map((_, k) => topClass(alone, k));
const aloneAcc = aloneTop.filter((c, k) => c === truth[k]).length / n;
const aloneMirrored = await predict(model, { n, size: data.size, channels: 1, images }, { runtime: 'web', flipAverage: true });
const mirroredTop = truth.map((_, k) => topClass(aloneMirrored, k));
const mirroredAcc = mirroredTop.filter((c, k) => c === truth[k]).length / n;

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'eval-pipeline-'));
fs.writeFileSync(path.join(tmp, 'faces.u8'), images);
const roots = { '/sample/': tmp, '/model/': path.dirname(model.onnxPath), '/': root };
const server = await serveStatic({ roots });
const browser = await launch();
const results = [];
const dumped = [];
const t0 = performance.now();
try {
  const { page, info } = await openPipelinePage(browser, server.url, {
    facesUrl: '/sample/faces.u8', model: opt.model ? `/model/${path.basename(model.onnxPath)}` : undefined, threads: Number(opt.threads), smallFaces, flipAverage,
  });
  console.log(`smallFaces ${smallFaces ?? 'default'}; flipAverage ${flipAverage ?? 'default (stills)'}; model ${info.model} (${info.backend}); ${n} ${opt.split} faces (seed ${opt.seed}, FER+ labels${dup ? ', no Training copies' : ''}); frames ${W}x${H}`);
  console.log(`model alone on the original 48x48 crops: ${pct(aloneAcc)} (mirror-averaged ${pct(mirroredAcc)})`);
  for (const c of conditions) {
    const tc = performance.now();
    const out = await runFrames(page, c, n);
    const found = out.filter((o) => o.found).length;
    const top = out.map((o) => (o.found ? topClass(o.p, 0) : -1));
    const correct = top.filter((t, k) => t === truth[k]).length;
    const agree = top.filter((t, k) => t >= 0 && t === aloneTop[k]).length;
    const falseBoxes = out.reduce((t, o) => t + o.others.length, 0);
    const passes = out.reduce((t, o) => t + o.passes, 0) / n;
    const ms = { classification: median(out.map((o) => o.ms.classification)), total: median(out.map((o) => o.ms.total)) };
    const r = { ...c, faces: n, found: found / n, accuracy: correct / n, modelAccuracy: aloneAcc, differenceSE: pairedDifferenceSE(top, aloneTop, truth), mirroredModelAccuracy: mirroredAcc, mirroredDifferenceSE: pairedDifferenceSE(top, mirroredTop, truth), agreement: found ? agree / found : 0, falseBoxes, passes, ms, seconds: (performance.now() - tc) / 1000 };
    results.push(r);
    dumped.push({ name: c.name, frames: out });
    if (opt.misses) {
      const missed = out.flatMap((o, k) => (o.found ? [] : [k])).slice(0, 20);
      const pngs = await callPage(page, 'frames', c, missed);
      fs.mkdirSync(opt.misses, { recursive: true });
      missed.forEach((k, j) => fs.writeFileSync(path.join(opt.misses, `${c.name}-${k}.png`), Buffer.from(pngs[j], 'base64')));
    }
    console.log(
      `  ${c.name.padEnd(30)} found ${pct(r.found)}  accuracy ${pct(r.accuracy)} (${sign(r.accuracy - aloneAcc)} ± ${(100 * r.differenceSE).toFixed(1)}; against the model alone mirror-averaged ${sign(r.accuracy - mirroredAcc)} ± ${(100 * r.mirroredDifferenceSE).toFixed(1)})  same top emotion as the model alone ${pct(r.agreement)}  other boxes ${falseBoxes}  detector passes ${passes.toFixed(1)}  ms a frame (median) ${ms.total.toFixed(1)}, of it classifying ${ms.classification.toFixed(2)}  [${r.seconds.toFixed(0)} s]`,
    );
  }
  await callPage(page, 'close');
} finally {
  await browser.close();
  await server.close();
  fs.rmSync(tmp, { recursive: true, force: true });
}

function median(values) {
  const v = [...values].sort((a, b) => a - b);
  return v.length ? (v[(v.length - 1) >> 1] + v[v.length >> 1]) / 2 : 0;
}
function pct(v) {
  return `${(100 * v).toFixed(1)}%`;
}
function sign(v) {
  return `${v >= 0 ? '+' : ''}${(100 * v).toFixed(1)}`;
}

// The table, and the targets per size: the face found in >= 99% of frames, accuracy within 1 point of the model alone.
console.log(`\n| frame (${W}x${H}) | face found | accuracy, pipeline | model on the 48x48 crop | difference (± standard error) | model mirror-averaged | difference | same top emotion |`);
console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
for (const r of results) {
  console.log(`| ${r.label}, ${r.position}, ${r.background}${r.colour ? ', colour' : ''} | ${pct(r.found)} | ${pct(r.accuracy)} | ${pct(r.modelAccuracy)} | ${sign(r.accuracy - r.modelAccuracy)} ± ${(100 * r.differenceSE).toFixed(1)} | ${pct(r.mirroredModelAccuracy)} | ${sign(r.accuracy - r.mirroredModelAccuracy)} ± ${(100 * r.mirroredDifferenceSE).toFixed(1)} | ${pct(r.agreement)} |`);
}
console.log('');
for (const label of [...new Set(results.map((r) => r.label))]) {
  const rs = results.filter((r) => r.label === label);
  const worstFound = Math.min(...rs.map((r) => r.found));
  const worstGap = Math.min(...rs.map((r) => r.accuracy - r.modelAccuracy));
  const ok = worstFound >= 0.99 && worstGap >= -0.01;
  console.log(`${ok ? 'MET   ' : 'MISSED'} ${label}: face found in at least ${pct(worstFound)} of frames (target 99%), accuracy at worst ${sign(worstGap)} points against the model alone (target -1.0)`);
}
console.log(`${results.length * n} frames in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
if (opt.dump) fs.writeFileSync(opt.dump, JSON.stringify({ rows, truth, alone: Array.from(alone), aloneMirrored: Array.from(aloneMirrored), conditions: dumped }) + '\n');
if (opt.json) {
  fs.writeFileSync(opt.json, JSON.stringify({ model: model.card.name, faces: n, seed: Number(opt.seed), frame: [W, H], flipAverage: flipAverage ?? 'stills', modelAccuracy: aloneAcc, mirroredModelAccuracy: mirroredAcc, results }, null, 1) + '\n');
}
