#!/usr/bin/env node
// `npm run eval:non-faces`: how often the engine takes something that is not a face for one, where
// eval:pipeline's small faces sit. Face-free patches of the six sample photos of @vladmandic/face-api
// (hands, knees, hair seen from behind, clothes, a glass: eval-pipeline-page.mjs, useNonFaces; clear
// of the faces and face-like finds of lib/sample-photo-faces.json) are
// shrunk to 48x48 grey as FER2013's faces are and drawn alone into 640x480 frames in eval:pipeline's
// conditions, in the faces' place, each frame analysed afresh by the whole engine (the built
// packages/core/dist) in headless Chromium. Printed per condition: the share of frames where a box's
// centre lies on the patch (the engine took it for a face), the boxes elsewhere, and the detector
// passes per frame. The other side of eval:pipeline's "found": a detector change that finds more
// small faces should say what it takes here.
//
//   npm run eval:non-faces [-- options]
//     --patches N       patches per condition (default 600)
//     --seed S          where they are cut (default 5)
//     --only a,b        only the conditions whose name contains one of these (default: every
//                       condition with the image at a fifth or a tenth of the frame's height)
//     --small-faces L   the engine's smallFaces level: true (the default), false or tiny
//     --dump out.json   also write every frame's outcome and where each patch was cut
// Needs a build first (`npm run build`). A frame takes about half a second (the full small-face
// search runs on every one: no face is found surely).
import fs from 'node:fs';
import path from 'node:path';
import { root } from './lib/core.mjs';
import { serveStatic } from '../../scripts/lib/static-server.mjs';
import { launch } from '../../scripts/lib/chromium.mjs';
import { callPage, openPipelinePage, runFrames, smallFacesOption } from './lib/pipeline-page.mjs';
import { parseCli, positiveInteger } from '../../scripts/lib/cli.mjs';
import { CONDITIONS, conditionsMatching, H, W } from './lib/pipeline-conditions.mjs';

/**
 * Per sample photo, the boxes its patches keep clear of: fixed, so that the patches of a seed stay
 * the same whatever the engine under test finds (lib/sample-photo-faces.json says where they come from).
 */
const SAMPLE_FACES = JSON.parse(fs.readFileSync(path.join(root, 'models/eval/lib/sample-photo-faces.json'), 'utf8'));

const { values: opt } = parseCli(import.meta.url, 'eval-non-faces', {
  options: { patches: { type: 'string', default: '600' }, seed: { type: 'string', default: '5' }, only: { type: 'string' }, 'small-faces': { type: 'string' }, dump: { type: 'string' } },
});
const fail = (msg) => {
  console.error(`eval-non-faces: ${msg}`);
  process.exit(2);
};
const n = positiveInteger('eval-non-faces', 'patches', opt.patches);
const seed = Number(opt.seed);
if (!Number.isFinite(seed)) fail(`--seed takes a number, not ${opt.seed}`);
const smallFaces = smallFacesOption(opt['small-faces']);
if (smallFaces === null) fail(`--small-faces takes true, false or tiny, not ${opt['small-faces']}`);
const conditions = conditionsMatching(opt.only, CONDITIONS.filter((c) => c.size <= 0.2));
if (conditions instanceof Error) fail(conditions.message);
if (!fs.existsSync(path.join(root, 'packages/core/dist/index.js'))) fail('packages/core/dist/index.js is missing: run `npm run build` first');
if (!fs.existsSync(path.join(root, 'node_modules/@vladmandic/face-api/demo/sample1.jpg'))) fail('the sample photos of @vladmandic/face-api are missing: run `npm ci`');

const server = await serveStatic({ roots: { '/': root } });
const browser = await launch();
const results = [];
const dumped = [];
let cuts;
const t0 = performance.now();
try {
  const { page } = await openPipelinePage(browser, server.url, { smallFaces });
  cuts = await callPage(page, 'useNonFaces', { count: n, seed, faces: SAMPLE_FACES.photos });
  const photos = new Set(cuts.map((c) => c.photo)).size;
  console.log(`smallFaces ${smallFaces ?? 'default'}; ${n} face-free patches of ${photos} sample photos (seed ${seed}); frames ${W}x${H}`);
  for (const c of conditions) {
    const tc = performance.now();
    const out = await runFrames(page, c, n);
    // run() calls a box whose centre lies on the image "found": here, a patch taken for a face.
    const taken = out.filter((o) => o.found).length;
    const others = out.reduce((t, o) => t + o.others.length, 0);
    const passes = out.reduce((t, o) => t + o.passes, 0) / n;
    results.push({ name: c.name, patches: n, taken, others, passes });
    dumped.push({ name: c.name, frames: out.map(({ found, box, rect, others, passes }) => ({ taken: found, box, rect, others, passes })) });
    console.log(`  ${c.name.padEnd(30)} taken for a face ${(100 * taken / n).toFixed(1)}% (${taken} of ${n})  other boxes ${others}  detector passes ${passes.toFixed(1)}  [${((performance.now() - tc) / 1000).toFixed(0)} s]`);
  }
  await callPage(page, 'close');
} finally {
  await browser.close();
  await server.close();
}
console.log(`${results.length * n} frames in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
if (opt.dump) fs.writeFileSync(opt.dump, JSON.stringify({ seed, cuts, results, conditions: dumped }) + '\n');
