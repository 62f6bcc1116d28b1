#!/usr/bin/env node
// How BlazeFace short range (the engine's face detector, MediaPipe Tasks in headless Chromium) scores
// FER2013 faces in its own 128x128 input, by the face's size in that input, its place, the surround
// and the face image's edge: what a tile of the small-face search shows it (a face a tenth of a
// 640x480 frame fills 30% of a fine tile). Printed per variant: the share of faces whose best
// detection over the face scores at least 0.3 (the 'tiny' candidates), 0.5 (the default threshold)
// and 0.75 (a tile's sure find), the mean score (0 where none was found), and the median side of
// the best detection's box over the face image's side (where one scored 0.5).
//
//   node models/eval/detector-scale.mjs [-- options]
//     --faces N        Training faces with a FER+ label, every --every'th of them (default 200)
//     --every K        the step between the faces taken (default 97)
//     --data DIR       FER2013 folder (default ../shared/data/fer2013)
//     --variants JSON  the variants, e.g. '[{"size":0.3,"place":"corner","surround":"black"}]';
//                      size: the face's side over the input's; place: centre, corner, or the offset
//                      of its top left corner in input pixels; surround: grey, black, dark or
//                      texture (soft grey blobs a quarter of the input wide with fine noise: one of
//                      eval:pipeline's backgrounds as a fine tile shows it, a new one per face);
//                      feather: pixels over which the face image fades into the surround (default 0);
//                      mirror: true for the better score of the input and its mirror image (the
//                      engine's search sees the frame's mirror image too where no face is sure)
// Needs a build first (`npm run build`: the MediaPipe assets of packages/core/dist).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { root } from './lib/core.mjs';
import { DEFAULT_DATA } from './lib/publictest.mjs';
import { scoredRows } from './lib/dataset.mjs';
import { hasTraining, loadTraining } from './lib/devsplit.mjs';
import { serveStatic } from '../../scripts/lib/static-server.mjs';
import { launch } from '../../scripts/lib/chromium.mjs';
import { parseCli, positiveInteger } from '../../scripts/lib/cli.mjs';

const { values: opt } = parseCli(import.meta.url, 'detector-scale', { options: { faces: { type: 'string', default: '200' }, every: { type: 'string', default: '97' }, data: { type: 'string' }, variants: { type: 'string' } } });
const fail = (msg) => {
  console.error(`detector-scale: ${msg}`);
  process.exit(2);
};

const DEFAULT_VARIANTS = [
  { size: 0.3, place: 'centre', surround: 'grey' },
  { size: 0.3, place: 'centre', surround: 'black' },
  { size: 0.3, place: 'centre', surround: 'black', feather: 6 },
  { size: 0.3, place: 'centre', surround: 'dark' },
  { size: 0.3, place: 'corner', surround: 'grey' },
  { size: 0.3, place: 'corner', surround: 'black' },
  ...[3, 8, 16, 30].map((place) => ({ size: 0.3, place, surround: 'black' })),
  { size: 0.375, place: 'centre', surround: 'black' },
  { size: 0.375, place: 'corner', surround: 'black' },
  { size: 0.4, place: 'centre', surround: 'black' },
];
let variants = DEFAULT_VARIANTS;
try {
  if (opt.variants) variants = JSON.parse(opt.variants);
} catch (e) {
  fail(`--variants is not JSON: ${e.message}`);
}
// The texture is drawn, not filled (the page's texture()).
const SURROUNDS = { grey: '#808080', black: '#000000', dark: '#404040', texture: null };
for (const v of variants) {
  if (!(v.size > 0 && v.size <= 1)) fail(`size ${v.size} is not in (0, 1]`);
  if (!Object.hasOwn(SURROUNDS, v.surround)) fail(`surround ${v.surround} is not one of ${Object.keys(SURROUNDS).join(', ')}`);
  if (!['centre', 'corner'].includes(v.place) && !Number.isFinite(v.place)) fail(`place ${v.place} is not centre, corner or a number`);
}
const faces = positiveInteger('detector-scale', 'faces', opt.faces);

const dataDir = opt.data ? path.resolve(opt.data) : DEFAULT_DATA;
if (!hasTraining(dataDir)) fail(`no FER2013 Training files in ${dataDir} (pass --data DIR)`);
const data = loadTraining(dataDir);
const labelled = scoredRows(data.labels);
const every = positiveInteger('detector-scale', 'every', opt.every);
const rows = Array.from({ length: Math.min(faces, Math.floor(labelled.length / every)) }, (_, i) => labelled[i * every]);
const side = data.size;

const mediapipe = path.join(root, 'packages/core/dist/assets');
if (!fs.existsSync(path.join(mediapipe, 'mediapipe'))) fail('packages/core/dist/assets is missing: run `npm run build` first');

