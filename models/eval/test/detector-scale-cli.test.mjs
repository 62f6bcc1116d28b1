// models/eval/detector-scale.mjs's argument checks: a surround it cannot draw is named with the ones
// it can, the texture among them; both exit 2 before any data is read or browser starts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { root } from '../lib/core.mjs';

const detectorScale = (...args) => spawnSync(process.execPath, [path.join(root, 'models/eval/detector-scale.mjs'), ...args], { encoding: 'utf8', timeout: 120_000 });

test('detector-scale names the surrounds it can draw', () => {
  const r = detectorScale('--variants', JSON.stringify([{ size: 0.3, place: 'centre', surround: 'wall' }]));
  assert.equal(r.status, 2, r.stdout + r.stderr);
  assert.match(r.stderr, /surround wall is not one of grey, black, dark, texture/);
});

test('detector-scale takes a textured surround (the next check, --faces, is what stops it)', () => {
  const r = detectorScale('--faces', '0', '--variants', JSON.stringify([{ size: 0.3, place: 'centre', surround: 'texture' }]));
  assert.equal(r.status, 2, r.stdout + r.stderr);
  assert.match(r.stderr, /--faces 0 is not a positive integer/);
});
