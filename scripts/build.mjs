#!/usr/bin/env node
// `npm run build`: assets, bundles, type declarations, custom-elements manifest.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);
function step(cmd, args) {
  console.log(`> ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

// A clean slate: rollup never deletes, and an old build's chunks or maps would be packed.
for (const pkg of ['core', 'element']) fs.rmSync(`packages/${pkg}/dist`, { recursive: true, force: true });
step('node', ['scripts/build-assets.mjs']);
step('npx', ['rollup', '-c', '--silent']);
for (const pkg of ['core', 'element']) {
  if (fs.existsSync(`packages/${pkg}/tsconfig.build.json`)) step('npx', ['tsc', '-p', `packages/${pkg}/tsconfig.build.json`]);
}
// The element's one-script-tag bundle loads its assets from core's package (../../core/dist/assets/,
// see rollup.config.mjs): one copy of them. An old build's copy beside the bundle goes.
fs.rmSync('packages/element/dist/assets', { recursive: true, force: true });
if (fs.existsSync('packages/element/src/emotion-detector.ts')) {
  step('npx', ['cem', 'analyze', '--litelement', '--globs', 'packages/element/src/**/*.ts', '--outdir', 'packages/element']);
}
if (fs.existsSync('extension/scripts/build.mjs')) step('node', ['extension/scripts/build.mjs']);
console.log('build done');
