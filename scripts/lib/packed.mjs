// The packages as a user gets them: `npm pack` of core and element, unpacked into a fresh
// node_modules/@emotion-detector/ (their dependencies linked from the repository's node_modules),
// and the assets folder a site serves, assembled as the packages document it (core's
// dist/assets/ plus the runtime binaries named by `runtimeAssets` in core's package.json, from
// their own packages). Used by test/node/package*.test.mjs and scripts/bench-download.mjs.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const PACKAGES = ['core', 'element'];
/** The packages' dependencies, linked into the unpacked install. */
const DEPS = ['lit', '@lit/task', '@lit/reactive-element', 'lit-html', 'lit-element', 'onnxruntime-web', 'onnxruntime-common', '@mediapipe/tasks-vision'];

/**
 * Packs both packages (the current build: run `npm run build` first) into a temp folder.
 * @returns {{ dir: string, packs: Array<{ name: string, pkg: string, file: string, size: number, unpackedSize: number, files: string[] }> }}
 */
export function packAll(dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ed-pack-'))) {
  for (const pkg of PACKAGES) {
    if (!fs.existsSync(path.join(root, 'packages', pkg, 'dist'))) throw new Error(`packages/${pkg}/dist is missing: run \`npm run build\` first`);
  }
  const packs = PACKAGES.map((pkg) => {
    const out = execFileSync('npm', ['pack', '--json', '--pack-destination', dir], { cwd: path.join(root, 'packages', pkg), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const [info] = JSON.parse(out);
    return { name: info.name, pkg, file: path.join(dir, info.filename), size: info.size, unpackedSize: info.unpackedSize, files: info.files.map((f) => f.path).sort() };
  });
  return { dir, packs };
}

/**
 * Unpacks the tarballs into `<dir>/node_modules/@emotion-detector/` and assembles the served assets
 * folder `<dir>/public/emotion-detector/`. Returns the paths.
 */
export function installPacked(packs, dir) {
  const nm = path.join(dir, 'node_modules');
  for (const p of packs) {
    const to = path.join(nm, '@emotion-detector', p.pkg);
    fs.rmSync(to, { recursive: true, force: true });
    fs.mkdirSync(to, { recursive: true });
    execFileSync('tar', ['-xzf', p.file, '-C', to, '--strip-components=1']);
  }
  for (const d of DEPS) {
    const from = path.join(root, 'node_modules', d);
    if (!fs.existsSync(from)) continue;
    const to = path.join(nm, d);
    fs.mkdirSync(path.dirname(to), { recursive: true });
    fs.rmSync(to, { recursive: true, force: true });
    fs.symlinkSync(from, to, 'dir');
  }
  const assets = path.join(dir, 'public/emotion-detector');
  fs.rmSync(assets, { recursive: true, force: true });
  const core = path.join(nm, '@emotion-detector/core');
  fs.cpSync(path.join(core, 'dist/assets'), assets, { recursive: true });
  const { runtimeAssets } = JSON.parse(fs.readFileSync(path.join(core, 'package.json'), 'utf8'));
  for (const [to, from] of Object.entries(runtimeAssets)) {
    fs.mkdirSync(path.dirname(path.join(assets, to)), { recursive: true });
    fs.copyFileSync(path.join(nm, from), path.join(assets, to));
  }
  return { nodeModules: nm, assets, runtimeAssets };
}

/** Every file under `dir`, as '/'-separated paths relative to it. */
export function listFiles(dir, base = dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? listFiles(p, base) : [path.relative(base, p).split(path.sep).join('/')];
  }).sort();
}
