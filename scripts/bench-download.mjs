#!/usr/bin/env node
// `npm run bench:download`: what a first visit downloads to show one result, ours against
// face-api.js, in the same run.
//   ours:     the packed packages (npm pack, unpacked as a user installs them; assets served as
//             documented), a plain page with the one-script-tag <emotion-detector> on sample1.jpg,
//             default backend ('auto': WASM here, no real GPU), until the first `emotion-faces`
//             event with faces.
//   face-api: @vladmandic/face-api (tfjs bundled, WebGL backend as its demo), its TinyFaceDetector
//             and FaceExpressionNet from its model folder (the two of its demo's models that give
//             the same result: faces and their expressions), until detectAllFaces(...)
//             .withFaceExpressions() returns.
// Each page in a fresh browser profile (cold HTTP cache, empty Cache API), throttled by CDP
// Network.emulateNetworkConditions to 20 Mbit/s down, 5 Mbit/s up, 20 ms latency. The server
// gzips every response (zlib level 6), as a web server would; it counts each file's bytes raw and
// gzipped. Prints one table; --json prints the figures as JSON too.
//   --runs N   time each page N times (fresh profile each), report the median (default 3)
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { installPacked, packAll, root } from './lib/packed.mjs';
import { ISOLATION_HEADERS } from './lib/static-server.mjs';
import { launch } from './lib/chromium.mjs';
import { parseCli, positiveInteger } from './lib/cli.mjs';

const { values: opt } = parseCli(import.meta.url, 'bench-download', { options: { runs: { type: 'string', default: '3' }, json: { type: 'boolean', default: false } } });
const RUNS = positiveInteger('bench-download', 'runs', opt.runs);
const NETWORK = { offline: false, latency: 20, downloadThroughput: (20e6 / 8), uploadThroughput: (5e6 / 8) };
const FACEAPI = '/node_modules/@vladmandic/face-api';

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript', '.json': 'application/json', '.wasm': 'application/wasm', '.jpg': 'image/jpeg' };

