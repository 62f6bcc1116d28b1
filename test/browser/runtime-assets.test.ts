// The runtimes load from our own served build (packages/core/dist/assets), with no network.
import { expect } from '@open-wc/testing';
import * as ort from 'onnxruntime-web/wasm';
import { FaceDetector, FilesetResolver } from '@mediapipe/tasks-vision';
import { executeServerCommand } from '@web/test-runner-commands';

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

  it('opens the MediaPipe Tasks WASM fileset from the local folder and finds faces with it', async () => {
    const fileset = await FilesetResolver.forVisionTasks(`${ASSETS}/mediapipe`);
    // Nothing from the browser's HTTP cache: each file MediaPipe needs must come from the folder now.
    await executeServerCommand('clear-http-cache');
    await executeServerCommand('requests');
    const detector = await FaceDetector.createFromOptions(fileset, {
      baseOptions: { modelAssetPath: `${ASSETS}/models/face/face_detection_short_range.tflite`, delegate: 'CPU' },
      runningMode: 'IMAGE',
    });
    try {
      const img = new Image();
      img.src = '/node_modules/@vladmandic/face-api/demo/sample1.jpg';
      await img.decode();
      // The short-range model, on the whole photo: at least the nearest faces.
      expect(detector.detect(img).detections.length).to.be.greaterThan(0);
    } finally {
      detector.close();
    }
    const seen = await executeServerCommand<string[], undefined>('requests');
    const path = (u: string) => new URL(u, location.href).pathname;
    expect(path(fileset.wasmLoaderPath)).to.equal(`${ASSETS}/mediapipe/vision_wasm_internal.js`);
    expect(seen, 'the WASM binary came from the local folder').to.include(`GET ${path(fileset.wasmBinaryPath)}`);
    expect(seen, 'so did the model').to.include(`GET ${ASSETS}/models/face/face_detection_short_range.tflite`);
  });
});
