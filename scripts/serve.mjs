#!/usr/bin/env node
// `npm start`: installs and builds if needed, then serves the demo on http://localhost:PORT
// (default 8080) with the cross-origin isolation headers that WASM threads need.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);
if (!fs.existsSync('node_modules/.package-lock.json')) {
  if (spawnSync('npm', ['ci'], { stdio: 'inherit' }).status !== 0) process.exit(1);
}
const built = ['packages/element/dist/emotion-detector.js', 'packages/core/dist/assets/models'].every((p) => fs.existsSync(p));
if (!built || process.argv.includes('--build')) {
  if (spawnSync('npm', ['run', 'build'], { stdio: 'inherit' }).status !== 0) process.exit(1);
}
const { serveStatic } = await import('./lib/static-server.mjs');
const port = Number(process.env.PORT ?? 8080);
const server = await serveStatic({
  port,
  roots: {
    '/': path.join(root, 'demo'),
    '/packages/': path.join(root, 'packages'),
    '/samples/': path.join(root, 'node_modules/@vladmandic/face-api/demo'),
  },
});
console.log(`Demo: ${server.url}/  (Ctrl+C to stop)`);
