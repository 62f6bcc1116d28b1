// The offline cache serves when the network misbehaves: with a warm cache, create() succeeds when
// the assets' server answers 503, serves a captive portal's HTML page, refuses HEAD or is gone; a
// corrupt cached entry is dropped and downloaded again (a typed error only when that fails too);
// without storage quota the engine starts uncached.
import { expect } from '@open-wc/testing';
import { executeServerCommand } from '@web/test-runner-commands';
import { EmotionDetector } from '../src/index.js';
import { CACHE_NAME } from '../src/assets/fetch-asset.js';
import { ASSETS, MODEL, clearAssetCache, expectError, loadImage, photo } from './support/engine.js';

const base = { assetsBase: ASSETS, model: MODEL, backend: 'wasm' as const, numThreads: 2, parallel: false };
const assetsPath = new URL(ASSETS, location.href).pathname;
const url = (path: string) => new URL(`${ASSETS}${path}`, location.href).href;
const MEDIAPIPE_WASM = url('mediapipe/vision_wasm_internal.wasm');
const ORT_WASM = url('ort/ort-wasm-simd-threaded.wasm');
/** Files the browser loads itself (script tag, worker script), which the engine's cache does not hold. */
const BROWSER_LOADED = [new URL(url('mediapipe/vision_wasm_internal.js')).pathname, `${assetsPath}worker.js`];

type Answer = 'status-503' | 'html' | 'no-head';
const misbehave = (answer: Answer | '', under: string[] = answer ? [assetsPath] : []) =>
  executeServerCommand<string[], { under: string[]; allow: string[]; answer: string }>('misbehave', { under, allow: BROWSER_LOADED, answer });
const unreachable = (block: string[]) => executeServerCommand<string[], { block: string[]; allow: string[] }>('unreachable', { block, allow: BROWSER_LOADED });
const requests = () => executeServerCommand<string[], undefined>('requests');

/** create() and one detect() on a photo: the faces found. */
async function startAndDetect(): Promise<number> {
  const d = await EmotionDetector.create(base);
  try {
    return (await d.detect(await loadImage(photo(5)))).faces.length;
  } finally {
    await d.dispose();
  }
}

async function warmCache(): Promise<void> {
  await clearAssetCache();
  expect(await startAndDetect()).to.be.greaterThan(0);
  const keys = (await (await caches.open(CACHE_NAME)).keys()).map((r) => r.url);
  expect(keys).to.include.members([MEDIAPIPE_WASM, ORT_WASM]);
}

describe('asset cache under a misbehaving network', () => {
  before(warmCache);
  afterEach(async () => {
    await misbehave('');
    await unreachable([]);
  });

  for (const answer of ['status-503', 'html', 'no-head'] as const) {
    it(`starts from a warm cache when the server answers ${answer}`, async () => {
      await executeServerCommand('clear-http-cache');
      await misbehave(answer);
      await requests();
      expect(await startAndDetect(), answer).to.be.greaterThan(0);
      const bad = await misbehave('');
      const seen = await requests();
      const mpPath = new URL(MEDIAPIPE_WASM).pathname;
      // The engine asked (its freshness check) and got the bad answer ...
      expect(bad, answer).to.include(`HEAD ${mpPath}`);
      // ... and, for a HEAD it could not use, did not download the file again.
      if (answer !== 'html') expect(seen, answer).not.to.include(`GET ${mpPath}`);
    });
  }

  it('starts from a warm cache when the server is gone', async () => {
    await executeServerCommand('clear-http-cache');
    await unreachable([assetsPath]);
    expect(await startAndDetect()).to.be.greaterThan(0);
    expect(await unreachable([])).to.include(`HEAD ${new URL(ORT_WASM).pathname}`);
  });

  it('a corrupt cached entry is dropped and downloaded again; a typed error only when that fails', async () => {
    const cache = await caches.open(CACHE_NAME);
    const corrupt = async (file: string) => {
      const good = (await cache.match(file))!;
      const bytes = new Uint8Array(await good.clone().arrayBuffer());
      // Truncated: still starts like the file (the magic bytes), the rest is missing.
      await cache.put(file, new Response(bytes.slice(0, bytes.byteLength >> 1), { headers: good.headers }));
      return bytes.byteLength;
    };
    const size = await corrupt(ORT_WASM);
    await corrupt(MEDIAPIPE_WASM);
    expect(await startAndDetect()).to.be.greaterThan(0);
    expect((await (await cache.match(ORT_WASM))!.arrayBuffer()).byteLength, 'the good copy cached again').to.equal(size);

    await corrupt(ORT_WASM);
    await unreachable([assetsPath]);
    await expectError(EmotionDetector.create(base), 'asset-fetch-failed', /ort-wasm-simd-threaded\.wasm/);
    expect(await cache.match(ORT_WASM), 'the corrupt copy is gone').to.equal(undefined);
  });

  it('starts without storage: no quota left, or no Cache API at all (uncached)', async () => {
    await clearAssetCache();
    // What a full disk or a storage-less context does to the Cache API (Chromium's DevTools quota
    // override does not reach the Cache API headless): every put refused, or caches.open refused.
    const put = Cache.prototype.put;
    const open = CacheStorage.prototype.open;
    Cache.prototype.put = () => Promise.reject(new DOMException('The quota has been exceeded.', 'QuotaExceededError'));
    try {
      expect(await startAndDetect(), 'no quota').to.be.greaterThan(0);
      CacheStorage.prototype.open = () => Promise.reject(new DOMException('Storage is disabled.', 'SecurityError'));
      expect(await startAndDetect(), 'no Cache API').to.be.greaterThan(0);
    } finally {
      Cache.prototype.put = put;
      CacheStorage.prototype.open = open;
    }
    expect((await (await caches.open(CACHE_NAME)).keys()).length, 'nothing was stored').to.equal(0);
    await warmCache();
  });
});
