// `npm run eval:pipeline`'s argument checks: a misspelt --split must not fall back to PublicTest
// (the set scored once), and a data folder without the files the chosen split needs is named as such.
// Both exit 2 before any browser starts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { root } from '../lib/core.mjs';

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
