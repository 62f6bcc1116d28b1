// Builds each package to ES modules (types come from tsc, see scripts/build.mjs). No source maps:
// the packages ship none (they were 1.7 MB of the tarballs, for code that is ours and readable).
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
const ts = (minify = false) => esbuild({ target: 'es2022', tsconfig: 'tsconfig.json', minify, sourceMap: false });
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
    output: { dir: 'packages/core/dist', format: 'es', sourcemap: false, chunkFileNames: 'chunks/[name]-[hash].js' },
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
    output: { file: 'packages/core/dist/assets/worker.js', format: 'iife', sourcemap: false, inlineDynamicImports: true },
    plugins: [workerImportMeta, ...plugins(true)],
    onwarn,
  });
}
/**
 * In the element's bundle, core's default `./assets/` (beside its module) becomes core's own
 * folder. The bundle takes core from its build (packages/core/dist, through the package's exports)
 * or, in a checkout without it, from src/assets/locate.ts; exactly one replacement, or the build fails.
 */
const coreAssetsFromElement = () => {
  let replaced = 0;
  const pattern = /(["'])\.\/assets\/\1/g;
  return {
    name: 'core-assets-from-element',
    buildStart() {
      replaced = 0;
    },
    transform(code, id) {
      const file = id.replace(/\\/g, '/');
      if (!/packages\/core\/(dist\/.*\.js|src\/assets\/locate\.ts)$/.test(file)) return null;
      const out = code.replace(pattern, () => (replaced++, '"../../core/dist/assets/"'));
      return out === code ? null : { code: out, map: null };
    },
    buildEnd() {
      if (replaced !== 1) this.error(`expected core's default "./assets/" once in the element bundle, found ${replaced}: update rollup.config.mjs`);
    },
  };
};
if (exists('packages/element/src/index.ts')) {
  configs.push({
    input: { index: 'packages/element/src/index.ts', define: 'packages/element/src/define.ts' },
    output: { dir: 'packages/element/dist', format: 'es', sourcemap: false, chunkFileNames: 'chunks/[name]-[hash].js' },
    external,
    plugins: plugins(false),
    onwarn,
  });
  // The runtimes stay in lazily loaded chunks beside it: ONNX Runtime starts its WASM threads as
  // workers from its own module URL, which must not be the element's code (Lit needs a DOM).
  // Its default assets folder is core's (packages/element/dist/ -> ../../core/dist/assets/, the
  // same step in node_modules/@emotion-detector/): the element package carries no copy of them.
  configs.push({
    input: { 'emotion-detector': 'packages/element/src/define.ts' },
    output: { dir: 'packages/element/dist', format: 'es', sourcemap: false, chunkFileNames: 'chunks/[name]-[hash].js' },
    plugins: [coreAssetsFromElement(), ...plugins(true)],
    onwarn,
  });
}
export default configs;