// The page: one MediaPipe graph at threshold 0.1, a 128x128 canvas (the detector's input size, so
// MediaPipe does not resample it), and score() drawing one face variant and returning its best score.
const pageDir = fs.mkdtempSync(path.join(os.tmpdir(), 'detector-scale-'));
fs.writeFileSync(
  path.join(pageDir, 'index.html'),
  `<!doctype html><meta charset="utf-8"><script type="module">
import { FaceDetector } from '/tasks-vision/vision_bundle.mjs';
import { random } from '/lib/random.mjs';
const INPUT = 128;
window.ready = (async () => {
  const detector = await FaceDetector.createFromOptions(
    { wasmLoaderPath: '/assets/mediapipe/vision_wasm_internal.js', wasmBinaryPath: '/assets/mediapipe/vision_wasm_internal.wasm' },
    { baseOptions: { modelAssetPath: '/assets/models/face/face_detection_short_range.tflite', delegate: 'CPU' }, runningMode: 'IMAGE', minDetectionConfidence: 0.1 },
  );
  const input = Object.assign(document.createElement('canvas'), { width: INPUT, height: INPUT });
  const face = Object.assign(document.createElement('canvas'), { width: ${side}, height: ${side} });
  // A seeded texture per face (the seed given by the caller), as eval-pipeline-page.mjs draws them.
  const texture = (seed) => {
    const rnd = random(seed);
    const coarse = Object.assign(document.createElement('canvas'), { width: 4, height: 4 });
    const cg = coarse.getContext('2d');
    const img = cg.createImageData(4, 4);
    for (let i = 0; i < 16; i++) { const g = 40 + rnd() * 180; img.data.set([g, g, g, 255], i * 4); }
    cg.putImageData(img, 0, 0);
    const ctx = input.getContext('2d');
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(coarse, 0, 0, INPUT, INPUT);
    const px = ctx.getImageData(0, 0, INPUT, INPUT);
    for (let i = 0; i < px.data.length; i += 4) { const n = (rnd() - 0.5) * 40; for (let c = 0; c < 3; c++) px.data[i + c] += n; }
    ctx.putImageData(px, 0, 0);
  };
  window.score = (pixels, v) => {
    const n = ${side};
    const image = new ImageData(n, n);
    for (let i = 0; i < n * n; i++) {
      const x = i % n, y = Math.floor(i / n);
      const fade = v.feather ? Math.min(1, Math.min(x, y, n - 1 - x, n - 1 - y) / v.feather) : 1;
      image.data.set([pixels[i], pixels[i], pixels[i], Math.round(255 * fade)], i * 4);
    }
    face.getContext('2d').putImageData(image, 0, 0);
    const ctx = input.getContext('2d');
    if (v.surround === 'texture') texture(v.seed);
    else {
      ctx.fillStyle = v.colour;
      ctx.fillRect(0, 0, INPUT, INPUT);
    }
    const s = Math.round(INPUT * v.size);
    const at = typeof v.place === 'number' ? v.place : v.place === 'corner' ? 0 : Math.round((INPUT - s) / 2);
    ctx.drawImage(face, at, at, s, s);
    let best = 0;
    let bestSide = 0;
    const centre = at + s / 2;
    for (const flip of v.mirror ? [false, true] : [false]) {
      if (flip) {
        // The same input flipped left to right: the face's centre moves to INPUT - centre.
        const copy = Object.assign(document.createElement('canvas'), { width: INPUT, height: INPUT });
        const g = copy.getContext('2d');
        g.setTransform(-1, 0, 0, 1, INPUT, 0);
        g.drawImage(input, 0, 0);
        ctx.drawImage(copy, 0, 0);
      }
      const cx = flip ? INPUT - centre : centre;
      for (const d of detector.detect(input).detections) {
        const b = d.boundingBox;
        const over = Math.abs(b.originX + b.width / 2 - cx) < s / 2 && Math.abs(b.originY + b.height / 2 - centre) < s / 2;
        const score = d.categories[0]?.score ?? 0;
        if (over && score > best) [best, bestSide] = [score, Math.max(b.width, b.height) / s];
      }
    }
    return { best, side: bestSide };
  };
})();
</script>`,
);

const server = await serveStatic({ roots: { '/tasks-vision/': path.join(root, 'node_modules/@mediapipe/tasks-vision'), '/assets/': mediapipe, '/lib/': path.join(root, 'models/eval/lib'), '/': pageDir } });
const browser = await launch();
try {
  const page = await browser.newPage();
  await page.goto(`${server.url}/index.html`);
  await page.evaluate(() => window.ready);
  console.log(`BlazeFace short range on ${rows.length} FER2013 Training faces in its 128x128 input`);
  console.log('| face size | place | surround | feather (px) | and mirrored | score >= 0.3 | >= 0.5 | >= 0.75 | mean score | box side / face image side, median |');
  console.log('|---:|---|---|---:|---|---:|---:|---:|---:|---:|');
  const pct = (scores, t) => `${((100 * scores.filter((s) => s >= t).length) / scores.length).toFixed(1)}%`;
  for (const v of variants) {
    const scores = [];
    const sides = [];
    for (const r of rows) {
      const pixels = Array.from(data.images.subarray(r * side * side, (r + 1) * side * side));
      const found = await page.evaluate((p, w) => window.score(p, w), pixels, { ...v, colour: SURROUNDS[v.surround], seed: 17 + r });
      scores.push(found.best);
      if (found.best >= 0.5) sides.push(found.side);
    }
    sides.sort((a, b) => a - b);
    const median = sides.length ? sides[Math.floor((sides.length - 1) / 2)].toFixed(3) : '–';
    const mean = scores.reduce((a, b) => a + b, 0) / scores.length;
    const place = typeof v.place === 'number' ? `${v.place} px in` : v.place;
    console.log(`| ${(100 * v.size).toFixed(1)}% | ${place} | ${v.surround} | ${v.feather ?? 0} | ${v.mirror ? 'yes' : 'no'} | ${pct(scores, 0.3)} | ${pct(scores, 0.5)} | ${pct(scores, 0.75)} | ${mean.toFixed(3)} | ${median} |`);
  }
} finally {
  await browser.close();
  await server.close();
  fs.rmSync(pageDir, { recursive: true, force: true });
}
