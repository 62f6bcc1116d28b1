// Every bad input ends in a typed EmotionDetectorError with a useful message, never a hang; and
// loading reports progress and keeps its files in the Cache API (second start, offline start).
import { expect } from '@open-wc/testing';
import { executeServerCommand } from '@web/test-runner-commands';
import { EmotionDetector, type LoadProgress } from '../src/index.js';
import { CACHE_NAME } from '../src/assets/fetch-asset.js';
import { loadAssets } from '../src/assets/load.js';
import { WorkerHost } from '../src/host/worker-host.js';
import { ASSETS, MODEL, clearAssetCache, expectError, loadImage, photo, pipelineInit } from './support/engine.js';

const FIX = '/packages/core/test/fixtures';
const base = { assetsBase: ASSETS, backend: 'wasm' as const, numThreads: 2 };
/** MediaPipe's WASM binary, which the engine downloads itself (asset 'mediapipe-wasm'). */
const MEDIAPIPE_WASM = new URL(`${ASSETS}mediapipe/vision_wasm_internal.wasm`, location.href).href;
/** MediaPipe's loader script, the one file MediaPipe still loads itself (a script tag). */
const MEDIAPIPE_LOADER = new URL(`${ASSETS}mediapipe/vision_wasm_internal.js`, location.href).href;
const byteSize = async (url: string): Promise<number> => (await (await fetch(url, { cache: 'no-store' })).arrayBuffer()).byteLength;

/**
 * The test server stops answering paths starting with `block` (except the `allow` paths): their
 * requests fail as if it could not be reached. Answers the requests refused since the last call.
 */
const unreachable = (block: string[], allow: string[] = []) => executeServerCommand<string[], { block: string[]; allow: string[] }>('unreachable', { block, allow });

