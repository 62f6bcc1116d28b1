// The SDK as a web developer gets it: both packages packed with `npm pack`, the tarballs installed
// into the four apps of test/consumers/ (Vite vanilla-ts with the element, webpack 5 with
// EmotionDetector.create() + detect(), React 19 + Vite with the element in JSX, a plain page
// without a bundler), each built as its README says (tsc + Vite production build, webpack, tsc
// for React), served, and opened in one headless Chromium: the 3 faces of sample1.jpg must be
// found, with no console error and no failed request (HTTP >= 400 or a network failure). The
// Vite app is also run on Vite's dev server. Needs the build (`npm run build`) and the npm
// registry (the apps' own dependencies: vite, webpack, react, typescript; npm's cache is used).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { launch } from '../../scripts/lib/chromium.mjs';
import { serveStatic } from '../../scripts/lib/static-server.mjs';
import { SAMPLE, freePort, installApp, packPackages, sh, start } from '../consumers/lib.mjs';

const FACES = 3;
/** The page CSP the root README gives for the SDK (a violation is a console error, so it fails the test). */
const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; connect-src 'self' blob:; img-src 'self' data:; style-src 'self'";
const t0 = Date.now();
const elapsed = () => `${((Date.now() - t0) / 1000).toFixed(0)} s`;

/**
 * Opens `url`, waits for the app to report (an element with data-faces or data-error) and
 * returns what it found with everything that went wrong on the page.
 */
async function visit(browser, url, { timeoutMs = 180_000 } = {}) {
  const page = await browser.newPage();
  const problems = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console.error: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} (${r.failure()?.errorText})`));
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  try {
    await page.goto(url, { waitUntil: 'load', timeout: 60_000 });
    const handle = await page.waitForSelector('[data-faces], [data-error]', { timeout: timeoutMs });
    const found = await handle.evaluate((el) => ({ faces: el.getAttribute('data-faces'), error: el.getAttribute('data-error') }));
    const isolated = await page.evaluate(() => globalThis.crossOriginIsolated);
    return { ...found, isolated, problems };
  } finally {
    await page.close();
  }
}

function expectFaces(r, what) {
  assert.equal(r.error, null, `${what}: the app reported an error`);
  assert.equal(Number(r.faces), FACES, `${what}: faces found`);
  assert.deepEqual(r.problems, [], `${what}: console errors or failed requests`);
}

describe('consumer apps: packed tarballs installed, built, served, run in Chromium', { timeout: 30 * 60_000 }, () => {
  let tarballs;
  let browser;
  const closers = [];
  before(async () => {
    tarballs = await packPackages();
    console.log(`# packed in ${elapsed()}: ${tarballs.packed.map((p) => `${p.filename} ${(p.size / 1e6).toFixed(1)} MB packed, ${(p.unpackedSize / 1e6).toFixed(1)} MB unpacked`).join('; ')}`);
    browser = await launch();
  });
  after(async () => {
    for (const close of closers.reverse()) await close();
    await browser?.close();
    console.log(`# consumer tests took ${elapsed()}`);
  });

  it('Vite + TypeScript, <emotion-detector> from @emotion-detector/element/define, the Vite plugin: production build, then dev server', async () => {
    const dir = await installApp('vite-vanilla', tarballs);
    fs.mkdirSync(path.join(dir, 'public'), { recursive: true });
    fs.copyFileSync(SAMPLE, path.join(dir, 'public/sample1.jpg'));
    const build = await sh('npm', ['run', 'build'], { cwd: dir });
    assert.doesNotMatch(build, /new URL\(|doesn't exist at build time/, 'Vite warns about the engine\'s new URL(..., import.meta.url)');
    assert.ok(fs.existsSync(path.join(dir, 'dist/emotion-detector/models/emotion/index.json')), 'the plugin copied the assets into dist/emotion-detector/');
    console.log(`# vite-vanilla installed and built at ${elapsed()}`);

    const preview = await start('npx', ['vite', 'preview', '--port', String(await freePort()), '--strictPort', '--host', '127.0.0.1'], { cwd: dir, ready: /(http:\/\/127\.0\.0\.1:\d+\/)/ });
    closers.push(preview.stop);
    expectFaces(await visit(browser, preview.match[1]), 'Vite production build');
    preview.stop();

    const dev = await start('npx', ['vite', '--port', String(await freePort()), '--strictPort', '--host', '127.0.0.1'], { cwd: dir, ready: /(http:\/\/127\.0\.0\.1:\d+\/)/ });
    closers.push(dev.stop);
    expectFaces(await visit(browser, dev.match[1]), 'Vite dev server');
    dev.stop();
    console.log(`# vite-vanilla done at ${elapsed()}`);
  });

  it('webpack 5, EmotionDetector.create() + detect(), assets copied by `emotion-detector-assets`', async () => {
    const dir = await installApp('webpack', tarballs);
    const build = await sh('npm', ['run', 'build'], { cwd: dir });
    assert.doesNotMatch(build, /WARNING|ERROR/, 'webpack warns');
    fs.copyFileSync(SAMPLE, path.join(dir, 'dist/sample1.jpg'));
    const server = await serveStatic({ roots: { '/': path.join(dir, 'dist') }, isolate: false });
    closers.push(server.close);
    expectFaces(await visit(browser, `${server.url}/`), 'webpack build');
    console.log(`# webpack done at ${elapsed()}`);
  });

  it('React 19 + Vite, <emotion-detector> in JSX with typed onemotion-* props (tsc), production build', async () => {
    const dir = await installApp('react-vite', tarballs);
    fs.mkdirSync(path.join(dir, 'public'), { recursive: true });
    fs.copyFileSync(SAMPLE, path.join(dir, 'public/sample1.jpg'));
    await sh('npm', ['run', 'build'], { cwd: dir });
    const preview = await start('npx', ['vite', 'preview', '--port', String(await freePort()), '--strictPort', '--host', '127.0.0.1'], { cwd: dir, ready: /(http:\/\/127\.0\.0\.1:\d+\/)/ });
    closers.push(preview.stop);
    expectFaces(await visit(browser, preview.match[1]), 'React build');
    preview.stop();
    console.log(`# react-vite done at ${elapsed()}`);
  });

  it("a plain page, no bundler: the one-file build from node_modules, assets copied by `emotion-detector-assets`, under the README's CSP, cross-origin isolated with COEP credentialless", async () => {
    const dir = await installApp('plain', tarballs);
    await sh('npm', ['run', 'assets'], { cwd: dir });
    fs.copyFileSync(SAMPLE, path.join(dir, 'sample1.jpg'));
    const server = await serveStatic({
      roots: { '/': dir },
      isolate: false,
      headers: { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'credentialless', 'Content-Security-Policy': CSP },
    });
    closers.push(server.close);
    const r = await visit(browser, `${server.url}/`);
    assert.equal(r.isolated, true, 'COOP same-origin + COEP credentialless make the page cross-origin isolated');
    expectFaces(r, 'plain page');
    console.log(`# plain done at ${elapsed()}`);
  });
});
