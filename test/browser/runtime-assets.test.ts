// The runtimes load from our own served build (packages/core/dist/assets), with no network.
import { expect } from '@open-wc/testing';
import * as ort from 'onnxruntime-web/wasm';
import { FilesetResolver } from '@mediapipe/tasks-vision';

const ASSETS = '/packages/core/dist/assets';

describe('runtime assets', () => {
  it('serves the page cross-origin isolated (WASM threads possible)', () => {
    expect(globalThis.crossOriginIsolated).to.equal(true);
  });

  it('runs a tiny ONNX model with onnxruntime-web WASM from the local files', async () => {
    ort.env.wasm.wasmPaths = { wasm: `${ASSETS}/ort/ort-wasm-simd-threaded.wasm` };
    ort.env.wasm.numThreads = 2;
    const session = await ort.InferenceSession.create('/test/fixtures/tiny-affine.onnx', { executionProviders: ['wasm'] });
    // y = x W + b with W = [[1,2,3],[4,5,6]], b = [0.5,-1,2]
    const x = new ort.Tensor('float32', Float32Array.from([1, 1, 2, -1]), [2, 2]);
    const { y } = await session.run({ x });
    expect(y.dims).to.deep.equal([2, 3]);
    expect(Array.from(y.data as Float32Array)).to.deep.equal([5.5, 6, 11, -1.5, -2, 2]);
    await session.release();
  });

  it('opens the MediaPipe Tasks WASM fileset from the local folder', async () => {
    const fileset = await FilesetResolver.forVisionTasks(`${ASSETS}/mediapipe`);
    expect(fileset.wasmLoaderPath).to.match(/\/packages\/core\/dist\/assets\/mediapipe\/vision_wasm.*internal\.js$/);
    expect(fileset.wasmBinaryPath).to.match(/vision_wasm.*internal\.wasm$/);
    const res = await fetch(fileset.wasmBinaryPath, { method: 'HEAD' });
    expect(res.ok).to.equal(true);
    expect(new URL(fileset.wasmBinaryPath, location.href).origin).to.equal(location.origin);
  });
});
