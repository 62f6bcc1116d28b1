// What the packed packages make a page download, path by path (issue 17, "assets once, and only
// what runs"). The tarballs are unpacked as a user installs them, the assets folder is assembled as
// documented (core's dist/assets/ + `runtimeAssets`), and a plain page with the one-script-tag
// element finds the faces of sample1.jpg on the WASM path, on the WebGPU path (SwiftShader:
// --enable-unsafe-webgpu) and with each other shipped model. The server records every request:
//   - every file of the served assets folder and of the element's bundle is requested by some path
//     (nothing ships that no code path loads), and the ONNX Runtime binary of each path is the one
//     documented (plain for WASM, asyncify for WebGPU);
//   - nothing requested is missing (no 404, no other failure).
// Runs in headless Chromium; about a minute. Uses the current build (`npm run build` first).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { installPacked, listFiles, packAll, root } from '../../scripts/lib/packed.mjs';
import { serveStatic } from '../../scripts/lib/static-server.mjs';
import { launch } from '../../scripts/lib/chromium.mjs';

const SAMPLE = path.join(root, 'node_modules/@vladmandic/face-api/demo/sample1.jpg');
/** sample1.jpg has three faces. */
const FACES = 3;

let packed, installed, server, browser;
/** `METHOD /path STATUS` of every request, per path. */
const requests = new Map();
let current = null;

before(async () => {
  packed = packAll();
  installed = installPacked(packed.packs, packed.dir);
  fs.copyFileSync(SAMPLE, path.join(packed.dir, 'sample1.jpg'));
  fs.writeFileSync(
    path.join(packed.dir, 'index.html'),
    '<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>packed</title>\n' +
      '<script type="module" src="/node_modules/@emotion-detector/element/dist/emotion-detector.js"></script>\n',
  );
  server = await serveStatic({ roots: { '/': packed.dir, '/emotion-detector/': installed.assets } });
  server.server.prependListener('request', (req, res) => {
    const label = current;
    res.on('finish', () => {
      if (!label) return;
      const pathname = new URL(req.url, 'http://x').pathname;
      requests.get(label).push({ method: req.method, path: pathname, status: res.statusCode });
    });
  });
  browser = await launch({ webgpu: true });
});
after(async () => {
  await browser?.close();
  await server?.close();
  if (packed) fs.rmSync(packed.dir, { recursive: true, force: true });
});

/** Loads the page in a fresh context (empty HTTP cache and Cache API) and waits for the faces. */
async function runPath(label, attrs, { cores } = {}) {
  current = label;
  requests.set(label, []);
  const context = await browser.createBrowserContext();
  const failed = [];
  const logs = [];
  try {
    const page = await context.newPage();
    // A blob: URL (a worker's script, an image) that is revoked once used is not a download.
    page.on('requestfailed', (r) => /^https?:/.test(r.url()) && failed.push(`${r.url()} ${r.failure()?.errorText}`));
    // A one-core device: no worker of its own for the model (`parallel` off), which then runs on
    // the page's thread with the bundle's own ONNX Runtime chunk.
    // Every console warning and error, the page's and its workers' (issue 17 item 6: a quiet console).
    const listen = (target, where) =>
      target.on('console', (m) => ['error', 'warn', 'warning', 'assert'].includes(m.type()) && logs.push(`${where} ${m.type()}: ${m.text()}`));
    listen(page, 'page');
    page.on('workercreated', (w) => listen(w, 'worker'));
    page.on('pageerror', (e) => logs.push(`page uncaught: ${e.message}`));
    if (cores) await (await page.createCDPSession()).send('Emulation.setHardwareConcurrencyOverride', { hardwareConcurrency: cores });
    await page.goto(`${server.url}/index.html`);
    const result = await page.evaluate(async (attrs) => {
      await customElements.whenDefined('emotion-detector');
      const el = document.createElement('emotion-detector');
      for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
      const img = document.createElement('img');
      img.src = '/sample1.jpg';
      el.append(img);
      const done = new Promise((resolve, reject) => {
        el.addEventListener('emotion-faces', (e) => {
          if (e.detail.faces.length) resolve({ faces: e.detail.faces.length, backend: e.detail.backend });
        });
        el.addEventListener('emotion-error', (e) => reject(new Error(`${e.detail.code}: ${e.detail.message}`)));
      });
      document.body.append(el);
      return done;
    }, attrs);
    await page.close();
    return { ...result, failed, logs };
  } finally {
    current = null;
    await context.close();
  }
}

const paths = {};
/**
 * Chrome's own notices about the page's WebGL use ("[.WebGL-0x...]GL Driver Message (OpenGL,
 * Performance, ...): GPU stall due to ReadPixels", from MediaPipe's CPU path on SwiftShader) are the
 * browser's diagnostics, not a console call of ours or of a dependency.
 */
