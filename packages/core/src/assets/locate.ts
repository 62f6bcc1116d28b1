/** Where every asset lives, relative to one base URL that the user serves from their own origin. */
import type { ResolvedBackend } from '../types.js';

/**
 * The `<meta>` a page puts in its `<head>` to say where the assets are served when no
 * `assetsBase` is given: `<meta name="emotion-detector-assets" content="/emotion-detector/">`.
 * `@emotion-detector/core/vite` writes it into the app's HTML.
 */
export const ASSETS_META = 'emotion-detector-assets';

/** Where the assets folder was taken from: what a user changes when it is wrong. */
export type AssetsBaseSource = 'option' | 'meta' | 'module';

/**
 * The assets folder: the `assetsBase` option, else the page's `<meta name="emotion-detector-assets">`,
 * else `assets/` beside this module (packages/core/dist/assets/: right where the package's own
 * files are served, as with an import map or the one-script-tag bundle; wrong inside an app's
 * bundle, where the first fetch then fails with an error that says how to set it).
 */
export function resolveAssetsBase(option?: string | URL): { base: URL; source: AssetsBaseSource } {
  if (option !== undefined && option !== '') return { base: folder(option), source: 'option' };
  const meta = typeof document === 'undefined' ? null : document.querySelector<HTMLMetaElement>(`meta[name="${ASSETS_META}"]`);
  const content = meta?.getAttribute('content')?.trim();
  if (content) return { base: folder(absolute(content, document.baseURI)), source: 'meta' };
  // Not `new URL('./assets/', import.meta.url)` written out: bundlers (Vite, webpack) try to
  // resolve that pattern as a file at build time, and warn or fail on a folder.
  const here = import.meta.url;
  return { base: new URL(ASSETS_DIR, here), source: 'module' };
}
const ASSETS_DIR = './assets/';

/** What to tell a user whose asset under `base` could not be loaded: the option that sets it, and how to serve the files. */
export function assetsBaseHint(base: URL, source: AssetsBaseSource): string {
  const from =
    source === 'option'
      ? 'the assetsBase option (attribute assets-base on <emotion-detector>)'
      : source === 'meta'
        ? `<meta name="${ASSETS_META}">; the assetsBase option (attribute assets-base on <emotion-detector>) overrides it`
        : 'the default, assets/ beside the engine\'s module, which is wrong once a bundler has moved the module; set the assetsBase option (attribute assets-base on <emotion-detector>)';
  return (
    `The assets folder is ${base.href}, from ${from}. Serve the runtime assets there: ` +
    '`npx emotion-detector-assets <public dir>/emotion-detector` copies them (then assetsBase: "/emotion-detector/"), ' +
    'or with Vite add the plugin from @emotion-detector/core/vite.'
  );
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
  /** The face verifier the detector asks about small and unsure finds (verification/face-verifier.ts). */
  faceVerifier: 'models/face/face-verifier.onnx',
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