describe('EmotionDetector errors', () => {
  let detector: EmotionDetector;
  before(async () => {
    detector = await EmotionDetector.create({ ...base, model: MODEL });
  });
  after(() => detector.dispose());

  it("a missing model card or model file: 'asset-fetch-failed' naming the URL and the status", async () => {
    await expectError(EmotionDetector.create({ ...base, model: '/nowhere/model.onnx' }), 'asset-fetch-failed', /\/nowhere\/model\.json.*404/);
    await expectError(EmotionDetector.create({ ...base, model: `${FIX}/missing-onnx.onnx` }), 'asset-fetch-failed', /missing-onnx\.onnx.*404/);
    await expectError(EmotionDetector.create({ ...base, model: MODEL, faceModel: '/nowhere/face.tflite' }), 'asset-fetch-failed', /face\.tflite.*404/);
    await expectError(EmotionDetector.create({ assetsBase: '/nowhere/', model: MODEL }), 'asset-fetch-failed', /404/);
  });

  it("an HTML page where a model or card should be: 'invalid-model'", async () => {
    await expectError(EmotionDetector.create({ ...base, model: `${FIX}/not-a-model.onnx` }), 'invalid-model', /not-a-model\.onnx.*HTML/);
    await expectError(EmotionDetector.create({ ...base, model: `${FIX}/html-card.onnx` }), 'invalid-model', /html-card\.json/);
    await expectError(EmotionDetector.create({ ...base, model: MODEL, faceModel: photo(1) }), 'invalid-model', /sample1\.jpg.*tflite/);
  });

  it('a missing assets folder or an HTML page in its place: the error names the URL tried and the option that sets it', async () => {
    const ASSETS_HINT = /assetsBase option \(attribute assets-base on <emotion-detector>\)/;
    // Nothing there: 404, with the option to set and how to serve the files.
    const missing = await expectError(EmotionDetector.create({ ...base, assetsBase: '/nowhere/' }), 'asset-fetch-failed', /\/nowhere\/.*HTTP 404/);
    expect(missing.message).to.match(ASSETS_HINT).and.match(/The assets folder is http:\/\/[^ ]+\/nowhere\/, from the assetsBase option/).and.match(/npx emotion-detector-assets/);
    // A server's SPA fallback: every path answers 200 with the app's HTML page.
    await executeServerCommand('misbehave', { under: ['/spa/'], allow: [], answer: 'html' });
    try {
      const html = await expectError(EmotionDetector.create({ ...base, assetsBase: '/spa/' }), 'invalid-model', /\/spa\/.* is not a valid \w+ file \(got an HTML\/XML page\)/);
      expect(html.message).to.match(ASSETS_HINT);
      // The default (no option) from <meta name="emotion-detector-assets">: the message says so.
      const meta = Object.assign(document.createElement('meta'), { name: 'emotion-detector-assets', content: '/spa/from-meta/' });
      document.head.append(meta);
      try {
        const fromMeta = await expectError(EmotionDetector.create({ backend: 'wasm', numThreads: 1 }), 'invalid-model', /\/spa\/from-meta\/.*HTML/);
        expect(fromMeta.message).to.match(/from <meta name="emotion-detector-assets">/).and.match(/assetsBase/);
      } finally {
        meta.remove();
      }
    } finally {
      await executeServerCommand('misbehave', { under: [], allow: [], answer: '' });
    }
    // The default without a <meta>: assets/ beside the engine's module (here the source file's folder, where none is).
    const beside = await expectError(EmotionDetector.create({ backend: 'wasm', numThreads: 1 }), 'asset-fetch-failed', /\/packages\/core\/src\/assets\/assets\/.*HTTP 404/);
    expect(beside.message).to.match(/the default, assets\/ beside the engine's module/).and.match(/assetsBase/);
    // A model URL of its own names its own option.
    const model = await expectError(EmotionDetector.create({ ...base, model: '/nowhere/model.onnx' }), 'asset-fetch-failed', /\/nowhere\/model\.json/);
    expect(model.message).to.match(/model option \(attribute model-src/).and.not.match(/assetsBase/);
  });

  it('a <meta name="emotion-detector-assets"> is the default assetsBase', async () => {
    const meta = Object.assign(document.createElement('meta'), { name: 'emotion-detector-assets', content: ASSETS });
    document.head.append(meta);
    try {
      const d = await EmotionDetector.create({ backend: 'wasm', numThreads: 1, parallel: false });
      try {
        const { faces } = await d.detect(await loadImage(photo(1)));
        expect(faces.length).to.equal(3);
      } finally {
        await d.dispose();
      }
    } finally {
      meta.remove();
    }
  });

  it("a card that does not match the ONNX model: 'model-card-mismatch'", async () => {
    await expectError(EmotionDetector.create({ ...base, model: `${FIX}/mismatch.onnx` }), 'model-card-mismatch', /input "input".*has x/);
  });

  it("webgpu forced where no adapter exists: 'backend-unavailable'", async () => {
    const gpu = Object.getOwnPropertyDescriptor(Navigator.prototype, 'gpu');
    // Hide WebGPU the way a browser without it looks (the property is absent).
    Object.defineProperty(Navigator.prototype, 'gpu', { configurable: true, get: () => undefined });
    try {
      await expectError(EmotionDetector.create({ ...base, model: MODEL, backend: 'webgpu' }), 'backend-unavailable', /WebGPU/);
    } finally {
      if (gpu) Object.defineProperty(Navigator.prototype, 'gpu', gpu);
    }
  });

  it("a cross-origin frame without CORS: 'tainted-source'", async () => {
    const other = new URL(location.href);
    other.hostname = other.hostname === 'localhost' ? '127.0.0.1' : 'localhost';
    const url = `${other.origin}${photo(2)}?corp=cross-origin`;
    const img = await loadImage(url);
    await expectError(detector.detect(img), 'tainted-source', /cross-origin/);
    const canvas = document.createElement('canvas');
    canvas.getContext('2d')!.drawImage(img, 0, 0);
    await expectError(detector.detect(canvas), 'tainted-source');
    // A readable frame right after still works (the taint does not stick to the detector).
    const ok = await detector.detect(await loadImage(photo(2)));
    expect(ok.faces.length).to.be.greaterThan(0);
  });

  it("anything that is not a frame: 'unsupported-source'", async () => {
    for (const bad of [{}, null, 'frame.jpg', document.createElement('div'), new Uint8Array(16)]) {
      await expectError(detector.detect(bad as unknown as HTMLCanvasElement), 'unsupported-source', /video, image, canvas/);
    }
  });

  it("use after dispose(): 'disposed'", async () => {
    const d = await EmotionDetector.create({ ...base, model: MODEL });
    const img = await loadImage(photo(3));
    const pending = d.detect(img);
    await d.dispose();
    // A frame queued before dispose() still completes; the next one is refused.
    expect((await pending).faces.length).to.be.greaterThan(0);
    await expectError(d.detect(img), 'disposed');
    await d.dispose();
  });

  it("an AbortSignal stops create(): 'aborted', before or during loading", async () => {
    const ctrl = new AbortController();
    ctrl.abort();
    await expectError(EmotionDetector.create({ ...base, model: MODEL, signal: ctrl.signal }), 'aborted');
    await clearAssetCache();
    const during = new AbortController();
    const t0 = performance.now();
    const p = EmotionDetector.create({
      ...base,
      model: MODEL,
      signal: during.signal,
      onProgress: (e) => e.loaded > 0 && during.abort(),
    });
    await expectError(p, 'aborted');
    expect(performance.now() - t0).to.be.lessThan(10_000);
  });

  it('reports download progress with growing byte counts', async () => {
    await clearAssetCache();
    const events: LoadProgress[] = [];
    const d = await EmotionDetector.create({ ...base, model: MODEL, onProgress: (e) => events.push(e) });
    await d.dispose();
    const assets = new Set(events.map((e) => e.asset));
    for (const a of ['model-card', 'emotion-model', 'face-model', 'face-verifier', 'ort-wasm', 'mediapipe-wasm']) expect([...assets]).to.include(a);
    for (const a of assets) {
      const mine = events.filter((e) => e.asset === a);
      for (let i = 1; i < mine.length; i++) expect(mine[i]!.loaded).to.be.at.least(mine[i - 1]!.loaded);
      const last = mine[mine.length - 1]!;
      expect(last.loaded, a).to.be.greaterThan(0);
      expect(last.loaded, a).to.equal(last.total);
    }
    const wasm = events.filter((e) => e.asset === 'ort-wasm');
    expect(wasm.length, 'a 14 MB file arrives in several chunks').to.be.greaterThan(2);
    for (let i = 1; i < events.length; i++) expect(events[i]!.fraction).to.be.at.least(events[i - 1]!.fraction);
    expect(events[events.length - 1]!.fraction).to.equal(1);
    // MediaPipe's WASM goes through our loader: its real size, in chunks, and counted in the fraction.
    const mp = events.filter((e) => e.asset === 'mediapipe-wasm');
    const mpSize = await byteSize(MEDIAPIPE_WASM);
    expect(mpSize, 'the file is the 11 MB binary').to.be.greaterThan(5_000_000);
    for (const e of mp) expect(e.url).to.equal(MEDIAPIPE_WASM);
    expect(mp[0]!.total, 'total known from the first event').to.equal(mpSize);
    expect(mp[mp.length - 1]!.loaded).to.equal(mpSize);
    expect(mp.length, 'an 11 MB file arrives in several chunks').to.be.greaterThan(2);
    const from = events.indexOf(mp[0]!);
    const until = events.indexOf(mp[mp.length - 1]!);

    for (const e of events.slice(from, until)) expect(e.fraction, 'not done while MediaPipe\'s WASM is still loading').to.be.lessThan(1);
  });

  it('keeps the assets in the Cache API and starts from there the second time', async () => {
    await clearAssetCache();
    const first = await EmotionDetector.create({ ...base, model: MODEL });
    const cardFile = MODEL ? MODEL.replace(/\.onnx$/, '.json') : new URL(`models/emotion/${first.modelCard.name}.json`, new URL(ASSETS, location.href)).href;
    await first.dispose();
    const cache = await caches.open(CACHE_NAME);
    const keys = (await cache.keys()).map((r) => r.url);
    for (const part of ['.onnx', '.tflite', 'ort-wasm-simd-threaded.wasm', '.json']) expect(keys.some((k) => k.endsWith(part)), part).to.equal(true);
    expect(keys, 'MediaPipe WASM cached').to.include(MEDIAPIPE_WASM);
    const mp = new Uint8Array(await (await cache.match(MEDIAPIPE_WASM))!.arrayBuffer());
    expect(mp.byteLength).to.equal(await byteSize(MEDIAPIPE_WASM));
    expect([...mp.subarray(0, 4)], 'WASM magic').to.deep.equal([0x00, 0x61, 0x73, 0x6d]);
    // Mark the cached card: if the second start reads the cache, it sees the mark.
    const cardUrl = new URL(cardFile, location.href).href;
    const cached = (await cache.match(cardUrl))!;
    const card = await cached.json();
    // (Without its SHA-256, which the edit no longer matches: an entry without one is still used.)
    const headers = new Headers(cached.headers);
    headers.delete('x-emotion-detector-sha256');
    await cache.put(cardUrl, new Response(JSON.stringify({ ...card, name: 'from-the-cache' }), { headers }));
    const second = await EmotionDetector.create({ ...base, model: MODEL });
    expect(second.modelCard.name).to.equal('from-the-cache');
    await second.dispose();
  });

  it('starts offline from the cache when the server cannot be reached', async () => {
    const cache = await caches.open(CACHE_NAME);
    const here = new URL(ASSETS, location.href);
    // A model "hosted" on a port where nothing listens, known only to the cache.
    const offline = 'http://127.0.0.1:9/offline/model';
    const cardUrl = MODEL ? new URL(MODEL.replace(/\.onnx$/, '.json'), location.href) : new URL('models/emotion/index.json', here);
    const card = MODEL ? await (await fetch(cardUrl)).json() : await (await fetch(new URL((await (await fetch(cardUrl)).json()).default, cardUrl))).json();
    const onnx = await (await fetch(MODEL ?? new URL(`models/emotion/${card.file}`, here))).arrayBuffer();
    await cache.put(`${offline}.json`, new Response(JSON.stringify(card)));
    await cache.put(`${offline}.onnx`, new Response(onnx));
    const d = await EmotionDetector.create({ ...base, model: `${offline}.onnx` });
    const r = await d.detect(await loadImage(photo(5)));
    expect(r.faces.length).to.be.greaterThan(0);
    await d.dispose();
    await cache.delete(`${offline}.json`);
    await cache.delete(`${offline}.onnx`);
  });

  it("starts with its files' server unreachable: every file it downloads, MediaPipe's WASM included, comes from the cache", async () => {
    await clearAssetCache();
    const first = await EmotionDetector.create({ ...base, model: MODEL });
    await first.dispose();
    const mpSize = await byteSize(MEDIAPIPE_WASM);
    const mpPath = new URL(MEDIAPIPE_WASM).pathname;
    const assets = new URL(ASSETS, location.href).pathname;
    // All but the scripts the browser itself loads, which our cache does not hold: MediaPipe's
    // loader (script tag / importScripts) and the worker script.
    const offline = () => unreachable([assets], [new URL(MEDIAPIPE_LOADER).pathname, `${assets}worker.js`]);
    // Nothing left in the browser's HTTP cache: only the engine's Cache API copy can serve the WASM.
    await executeServerCommand('clear-http-cache');
    await offline();
    try {
      let refused = false;
      await fetch(MEDIAPIPE_WASM, { cache: 'no-store' }).catch(() => (refused = true));
      expect(refused, 'the server cannot be reached').to.equal(true);
      for (const worker of [false, true]) {
        await offline();
        const where = worker ? 'worker' : 'main thread';
        const events: LoadProgress[] = [];
        const d = await EmotionDetector.create({ ...base, model: MODEL, worker, onProgress: (e) => events.push(e) });
        const r = await d.detect(await loadImage(photo(5)));
        await d.dispose();
        expect(r.faces.length, where).to.be.greaterThan(0);
        const mp = events.filter((e) => e.asset === 'mediapipe-wasm');
        expect(mp.map((e) => [e.loaded, e.total]), 'MediaPipe WASM from the cache, at once').to.deep.equal([[mpSize, mpSize]]);
        // The engine asked the server (its freshness check) and, refused, used its copy: no GET of
        // the file, from the page or from the worker (MediaPipe got the bytes as a blob: URL).
        const tried = await offline();
        expect(tried, where).to.include(`HEAD ${mpPath}`);
        expect(tried, where).not.to.include(`GET ${mpPath}`);
      }
    } finally {
      await unreachable([]);
    }
  });

  it("a CSP that refuses blob: fetches: MediaPipe gets its WASM from the server instead, and works", async () => {
    const assets = await loadAssets({ assetsBase: ASSETS, model: MODEL }, 'wasm');
    const init = pipelineInit(assets);
    await executeServerCommand('clear-http-cache');
    await executeServerCommand('requests');
    // The worker runs under its script's CSP: default-src 'self' (no blob:).
    const host = await WorkerHost.create(init, `${assets.workerUrl}?csp=no-blob`);
    try {
      const img = await loadImage(photo(5));
      const r = await host.process(img, 0);
      expect(r.faces.length).to.be.greaterThan(0);
    } finally {
      await host.close();
    }
    const seen = await executeServerCommand<string[], undefined>('requests');
    expect(seen, 'the worker ran under the CSP').to.include(`GET ${new URL(assets.workerUrl).pathname}`);
    expect(seen, 'MediaPipe fetched the file itself').to.include(`GET ${new URL(MEDIAPIPE_WASM).pathname}`);
  });
});
