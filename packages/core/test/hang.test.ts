// No hang, no pile-up: every detect() settles within a bound on the main thread, with `worker` and
// with `parallel`; a hung runtime rejects it with 'timeout', later calls reject with 'timeout' at
// once, dispose() still resolves and create() gives a working detector. Callers sending frames
// faster than they are analysed: per stream, the latest frame wins ('superseded').
import { expect } from '@open-wc/testing';
import { executeServerCommand } from '@web/test-runner-commands';
import * as ort from 'onnxruntime-web/wasm';
import { EmotionDetector, EmotionDetectorError } from '../src/index.js';
import { DETECT_TIMEOUT_MS } from '../src/channel/channel.js';
import { ASSETS, MODEL, expectError, loadImage, photo } from './support/engine.js';

const base = { assetsBase: ASSETS, model: MODEL, backend: 'wasm' as const, numThreads: 2 };
/** The bound under test on the main thread, the default: a frame takes well under a second, a few on a busy shared machine. */
const BOUND_MS = 15_000;
/**
 * With a worker, a bound above the worker channels' own default limit (DETECT_TIMEOUT_MS, 20 s):
 * the channels wait for detectTimeoutMs and a margin, so the caller still gets 'timeout' at its
 * own bound, not 'worker-failed' from a channel that gave up first.
 */
const WORKER_BOUND_MS = 25_000;

/** The code a settled call ended with ('ok' when it resolved). */
const code = (r: { error: unknown }) => (r.error instanceof EmotionDetectorError ? r.error.code : r.error ? String(r.error) : 'ok');

/** Settles `p` as { value } or { error }. */
const settle = <T>(p: Promise<T>) => p.then((value) => ({ value, error: undefined }), (error: unknown) => ({ value: undefined, error }));

async function expectRecovered(mode: object): Promise<void> {
  const d = await EmotionDetector.create({ ...base, ...mode });
  try {
    expect((await d.detect(await loadImage(photo(2)))).faces.length, 'a new detector works').to.be.greaterThan(0);
  } finally {
    await d.dispose();
  }
}

/** A stuck runtime under `d`: the hung frame rejects 'timeout' within the bound, then every call at once; dispose() resolves. */
async function expectBounded(d: EmotionDetector, img: HTMLImageElement, bound = BOUND_MS): Promise<void> {
  const t0 = performance.now();
  await expectError(d.detect(img, 1_000), 'timeout', new RegExp(`did not finish within ${bound / 1000} s`));
  const waited = performance.now() - t0;
  expect(waited, 'rejected at the bound, not before').to.be.at.least(bound - 100);
  const t1 = performance.now();
  await expectError(d.detect(img, 2_000), 'timeout', /stuck/);
  expect(performance.now() - t1, 'later calls reject at once').to.be.lessThan(1_000);
  await expectError(d.setOptions({ maxFaces: 2 }), 'timeout');
  await d.dispose();
  await expectError(d.detect(img), 'disposed');
}

describe('detect() under a hung runtime', () => {
  it("main thread: a hung inference rejects 'timeout'; dispose() resolves; create() works again", async () => {
    const d = await EmotionDetector.create({ ...base, parallel: false, detectTimeoutMs: BOUND_MS });
    const img = await loadImage(photo(2));
    expect((await d.detect(img, 0)).faces.length).to.be.greaterThan(0);
    // ONNX Runtime's session.run never returning, as with a lost GPU device.
    const session = (ort.InferenceSession as unknown as { prototype: { run: () => Promise<unknown> } }).prototype;
    const run = session.run;
    session.run = () => new Promise(() => undefined);
    try {
      await expectBounded(d, img);
    } finally {
      session.run = run;
    }
    await expectRecovered({ parallel: false });
  });

  for (const [name, mode] of [
    ['worker', { worker: true }],
    ['parallel', { parallel: true }],
  ] as const) {
    it(`${name}: a worker that stops answering rejects 'timeout' at detectTimeoutMs, also above the channel's default limit; dispose() resolves; create() works again`, async () => {
      expect(WORKER_BOUND_MS, 'the bound under test is above the channel default').to.be.greaterThan(DETECT_TIMEOUT_MS);
      const d = await EmotionDetector.create({ ...base, ...mode, detectTimeoutMs: WORKER_BOUND_MS });
      const img = await loadImage(photo(2));
      expect((await d.detect(img, 0)).faces.length).to.be.greaterThan(0);
      expect(await executeServerCommand<number, { url: string }>('pause-workers', { url: 'worker.js' }), 'workers paused').to.be.greaterThan(0);
      await expectBounded(d, img, WORKER_BOUND_MS);
      await expectRecovered(mode);
    });
  }
});

describe('detect() faster than frames are analysed', () => {
  let d: EmotionDetector;
  before(async () => {
    d = await EmotionDetector.create({ ...base, parallel: false });
  });
  after(() => d.dispose());

  it("video: per stream, the latest frame wins: a waiting frame superseded by a newer one rejects 'superseded'", async () => {
    const img = await loadImage(photo(2));
    const video = { video: true };
    // A burst while idle: only the last frame of the stream is analysed.
    const burst = await Promise.all([0, 10, 20].map((t) => settle(d.detect(img, t, video))));
    expect(burst.map(code)).to.deep.equal(['superseded', 'superseded', 'ok']);
    // While a frame runs, four more of stream '' and one of 'b': the running one finishes, '' frames
    // 2-4 are each replaced by the next while they wait, the fifth and b's run.
    const running = settle(d.detect(img, 100, video));
    await new Promise((r) => setTimeout(r, 0));
    const calls = [110, 120, 130, 140].map((t) => settle(d.detect(img, t, video)));
    const other = settle(d.detect(img, 105, { stream: 'b' }));
    const results = await Promise.all([running, ...calls]);
    expect(results.map(code)).to.deep.equal(['ok', 'superseded', 'superseded', 'superseded', 'ok']);
    expect(results[4]!.value!.timestamp).to.equal(140);
    expect((await other).error, 'another stream keeps its place').to.equal(undefined);
    expect((await other).value!.faces.length).to.be.greaterThan(0);
  });

  it('stills are never skipped: a burst of un-awaited photos is analysed in full, in call order', async () => {
    const photos = await Promise.all([1, 2, 3, 2].map((n) => loadImage(photo(n))));
    const alone = [];
    for (const p of photos) alone.push((await d.detect(p)).faces.length);
    const burst = await Promise.all(photos.map((p) => settle(d.detect(p))));
    expect(burst.map(code)).to.deep.equal(['ok', 'ok', 'ok', 'ok']);
    expect(burst.map((r) => r.value!.faces.length), 'each photo as when sent alone').to.deep.equal(alone);
  });
});
