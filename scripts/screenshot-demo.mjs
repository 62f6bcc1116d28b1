#!/usr/bin/env node
// Screenshots of the demo in headless Chromium, camera faked with test/artifacts/fake-camera.y4m:
//   test/artifacts/demo-photos.png        photo mode, sample 1, labels (light)
//   test/artifacts/demo-photos-bars.png   photo mode, sample 4, probability bars (light)
//   test/artifacts/demo-camera.png        camera mode after a few seconds (light)
//   test/artifacts/demo-camera-dark.png   camera mode, dark colour scheme
//   test/artifacts/demo-mobile.png        photo mode on a phone-sized viewport (dark)
// Needs a build (`npm run build`). Options: --model URL (a model other than the bundled default,
// e.g. /test/artifacts/standin/r-xs.onnx, served from the repository's test/artifacts), --only NAME.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch } from './lib/chromium.mjs';
import { serveStatic } from './lib/static-server.mjs';
import { parseCli } from './lib/cli.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);
const { values: opt } = parseCli(import.meta.url, 'screenshot-demo', { options: { model: { type: 'string' }, only: { type: 'string' } } });
const model = opt.model;
const only = opt.only; // one screenshot by name, e.g. --only mobile
const out = path.join(root, 'test/artifacts');

if (!fs.existsSync('packages/element/dist/emotion-detector.js')) {
  console.error('No build found: run `npm run build` first.');
  process.exit(1);
}
spawnSync('node', ['test/support/prepare-fixtures.mjs'], { stdio: 'inherit' });
const fakeCamera = path.join(out, 'fake-camera.y4m');

const server = await serveStatic({
  roots: {
    '/': path.join(root, 'demo'),
    '/packages/': path.join(root, 'packages'),
    '/samples/': path.join(root, 'node_modules/@vladmandic/face-api/demo'),
    '/test/artifacts/': out,
  },
});
const browser = await launch({
  args: ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', `--use-file-for-fake-video-capture=${fakeCamera}`],
});

/** Waits in the page until the element has analysed `frames` frames with at least one face. */
const waitForFaces = (page, frames = 1, timeout = 120_000) =>
  page.evaluate(
    (frames, timeout) =>
      new Promise((resolve, reject) => {
        const el = document.getElementById('detector');
        let n = 0;
        const timer = setTimeout(() => reject(new Error(`no faces within ${timeout} ms; status: ${document.getElementById('status-line')?.textContent}`)), timeout);
        el.addEventListener('emotion-faces', (e) => {
          if (e.detail.faces.length && ++n >= frames) {
            clearTimeout(timer);
            resolve(e.detail.faces.length);
          }
        });
        el.addEventListener('emotion-error', (e) => {
          clearTimeout(timer);
          reject(new Error(e.detail.message));
        });
      }),
    frames,
    timeout,
  );

async function shot(name, ...rest) {
  if (!only || only === name) await takeShot(name, ...rest);
}

async function takeShot(name, { hash = 'photos', scheme = 'light', width = 1440, height = 900, before, frames = 1, settle = 400 } = {}) {
  const page = await browser.newPage();
  page.on('pageerror', (e) => console.error(`[${name}] page error:`, e.message));
  page.on('console', (m) => m.type() === 'error' && console.error(`[${name}] console:`, m.text()));
  await page.setViewport({ width, height, deviceScaleFactor: 1 });
  await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: scheme }]);
  const query = model ? `?model=${encodeURIComponent(model)}` : '';
  const faces = waitForFacesAfterLoad(page, frames);
  await page.goto(`${server.url}/${query}#${hash}`, { waitUntil: 'domcontentloaded' });
  if (before) await before(page);
  const n = await faces;
  await new Promise((r) => setTimeout(r, settle));
  const file = path.join(out, `demo-${name}.png`);
  await page.screenshot({ path: file, fullPage: false });
  const hud = await page.$eval('#hud', (e) => e.textContent.replace(/\s+/g, ' ').trim());
  const status = await page.$eval('#status-line', (e) => e.textContent);
  console.log(`${path.relative(root, file)}  (${n} faces; ${hud}; ${status})`);
  await page.close();
}

/** Registers the wait before navigation finishes, so the first result is not missed. */
function waitForFacesAfterLoad(page, frames) {
  return new Promise((resolve, reject) => {
    page.once('domcontentloaded', () => waitForFaces(page, frames).then(resolve, reject));
  });
}

try {
  await shot('photos');
  await shot('photos-bars', {
    settle: 2500, // the first result may still be sample 1's
    before: async (page) => {
      await page.select('#overlay', 'bars');
      await page.click('.thumb:nth-child(4)');
    },
  });
  await shot('camera', { hash: 'camera', frames: 60, settle: 200 });
  await shot('camera-dark', { hash: 'camera', scheme: 'dark', frames: 45, settle: 200, before: (p) => p.select('#overlay', 'bars') });
  await shot('mobile', { scheme: 'dark', width: 390, height: 844 });
} finally {
  await browser.close();
  await server.close();
}
