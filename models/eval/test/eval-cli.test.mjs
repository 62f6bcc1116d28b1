// End to end: `npm run eval` (models/eval/eval.mjs) on raw files it has never seen. The same faces
// as 96x96 RGB (each pixel doubled) must score exactly like the 48x48 grayscale originals, since
// the engine's area-averaging resize and gray conversion undo the doubling; --skip, --png, --json
// and error exits are checked too. Needs a model and the FER2013 folder.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { root } from '../lib/core.mjs';
import { DEFAULT_DATA, hasPublicTest, publicTestFiles } from '../lib/publictest.mjs';
import { modelsUnderTest } from './helpers.mjs';

const N = 200;
const { cards: [card], skip: noModel } = modelsUnderTest();
const skip = hasPublicTest(DEFAULT_DATA) ? noModel : `FER2013 data folder ${DEFAULT_DATA} not found`;

const evalCli = (...args) => spawnSync(process.execPath, [path.join(root, 'models/eval/eval.mjs'), '--model', card, ...args], { encoding: 'utf8', timeout: 120_000 });

test('eval CLI: RGB 96x96 input scores like the 48x48 grayscale original; skip, PNG and JSON outputs', { skip, timeout: 300_000 }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eval-cli-'));
  try {
    const files = publicTestFiles();
    const gray = fs.readFileSync(files.images).subarray(0, N * 2304);
    const rgb = new Uint8Array(N * 96 * 96 * 3);
    for (let i = 0; i < N; i++) {
      for (let y = 0; y < 96; y++) {
        for (let x = 0; x < 96; x++) {
          const v = gray[i * 2304 + (y >> 1) * 48 + (x >> 1)];
          rgb.set([v, v, v], ((i * 96 + y) * 96 + x) * 3);
        }
      }
    }
    const f = (name) => path.join(dir, name);
    fs.writeFileSync(f('gray.u8'), gray);
    fs.writeFileSync(f('rgb.u8'), rgb);
    fs.writeFileSync(f('labels.u8'), fs.readFileSync(files.ferplus).subarray(0, N));
    fs.writeFileSync(f('dup.u8'), fs.readFileSync(files.dup).subarray(0, N));

    const a = evalCli('--images', f('gray.u8'), '--labels', f('labels.u8'), '--skip', f('dup.u8'), '--json', f('gray.json'));
    assert.equal(a.status, 0, a.stderr);
    const b = evalCli('--images', f('rgb.u8'), '--labels', f('labels.u8'), '--skip', f('dup.u8'), '--json', f('rgb.json'), '--png', f('cm.png'));
    assert.equal(b.status, 0, b.stderr);
    assert.match(b.stdout, /200 images 96x96, RGB/);
    assert.match(b.stdout, /top-1 accuracy/);
    const ga = JSON.parse(fs.readFileSync(f('gray.json'), 'utf8')).reports;
    const rb = JSON.parse(fs.readFileSync(f('rgb.json'), 'utf8')).reports;
    assert.deepEqual(rb.main.confusion, ga.main.confusion);
    assert.ok(Math.abs(rb.main.ece - ga.main.ece) < 1e-4);
    const labels = fs.readFileSync(f('labels.u8')), dup = fs.readFileSync(f('dup.u8'));
    const labelled = labels.filter((l) => l !== 255).length;
    const kept = labels.filter((l, i) => l !== 255 && dup[i] !== 1).length;
    assert.ok(kept < labelled, 'the first rows include duplicates to skip');
    assert.equal(ga.main.n, kept);
    assert.equal(ga.withSkipped.n, labelled);
    assert.ok(ga.main.accuracy > 0.5, `accuracy ${ga.main.accuracy} on ${kept} faces is far above chance`);
    const png = fs.readFileSync(f('cm.png'));
    assert.equal(png.subarray(1, 4).toString(), 'PNG');

    fs.writeFileSync(f('bad.u8'), new Uint8Array(N).fill(9));
    const bad = evalCli('--images', f('gray.u8'), '--labels', f('bad.u8'));
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /row 0 has label 9/);
    fs.writeFileSync(f('odd.u8'), new Uint8Array(N * 101));
    const odd = evalCli('--images', f('odd.u8'), '--labels', f('labels.u8'));
    assert.equal(odd.status, 2);
    assert.match(odd.stderr, /not a square grayscale or RGB image/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
