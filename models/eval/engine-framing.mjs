#!/usr/bin/env node
// Where the engine finds each FER2013 face, for training on the crops the engine cuts
// (models/training/train.py --engine-framing). Every image of the split is rendered as
// eval:pipeline's "fill" frame (the face filling a 640x480 frame's height, centred, on grey: a
// webcam close-up) and run through the built engine (packages/core/dist) as a still in headless
// Chromium; the face's box and eyes are written in the 48x48 image's own pixels, from which
// train.py cuts the model card's crop (scale, offsetY, eye alignment) as packages/core's crop.ts
// does. FER2013's own framing varies by about 17% in scale around MediaPipe's box (sd of the log
// ratio on 400 Training faces), more than training's random zoom covers, so a net trained on the
// original crops alone meets a different framing in the pipeline.
//
//   node models/eval/engine-framing.mjs [--split Training] [--limit N] [--out FILE]
//     --split S    Training (default) or PublicTest
//     --limit N    only the first N images (a quick look)
//     --out FILE   default models/runs/engine-framing/<split>.json: { split, frame, size, fields,
//                  faces: [[x, y, w, h, leftEyeX, leftEyeY, rightEyeX, rightEyeY] or null per image] }
//     --data DIR   FER2013 folder (default ../shared/data/fer2013)
// Needs a build first (`npm run build`). About 25 images a second on one free core (Training: ~20 min).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { root } from './lib/core.mjs';
import { DEFAULT_DATA } from './lib/publictest.mjs';
import { serveStatic } from '../../scripts/lib/static-server.mjs';
import { launch } from '../../scripts/lib/chromium.mjs';
import { callPage, openPipelinePage } from './lib/pipeline-page.mjs';
import { parseCli } from '../../scripts/lib/cli.mjs';

const { values: opt } = parseCli(import.meta.url, 'engine-framing', {
  options: { split: { type: 'string', default: 'Training' }, limit: { type: 'string' }, out: { type: 'string' }, data: { type: 'string' } },
});
const fail = (msg) => {
  console.error(`engine-framing: ${msg}`);
  process.exit(2);
};
if (!['Training', 'PublicTest'].includes(opt.split)) fail(`--split takes Training or PublicTest, not ${opt.split}`);
const dataDir = opt.data ? path.resolve(opt.data) : DEFAULT_DATA;
const imagesFile = path.join(dataDir, `${opt.split}-images.u8`);
if (!fs.existsSync(imagesFile)) fail(`no ${imagesFile} (pass --data DIR)`);
if (!fs.existsSync(path.join(root, 'packages/core/dist/index.js'))) fail('packages/core/dist/index.js is missing: run `npm run build` first');
const SIZE = 48;
const all = fs.readFileSync(imagesFile);
if (all.length % (SIZE * SIZE) !== 0) fail(`${imagesFile} is not a whole number of 48x48 images`);
const total = all.length / (SIZE * SIZE);
const n = opt.limit === undefined ? total : Math.min(total, Number(opt.limit));
if (!(n > 0)) fail('--limit must be a positive number');
const out = path.resolve(opt.out ?? path.join(root, `models/runs/engine-framing/${opt.split}.json`));

/** eval:pipeline's fill condition (see CONDITIONS there). */
const FRAME = { name: 'fill-centre-grey', size: 1, position: 'centre', background: 'grey', colour: false, width: 640, height: 480 };

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'engine-framing-'));
fs.writeFileSync(path.join(tmp, 'faces.u8'), all.subarray(0, n * SIZE * SIZE));
const server = await serveStatic({ roots: { '/sample/': tmp, '/': root } });
const browser = await launch();
const faces = [];
const t0 = performance.now();
try {
  const { page } = await openPipelinePage(browser, server.url, { facesUrl: '/sample/faces.u8', threads: 1 });
  for (let from = 0; from < n; from += 100) {
    const frames = await callPage(page, 'run', FRAME, from, Math.min(n, from + 100));
    for (const f of frames) {
      if (!f.found) {
        faces.push(null);
        continue;
      }
      // Frame pixels to the 48x48 image's: the image fills `rect`.
      const k = SIZE / f.rect.width;
      const px = (x) => +((x - f.rect.x) * k).toFixed(3);
      const py = (y) => +((y - f.rect.y) * k).toFixed(3);
      const { box, keypoints: kp } = f;
      faces.push([px(box.x), py(box.y), +(box.width * k).toFixed(3), +(box.height * k).toFixed(3), px(kp.leftEye.x), py(kp.leftEye.y), px(kp.rightEye.x), py(kp.rightEye.y)]);
    }
    if (from % 2000 === 0) process.stdout.write(`\r${faces.length} of ${n} images, ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  }
  await callPage(page, 'close');
} finally {
  await browser.close();
  await server.close();
  fs.rmSync(tmp, { recursive: true, force: true });
}
fs.mkdirSync(path.dirname(out), { recursive: true });
const fields = ['x', 'y', 'width', 'height', 'leftEyeX', 'leftEyeY', 'rightEyeX', 'rightEyeY'];
fs.writeFileSync(out, JSON.stringify({ split: opt.split, frame: FRAME.name, size: SIZE, images: n, fields, faces }) + '\n');
const found = faces.filter(Boolean).length;
console.log(`\n${opt.split}: the face found in ${found} of ${n} images (${((100 * found) / n).toFixed(1)}%), ${((performance.now() - t0) / 1000).toFixed(0)} s -> ${path.relative(process.cwd(), out)}`);
