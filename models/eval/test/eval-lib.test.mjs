// Unit tests of the evaluation building blocks: metrics, dataset layout, PNG writer, model-card
// discovery, and the engine preprocessing as bundled for Node.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { pairedDifferenceSE, score } from '../lib/metrics.mjs';
import { random } from '../lib/random.mjs';
import { inferLayout, loadDataset, scoredRows } from '../lib/dataset.mjs';
import { encodePng, confusionPng, crc32 } from '../lib/png.mjs';
import { findCard } from '../lib/model.mjs';
import { loadCore } from '../lib/core.mjs';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'eval-test-'));

test('score: accuracy, recall, confusion and ECE on a hand-checked case', () => {
  // 3 classes, 4 rows: predictions 0 (0.9), 1 (0.6), 1 (0.5), 2 (0.8); labels 0, 1, 0, 2.
  const probs = Float32Array.from([0.9, 0.05, 0.05, 0.2, 0.6, 0.2, 0.3, 0.5, 0.2, 0.1, 0.1, 0.8]);
  const s = score(probs, [0, 1, 0, 2], [0, 1, 2, 3], 3, 10);
  assert.equal(s.n, 4);
  assert.equal(s.accuracy, 0.75);
  assert.deepEqual(s.confusion, [[1, 1, 0], [0, 1, 0], [0, 0, 1]]);
  assert.deepEqual(s.recall, [0.5, 1, 1]);
  assert.ok(Math.abs(s.macroRecall - 2.5 / 3) < 1e-12);
  // Bins: 0.9 hit, 0.6 hit, 0.5 miss, 0.8 hit, one per bin: |1-.9|+|1-.6|+|0-.5|+|1-.8| = 1.2, / 4.
  assert.ok(Math.abs(s.ece - 0.3) < 1e-6, `ece ${s.ece}`);
});

test('score: rows left out are not counted; absent classes are left out of the macro recall', () => {
  const probs = Float32Array.from([1, 0, 0, 0, 1, 0]);
  const s = score(probs, [0, 2], [0], 3);
  assert.equal(s.n, 1);
  assert.equal(s.accuracy, 1);
  assert.deepEqual(s.recall, [1, null, null]);
  assert.equal(s.macroRecall, 1);
});

test('dataset: layout inferred from bytes per image; bad sizes and labels rejected', () => {
  assert.deepEqual(inferLayout(2304), { size: 48, channels: 1 });
  assert.deepEqual(inferLayout(3 * 96 * 96), { size: 96, channels: 3 });
  assert.deepEqual(inferLayout(3 * 48 * 48, 48), { size: 48, channels: 3 });
  assert.throws(() => inferLayout(2305), /not a square/);
  assert.throws(() => inferLayout(2304, 40), /neither 40x40/);
  const dir = tmp();
  fs.writeFileSync(path.join(dir, 'i.u8'), new Uint8Array(3 * 16));
  fs.writeFileSync(path.join(dir, 'l.u8'), Uint8Array.from([0, 255, 6]));
  fs.writeFileSync(path.join(dir, 's.u8'), Uint8Array.from([0, 0, 1]));
  const d = loadDataset({ images: path.join(dir, 'i.u8'), labels: path.join(dir, 'l.u8'), skip: path.join(dir, 's.u8') });
  assert.equal(d.n, 3);
  assert.equal(d.size, 4);
  assert.equal(d.channels, 1);
  assert.deepEqual(scoredRows(d.labels, d.skip), [0]);
  assert.deepEqual(scoredRows(d.labels), [0, 2]);
  fs.writeFileSync(path.join(dir, 'bad.u8'), Uint8Array.from([0, 7, 1]));
  assert.throws(() => loadDataset({ images: path.join(dir, 'i.u8'), labels: path.join(dir, 'bad.u8') }), /row 1 has label 7/);
  fs.writeFileSync(path.join(dir, 'short.u8'), Uint8Array.from([0, 1, 2, 3, 4]));
  assert.throws(() => loadDataset({ images: path.join(dir, 'i.u8'), labels: path.join(dir, 'short.u8') }), /do not split/);
  fs.rmSync(dir, { recursive: true });
});

