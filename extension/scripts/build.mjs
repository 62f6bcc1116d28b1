#!/usr/bin/env node
// `npm run build:extension`: bundles the extension with esbuild and writes
//   extension/dist/chrome/, extension/dist/firefox/   unpacked, ready to load
//   extension/dist/emotion-detector-<browser>-<version>.zip
// Options: --test (also runs on http://localhost, output under extension/build/), --out DIR,
// --assets DIR (default packages/core/dist/assets, made by scripts/build-assets.mjs), --no-zip.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import { CALL_SITE_MATCHES, TEST_MATCHES, manifest } from './manifest.mjs';
import { iconPng } from './icons.mjs';
import { zipDirectory } from './zip.mjs';

const extDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const root = path.resolve(extDir, '..');

/** What the engine loads at run time, relative to the assets folder. Only what the WASM path needs. */
const ASSET_FILES = [
  /^ort\/ort-wasm-simd-threaded\.wasm$/,
  /^mediapipe\/vision_wasm_internal\.(js|wasm)$/,
  /^models\/emotion\/[^/]+\.(onnx|json)$/,
  /^models\/face\/[^/]+\.(tflite|onnx)$/,
];

function listFiles(dir, base = dir) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? listFiles(p, base) : [path.relative(base, p).split(path.sep).join('/')];
  });
}

/**
 * The emotion model files the extension ships: the default model's card and ONNX file only (the
 * extension offers no model choice, and the others would add megabytes), and an index naming it.
 */
function defaultEmotionModel(assetsDir) {
  const indexPath = path.join(assetsDir, 'models/emotion/index.json');
  if (!fs.existsSync(indexPath)) return null;
  const index = JSON.parse(fs.readFileSync(indexPath, 'utf8'));
  const card = JSON.parse(fs.readFileSync(path.join(assetsDir, 'models/emotion', index.default), 'utf8'));
  return { index: { default: index.default, models: [index.default] }, keep: new Set([`models/emotion/${index.default}`, `models/emotion/${card.file}`]) };
}

function copyAssets(assetsDir, outAssets) {
  const emotion = defaultEmotionModel(assetsDir);
  const files = listFiles(assetsDir)
    .filter((f) => ASSET_FILES.some((re) => re.test(f)))
    .filter((f) => !/^models\/emotion\/[^/]+\.(onnx|json)$/.test(f) || f.endsWith('/index.json') || emotion?.keep.has(f));
  const need = [['ort wasm', /^ort\//], ['MediaPipe wasm', /^mediapipe\//], ['emotion model index', /^models\/emotion\/index\.json$/], ['emotion model', /^models\/emotion\/.*\.onnx$/], ['face model', /^models\/face\/.*\.tflite$/], ['face verifier', /^models\/face\/.*\.onnx$/]];
  const missing = need.filter(([, re]) => !files.some((f) => re.test(f))).map(([n]) => n);
  if (missing.length) {
    throw Object.assign(new Error(`${path.relative(root, assetsDir)} lacks: ${missing.join(', ')}. Run \`node scripts/build-assets.mjs\` first (and have a model in models/emotion/).`), { code: 'ASSETS_MISSING' });
  }
  for (const f of files) {
    fs.mkdirSync(path.dirname(path.join(outAssets, f)), { recursive: true });
    if (f === 'models/emotion/index.json') fs.writeFileSync(path.join(outAssets, f), JSON.stringify(emotion.index, null, 2) + '\n');
    else fs.copyFileSync(path.join(assetsDir, f), path.join(outAssets, f));
  }
  return files.length;
}

/**
 * @param {{ test?: boolean, outDir?: string, assetsDir?: string, browsers?: string[], zip?: boolean, minify?: boolean }} [o]
 * @returns {Promise<Record<string, string>>} browser -> unpacked folder
 */
export async function buildExtension(o = {}) {
  const test = !!o.test;
  const outDir = path.resolve(o.outDir ?? path.join(extDir, test ? 'build' : 'dist'));
  const assetsDir = path.resolve(o.assetsDir ?? process.env.EXTENSION_ASSETS ?? path.join(root, 'packages/core/dist/assets'));
  const browsers = o.browsers ?? ['chrome', 'firefox'];
  const { version } = JSON.parse(fs.readFileSync(path.join(extDir, 'package.json'), 'utf8'));
  const matches = test ? [...CALL_SITE_MATCHES, ...TEST_MATCHES] : CALL_SITE_MATCHES;

  // One bundle set, shared by both browsers (webextension-polyfill smooths the API differences).
  const staging = path.join(outDir, '.bundle');
  fs.rmSync(staging, { recursive: true, force: true });
  const common = {
    bundle: true,
    sourcemap: false,
    minify: o.minify ?? !test,
    target: ['chrome116', 'firefox140'],
    define: { __CALL_SITE_MATCHES__: JSON.stringify(matches) },
    legalComments: 'none',
    logLevel: 'warning',
    tsconfig: path.join(root, 'tsconfig.json'),
  };
  const src = (p) => path.join(extDir, 'src', p);
  await esbuild.build({
    ...common,
    format: 'iife',
    entryPoints: { content: src('content/content.ts'), background: src('background/background.ts'), popup: src('popup/popup.ts'), options: src('options/options.ts') },
    outdir: staging,
  });
  // The engine page is a module: onnxruntime-web's bundle uses import.meta.
  await esbuild.build({ ...common, format: 'esm', splitting: false, entryPoints: { engine: src('engine/engine.ts') }, outdir: staging });

  const out = {};
  for (const browser of browsers) {
    const dir = path.join(outDir, test ? `${browser}-test` : browser);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(path.join(dir, 'icons'), { recursive: true });
    for (const f of fs.readdirSync(staging)) fs.copyFileSync(path.join(staging, f), path.join(dir, f));
    for (const f of ['engine/engine.html', 'popup/popup.html', 'popup/popup.css', 'options/options.html', 'options/options.css']) {
      fs.copyFileSync(src(f), path.join(dir, path.basename(f)));
    }
    for (const size of [16, 32, 48, 128]) fs.writeFileSync(path.join(dir, `icons/icon-${size}.png`), iconPng(size));
    copyAssets(assetsDir, path.join(dir, 'assets'));
    fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest({ browser, version, matches }), null, 2) + '\n');
    if (o.zip ?? !test) zipDirectory(dir, path.join(outDir, `emotion-detector-${browser}-${version}.zip`));
    out[browser] = dir;
  }
  fs.rmSync(staging, { recursive: true, force: true });
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2);
  const opt = (name) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const t0 = Date.now();
  let dirs;
  try {
    dirs = await buildExtension({ test: args.includes('--test'), outDir: opt('--out'), assetsDir: opt('--assets'), zip: args.includes('--no-zip') ? false : undefined });
  } catch (e) {
    // Inside `npm run build` a missing model (still training) must not stop the other packages.
    if (e.code === 'ASSETS_MISSING' && process.env.npm_lifecycle_event === 'build') {
      console.warn(`extension NOT built: ${e.message}`);
      process.exit(0);
    }
    console.error(`extension build failed: ${e.message}`);
    process.exit(1);
  }
  for (const [b, d] of Object.entries(dirs)) console.log(`extension (${b}) -> ${path.relative(process.cwd(), d)}`);
  console.log(`extension built in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}
