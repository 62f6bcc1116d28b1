// The worker engine (dist/assets/worker.js, built by `npm run build`): same results as the main
// thread, frames sent as ImageBitmaps, errors rebuilt as EmotionDetectorError, a dead or silent
// worker reported as 'worker-failed'.
import { expect } from '@open-wc/testing';
import { EmotionDetector } from '../src/index.js';
import { WorkerHost } from '../src/host/worker-host.js';
import { loadAssets } from '../src/assets/load.js';
import { ASSETS, MODEL, expectError, loadImage, maxDiff, pairFaces, photo, pipelineInit } from './support/engine.js';

describe('EmotionDetector in a worker', () => {
  let inWorker: EmotionDetector;
  let onMain: EmotionDetector;

  before(async () => {
    const options = { assetsBase: ASSETS, model: MODEL, backend: 'wasm' as const, numThreads: 2, smoothing: 0 };
    inWorker = await EmotionDetector.create({ ...options, worker: true });
    onMain = await EmotionDetector.create(options);
  });
  after(async () => {
    await inWorker?.dispose();
    await onMain?.dispose();
  });

  it('gives the same faces and scores as the main thread', async () => {
    expect(inWorker.backend).to.equal('wasm');
    expect(inWorker.modelCard).to.deep.equal(onMain.modelCard);
    for (const n of [1, 5]) {
      const img = await loadImage(photo(n));
      const a = await inWorker.detect(img, 0);
      // The worker receives the <img> as an ImageBitmap; MediaPipe reads a bitmap a little
      // differently from an <img>, so the main thread gets the same bitmap to compare like with like.
      const same = await createImageBitmap(img);
      const b = await onMain.detect(same, 0);
      same.close();
      expect([a.width, a.height]).to.deep.equal([b.width, b.height]);
      expect(a.faces.length, `sample${n}`).to.equal(b.faces.length);
      expect(a.faces.length).to.be.greaterThan(2);
      for (const [x, y] of pairFaces(a.faces, b.faces)) {
        expect(Math.abs(x.box.x - y.box.x) + Math.abs(x.box.width - y.box.width)).to.be.lessThan(0.5);
        expect(maxDiff(x.rawEmotions, y.rawEmotions)).to.be.lessThan(1e-4);
      }
    }
  });

  it('agrees exactly on a frame both read from the same pixels (ImageBitmap)', async () => {
    const img = await loadImage(photo(3));
    const bitmap = await createImageBitmap(img);
    const a = await inWorker.detect(bitmap, 10);
    const b = await onMain.detect(bitmap, 10);
    expect(a.faces.length).to.equal(b.faces.length);
    for (const [x, y] of pairFaces(a.faces, b.faces)) {
      expect(Math.abs(x.box.x - y.box.x) + Math.abs(x.box.y - y.box.y)).to.be.lessThan(0.5);
      expect(maxDiff(x.rawEmotions, y.rawEmotions)).to.be.lessThan(1e-5);
    }
    // ImageData and VideoFrame go to the worker as bitmaps too; each as a still here, like the
    // bitmap (a VideoFrame is a video's by default, whose faces are not mirror-averaged).
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const ctx = canvas.getContext('2d')!;
    ctx.drawImage(bitmap, 0, 0);
    const frame = new VideoFrame(canvas, { timestamp: 0 });
    for (const source of [ctx.getImageData(0, 0, canvas.width, canvas.height), frame]) {
      const c = await inWorker.detect(source as unknown as HTMLCanvasElement, 0, { video: false });
      expect(c.faces.length).to.equal(b.faces.length);
      expect([c.width, c.height]).to.deep.equal([b.width, b.height]);
      for (const [x, y] of pairFaces(c.faces, b.faces)) expect(maxDiff(x.rawEmotions, y.rawEmotions)).to.be.lessThan(1e-4);
    }
    frame.close();
    bitmap.close();
  });

  it('checks sources on the main thread', async () => {
    await expectError(inWorker.detect({} as HTMLCanvasElement), 'unsupported-source');
    const empty = await inWorker.detect(document.createElement('video'), 3);
    expect(empty).to.deep.include({ faces: [], width: 0, height: 0, timestamp: 3 });
    const r = await inWorker.detect(await loadImage(photo(2)), 20);
    expect(r.faces.length).to.be.greaterThan(0);
  });

  it('rebuilds errors raised in the worker: their class, code and message', async () => {
    // The card names an input the ONNX file lacks. Only the worker opens the model (the main
    // thread downloads it and checks its magic bytes), so the error is raised there and crosses
    // back as a message.
    const e = await expectError(
      EmotionDetector.create({ assetsBase: ASSETS, model: '/packages/core/test/fixtures/mismatch.onnx', backend: 'wasm', worker: true }),
      'model-card-mismatch',
      /Model card "[^"]+" does not match .*mismatch\.onnx: the card's input "input" is not an input of the model \(it has x\)/,
    );
    expect(e.name).to.equal('EmotionDetectorError');
    expect(e.toJSON().code).to.equal('model-card-mismatch');
  });

  it("a worker script that cannot run: 'worker-failed', not a hang", async () => {
    const assets = await loadAssets({ assetsBase: ASSETS, model: MODEL }, 'wasm');
    const init = pipelineInit(assets);
    await expectError(WorkerHost.create(init, '/packages/core/test/fixtures/no-such-worker.js'), 'worker-failed');
  });

  it("a worker that never answers: 'worker-failed' after the timeout", async () => {
    const assets = await loadAssets({ assetsBase: ASSETS, model: MODEL }, 'wasm');
    const init = pipelineInit(assets);
    const t0 = performance.now();
    await expectError(WorkerHost.create(init, '/packages/core/test/fixtures/silent-worker.js', 1_000), 'worker-failed', /did not answer "init"/);
    expect(performance.now() - t0).to.be.within(900, 5_000);
  });

  it("use after dispose(): 'disposed'", async () => {
    const d = await EmotionDetector.create({ assetsBase: ASSETS, model: MODEL, backend: 'wasm', worker: true });
    await d.dispose();
    await expectError(d.detect(await loadImage(photo(1))), 'disposed');
  });
});