/** Minimal PNG reader for the test: checks signature and CRCs, returns size and RGB pixels. */
function readPng(buf) {
  assert.deepEqual([...buf.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  let off = 8, width = 0, height = 0;
  const idat = [];
  while (off < buf.length) {
    const len = buf.readUInt32BE(off), type = buf.toString('ascii', off + 4, off + 8);
    const body = buf.subarray(off + 8, off + 8 + len);
    assert.equal(buf.readUInt32BE(off + 8 + len), crc32(buf.subarray(off + 4, off + 8 + len)), `${type} CRC`);
    if (type === 'IHDR') [width, height] = [body.readUInt32BE(0), body.readUInt32BE(4)];
    if (type === 'IDAT') idat.push(body);
    off += 12 + len;
  }
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const rgb = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    assert.equal(raw[y * (width * 3 + 1)], 0);
    rgb.set(raw.subarray(y * (width * 3 + 1) + 1, (y + 1) * (width * 3 + 1)), y * width * 3);
  }
  return { width, height, rgb };
}

test('png: encodes pixels that decode back exactly; CRC matches the PNG reference value', () => {
  assert.equal(crc32(Buffer.from('IEND')), 0xae426082);
  const rgb = Uint8Array.from({ length: 5 * 3 * 3 }, (_, i) => (i * 37) & 255);
  const back = readPng(encodePng(5, 3, rgb));
  assert.equal(back.width, 5);
  assert.equal(back.height, 3);
  assert.deepEqual(back.rgb, rgb);
});

test('png: confusion heat map shades the diagonal darker than empty cells', () => {
  const classes = ['angry', 'disgust', 'fear', 'happy', 'sad', 'surprise', 'neutral'];
  const m = classes.map((_, i) => classes.map((_, j) => (i === j ? 90 : 1)));
  const { width, height, rgb } = readPng(confusionPng(m, classes));
  assert.ok(width > 300 && height > 300);
  // Cell (0,0) corner pixel vs cell (0,1) corner pixel (layout: left 46, top 26, cell 48).
  const px = (x, y) => rgb[(y * width + x) * 3];
  assert.ok(px(46 + 2, 26 + 2) < 100, 'diagonal is dark');
  assert.ok(px(46 + 48 + 2, 26 + 2) > 230, 'off-diagonal is light');
});

test('findCard: index.json wins, else the card marked default, else the newest card whose ONNX exists', () => {
  const dir = tmp();
  const card = (name, file) => fs.writeFileSync(path.join(dir, `${name}.json`), JSON.stringify({ name, file }));
  assert.equal(findCard(dir), null);
  card('a', 'a.onnx');
  card('b', 'b.onnx');
  card('ghost', 'missing.onnx');
  fs.writeFileSync(path.join(dir, 'a.parity.json'), '{}');
  fs.writeFileSync(path.join(dir, 'a.onnx'), 'x');
  assert.equal(findCard(dir), path.join(dir, 'a.json'));
  fs.writeFileSync(path.join(dir, 'b.onnx'), 'x');
  fs.utimesSync(path.join(dir, 'a.onnx'), new Date(2000, 1, 1), new Date(2000, 1, 1));
  assert.equal(findCard(dir), path.join(dir, 'b.json'));
  fs.writeFileSync(path.join(dir, 'a.json'), JSON.stringify({ name: 'a', file: 'a.onnx', default: true }));
  assert.equal(findCard(dir), path.join(dir, 'a.json'), 'the card marked default wins over the newest');
  fs.writeFileSync(path.join(dir, 'a.json'), JSON.stringify({ name: 'a', file: 'a.onnx' }));
  fs.writeFileSync(path.join(dir, 'index.json'), JSON.stringify({ default: 'a' }));
  assert.equal(findCard(dir), path.join(dir, 'a.json'));
  fs.writeFileSync(path.join(dir, 'index.json'), JSON.stringify({ default: 'nope' }));
  assert.throws(() => findCard(dir), /names nope/);
  fs.rmSync(dir, { recursive: true });
});

test('engine preprocessing (bundled from packages/core): RGB 96x96 -> the 48x48 gray input the card asks for', async () => {
  const { toModelInput, parseModelCard, EMOTIONS } = await loadCore();
  assert.equal(EMOTIONS.length, 7);
  const card = parseModelCard({
    file: 'm.onnx',
    input: { name: 'input', width: 48, height: 48, channels: 1, normalization: { scale: 1 / 255, mean: [0], std: [1] } },
    output: { name: 'probabilities', kind: 'probabilities', labels: [...EMOTIONS] },
  });
  // Left half pure red, right half pure blue, each pixel doubled: area averaging gives exact halves.
  const data = new Uint8Array(96 * 96 * 3);
  for (let y = 0; y < 96; y++) for (let x = 0; x < 96; x++) data.set(x < 48 ? [255, 0, 0] : [0, 0, 255], (y * 96 + x) * 3);
  const out = toModelInput({ data, width: 96, height: 96, channels: 3 }, card);
  assert.equal(out.length, 48 * 48);
  assert.ok(Math.abs(out[10 * 48 + 5] - 0.299) < 1e-5, `red -> ${out[10 * 48 + 5]}`);
  assert.ok(Math.abs(out[10 * 48 + 40] - 0.114) < 1e-5, `blue -> ${out[10 * 48 + 40]}`);
  assert.throws(() => parseModelCard({ file: 'm.onnx', input: card.input, output: { ...card.output, labels: ['happy'] } }), /labels/);
});

test('pairedDifferenceSE: the paired standard error, from the items only one classifier gets right', () => {
  // 400 items: 30 only the first gets right, 18 only the second, the rest both or neither.
  const truth = Array.from({ length: 400 }, (_, k) => k % 7);
  const first = truth.map((t, k) => (k < 30 || k >= 48 + 100 ? t : k < 48 ? -1 : (t + 1) % 7));
  const second = truth.map((t, k) => (k >= 30 && k < 48 ? t : k < 30 ? (t + 1) % 7 : k >= 148 ? t : -1));
  assert.ok(Math.abs(pairedDifferenceSE(first, second, truth) - Math.sqrt(48 - 144 / 400) / 400) < 1e-12);
  assert.equal(pairedDifferenceSE(first, second, truth), pairedDifferenceSE(second, first, truth));
  assert.equal(pairedDifferenceSE(first, first, truth), 0);
  // It is the spread of the difference over resamples of the items (bootstrap, 2,000 draws).
  const rnd = random(3);
  const diffs = Array.from({ length: 2000 }, () => {
    let d = 0;
    for (let i = 0; i < 400; i++) {
      const k = Math.floor(rnd() * 400);
      d += (first[k] === truth[k]) - (second[k] === truth[k]);
    }
    return d / 400;
  });
  const mean = diffs.reduce((a, b) => a + b) / diffs.length;
  const sd = Math.sqrt(diffs.reduce((a, b) => a + (b - mean) ** 2, 0) / (diffs.length - 1));
  assert.ok(Math.abs(sd / pairedDifferenceSE(first, second, truth) - 1) < 0.1, `bootstrap ${sd} against ${pairedDifferenceSE(first, second, truth)}`);
});
