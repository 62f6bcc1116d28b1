/** Where every asset lives, relative to one base URL that the user serves from their own origin. */
import type { ResolvedBackend } from '../types.js';

/** The `assets/` folder next to the built module (packages/core/dist/assets/). */
export function defaultAssetsBase(): URL {
  return new URL('./assets/', import.meta.url);
}

/** Resolves `url` against the page (relative URLs are allowed everywhere). */
export function absolute(url: string | URL, base?: string | URL): URL {
  return new URL(url, base ?? (typeof location === 'undefined' ? undefined : location.href));
}

/** A folder URL always ends in '/', so relative resolution stays inside it. */
export function folder(url: string | URL): URL {
  const u = absolute(url);
  if (!u.pathname.endsWith('/')) u.pathname += '/';
  return u;
}

/** The files of the tasks-vision fileset (SIMD build) that MediaPipe loads, in `assetPaths.mediapipe`. */
export const mediapipeFiles = {
  loader: 'vision_wasm_internal.js',
  binary: 'vision_wasm_internal.wasm',
};

export const assetPaths = {
  /** Lists the bundled emotion model cards and names the default one (written by build-assets). */
  emotionIndex: 'models/emotion/index.json',
  faceModel: 'models/face/face_detection_short_range.tflite',
  mediapipe: 'mediapipe/',
  /** The MediaPipe binary, which we download (progress, cache) and hand over as bytes. */
  mediapipeWasm: `mediapipe/${mediapipeFiles.binary}`,
  worker: 'worker.js',
  /** The WebGPU build of onnxruntime-web runs the asyncify binary, the WASM build the plain one. */
  ortWasm: (backend: ResolvedBackend) =>
    backend === 'webgpu' ? 'ort/ort-wasm-simd-threaded.asyncify.wasm' : 'ort/ort-wasm-simd-threaded.wasm',
};

/** The model card that sits beside an ONNX file: same name, `.json`. */
export function cardUrlFor(modelUrl: URL): URL {
  const u = new URL(modelUrl);
  u.pathname = u.pathname.replace(/(\.onnx)?$/i, '.json');
  return u;
}