const BROWSER_GL_NOTICE = /^page warn(ing)?: \[\.WebGL-0x[0-9a-f]+\]GL Driver Message \(OpenGL, Performance,/;
const consoleOf = (r) => r.logs.filter((l) => !BROWSER_GL_NOTICE.test(l));
test('WASM path: the faces of sample1.jpg, from the packed packages', { timeout: 300_000 }, async () => {
  paths.wasm = await runPath('wasm', { backend: 'wasm', 'assets-base': '/emotion-detector/' });
  assert.equal(paths.wasm.backend, 'wasm');
  assert.equal(paths.wasm.faces, FACES);
  assert.deepEqual(paths.wasm.failed, []);
  assert.deepEqual(consoleOf(paths.wasm), [], 'no console warning or error (page or worker)');
});

test('WebGPU path (SwiftShader): the same faces', { timeout: 400_000 }, async () => {
  paths.webgpu = await runPath('webgpu', { backend: 'webgpu', 'assets-base': '/emotion-detector/' });
  assert.equal(paths.webgpu.backend, 'webgpu');
  assert.equal(paths.webgpu.faces, FACES);
  assert.deepEqual(paths.webgpu.failed, []);
  assert.deepEqual(consoleOf(paths.webgpu), [], 'no console warning or error (page or worker)');
});

test('one-core device (the model on the page\'s thread): WASM and WebGPU paths', { timeout: 600_000 }, async () => {
  for (const backend of ['wasm', 'webgpu']) {
    const r = await runPath(`${backend}, 1 core`, { backend, 'assets-base': '/emotion-detector/' }, { cores: 1 });
    assert.equal(r.backend, backend);
    assert.equal(r.faces, FACES);
    assert.deepEqual(r.failed, []);
    assert.deepEqual(consoleOf(r), []);
  }
});

test('each other shipped model (model-src) on the WASM path', { timeout: 600_000 }, async () => {
  const index = JSON.parse(fs.readFileSync(path.join(installed.assets, 'models/emotion/index.json'), 'utf8'));
  const others = index.models.filter((m) => m !== index.default);
  assert.ok(others.length > 0);
  for (const card of others) {
    const { file } = JSON.parse(fs.readFileSync(path.join(installed.assets, 'models/emotion', card), 'utf8'));
    const r = await runPath(`model ${card}`, { backend: 'wasm', 'assets-base': '/emotion-detector/', 'model-src': `/emotion-detector/models/emotion/${file}` });
    assert.equal(r.faces, FACES, card);
  }
});

test('nothing requested is missing, and every shipped file is requested by some path', () => {
  assert.ok(paths.wasm && paths.webgpu, 'the paths above ran');
  const all = [...requests.values()].flat();
  const bad = all.filter((r) => r.status !== 200);
  assert.deepEqual(bad, [], 'every request succeeded');
  const requested = new Set(all.map((r) => r.path));
  for (const [label, list] of requests) console.log(`# ${label}: ${[...new Set(list.map((r) => r.path))].join(' ')}`);

  const assetFiles = listFiles(installed.assets).map((f) => `/emotion-detector/${f}`);
  const element = path.join(installed.nodeModules, '@emotion-detector/element/dist');
  // The one-script-tag bundle and the chunks it imports (dist/index.js, define.js and their shared
  // chunk are the entries for bundlers, which a plain page does not load).
  const reachable = new Set();
  const visit = (f) => {
    if (reachable.has(f)) return;
    reachable.add(f);
    const code = fs.readFileSync(path.join(element, f), 'utf8');
    for (const m of code.matchAll(/["'](\.{1,2}\/[\w./-]+\.js)["']/g)) visit(path.posix.join(path.posix.dirname(f), m[1]));
  };
  visit('emotion-detector.js');
  assert.ok(reachable.size >= 3, `the bundle and its ONNX Runtime chunks: ${[...reachable]}`);
  const bundle = [...reachable].map((f) => `/node_modules/@emotion-detector/element/dist/${f}`);
  const unused = [...assetFiles, ...bundle].filter((f) => !requested.has(f));
  assert.deepEqual(unused, [], 'shipped but requested by no path');

  // Each path runs the ONNX Runtime build documented for it, and only that one.
  const ort = (label) => [...new Set(requests.get(label).map((r) => r.path).filter((p) => p.includes('/ort/')))];
  for (const label of ['wasm', 'wasm, 1 core']) assert.deepEqual(ort(label), ['/emotion-detector/ort/ort-wasm-simd-threaded.wasm'], label);
  for (const label of ['webgpu', 'webgpu, 1 core']) assert.deepEqual(ort(label), ['/emotion-detector/ort/ort-wasm-simd-threaded.asyncify.wasm'], label);
  // MediaPipe: the SIMD fileset, on both paths.
  for (const label of ['wasm', 'webgpu']) {
    assert.ok(requested.has('/emotion-detector/mediapipe/vision_wasm_internal.wasm'));
    assert.ok(!requests.get(label).some((r) => /nosimd/.test(r.path)));
  }
});
