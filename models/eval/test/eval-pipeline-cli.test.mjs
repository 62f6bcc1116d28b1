// `npm run eval:pipeline`'s argument checks: a misspelt --split must not fall back to PublicTest
// (the set scored once), and a data folder without the files the chosen split needs is named as such.
// Both exit 2 before any browser starts. And the model alone printed both ways, --flip-average for the engine.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { root } from '../lib/core.mjs';
import { predict, resolveModel } from '../lib/model.mjs';
import { DEFAULT_DATA } from '../lib/publictest.mjs';
import { hasTraining, loadTraining } from '../lib/devsplit.mjs';

const evalPipeline = (...args) =>
  spawnSync(process.execPath, [path.join(root, 'models/eval/eval-pipeline.mjs'), '--faces', '1', '--only', 'fill-centre-grey', ...args], { encoding: 'utf8', timeout: 120_000 });

test('eval:pipeline refuses a --split other than PublicTest, Training or dev', () => {
  const r = evalPipeline('--split', 'training');
  assert.equal(r.status, 2, r.stdout + r.stderr);
  assert.match(r.stderr, /--split takes PublicTest, Training or dev, not training/);
});

test('eval:pipeline --split dev names the missing PublicTest files it needs to carve the dev split', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eval-pipeline-'));
  try {
    for (const s of ['images', 'labels', 'ferplus-labels']) fs.writeFileSync(path.join(dir, `Training-${s}.u8`), '');
    const r = evalPipeline('--split', 'dev', '--data', dir);
    assert.equal(r.status, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /--split dev needs PublicTest's images in /);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('eval:pipeline --split Training names the missing Training files', () => {
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'eval-pipeline-'));
  try {
    const r = evalPipeline('--split', 'Training', '--data', empty);
    assert.equal(r.status, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /no FER2013 Training files in /);
  } finally {
    fs.rmSync(empty, { recursive: true, force: true });
  }
});

test('eval:pipeline refuses a --flip-average other than stills, true or false', () => {
  // "constructor" and "toString" name properties every object has: not values of the option.
  for (const value of ['yes', 'constructor', 'toString']) {
    const r = evalPipeline('--flip-average', value);
    assert.equal(r.status, 2, r.stdout + r.stderr);
    assert.match(r.stderr, new RegExp(`--flip-average takes stills, true or false, not ${value}`));
  }
});

test('eval:pipeline prints the model alone once per face and mirror-averaged; --flip-average sets the engine\'s flipAverage', { timeout: 300_000, skip: !hasTraining(DEFAULT_DATA) && `no FER2013 Training files in ${DEFAULT_DATA}` }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eval-pipeline-'));
  try {
    const model = await resolveModel();
    const run = (mode) => {
      const file = path.join(dir, `${mode}.json`);
      const r = spawnSync(process.execPath, [path.join(root, 'models/eval/eval-pipeline.mjs'), '--split', 'Training', '--faces', '3', '--only', 'fill-centre-grey', '--model', model.onnxPath, '--dump', file, '--flip-average', mode], { encoding: 'utf8', timeout: 240_000 });
      assert.equal(r.status, 0, r.stdout + r.stderr);
      assert.match(r.stdout, new RegExp(`flipAverage ${mode};`));
      return JSON.parse(fs.readFileSync(file, 'utf8'));
    };
    const [off, on] = [run('false'), run('true')];
    assert.deepEqual(on.rows, off.rows);
    // The model alone, scored here one view at a time: each face, and the mean of it and its mirror image.
    const { images, size } = loadTraining(DEFAULT_DATA);
    const px = size * size;
    const faces = new Uint8Array(3 * px);
    const mirrored = new Uint8Array(3 * px);
    on.rows.forEach((r, k) => {
      for (let y = 0; y < size; y++) {
        for (let x = 0; x < size; x++) {
          faces[k * px + y * size + x] = images[r * px + y * size + x];
          mirrored[k * px + y * size + x] = images[r * px + y * size + size - 1 - x];
        }
      }
    });
    const a = await predict(model, { n: 3, size, channels: 1, images: faces }, { runtime: 'web' });
    const b = await predict(model, { n: 3, size, channels: 1, images: mirrored }, { runtime: 'web' });
    for (const d of [off, on]) {
      d.alone.forEach((v, i) => assert.ok(Math.abs(v - a[i]) < 1e-5, `alone[${i}] ${v} against ${a[i]}`));
      d.aloneMirrored.forEach((v, i) => assert.ok(Math.abs(v - (a[i] + b[i]) / 2) < 1e-5, `aloneMirrored[${i}] ${v} against ${(a[i] + b[i]) / 2}`));
    }
    // The engine: the same boxes, other probabilities (mirror-averaged with true).
    const [p, f] = [off, on].map((d) => d.conditions[0].frames);
    assert.ok(p.every((fr) => fr.found) && f.every((fr) => fr.found), 'every face found');
    assert.deepEqual(f.map((fr) => fr.box), p.map((fr) => fr.box));
    assert.ok(f.some((fr, k) => fr.p.some((v, c) => Math.abs(v - p[k].p[c]) > 1e-4)), 'the engine averaged with the mirror images');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