function serve(roots, log) {
  const gz = new Map();
  const prefixes = Object.keys(roots).sort((a, b) => b.length - a.length);
  const server = http.createServer((req, res) => {
    const pathname = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    const prefix = prefixes.find((p) => pathname.startsWith(p));
    const file = prefix && path.join(roots[prefix], pathname.slice(prefix.length));
    if (!file || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
      log.push({ path: pathname, status: 404, raw: 0, gzip: 0 });
      res.writeHead(404, ISOLATION_HEADERS);
      return res.end();
    }
    const body = fs.readFileSync(file);
    if (!gz.has(file)) gz.set(file, zlib.gzipSync(body, { level: 6 }));
    const zipped = gz.get(file);
    const useGzip = /\bgzip\b/.test(req.headers['accept-encoding'] ?? '');
    log.push({ path: pathname, status: 200, raw: body.length, gzip: zipped.length, sent: useGzip ? 'gzip' : 'raw' });
    res.writeHead(200, {
      'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream',
      'Content-Length': useGzip ? zipped.length : body.length,
      ...(useGzip ? { 'Content-Encoding': 'gzip' } : {}),
      'Cache-Control': 'max-age=3600',
      ...ISOLATION_HEADERS,
    });
    res.end(useGzip ? zipped : body);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://localhost:${server.address().port}` })));
}

const OURS_HTML = `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>ours</title>
<script type="module" src="/node_modules/@emotion-detector/element/dist/emotion-detector.js"></script>
<emotion-detector assets-base="/emotion-detector/"><img src="/sample1.jpg" alt="sample"></emotion-detector>
<script>
  document.querySelector('emotion-detector').addEventListener('emotion-faces', (e) => {
    if (e.detail.faces.length && !window.__result) window.__result = { at: performance.now(), faces: e.detail.faces.length, backend: e.detail.backend };
  });
  document.querySelector('emotion-detector').addEventListener('emotion-error', (e) => { window.__result = { error: e.detail.message }; });
</script>`;

const FACEAPI_HTML = `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>face-api</title>
<img id="img" src="/sample1.jpg" alt="sample">
<script type="module">
  try {
    const faceapi = await import('${FACEAPI}/dist/face-api.esm.js');
    await faceapi.tf.setBackend('webgl');
    await faceapi.tf.ready();
    await faceapi.nets.tinyFaceDetector.loadFromUri('${FACEAPI}/model');
    await faceapi.nets.faceExpressionNet.loadFromUri('${FACEAPI}/model');
    const img = document.getElementById('img');
    await img.decode();
    const faces = await faceapi.detectAllFaces(img, new faceapi.TinyFaceDetectorOptions()).withFaceExpressions();
    window.__result = { at: performance.now(), faces: faces.length, backend: faceapi.tf.getBackend() };
  } catch (e) {
    window.__result = { error: String(e) };
  }
</script>`;

async function visit(url, log) {
  const browser = await launch({ args: ['--disk-cache-size=1'] });
  try {
    const page = await browser.newPage();
    const cdp = await page.createCDPSession();
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', NETWORK);
    // The model's worker fetches nothing itself (the page hands it the bytes), but throttle it too.
    page.on('workercreated', (w) => w.client.send('Network.emulateNetworkConditions', NETWORK).catch(() => undefined));
    log.length = 0;
    await page.goto(url, { waitUntil: 'domcontentloaded' });
    await page.waitForFunction(() => window.__result, { timeout: 600_000, polling: 100 });
    const result = await page.evaluate(() => window.__result);
    // When the last byte of the page's downloads arrived (resource timing, ms from navigation):
    // with 20 Mbit/s at least gzip bytes x 8 / 20e6 s, which checks that the throttling held.
    result.downloadsEnd = await page.evaluate(() => Math.max(...performance.getEntriesByType('resource').map((e) => e.responseEnd)));
    if (result.error) throw new Error(`${url}: ${result.error}`);
    const files = new Map();
    for (const r of log) if (r.status === 200) files.set(r.path, r);
    const bad = log.filter((r) => r.status !== 200);
    if (bad.length) throw new Error(`${url}: failed requests ${bad.map((r) => r.path).join(', ')}`);
    const sum = (k) => [...files.values()].reduce((s, r) => s + r[k], 0);
    return { ms: result.at, downloadsEnd: result.downloadsEnd, faces: result.faces, backend: result.backend, requests: log.length, files: files.size, raw: sum('raw'), gzip: sum('gzip'), list: [...files.values()] };
  } finally {
    await browser.close();
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const packed = packAll();
const installed = installPacked(packed.packs, packed.dir);
fs.copyFileSync(path.join(root, 'node_modules/@vladmandic/face-api/demo/sample1.jpg'), path.join(packed.dir, 'sample1.jpg'));
fs.writeFileSync(path.join(packed.dir, 'ours.html'), OURS_HTML);
fs.writeFileSync(path.join(packed.dir, 'faceapi.html'), FACEAPI_HTML);
const log = [];
const { server, url } = await serve({ '/': packed.dir, '/emotion-detector/': installed.assets, [`${FACEAPI}/`]: path.join(root, FACEAPI.slice(1)) }, log);

const results = {};
try {
  for (const [name, page] of [['ours', 'ours.html'], ['face-api.js', 'faceapi.html']]) {
    const runs = [];
    for (let i = 0; i < RUNS; i++) runs.push(await visit(`${url}/${page}`, log));
    results[name] = { ...runs[0], ms: median(runs.map((r) => r.ms)), runsMs: runs.map((r) => Math.round(r.ms)) };
  }
} finally {
  server.close();
  fs.rmSync(packed.dir, { recursive: true, force: true });
}

const mb = (b) => (b / 1e6).toFixed(2);
console.log(`\nFirst visit, one result (sample1.jpg), cold cache, ${NETWORK.downloadThroughput * 8 / 1e6} Mbit/s down, ${NETWORK.latency} ms latency, gzip served; median of ${RUNS}:`);
console.log('| page | files | raw MB | gzip MB | downloads done (s) | first result (s) | runs (s) | faces | backend |');
console.log('|---|---:|---:|---:|---:|---:|---|---:|---|');
for (const [name, r] of Object.entries(results)) {
  console.log(`| ${name} | ${r.files} | ${mb(r.raw)} | ${mb(r.gzip)} | ${(r.downloadsEnd / 1000).toFixed(1)} | ${(r.ms / 1000).toFixed(1)} | ${r.runsMs.map((m) => (m / 1000).toFixed(1)).join(', ')} | ${r.faces} | ${r.backend} |`);
}
for (const [name, r] of Object.entries(results)) {
  console.log(`\n${name}:`);
  for (const f of [...r.list].sort((a, b) => b.raw - a.raw)) console.log(`  ${mb(f.raw).padStart(6)} MB raw  ${mb(f.gzip).padStart(6)} MB gzip  ${f.path}`);
}
if (opt.json) console.log(JSON.stringify(Object.fromEntries(Object.entries(results).map(([k, v]) => [k, { ...v, list: undefined }])), null, 1));
