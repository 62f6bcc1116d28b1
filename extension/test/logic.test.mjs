// The extension's pure logic, compiled from its TypeScript sources with esbuild: where a face
// lands on screen (object-fit, object-position, mirroring: core's layout, which the overlay uses),
// how the analysis rate adapts, and which sites count as call sites.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { before, describe, it } from 'node:test';
import * as esbuild from 'esbuild';
import { CALL_SITE_MATCHES } from '../scripts/manifest.mjs';

const src = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../src');
/** `@emotion-detector/core/layout`'s pure half (fit.ts): what the overlay maps boxes with. */
const coreLayout = path.resolve(src, '../../packages/core/src/layout/fit.ts');
let geo, rate, sites, settings;

async function load(entry) {
  const r = await esbuild.build({
    entryPoints: [path.resolve(src, entry)], bundle: true, format: 'esm', write: false, platform: 'neutral',
    define: { __CALL_SITE_MATCHES__: JSON.stringify(CALL_SITE_MATCHES) },
    external: ['webextension-polyfill'],
  });
  return import(`data:text/javascript;base64,${Buffer.from(r.outputFiles[0].text).toString('base64')}`);
}

before(async () => {
  [geo, rate, sites] = await Promise.all([load(coreLayout), load('content/rate-controller.ts'), load('shared/call-sites.ts')]);
  settings = await esbuild.build({
    entryPoints: [path.join(src, 'shared/settings.ts')], bundle: true, format: 'esm', write: false, platform: 'neutral',
    define: { __CALL_SITE_MATCHES__: '[]' },
    // settings.ts reads storage only inside functions; a stand-in module object lets it load in Node.
    plugins: [{ name: 'no-polyfill', setup(b) { b.onResolve({ filter: /^webextension-polyfill$/ }, () => ({ path: 'x', namespace: 'np' })); b.onLoad({ filter: /.*/, namespace: 'np' }, () => ({ contents: 'export default {}' })); } }],
  }).then((r) => import(`data:text/javascript;base64,${Buffer.from(r.outputFiles[0].text).toString('base64')}`));
});

// A 640x480 picture in a 400x300 content box at (100, 50), as `measure()` would report it.
const layout = (over = {}) => geo.layoutOf({ content: { x: 100, y: 50, width: 400, height: 300 }, intrinsic: { width: 640, height: 480 }, ...over });
const frame = (width, height) => ({ width, height });

