// Accuracy floor: the shipped model, run through the engine's preprocessing, must keep the
// PublicTest accuracy recorded in its card (metrics, written by `npm run eval -- --update-card`)
// within 0.5 point, for the FER+ majority labels and for the original FER2013 labels.
// Needs the data folder ../shared/data/fer2013 (CI has it); skipped with a message otherwise.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { resolveModel, predict } from '../lib/model.mjs';
import { DEFAULT_DATA, hasPublicTest, loadPublicTest, scorePublicTest } from '../lib/publictest.mjs';
import { modelsUnderTest } from './helpers.mjs';

const MARGIN = 0.005;
const dataDir = process.env.FER2013_DIR ? path.resolve(process.env.FER2013_DIR) : DEFAULT_DATA;
const { cards, skip: noModel } = modelsUnderTest();
const skip = hasPublicTest(dataDir) ? noModel : `FER2013 data folder ${dataDir} not found (accuracy test needs PublicTest-*.u8)`;
if (skip) console.log(`# accuracy test skipped: ${skip}`);

for (const cardPath of cards.length ? cards : ['(none)']) {
  test(`accuracy ${path.basename(cardPath, '.json')}: PublicTest FER+ majority and original-label accuracy at least the card floor - 0.5 pt`, { skip, timeout: 300_000 }, async () => {
    const model = await resolveModel({ model: cardPath });
    const m = model.raw.metrics?.publicTest;
    const fix = `run \`npm run eval -- --update-card --model ${path.relative(process.cwd(), model.onnxPath)}\``;
    assert.ok(m && typeof m.ferplusAccuracy === 'number' && typeof m.originalAccuracy === 'number',
      `${cardPath} has no metrics.publicTest accuracies: ${fix}`);
    const sha = crypto.createHash('sha256').update(fs.readFileSync(model.onnxPath)).digest('hex');
    assert.equal(model.raw.metrics.onnxSha256, sha, `the card's metrics were measured on another ONNX file: ${fix}`);

    const pt = loadPublicTest(dataDir);
    const s = scorePublicTest(await predict(model, pt.data), pt);
    console.log(`# PublicTest FER+ ${(100 * s.ferplus.accuracy).toFixed(2)}% (card ${(100 * m.ferplusAccuracy).toFixed(2)}%), ` +
      `original ${(100 * s.orig.accuracy).toFixed(2)}% (card ${(100 * m.originalAccuracy).toFixed(2)}%)`);
    assert.equal(s.ferplus.n, 3186, 'FER+ majority labels on 3186 PublicTest rows');
    assert.equal(s.orig.n, 3589);
    assert.ok(s.ferplus.accuracy >= m.ferplusAccuracy - MARGIN,
      `FER+ majority accuracy ${s.ferplus.accuracy.toFixed(4)} < card ${m.ferplusAccuracy} - ${MARGIN}`);
    assert.ok(s.orig.accuracy >= m.originalAccuracy - MARGIN,
      `original-label accuracy ${s.orig.accuracy.toFixed(4)} < card ${m.originalAccuracy} - ${MARGIN}`);
  });
}
