#!/usr/bin/env node
// `npm test`: installs if needed, builds, then runs every check and prints one line
// `N passed, N failed` at the end. Checks: type check, lint, Node tests (node:test), and the
// browser tests (@web/test-runner in headless Chromium). Exit code 1 if anything failed.
//   SKIP_BUILD=1   reuse the current build
//   ONLY=browser|node|static   run one kind of check
//   FILES=glob     browser test files to run (passed to wtr --files)
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);
const only = process.env.ONLY;
const totals = { passed: 0, failed: 0, skipped: 0 };
const failures = [];
/** What each failed Node test said, repeated at the end: CI shows only the output's tail. */
const failureDetails = [];

function run(cmd, args, opts = {}) {
  console.log(`\n$ ${cmd} ${args.join(' ')}`);
  return spawnSync(cmd, args, { stdio: 'inherit', ...opts });
}
function record(name, ok) {
  if (ok) totals.passed++;
  else {
    totals.failed++;
    failures.push(name);
  }
}

if (!fs.existsSync('node_modules/.package-lock.json')) {
  if (run('npm', ['ci']).status !== 0) process.exit(1);
}
// Fail fast with a helpful message when no browser exists.
const { findChromium } = await import('./lib/chromium.mjs');
try {
  findChromium();
} catch (e) {
  console.error(String(e.message));
  process.exit(1);
}

if (!process.env.SKIP_BUILD && !only?.match(/^static$/)) {
  const b = run('npm', ['run', 'build']);
  record('build', b.status === 0);
  if (b.status !== 0) finish();
}

if (!only || only === 'static') {
  record('typecheck (tsc --noEmit)', run('npx', ['tsc', '--noEmit', '-p', 'tsconfig.json']).status === 0);
  record('lint (eslint)', run('npx', ['eslint', '.']).status === 0);
  // The engine's floors: no import circle, no import that runs back up (see the script's header).
  record('import graph (scripts/import-graph.mjs)', run('node', ['scripts/import-graph.mjs']).status === 0);
}

if (!only || only === 'node') {
  const nodeTests = findFiles(['test/node', 'extension/test', 'models/eval/test', 'models/training/test'], /\.test\.mjs$/);
  if (nodeTests.length) {
    const r = spawnSync('node', ['--test', '--test-reporter=tap', '--test-concurrency=1', ...nodeTests], {
      encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, stdio: ['ignore', 'pipe', 'inherit'],
    });
    process.stdout.write(r.stdout);
    const pass = Number(/^# pass (\d+)/m.exec(r.stdout)?.[1] ?? 0);
    const fail = Number(/^# fail (\d+)/m.exec(r.stdout)?.[1] ?? 0);
    const cancelled = Number(/^# cancelled (\d+)/m.exec(r.stdout)?.[1] ?? 0);
    totals.passed += pass;
    totals.failed += fail + cancelled;
    totals.skipped += Number(/^# skipped (\d+)/m.exec(r.stdout)?.[1] ?? 0);
    if (fail + cancelled) {
      failures.push(`node tests (${fail + cancelled})`);
      failureDetails.push(...tapFailures(r.stdout));
    }
    if (r.status !== 0 && fail + cancelled === 0) record('node test runner', false);
  }
}

if (!only || only === 'browser') {
  spawnSync('node', ['test/support/prepare-fixtures.mjs'], { stdio: 'inherit' });
  // One summary file per run, so parallel runs don't read each other's.
  const summary = `test/artifacts/wtr-summary-${process.pid}.json`;
  process.env.WTR_SUMMARY = summary;
  const args = ['wtr', '--config', 'web-test-runner.config.mjs'];
  if (process.env.FILES) args.push('--files', process.env.FILES);
  const r = run('npx', args);
  if (fs.existsSync(summary)) {
    const s = JSON.parse(fs.readFileSync(summary, 'utf8'));
    fs.rmSync(summary, { force: true });
    totals.passed += s.passed;
    totals.failed += s.failed;
    totals.skipped += s.skipped;
    if (s.failed) failures.push(`browser tests (${s.failed})`);
    if (r.status !== 0 && s.failed === 0) record('browser test runner exit', false);
  } else {
    record('browser test runner (no summary)', false);
  }
}
finish();

function findFiles(dirs, re) {
  const out = [];
  const walk = (d) => {
    if (!fs.existsSync(d)) return;
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (re.test(e.name)) out.push(p);
    }
  };
  dirs.forEach(walk);
  return out.sort();
}

/**
 * The failed tests of a TAP stream with the first lines of their YAML block (error, location,
 * stack); tests cancelled only because their suite failed are left out (the suite's block says why).
 */
function tapFailures(tap) {
  const out = [];
  const lines = tap.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^\s*not ok \d+ - (.*)$/.exec(lines[i]);
    if (!m) continue;
    const block = [];
    for (let j = i + 1; j < lines.length && !/^\s*\.\.\.$/.test(lines[j]); j++) {
      if (!/^\s*---$/.test(lines[j])) block.push(lines[j].trim());
    }
    if (block.some((l) => l.includes("failureType: 'cancelledByParent'"))) continue;
    out.push(`not ok - ${m[1]}\n    ${block.filter((l) => !/^duration_ms|^type:/.test(l)).slice(0, 8).join('\n    ')}`);
  }
  return out;
}

function finish() {
  if (failureDetails.length) console.log(`\nFailed Node tests:\n${failureDetails.join('\n')}`);
  if (failures.length) console.log(`\nFailed: ${failures.join('; ')}`);
  // The last line is exactly `N passed, N failed` (what CI reads); skipped tests are said before it.
  if (totals.skipped) console.log(`\n${totals.skipped} skipped (see above why)`);
  console.log(`\n${totals.passed} passed, ${totals.failed} failed`);
  process.exit(totals.failed ? 1 : 0);
}
