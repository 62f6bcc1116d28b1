// Lifecycle at scale: create()/dispose() cycles in each mode (main thread, `worker`, `parallel`)
// on a cross-origin isolated page and on one that is not, in headless Chromium with the built
// engine (packages/core/dist). Each cycle creates a detector, finds faces on a photo and disposes
// of it. After each dispose() no worker of the engine is left; the page never warns of too many
// WebGL contexts; the page's JS heap after the last cycle (forced GC) is within 50 MB of cycle 5's;
// after the first cycle no asset is downloaded again (the engine's cache revalidates with a HEAD,
// the browser's HTTP cache with a conditional GET, and the server answers 304). 20 cycles per mode
// and page (LIFECYCLE_CYCLES=N to change it; `npm run soak -- --cycles 100` runs 100).
//
// On the main thread of an isolated page, ONNX Runtime's WASM thread pool (numThreads - 1
// workers) belongs to the page's runtime, which lives as long as the page: it is started by the
// first detector and reused by every later one. There exactly that many workers stay.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EnginePage, TOO_MANY_CONTEXTS, launchBrowser, serveRepo, toMB } from '../../scripts/lib/engine-page.mjs';

const CYCLES = Number(process.env.LIFECYCLE_CYCLES ?? 20);
const HEAP_CYCLE = Math.min(5, CYCLES);
const HEAP_SLACK = 50 * 1024 * 1024;
const NUM_THREADS = 2;
const MODES = [
  { name: 'main thread', options: { parallel: false } },
  { name: 'worker', options: { worker: true } },
  { name: 'parallel', options: { parallel: true } },
];
/** The engine's big files: fetched by it (GET) once, then only checked (HEAD, or a 304). */
const ASSET = /\.(onnx|wasm|tflite)$/;

for (const isolate of [true, false]) {
  describe(`create()/dispose() x${CYCLES}, ${isolate ? '' : 'not '}cross-origin isolated`, { timeout: 60 * 60_000 }, () => {
    let server;
    let browser;
    /** Every answer of the server: { method, path, status }. */
    let responses = [];
    before(async () => {
      server = await serveRepo({ isolate, onResponse: (r) => responses.push(r) });
      browser = await launchBrowser();
    });
    after(async () => {
      await browser?.close();
      await server?.close();
    });

    for (const { name, options } of MODES) {
      it(name, async (t) => {
        // A page of its own: what one mode's runtimes leave in a page must not count for another.
        const page = await EnginePage.open(browser, server.url);
        try {
          assert.equal(await page.call('isolated'), isolate);
          const inPage = !options.worker && !options.parallel;
          // What stays after dispose(): ONNX Runtime's pool on an isolated page's main thread (see above), else nothing.
          const left = inPage && isolate ? NUM_THREADS - 1 : 0;
          let heapAt;
          const t0 = Date.now();
          for (let i = 1; i <= CYCLES; i++) {
            if (i === 2) responses = [];
            const faces = await page.call('create', { backend: 'wasm', numThreads: NUM_THREADS, ...options });
            assert.ok(faces > 0, `cycle ${i}: faces found`);
            if (!inPage) assert.ok((await page.workerTargets()).length > left, `cycle ${i}: the engine's worker runs`);
            await page.call('dispose');
            assert.equal(await page.waitForWorkers(left), left, `cycle ${i}: workers after dispose()`);
            if (i === HEAP_CYCLE || i === CYCLES) {
              const { page: used } = await page.heap();
              if (i === HEAP_CYCLE) heapAt = used;
              if (i === CYCLES) {
                t.diagnostic(`${CYCLES} cycles in ${Math.round((Date.now() - t0) / 1000)} s; heap after cycle ${HEAP_CYCLE} ${toMB(heapAt)} MB, after cycle ${i} ${toMB(used)} MB`);
                assert.ok(used - heapAt < HEAP_SLACK, `heap after cycle ${i}: ${toMB(used)} MB, after cycle ${HEAP_CYCLE}: ${toMB(heapAt)} MB`);
              }
            }
          }
          // A stable count, not one caught between a worker's end and the next one's start.
          await new Promise((r) => setTimeout(r, 1_000));
          assert.equal((await page.workerTargets()).length, left, 'workers a second after the last dispose()');
          const tooMany = page.warnings.filter((w) => TOO_MANY_CONTEXTS.test(w));
          assert.deepEqual(tooMany, [], 'no "too many WebGL contexts" warning');
          if (CYCLES > 1) {
            const downloads = responses.filter((r) => r.method === 'GET' && r.status === 200 && ASSET.test(r.path));
            assert.deepEqual(downloads, [], 'after the first cycle, no model or WASM file is downloaded again');
          }
        } finally {
          await page.close();
        }
      });
    }
  });
}
