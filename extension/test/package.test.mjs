// The release build: both manifests (MV3, the permissions we document and no more), the files
// they name, the zips (read back and compared byte for byte), and Mozilla's linter on the
// Firefox build.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { buildExtension } from '../scripts/build.mjs';
import { CALL_SITE_MATCHES } from '../scripts/manifest.mjs';

let out, dirs;
const manifestOf = (b) => JSON.parse(fs.readFileSync(path.join(dirs[b], 'manifest.json'), 'utf8'));

function listFiles(dir, base = dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? listFiles(p, base) : [path.relative(base, p).split(path.sep).join('/')];
  });
}

/** Reads a zip's central directory and inflates every entry. */
function readZip(file) {
  const buf = fs.readFileSync(file);
  const eocd = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  assert.ok(eocd >= 0, 'zip has an end of central directory record');
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const entries = new Map();
  for (let i = 0; i < count; i++) {
    assert.equal(buf.readUInt32LE(p), 0x02014b50, 'central directory entry signature');
    const method = buf.readUInt16LE(p + 10);
    const crc = buf.readUInt32LE(p + 16);
    const csize = buf.readUInt32LE(p + 20);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.subarray(p + 46, p + 46 + nameLen).toString('utf8');
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const raw = buf.subarray(start, start + csize);
    const data = method === 8 ? zlib.inflateRawSync(raw) : raw;
    entries.set(name, { data, crc });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

describe('release build', { timeout: 180_000 }, () => {
  before(async () => {
    out = fs.mkdtempSync(path.join(os.tmpdir(), 'emotion-extension-'));
    dirs = await buildExtension({ outDir: out });
  });
  after(() => fs.rmSync(out, { recursive: true, force: true }));

  it('declares MV3 with storage, activeTab and scripting only, and no host permission at install', () => {
    for (const b of ['chrome', 'firefox']) {
      const m = manifestOf(b);
      assert.equal(m.manifest_version, 3);
      assert.deepEqual(m.permissions, ['storage', 'activeTab', 'scripting']);
      assert.equal(m.host_permissions, undefined, `${b}: no host_permissions`);
      assert.deepEqual(m.optional_host_permissions, ['https://*/*', 'http://*/*']);
      assert.ok(!JSON.stringify(m.permissions).includes('<all_urls>'));
      assert.deepEqual(m.content_scripts[0].matches, CALL_SITE_MATCHES, `${b}: content script only on the call sites`);
      assert.ok(!JSON.stringify(m).includes('localhost'), `${b}: the test-only localhost match is not in a release`);
      const csp = m.content_security_policy.extension_pages;
      assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'/);
      assert.doesNotMatch(csp, /'unsafe-eval'|https?:/, 'no eval and no remote script source');
      assert.deepEqual(m.web_accessible_resources[0].resources, ['engine.html']);
      assert.ok(m.commands['toggle-overlay'].suggested_key.default);
    }
    // Chrome: engine.html only at a per-session address; Firefox has no use_dynamic_url (it would not load).
    assert.equal(manifestOf('chrome').web_accessible_resources[0].use_dynamic_url, true);
    assert.equal(manifestOf('firefox').web_accessible_resources[0].use_dynamic_url, undefined);
    assert.equal(manifestOf('chrome').background.service_worker, 'background.js');
    assert.deepEqual(manifestOf('firefox').background.scripts, ['background.js']);
    assert.ok(manifestOf('firefox').browser_specific_settings.gecko.id);
  });

  it('contains every file the manifests and pages name, and only the runtime assets the engine needs', () => {
    for (const b of ['chrome', 'firefox']) {
      const files = new Set(listFiles(dirs[b]));
      const m = manifestOf(b);
      const named = [
        ...Object.values(m.icons), m.action.default_popup, m.options_ui.page, ...m.content_scripts[0].js,
        ...(m.background.scripts ?? [m.background.service_worker]), ...m.web_accessible_resources[0].resources,
        'engine.js', 'popup.js', 'options.js',
      ];
      for (const f of named) assert.ok(files.has(f), `${b}: ${f} exists`);
      const assets = [...files].filter((f) => f.startsWith('assets/'));
      assert.ok(assets.includes('assets/ort/ort-wasm-simd-threaded.wasm'));
      assert.ok(assets.includes('assets/models/emotion/index.json'));
      // Only the default emotion model (the extension has no model choice), named by its own index.
      const index = JSON.parse(fs.readFileSync(path.join(dirs[b], 'assets/models/emotion/index.json'), 'utf8'));
      const card = JSON.parse(fs.readFileSync(path.join(dirs[b], 'assets/models/emotion', index.default), 'utf8'));
      assert.deepEqual(index.models, [index.default]);
      assert.deepEqual(assets.filter((f) => f.startsWith('assets/models/emotion/')).sort(),
        ['assets/models/emotion/index.json', `assets/models/emotion/${index.default}`, `assets/models/emotion/${card.file}`].sort());
      assert.ok(assets.includes('assets/models/face/face_detection_short_range.tflite'));
      assert.ok(assets.includes('assets/models/face/face-verifier.onnx'), 'the face verifier');
      assert.ok(!assets.some((f) => /jsep|asyncify|nosimd|module_internal/.test(f)), 'no unused runtime variants');
      const size = [...files].reduce((n, f) => n + fs.statSync(path.join(dirs[b], f)).size, 0);
      console.log(`# ${b}: ${files.size} files, ${(size / 1e6).toFixed(1)} MB unpacked`);
    }
  });

  it('zips each browser build with exactly its files', () => {
    for (const b of ['chrome', 'firefox']) {
      const zip = fs.readdirSync(out).find((f) => f.startsWith(`emotion-detector-${b}-`) && f.endsWith('.zip'));
      assert.ok(zip, `${b} zip written`);
      const entries = readZip(path.join(out, zip));
      const files = listFiles(dirs[b]).sort();
      assert.deepEqual([...entries.keys()].sort(), files);
      for (const f of files) {
        const e = entries.get(f);
        assert.ok(e.data.equals(fs.readFileSync(path.join(dirs[b], f))), `${b}: ${f} round-trips`);
      }
      console.log(`# ${zip}: ${(fs.statSync(path.join(out, zip)).size / 1e6).toFixed(1)} MB`);
    }
  });

  it('passes web-ext lint (Firefox)', () => {
    const r = spawnSync('npx', ['web-ext', 'lint', '--source-dir', dirs.firefox, '--output', 'json', '--no-config-discovery'], {
      encoding: 'utf8', timeout: 150_000, maxBuffer: 64 * 1024 * 1024,
    });
    const report = JSON.parse(r.stdout.slice(r.stdout.indexOf('{')));
    assert.equal(report.summary.errors, 0, JSON.stringify(report.errors, null, 1));
    // The only warnings are inside the bundled runtimes (Emscripten's embind `new Function`, and
    // onnxruntime-web / MediaPipe loaders' dynamic import()), paths our CSP never lets run.
    const unexpected = report.warnings.filter((w) => !(w.file === 'engine.js' && ['DANGEROUS_EVAL', 'UNSAFE_VAR_ASSIGNMENT'].includes(w.code)));
    assert.deepEqual(unexpected, []);
    assert.equal(r.status, 0);
  });
});
