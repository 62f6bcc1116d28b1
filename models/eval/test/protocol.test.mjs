// The honest protocol's parts: the dev split (lib/devsplit.mjs), the figures and their bootstrap
// intervals (lib/protocol.mjs), and the macro-recall objective of the offset search.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { DEV_MODULUS, devMask, hasTraining, loadDevSplit } from '../lib/devsplit.mjs';
import { offsetGrid, paretoFront, pickOffsets, protocolFigures, topClasses, withBootstrap } from '../lib/protocol.mjs';
import { random } from '../lib/random.mjs';
import { DEFAULT_DATA, hasPublicTest } from '../lib/publictest.mjs';

const dataDir = process.env.FER2013_DIR ? path.resolve(process.env.FER2013_DIR) : DEFAULT_DATA;

const N = 255; // no FER+ majority
const side = 4; // tiny images: 16 bytes each
const inDev = (bytes) => crypto.createHash('sha256').update(bytes).digest().readUInt32BE(0) % DEV_MODULUS === 0;

/** `count` distinct 16-byte images, each filled from its index. */
function images(count, from = 0) {
  const out = new Uint8Array(count * side * side);
  for (let i = 0; i < count; i++) for (let j = 0; j < side * side; j++) out[i * side * side + j] = (from + i * 7 + j * (i % 13 + 1)) & 255;
  return out;
}

test('the dev split is a pixel-hash rule: duplicates on one side, no PublicTest image in it', () => {
  const train = images(400);
  // Rows 300-399 repeat rows 0-99: each duplicate group must land on one side.
  train.set(train.subarray(0, 100 * side * side), 300 * side * side);
  const px = (i) => train.subarray(i * side * side, (i + 1) * side * side);
  const devRows = [...Array(300).keys()].filter((i) => inDev(px(i)));
  assert.ok(devRows.length > 10 && devRows.length < 60, `about a tenth of 300 rows, got ${devRows.length}`);
  // PublicTest holds a copy of the first dev row: that row (and its duplicate) leaves the dev split.
  const test = new Uint8Array(px(devRows[0]));
  const mask = devMask(train, test, side * side);
  for (let i = 0; i < 100; i++) assert.equal(mask[i], mask[300 + i], `row ${i} and its copy on one side`);
  assert.equal(mask[devRows[0]], 0, 'a PublicTest image is never in the dev split');
  for (const i of devRows.slice(1)) assert.equal(mask[i], 1);
  assert.equal(mask.reduce((a, b) => a + b, 0), 2 * (devRows.filter((i) => i < 100).length - (devRows[0] < 100 ? 1 : 0)) + devRows.filter((i) => i >= 100).length);
});

test('the dev split of the real data is the one models/training/fer_data.py computes', { skip: !(hasTraining(dataDir) && hasPublicTest(dataDir)) && `no FER2013 in ${dataDir}` }, () => {
  const pt = new Uint8Array(fs.readFileSync(path.join(dataDir, 'PublicTest-images.u8')));
  const dev = loadDevSplit(dataDir, pt);
  // The same figures are asserted by training/test/test_training.py for fer_data.dev_mask.
  assert.equal(dev.data.n, 2633);
  assert.deepEqual(dev.rows.slice(0, 5), [17, 33, 42, 47, 52]);
  assert.deepEqual([...Array(7).keys()].map((c) => dev.labels.orig.filter((l) => l === c).length), [370, 36, 363, 655, 426, 327, 456]);
});

test('protocol figures: FER+ accuracy on rows with a majority, original accuracy, per-class and macro recall', () => {
  //                 0  1  2  3  4  5
  const ferplus = [0, 6, N, 2, 3, 3];
  const orig = /**/ [0, 0, 2, 4, 3, 3];
  const top = /* */ [0, 6, 2, 2, 3, 0];
  const f = protocolFigures(top, ferplus, orig, [0, 1, 2, 3, 4, 5]);
  assert.equal(f.ferplusImages, 5);
  assert.equal(f.ferplusAccuracy, 4 / 5); // row 5: FER+ 3, predicted 0
  assert.equal(f.originalAccuracy, 3 / 6);
  assert.deepEqual(f.originalRecall, [0.5, null, 1, 0.5, 0, null, null]);
  assert.equal(f.originalMacroRecall, (0.5 + 1 + 0.5 + 0) / 4); // classes without images left out
  // Only the rows asked for, repeated rows counted each time (as a bootstrap sample does).
  assert.equal(protocolFigures(top, ferplus, orig, [0, 0, 1]).originalAccuracy, 2 / 3);
});