describe('geometry (core layout, as the overlay uses it)', () => {
  it('maps a box through object-fit: fill, contain, cover', () => {
    // A 640x480 frame; the face box covers its top-left quarter.
    const box = { x: 0, y: 0, width: 320, height: 240 };
    assert.deepEqual(geo.placeBox(box, frame(640, 480), layout()), { x: 100, y: 50, width: 200, height: 150 });
    // 4:3 into 400x400: contain letterboxes 50 px top and bottom.
    const square = { content: { x: 0, y: 0, width: 400, height: 400 } };
    assert.deepEqual(geo.placeBox(box, frame(640, 480), layout({ ...square, fit: 'contain' })), { x: 0, y: 50, width: 200, height: 150 });
    // cover scales to 533.3x400 and crops 66.7 px left and right: the box is clipped.
    const c = geo.placeBox(box, frame(640, 480), layout({ ...square, fit: 'cover' }));
    assert.equal(c.x, 0);
    assert.ok(Math.abs(c.width - (266.67 - 66.67)) < 0.01);
    assert.equal(c.height, 200);
  });

  it('follows object-position and mirrors', () => {
    const box = { x: 0, y: 0, width: 64, height: 48 };
    const square = { content: { x: 0, y: 0, width: 400, height: 400 }, fit: 'contain' };
    const top = geo.placeBox(box, frame(640, 480), layout({ ...square, position: geo.parseObjectPosition('left top') }));
    assert.deepEqual(top, { x: 0, y: 0, width: 40, height: 30 });
    const mirrored = geo.placeBox(box, frame(640, 480), layout({ mirror: { x: true, y: false } }));
    assert.deepEqual(mirrored, { x: 100 + 400 - 40, y: 50, width: 40, height: 30 });
    const flipped = geo.placeBox(box, frame(640, 480), layout({ mirror: { x: false, y: true } }));
    assert.deepEqual(flipped, { x: 100, y: 50 + 300 - 30, width: 40, height: 30 });
    // Box size in frame pixels is independent of how far the frame was downscaled.
    assert.deepEqual(geo.placeBox({ x: 0, y: 0, width: 32, height: 24 }, frame(320, 240), layout({ mirror: { x: true, y: false } })), mirrored);
  });

  it('hides boxes that fall outside the visible picture', () => {
    const square = { content: { x: 0, y: 0, width: 400, height: 400 }, fit: 'cover' };
    assert.equal(geo.placeBox({ x: 0, y: 0, width: 40, height: 40 }, frame(640, 480), layout(square)), null);
  });

  it('parses computed object-position and object-fit values, and transforms that flip', () => {
    const half = { fraction: 0.5, offset: 0 };
    assert.deepEqual(geo.parseObjectPosition('50% 50%'), { x: half, y: half });
    assert.deepEqual(geo.parseObjectPosition('10px 100%'), { x: { fraction: 0, offset: 10 }, y: { fraction: 1, offset: 0 } });
    assert.deepEqual(geo.parseObjectPosition('top right'), { x: { fraction: 1, offset: 0 }, y: { fraction: 0, offset: 0 } });
    assert.equal(geo.parseObjectFit('scale-down'), 'scale-down');
    assert.equal(geo.parseObjectFit('bogus'), 'fill');
    assert.deepEqual(geo.mirrorOfStyle('matrix(-1, 0, 0, 1, 0, 0)'), { x: true, y: false });
    assert.deepEqual(geo.mirrorOfStyle('none', '1 -1'), { x: false, y: true });
  });
});

describe('rate controller', () => {
  it('starts at the user rate, backs off when the page is busy, and recovers', () => {
    const r = new rate.RateController(4);
    assert.equal(r.interval, 250);
    r.record({ lateness: 200, mainThreadMs: 2, engineMs: 50 });
    r.record({ lateness: 5, mainThreadMs: 30, engineMs: 50 });
    assert.ok(r.interval >= 250 * 1.5 * 1.5 - 1e-9, `backed off to ${r.interval}`);
    for (let i = 0; i < 50; i++) r.record({ lateness: 0, mainThreadMs: 1, engineMs: 50 });
    assert.equal(r.interval, 250);
  });

  it('never asks for rounds faster than the engine answers, and caps the back-off', () => {
    const r = new rate.RateController(15);
    r.record({ lateness: 0, mainThreadMs: 1, engineMs: 400 });
    assert.equal(r.interval, 500);
    for (let i = 0; i < 30; i++) r.record({ lateness: 1000, mainThreadMs: 100, engineMs: 100 });
    assert.equal(r.interval, rate.MAX_INTERVAL_MS);
  });
});

describe('call sites and settings', () => {
  it('recognises the call sites and nothing that merely looks like them', () => {
    for (const u of ['https://meet.google.com/abc-defg-hij', 'https://app.zoom.us/wc/123/join', 'https://zoom.us/wc/1', 'https://teams.microsoft.com/v2/', 'https://meet.jit.si/room', 'https://acme.whereby.com/room']) {
      assert.ok(sites.isCallSite(u), u);
    }
    for (const u of ['http://meet.google.com/', 'https://meet.google.com.evil.example/', 'https://evilzoom.us/', 'https://example.com/?https://meet.google.com/', 'not a url']) {
      assert.ok(!sites.isCallSite(u), u);
    }
    assert.deepEqual(sites.siteOf('https://example.com:8443/a?b'), { origin: 'https://example.com:8443', pattern: 'https://example.com/*' });
    assert.equal(sites.siteOf('chrome://settings'), null);
  });

  it('normalises stored settings (bad values fall back to defaults)', () => {
    const s = settings.normalizeSettings({ rate: -3, maxFaces: 'x', draw: { bars: true }, sites: { 'https://a.example': true } });
    assert.equal(s.rate, 0.5);
    assert.equal(s.maxFaces, settings.DEFAULT_SETTINGS.maxFaces);
    assert.deepEqual(s.draw, { boxes: true, labels: true, bars: true });
    assert.equal(settings.isSiteEnabled(s, 'https://a.example/x', 'https://a.example'), true);
    assert.equal(settings.isSiteEnabled(s, 'https://b.example/x', 'https://b.example'), false);
  });
});

