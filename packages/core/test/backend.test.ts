// Backends: `auto` picks WASM on a software (SwiftShader) WebGPU adapter, threads follow
// cross-origin isolation, and WebGPU and WASM classify the same crops alike (1e-4; 5e-3 for int8). The test
// Chromium's WebGPU is SwiftShader: slow but a real WebGPU implementation.
import { expect } from '@open-wc/testing';
import { chooseBackend, isSoftwareAdapter } from '../src/classification/backend.js';
import { Classifier } from '../src/classification/classifier.js';
import { FaceBatcher } from '../src/classification/face-batch.js';
import { loadAssets } from '../src/assets/load.js';
import { EmotionDetector } from '../src/index.js';
import { MediaPipeFaceDetector } from '../src/detection/face-detector.js';
import { ASSETS, MODEL, loadImage, maxDiff, photo } from './support/engine.js';

describe('backends', () => {
  it('tells software adapters from real GPUs', () => {
    expect(isSoftwareAdapter({ info: { vendor: 'google', architecture: 'swiftshader' } })).to.equal(true);
    expect(isSoftwareAdapter({ isFallbackAdapter: true, info: { vendor: 'nvidia' } })).to.equal(true);
    expect(isSoftwareAdapter({ info: { vendor: 'intel', architecture: 'gen-12lp', isFallbackAdapter: false } })).to.equal(false);
    expect(isSoftwareAdapter({ info: { vendor: 'apple', architecture: 'common-3' } })).to.equal(false);
  });

  it("resolves 'auto' to WASM here (SwiftShader adapter), with min(4, cores) threads", async () => {
    const gpu = (navigator as unknown as { gpu?: { requestAdapter(): Promise<{ info: { architecture: string } } | null> } }).gpu;
    const adapter = await gpu?.requestAdapter();
    expect(adapter?.info.architecture, 'this test expects the SwiftShader adapter of headless Chromium').to.equal('swiftshader');
    const auto = await chooseBackend('auto');
    expect(auto.backend).to.equal('wasm');
    expect(crossOriginIsolated).to.equal(true);
    expect(auto.numThreads).to.equal(Math.min(4, navigator.hardwareConcurrency));
    expect((await chooseBackend('wasm', 3)).numThreads).to.equal(3);
    expect((await chooseBackend('webgpu')).backend).to.equal('webgpu');
  });

  it('WebGPU and WASM give the same probabilities on the same crops, for every shipped model', async function (this: Mocha.Context) {
    // Five models on SwiftShader's software WebGPU: minutes on a 2-core machine.
    this.timeout(600_000);
    const base = new URL('models/emotion/', new URL(ASSETS, location.href));
    const index = (await (await fetch(new URL('index.json', base))).json()) as { models: string[] };
    expect(index.models.length).to.be.greaterThan(1);
    const detector = await MediaPipeFaceDetector.create({ wasmBase: `${ASSETS}mediapipe`, model: `${ASSETS}models/face/face_detection_short_range.tflite`, minConfidence: 0.5, maxFaces: 8, smallFaces: true });
    const img = await loadImage(photo(5));
    const { faces } = detector.detect(img, img.naturalWidth, img.naturalHeight);
    detector.close();
    expect(faces.length).to.be.greaterThan(2);
    for (const cardFile of index.models) {
      const card = (await (await fetch(new URL(cardFile, base))).json()) as { file: string; quantization?: unknown };
      const model = new URL(card.file, base).href;
      // Float models agree to rounding. An int8 model's integer kernels (WASM) and its dequantised
      // float ones (WebGPU) differ more: its float stem conv rounds slightly differently in the two,
      // which moves a few activations across a quantisation step (measured up to 0.012 on these
      // faces; a wrong scale or zero point moves probabilities by tenths).
      const tolerance = card.quantization ? 0.02 : 1e-4;
      const wasm = await Classifier.create({ ...(await loadAssets({ assetsBase: ASSETS, model }, 'wasm')), backend: 'wasm', numThreads: 2 });
      const gpu = await Classifier.create({ ...(await loadAssets({ assetsBase: ASSETS, model }, 'webgpu')), backend: 'webgpu', numThreads: 2 });
      const batcher = new FaceBatcher(wasm.card);
      const input = batcher.prepare(img, batcher.cropsOf(faces));
      const a = await wasm.run(input.slice());
      const b = await gpu.run(input.slice());
      expect(a.length).to.equal(faces.length);
      for (let i = 0; i < a.length; i++) expect(maxDiff(a[i]!, b[i]!), `${card.file}, face ${i}`).to.be.lessThan(tolerance);
      await wasm.close();
      await gpu.close();
    }
  });

  it("runs the whole engine on a forced 'webgpu' backend", async () => {
    const d = await EmotionDetector.create({ assetsBase: ASSETS, model: MODEL, backend: 'webgpu' });
    expect(d.backend).to.equal('webgpu');
    const r = await d.detect(await loadImage(photo(6)));
    expect(r.faces.length).to.be.greaterThan(2);
    await d.dispose();
  });
});