test('bootstrap intervals: seeded, around the point, narrower with more images', () => {
  const r = random(5);
  const n = 2000;
  const orig = Uint8Array.from({ length: n }, (_, i) => i % 7);
  const top = Uint8Array.from(orig, (o) => (r() < 0.7 ? o : (o + 1) % 7));
  const ferplus = Uint8Array.from(orig, (o, i) => (i % 5 === 0 ? N : o));
  const rows = [...Array(n).keys()];
  const a = withBootstrap(top, ferplus, orig, rows, { resamples: 300 });
  assert.deepEqual(a, withBootstrap(top, ferplus, orig, rows, { resamples: 300 }));
  for (const f of [a.ferplusAccuracy, a.originalAccuracy, a.originalMacroRecall, ...a.originalRecall]) {
    assert.ok(f.ci95[0] < f.value && f.value < f.ci95[1], `${f.value} in ${f.ci95}`);
  }
  // About ±2 points for 2,000 images at 70% (1.96 x sqrt(0.7 x 0.3 / 2000) = 2.0).
  const width = a.originalAccuracy.ci95[1] - a.originalAccuracy.ci95[0];
  assert.ok(width > 0.03 && width < 0.05, `width ${width}`);
  const small = withBootstrap(top, ferplus, orig, rows.slice(0, 200), { resamples: 300 });
  assert.ok(small.originalAccuracy.ci95[1] - small.originalAccuracy.ci95[0] > 2 * width);
  const perfect = withBootstrap(orig, orig, orig, rows, { resamples: 50 });
  assert.deepEqual(perfect.originalAccuracy.ci95, [1, 1]);
});

test('offsets on the log-probabilities move the decision; the trade-off front keeps the points nothing beats', () => {
  const p = (a, b) => [a, b, 0, 0, 0, 0, 0].map((x) => x / (a + b));
  assert.deepEqual([...topClasses(Float32Array.from([...p(0.6, 0.4)]))], [0]);
  assert.deepEqual([...topClasses(Float32Array.from([...p(0.6, 0.4)]), 7, [0, Math.log(2), 0, 0, 0, 0, 0])], [1]);
  const front = paretoFront([
    { ferplusAccuracy: 0.9, originalMacroRecall: 0.6 },
    { ferplusAccuracy: 0.89, originalMacroRecall: 0.59 }, // beaten by the first on both
    { ferplusAccuracy: 0.88, originalMacroRecall: 0.65 },
    { ferplusAccuracy: 0.9, originalMacroRecall: 0.62 },
  ]);
  assert.deepEqual(front.map((f) => [f.ferplusAccuracy, f.originalMacroRecall]), [[0.9, 0.62], [0.88, 0.65]]);
});

test('offset grid: lifting a class that the model under-calls raises macro recall, and the pick keeps the FER+ floor', () => {
  // Class 0: 8 rows (6 clear), class 2: 2 rows that lean to class 0 as much as two unclear class-0
  // rows, and that the FER+ crowd calls class 0 (a disputed face).
  const p = (a, b) => [a, 0, b, 0, 0, 0, 0].map((x) => x / (a + b));
  const rows = [...Array(6).fill(p(0.9, 0.1)), ...Array(4).fill(p(0.6, 0.4))];
  const probs = Float32Array.from(rows.flat());
  const orig = [0, 0, 0, 0, 0, 0, 0, 0, 2, 2];
  const ferplus = Array(10).fill(0);
  const grid = offsetGrid(probs, ferplus, orig, [0, 2], { step: 0.1, max: 1 });
  assert.equal(grid.length, 11 * 11);
  const lifted = grid.find((g) => g.offsets[2] === 0.5 && g.offsets[0] === 0);
  assert.equal(lifted.originalMacroRecall, (6 / 8 + 1) / 2);
  assert.equal(lifted.ferplusAccuracy, 6 / 10);
  assert.equal(pickOffsets(grid, 1.0), grid[0]); // no FER+ to give: no offsets
  assert.equal(pickOffsets(grid, 0.6).originalMacroRecall, (6 / 8 + 1) / 2);
  const both = offsetGrid(probs, ferplus, orig, [2], { step: 0.5, min: -1, max: 1 });
  assert.deepEqual(both.map((g) => g.offsets[2]), [0, -1, -0.5, 0.5, 1]); // the model itself first
});
