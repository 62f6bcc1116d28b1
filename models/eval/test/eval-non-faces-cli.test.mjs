// `npm run eval:non-faces`: its argument checks (exit 2 before any browser starts), and a short real
// run: the patches are cut from the sample photos clear of every face the engine finds there, and
// each condition's frames are counted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { root } from '../lib/core.mjs';

const script = path.join(root, 'models/eval/eval-non-faces.mjs');
const evalNonFaces = (...args) => spawnSync(process.execPath, [script, ...args], { encoding: 'utf8', timeout: 240_000 });

test('eval:non-faces refuses a patch count that is not a whole number above 0', () => {
  for (const bad of ['0', '2.5', 'many']) {
    const r = evalNonFaces('--patches', bad);
    assert.equal(r.status, 2, r.stdout + r.stderr);
    assert.match(r.stderr, new RegExp(`eval-non-faces: --patches ${bad} is not a positive integer`));
  }
});

test('eval:non-faces names the conditions when --only matches none, and refuses an unknown --small-faces', () => {
  let r = evalNonFaces('--only', 'nowhere');
  assert.equal(r.status, 2, r.stdout + r.stderr);
  assert.match(r.stderr, /no condition matches --only nowhere \(fill-centre-grey, .*tenth-centre-grey/);
  for (const value of ['huge', 'constructor']) {
    r = evalNonFaces('--small-faces', value);
    assert.equal(r.status, 2, r.stdout + r.stderr);
    assert.match(r.stderr, new RegExp(`--small-faces takes true, false or tiny, not ${value}`));
  }
});

test('eval:non-faces cuts its patches clear of the sample photos\' faces and counts every frame', { timeout: 300_000, skip: !fs.existsSync(path.join(root, 'packages/core/dist/index.js')) && 'needs a build' }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eval-non-faces-'));
  try {
    const file = path.join(dir, 'out.json');
    const r = evalNonFaces('--patches', '12', '--seed', '3', '--only', 'fifth-centre-grey,tenth-corner-black', '--dump', file);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /12 face-free patches of \d sample photos \(seed 3\)/);
    const out = JSON.parse(fs.readFileSync(file, 'utf8'));
    assert.deepEqual(out.results.map((c) => c.name), ['fifth-centre-grey', 'tenth-corner-black']);
    for (const c of out.conditions) assert.equal(c.frames.length, 12);
    for (const c of out.results) assert.match(r.stdout, new RegExp(`${c.name} +taken for a face [\\d.]+% \\(${c.taken} of 12\\)`));
    assert.equal(out.cuts.length, 12);
    // The photos' people are found (22 in all, 3-5 a photo), and no patch reaches one of them.
    const faces = new Map(out.cuts.map((c) => [c.photo, c.faces]));
    for (const boxes of faces.values()) assert.ok(boxes.length >= 3, `${boxes.length} faces found in a sample photo`);
    for (const cut of out.cuts) {
      for (const b of cut.faces) {
        const [cx, cy] = [b.x + b.width / 2, b.y + b.height / 2];
        const clear = cut.x + cut.side <= cx - 1.1 * b.width || cut.x >= cx + 1.1 * b.width || cut.y + cut.side <= cy - 1.1 * b.width || cut.y >= cy + 1.43 * b.width;
        assert.ok(clear, `a patch of ${cut.photo} at ${cut.x},${cut.y} (${cut.side} px) reaches the face at ${cx},${cy}`);
      }
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
