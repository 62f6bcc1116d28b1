// The packed packages (`npm pack` of the current build): size budget, file list, every export
// resolvable with types, and publint + @arethetypeswrong/cli clean. A few seconds.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { packAll, root } from '../../scripts/lib/packed.mjs';

/** Both tarballs together, packed (issue 17): the runtimes' binaries are not in them. */
export const BUDGET_BYTES = 12_000_000;

let packed;
before(() => {
  packed = packAll();
});
after(() => fs.rmSync(packed.dir, { recursive: true, force: true }));

test(`both tarballs together are at most ${BUDGET_BYTES / 1e6} MB packed`, () => {
  const total = packed.packs.reduce((s, p) => s + p.size, 0);
  for (const p of packed.packs) console.log(`# ${p.name}: ${(p.size / 1e6).toFixed(2)} MB packed, ${(p.unpackedSize / 1e6).toFixed(2)} MB unpacked, ${p.files.length} files`);
  assert.ok(total <= BUDGET_BYTES, `${(total / 1e6).toFixed(2)} MB > ${BUDGET_BYTES / 1e6} MB`);
});

test('the file lists: licence and notices, no source maps, no runtime binaries, no second copy of the assets', () => {
  for (const p of packed.packs) {
    for (const f of ['package.json', 'README.md', 'LICENSE', 'THIRD_PARTY_NOTICES.md']) assert.ok(p.files.includes(f), `${p.name} lacks ${f}`);
    const bad = p.files.filter((f) => f.endsWith('.map') || /\.wasm$/.test(f) || /^dist\/assets\/(ort|mediapipe)\//.test(f) || /nosimd|jsep|jspi/.test(f));
    assert.deepEqual(bad, [], `${p.name} ships ${bad.join(', ')}`);
  }
  const [core, element] = packed.packs;
  assert.deepEqual(element.files.filter((f) => f.startsWith('dist/assets/')), [], 'the element carries no assets: it loads core\'s');
  // core: exactly its JS, types, our models and the worker under dist/, and the Node side under
  // node/ (the emotion-detector-assets bin and the Vite plugin).
  const unexpected = core.files.filter(
    (f) => !/^(package\.json|README\.md|LICENSE|THIRD_PARTY_NOTICES\.md)$/.test(f) &&
      !/^dist\/(index|layout|channel)\.js$/.test(f) && !/^dist\/chunks\/[\w-]+\.js$/.test(f) && !/^dist\/types\/.+\.d\.ts$/.test(f) &&
      !/^node\/(assets|cli|vite)\.(js|d\.ts)$/.test(f) &&
      !/^dist\/assets\/(worker\.js|models\/emotion\/[\w.-]+\.(onnx|json)|models\/face\/(face_detection_short_range\.tflite|face-verifier\.onnx))$/.test(f),
  );
  assert.deepEqual(unexpected, []);
  // Every model the shipped index lists is shipped (card and ONNX), and nothing else.
  const index = JSON.parse(fs.readFileSync(path.join(root, 'packages/core/dist/assets/models/emotion/index.json'), 'utf8'));
  const listed = index.models.flatMap((card) => {
    const c = JSON.parse(fs.readFileSync(path.join(root, 'packages/core/dist/assets/models/emotion', card), 'utf8'));
    return [`dist/assets/models/emotion/${card}`, `dist/assets/models/emotion/${c.file}`];
  });
  assert.deepEqual(core.files.filter((f) => /^dist\/assets\/models\/emotion\/.+\.(onnx|json)$/.test(f) && !f.endsWith('/index.json')).sort(), [...new Set(listed)].sort());
});

test('every exports entry points at a packed file, and every code entry has types', () => {
  for (const p of packed.packs) {
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'packages', p.pkg, 'package.json'), 'utf8'));
    for (const [entry, target] of Object.entries(pkg.exports)) {
      const targets = typeof target === 'string' ? { default: target } : target;
      for (const t of Object.values(targets)) assert.ok(p.files.includes(t.replace(/^\.\//, '')), `${p.name} exports ${entry} -> ${t}, not in the tarball`);
      if (entry !== './package.json') assert.ok(targets.types, `${p.name} exports ${entry} without types`);
    }
  }
});

test('core names, for each runtime binary it does not ship, the dependency file to serve', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'packages/core/package.json'), 'utf8'));
  const deps = Object.keys(pkg.dependencies);
  assert.ok(Object.keys(pkg.runtimeAssets).length >= 4);
  for (const [to, from] of Object.entries(pkg.runtimeAssets)) {
    assert.ok(deps.some((d) => from.startsWith(`${d}/`)), `${to} comes from ${from}, not a dependency of core`);
    assert.ok(fs.existsSync(path.join(root, 'node_modules', from)), `${from} does not exist`);
  }
});

const bin = (name) => path.join(root, 'node_modules/.bin', name);
test('publint finds nothing', () => {
  for (const p of packed.packs) {
    const r = spawnSync(bin('publint'), ['--strict', p.file], { encoding: 'utf8' });
    assert.equal(r.status, 0, `${p.name}: ${r.stdout}${r.stderr}`);
    assert.match(r.stdout, /All good!/, `${p.name}: ${r.stdout}`);
  }
});

test('@arethetypeswrong/cli finds nothing (ESM-only packages)', () => {
  for (const p of packed.packs) {
    const r = spawnSync(bin('attw'), ['--profile', 'esm-only', '--format', 'json', p.file], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    const out = JSON.parse(r.stdout);
    const problems = (out.analysis?.problems ?? []).filter((x) => !['node10', 'node16-cjs'].includes(x.resolutionKind));
    assert.deepEqual(problems, [], `${p.name}: ${JSON.stringify(problems, null, 1)}`);
    assert.equal(r.status, 0, `${p.name}: attw exited ${r.status}`);
  }
});

test('the tarballs unpack (sanity of the pack itself)', () => {
  for (const p of packed.packs) assert.ok(execFileSync('tar', ['-tzf', p.file], { encoding: 'utf8' }).includes('package/package.json'));
});
