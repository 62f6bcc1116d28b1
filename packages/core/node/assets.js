// Node helpers for apps that serve the engine's runtime assets (models, WASM, worker.js) from
// their own origin: which files make up the assets folder, and a copy of them into a folder.
// Used by the `emotion-detector-assets` command and the Vite plugin (`@emotion-detector/core/vite`).
//
// The folder is this package's dist/assets/ plus, where package.json names them in
// `runtimeAssets` ({ "ort/x.wasm": "onnxruntime-web/dist/x.wasm", ... }), files taken from the
// runtimes' own packages (resolved from this package's folder, as Node resolves its dependencies).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const packageDir = fileURLToPath(new URL('..', import.meta.url));

/** This package's dist/assets/ (the part of the assets folder it ships itself), as an absolute path. */
export const assetsDir = path.join(packageDir, 'dist', 'assets');

/** The folder of the installed package `name`, looked up from `from` upwards through node_modules. */
function packageFolder(name, from) {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', ...name.split('/'));
    if (fs.existsSync(path.join(candidate, 'package.json'))) return candidate;
    if (path.dirname(dir) === dir) return undefined;
  }
}

/**
 * Every file of the assets folder: `{ path, source }`, `path` relative to the folder ('/'
 * separators), `source` the absolute file to copy or serve. Source maps are left out.
 */
export function assetFiles() {
  if (!fs.existsSync(assetsDir)) {
    throw new Error(`@emotion-detector/core: no assets at ${assetsDir} (the package is not built or not installed whole)`);
  }
  const files = new Map();
  const walk = (dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (!e.name.endsWith('.map')) files.set(path.relative(assetsDir, p).split(path.sep).join('/'), p);
    }
  };
  walk(assetsDir);
  const { runtimeAssets = {} } = JSON.parse(fs.readFileSync(path.join(packageDir, 'package.json'), 'utf8'));
  for (const [to, from] of Object.entries(runtimeAssets)) {
    const parts = from.split('/');
    const name = parts[0].startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
    const dir = packageFolder(name, packageDir);
    const source = dir && path.join(dir, ...parts.slice(name.split('/').length));
    if (!source || !fs.existsSync(source)) throw new Error(`@emotion-detector/core: ${from} (assets file ${to}) is not installed`);
    files.set(to, source);
  }
  return [...files].map(([p, source]) => ({ path: p, source })).sort((a, b) => a.path.localeCompare(b.path));
}

/**
 * Copies every runtime asset into `dest` (created if needed), leaving other files there alone.
 * Files already there with the same size and a modification time at least as new are skipped.
 * Returns `{ dest, files, copied, bytes }`.
 */
export function copyAssets(dest) {
  const target = path.resolve(dest);
  const files = assetFiles();
  let copied = 0;
  let bytes = 0;
  for (const { path: rel, source } of files) {
    const to = path.join(target, rel);
    const src = fs.statSync(source);
    bytes += src.size;
    const have = fs.existsSync(to) ? fs.statSync(to) : undefined;
    if (have && have.size === src.size && have.mtimeMs >= src.mtimeMs) continue;
    fs.mkdirSync(path.dirname(to), { recursive: true });
    fs.copyFileSync(source, to);
    copied++;
  }
  return { dest: target, files: files.map((f) => f.path), copied, bytes };
}