describe('the way in', () => {
  it('imports the engine only as @emotion-detector/core and its public sub-paths', () => {
    const files = fs.readdirSync(src, { recursive: true }).filter((f) => f.endsWith('.ts')).map((f) => path.join(src, f));
    const pkg = JSON.parse(fs.readFileSync(path.resolve(src, '../../packages/core/package.json'), 'utf8'));
    const publicPaths = Object.keys(pkg.exports).map((k) => `@emotion-detector/core${k.slice(1)}`);
    const bad = [];
    let core = 0;
    for (const f of files) {
      for (const m of fs.readFileSync(f, 'utf8').matchAll(/from\s+'([^']+)'/g)) {
        const spec = m[1];
        if (spec.startsWith('@emotion-detector/')) {
          core++;
          if (!publicPaths.includes(spec)) bad.push(`${path.relative(src, f)}: ${spec}`);
        } else if (spec.startsWith('.') && !path.resolve(path.dirname(f), spec).startsWith(src + path.sep)) {
          bad.push(`${path.relative(src, f)}: ${spec}`);
        }
      }
    }
    assert.deepEqual(bad, [], 'imports from outside extension/src other than the public entry points');
    assert.ok(core > 0, 'the extension uses the engine');
  });
});

describe('the toolbar badge', () => {
  it('shows "!" only once the title names the error, and applies a tab\'s updates in order, each whole', async () => {
    const { badgeWriter } = await load('background/badge.ts');
    // A stand-in for browser.action whose writes land after different delays, like IPC round trips;
    // after each write, what a reader of the button (getBadgeText / getTitle) would see.
    const shown = { text: '', title: 'Emotion Detector', color: '' };
    const seen = [];
    const write = (key, value, ms) => new Promise((r) => setTimeout(() => { shown[key] = value; seen.push({ ...shown }); r(); }, ms));
    const action = {
      setTitle: ({ title }) => write('title', title, 3),
      setBadgeBackgroundColor: ({ color }) => write('color', color, 1),
      setBadgeText: ({ text }) => write('text', text, 2),
    };
    const show = badgeWriter(action);
    const stats = (over) => ({ url: 'https://meet.jit.si/', active: true, videos: 1, faces: 0, analysedFrames: 0, fps: 0, intervalMs: 100, engine: 'ready', ...over });
    await Promise.all([
      show(7, stats({ engine: 'error', error: 'the overlay could not be attached' })),
      show(7, stats({ faces: 3 })),
      show(7, stats({ engine: 'error', error: 'the engine stopped' })),
    ]);
    assert.equal(seen.length, 9);
    for (const s of seen) {
      if (s.text !== '!') continue;
      assert.match(s.title, /^Emotion Detector: error: /, `"!" shown beside the title "${s.title}"`);
      assert.equal(s.color, '#d93025', '"!" shown on the count\'s colour');
    }
    // The updates' writes did not interleave (into an error: title, colour, text; out of one: text first).
    assert.deepEqual(seen.map((s) => s.text), ['', '', '!', '3', '3', '3', '3', '3', '!']);
    assert.deepEqual(seen.map((s) => s.title.replace('Emotion Detector', 'ED')), ['ED: error: the overlay could not be attached', 'ED: error: the overlay could not be attached', 'ED: error: the overlay could not be attached', 'ED: error: the overlay could not be attached', 'ED: error: the overlay could not be attached', 'ED', 'ED: error: the engine stopped', 'ED: error: the engine stopped', 'ED: error: the engine stopped']);
    assert.deepEqual(shown, { text: '!', title: 'Emotion Detector: error: the engine stopped', color: '#d93025' });
  });
});
