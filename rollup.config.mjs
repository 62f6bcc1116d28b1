// Builds each package to ES modules with source maps (types come from tsc, see scripts/build.mjs):
//   packages/core/dist/index.js                  the engine (dependencies left as bare imports)
//   packages/core/dist/{layout,channel}.js       its public sub-paths
//   packages/core/dist/assets/worker.js          the engine's classic Web Worker, self-contained
//   packages/element/dist/{index,define}.js      the element (lit and the engine as bare imports)
//   packages/element/dist/emotion-detector.js    one-script-tag bundle: no bare imports (runtimes in chunks/)
import fs from 'node:fs';
import resolve from '@rollup/plugin-node-resolve';
import commonjs from '@rollup/plugin-commonjs';
import esbuild from 'rollup-plugin-esbuild';

const exists = (p) => fs.existsSync(p);
const ts = (minify = false) => esbuild({ target: 'es2022', tsconfig: 'tsconfig.json', minify, sourceMap: true });
const deps = ['onnxruntime-web', '@mediapipe/tasks-vision', 'lit', '@emotion-detector/core'];
const external = (id) => deps.some((d) => id === d || id.startsWith(`${d}/`));
const onwarn = (w, warn) => {
  // ORT and MediaPipe use eval-free `this` at top level and circular re-exports; not ours to fix.
  if (['THIS_IS_UNDEFINED', 'CIRCULAR_DEPENDENCY', 'EVAL'].includes(w.code)) return;
  warn(w);
};
const plugins = (minify) => [resolve({ browser: true, exportConditions: ['browser'] }), commonjs(), ts(minify)];

const configs = [];
if (exists('packages/core/src/index.ts')) {
  configs.push({
    // The root and its public sub-paths (@emotion-detector/core/layout, /channel), sharing chunks.
    input: { index: 'packages/core/src/index.ts', layout: 'packages/core/src/layout/index.ts', channel: 'packages/core/src/channel/index.ts' },
    output: { dir: 'packages/core/dist', format: 'es', sourcemap: true, chunkFileNames: 'chunks/[name]-[hash].js' },
    external,
    plugins: plugins(false),
    onwarn,
  });
}
// In a classic worker there is no `document`: `import.meta.url` (ONNX Runtime starts its threads
// from it) is the worker script's own URL.
const workerImportMeta = { name: 'worker-import-meta', resolveImportMeta: (prop) => (prop === 'url' ? 'self.location.href' : null) };
if (exists('packages/core/src/host/worker.ts')) {
  configs.push({
    input: 'packages/core/src/host/worker.ts',
    output: { file: 'packages/core/dist/assets/worker.js', format: 'iife', sourcemap: true, inlineDynamicImports: true },
    plugins: [workerImportMeta, ...plugins(true)],
    onwarn,
  });
}
if (exists('packages/element/src/index.ts')) {
  configs.push({
    input: { index: 'packages/element/src/index.ts', define: 'packages/element/src/define.ts' },
    output: { dir: 'packages/element/dist', format: 'es', sourcemap: true, chunkFileNames: 'chunks/[name]-[hash].js' },
    external,
    plugins: plugins(false),
    onwarn,
  });
  // The runtimes stay in lazily loaded chunks beside it: ONNX Runtime starts its WASM threads as
  // workers from its own module URL, which must not be the element's code (Lit needs a DOM).
  configs.push({
    input: { 'emotion-detector': 'packages/element/src/define.ts' },
    output: { dir: 'packages/element/dist', format: 'es', sourcemap: true, chunkFileNames: 'chunks/[name]-[hash].js' },
    plugins: plugins(true),
    onwarn,
  });
}
export default configs;
