// A WebGPU device lost mid-stream (`device.destroy()` on the test Chromium's SwiftShader adapter):
// the classifier moves to WASM (the detector then reports backend 'wasm', the faces are classified
// as before, one console warning), or, when WASM cannot start either, every detect() rejects with
// 'backend-unavailable'; dispose() resolves either way. On the main thread the device is ONNX
// Runtime's (`ort.env.webgpu.device`); with `worker` and `parallel` the model runs on WebGPU in the
// engine's worker, started here through fixtures/gpu-loss-worker.js, which records the worker's
// devices and destroys them on request.
import { expect } from '@open-wc/testing';
import * as ort from 'onnxruntime-web/webgpu';
import { EmotionDetector, type DetectionResult } from '../src/index.js';
import { ASSETS, MODEL, expectError, loadImage, maxDiff, pairFaces, photo } from './support/engine.js';

/** SwiftShader's WebGPU is slow: generous bounds on a busy 2-core machine. */
const base = { assetsBase: ASSETS, model: MODEL, backend: 'webgpu' as const, numThreads: 2, detectTimeoutMs: 120_000 };
/** WebGPU's float kernels and WASM's integer ones differ a little on the int8 default (see backend.test.ts). */
const TOLERANCE = 0.02;
const LOST = /WebGPU device was lost/;

/** Destroys ONNX Runtime's WebGPU device on this thread (lib.dom has no WebGPU types). */
async function destroyOrtDevice(): Promise<void> {
  const device = (await ort.env.webgpu.device) as { destroy(): void };
  device.destroy();
}

/**
 * Runs `run` with every engine worker started through fixtures/gpu-loss-worker.js; `lose()`
 * destroys the WebGPU devices of those workers and answers how many there were.
 */
async function withGpuLossWorkers<T>(run: (lose: () => Promise<number>) => Promise<T>): Promise<T> {
  const Native = window.Worker;
  const started: Worker[] = [];
  window.Worker = class extends Native {
    constructor(url: string | URL, options?: WorkerOptions) {
      const href = new URL(url, location.href).href;
      super(href.endsWith('/worker.js') ? `/packages/core/test/fixtures/gpu-loss-worker.js?script=${encodeURIComponent(href)}` : url, options);
      started.push(this);
    }
  };
  const lose = async () => {
    const counts = await Promise.all(
      started.map(
        (w) =>
          new Promise<number>((resolve) => {
            const onMessage = (e: MessageEvent) => {
              if (typeof e.data?.gpuDevicesLost !== 'number') return;
              w.removeEventListener('message', onMessage);
              resolve(e.data.gpuDevicesLost as number);
            };
            w.addEventListener('message', onMessage);
            w.postMessage({ loseGpuDevices: true });
            setTimeout(() => resolve(0), 10_000); // a worker already ended
          }),
      ),
    );
    return counts.reduce((a, b) => a + b, 0);
  };
  try {
    return await run(lose);
  } finally {
    window.Worker = Native;
  }
}

/** Collects console.warn calls while `run` runs. */
async function watchWarnings<T>(run: (warnings: string[]) => Promise<T>): Promise<T> {
  const warnings: string[] = [];
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    warnings.push(args.map(String).join(' '));
    warn.apply(console, args);
  };
  try {
    return await run(warnings);
  } finally {
    console.warn = warn;
  }
}

/** The same faces with about the same scores. */
function expectSameFaces(after: DetectionResult, before: DetectionResult): void {
  expect(after.faces.length).to.equal(before.faces.length);
  for (const [a, b] of pairFaces(after.faces, before.faces)) expect(maxDiff(a.rawEmotions, b.rawEmotions)).to.be.lessThan(TOLERANCE);
}

describe('a WebGPU device lost mid-stream', function (this: Mocha.Suite) {
  this.timeout(400_000);

  it('main thread: the classifier falls back to WASM (backend wasm, one warning, same faces); dispose() resolves', async () => {
    await watchWarnings(async (warnings) => {
      const d = await EmotionDetector.create({ ...base, parallel: false });
      expect(d.backend).to.equal('webgpu');
      const img = await loadImage(photo(6));
      const before = await d.detect(img);
      expect(before.faces.length).to.be.greaterThan(2);
      // Mid-stream: frames of a video before and after.
      await d.detect(img, 1_000, { stream: 'call' });
      await destroyOrtDevice();
      const next = await d.detect(img, 1_100, { stream: 'call' });
      expect(d.backend, 'reported after the loss').to.equal('wasm');
      expect(next.faces.length).to.equal(before.faces.length);
      expectSameFaces(await d.detect(img), before);
      expectSameFaces(await d.detect(img), before);
      expect(warnings.filter((w) => LOST.test(w)), warnings.join('\n')).to.have.length(1);
      await d.dispose();
    });
  });

  it("main thread: when WASM cannot start either, detect() rejects 'backend-unavailable'; dispose() resolves", async () => {
    const d = await EmotionDetector.create({ ...base, parallel: false });
    expect(d.backend).to.equal('webgpu');
    const img = await loadImage(photo(6));
    expect((await d.detect(img)).faces.length).to.be.greaterThan(2);
    // Every new session fails from now on (as a runtime out of memory would).
    const sessions = ort.InferenceSession as unknown as { create: (...a: unknown[]) => Promise<unknown> };
    const create = sessions.create;
    sessions.create = () => Promise.reject(new Error('no memory for a new session'));
    try {
      await destroyOrtDevice();
      await expectError(d.detect(img), 'backend-unavailable', /device was lost.*WASM would not start/);
      await expectError(d.detect(img), 'backend-unavailable');
    } finally {
      sessions.create = create;
    }
    await d.dispose();
  });

  for (const [name, mode] of [
    ['worker', { worker: true }],
    ['parallel', { parallel: true }],
  ] as const) {
    it(`${name}: the model, on WebGPU in the engine's worker, falls back to WASM there; dispose() resolves`, async () => {
      await withGpuLossWorkers(async (lose) => {
        // One thread: ONNX Runtime starts no thread workers of its own (module workers from the
        // worker's own URL, which the classic fixture script in front of it cannot be).
        const d = await EmotionDetector.create({ ...base, ...mode, numThreads: 1 });
        expect(d.backend).to.equal('webgpu');
        if (name === 'parallel') expect(d.parallel).to.equal(true);
        const img = await loadImage(photo(6));
        const before = await d.detect(img);
        expect(before.faces.length).to.be.greaterThan(2);
        expect(await lose(), 'devices destroyed in the worker').to.be.greaterThan(0);
        expectSameFaces(await d.detect(img), before);
        expect(d.backend, 'reported after the loss').to.equal('wasm');
        expectSameFaces(await d.detect(img), before);
        await d.dispose();
      });
    });
  }
});
