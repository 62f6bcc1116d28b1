// Node helpers for apps that serve the engine's runtime assets (models, WASM, worker.js) from
// their own origin: where the files are in this package, and a copy of them into a folder.
// Used by the `emotion-detector-assets` command and the Vite plugin (`@emotion-detector/core/vite`).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folder the engine loads at run time (dist/assets/ of this package), as an absolute path. */
export const assetsDir = fileURLToPath(new URL('../dist/assets/', import.meta.url));

/** The assets' files, as paths relative to assetsDir with '/' separators (source maps left out). */
export function assetFiles() {
  if (!fs.existsSync(assetsDir)) {
    throw new Error(`@emotion-detector/core: no assets at ${assetsDir} (the package is not built or not installed whole)`);
  }
  const out = [];
  const walk = (dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (!e.name.endsWith('.map')) out.push(path.relative(assetsDir, p).split(path.sep).join('/'));
    }
  };
  walk(assetsDir);
  return out.sort();
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
  for (const rel of files) {
    const from = path.join(assetsDir, rel);
    const to = path.join(target, rel);
    const src = fs.statSync(from);
    bytes += src.size;
    const have = fs.existsSync(to) ? fs.statSync(to) : undefined;
    if (have && have.size === src.size && have.mtimeMs >= src.mtimeMs) continue;
    fs.mkdirSync(path.dirname(to), { recursive: true });
    fs.copyFileSync(from, to);
    copied++;
  }
  return { dest: target, files, copied, bytes };
}
