// End to end in Firefox ESR: the release configuration of the Firefox build, installed over
// WebDriver BiDi (puppeteer-core), in headful Firefox on an X display (Xvfb: WebGL, which
// MediaPipe needs, exists only headful here), on the fake call served over HTTPS as
// https://meet.jit.si/. Real MediaPipe, real ONNX Runtime, real frames. What the extension found
// is read from the extension's own side (its popup, its badge); that it drew is checked on
// screen pixels (overlay on vs off), never by reading the overlay from the page.
// Skipped, with the reason, where Firefox or an X server is missing.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as h from './lib/harness.mjs';
import * as ff from './lib/firefox.mjs';
import { decodePng } from './lib/png.mjs';

const CALL_HOST = 'meet.jit.si';
const OTHER_HOST = 'evil.example';
const CALL_URL = `https://${CALL_HOST}/call.html`;
const TILES = ['ada', 'bea', 'cleo', 'dana'];
/** Engine start (25 MB of WASM) on a loaded 2-core machine, software WebGL: generous. */
const FIRST_FACES_MS = 120_000;
const VIEWPORT = { width: 1100, height: 760 };

const skip = ff.firefoxSkipReason();
let x, server, browser, page, popup, uuid, tabId;

/** Evaluates `fn(arg)` as extension code (in the popup page), with the WebExtension API at hand. */
const asExtension = (fn, arg) => popup.evaluate(fn, arg);

/** The call tab's badge and the popup's numbers, as a user would see them. */
async function shown() {
  const badge = await asExtension((tabId) => browser.action.getBadgeText({ tabId }), tabId);
  const ui = await popup.evaluate(() => ({
    faces: document.getElementById('faces').textContent,
    videos: document.getElementById('videos').textContent,
    engine: document.getElementById('engine').textContent,
    on: document.getElementById('enabled').checked,
  }));
  return { badge, ...ui };
}

/** The part of each tile's picture where its face is (left half; right half when mirrored). */
async function faceHalves() {
  const tiles = await h.tileRects(page);
  return Object.fromEntries(TILES.map((n) => {
    const t = tiles[n];
    assert.ok(t, `tile ${n} is on the page`);
    return [n, { x: t.mirrored ? t.x + t.width / 2 : t.x, y: t.y, width: t.width / 2, height: t.height }];
  }));
}

async function screenshot() {
  return decodePng(Buffer.from(await page.screenshot({ type: 'png' })));
}

describe('Firefox ESR end to end', { timeout: 300_000 }, () => {
  before(async () => {
    if (skip) return;
    const t0 = Date.now();
    const extDir = await ff.buildReleaseFirefox();
    server = await ff.serveCallHttps(ff.selfSignedCert([CALL_HOST, OTHER_HOST]));
    x = await ff.xDisplay();
    uuid = ff.randomUuid();
    browser = await ff.launchFirefox({ display: x.display, port: server.port, hosts: [CALL_HOST, OTHER_HOST], uuid });
    const id = await browser.installExtension(extDir);
    assert.equal(id, 'emotion-detector@emotion-detector.dev');
    page = (await browser.pages())[0] ?? (await browser.newPage());
    await ff.setViewport(page, VIEWPORT);
    await page.goto(CALL_URL);
    await page.waitForFunction(() => document.getElementById('status').textContent !== 'starting', { timeout: 60_000 });
    assert.equal(await page.$eval('#status', (e) => e.textContent), 'ready', 'the fake call started');
    // The call tab's id, from the extension's side (it may see the URL: the host is granted).
    const probe = await ff.openExtensionPage(browser, `moz-extension://${uuid}/popup.html`);
    tabId = await probe.evaluate(async (url) => (await browser.tabs.query({ url }))[0]?.id, CALL_URL);
    await probe.close();
    assert.ok(tabId, 'the extension sees the call tab');
    popup = await ff.openExtensionPage(browser, `moz-extension://${uuid}/popup.html?tab=${tabId}`);
    console.log(`# ${await browser.version()}, display ${x.display}, set up in ${Date.now() - t0} ms`);
  });

  after(async () => {
    await browser?.close().catch(() => {});
    await server?.close();
    await x?.close();
  });

  it('finds the faces on a call site and draws them: popup and badge count them, the overlay is on screen', { skip: skip ?? false }, async () => {
    assert.equal(await page.evaluate(() => !!document.createElement('canvas').getContext('webgl2')), true, 'WebGL2 exists (headful Firefox on X)');
    const granted = await asExtension((origins) => browser.permissions.contains({ origins }), [`https://${CALL_HOST}/*`]);
    assert.equal(granted, true, 'the call site is granted (the install grant, extensions.originControls.grantByDefault)');

    const { value: seen, ms } = await h.poll(async () => {
      const s = await shown();
      const n = Number(s.faces);
      return n >= TILES.length && s.badge === String(n) && /^ready/.test(s.engine) && s.on ? s : null;
    }, { timeout: FIRST_FACES_MS, interval: 500, message: `the popup and badge to count ${TILES.length}+ faces` }).catch(async (e) => {
      throw new Error(`${e.message}; last shown: ${JSON.stringify(await shown())}`);
    });
    console.log(`# ${ms} ms after the call was ready: popup shows ${seen.faces} faces in ${seen.videos} videos, engine ${seen.engine}, badge ${seen.badge}`);
    assert.equal(Number(seen.videos), TILES.length, 'every tile\'s video is analysed');

    // Drawn: the face areas on screen with the overlay on, against the same areas with it off.
    const areas = await faceHalves();
    const on = await screenshot();
    const scale = on.width / VIEWPORT.width;
    await popup.click('#enabled');
    await h.poll(async () => {
      const s = await shown();
      return !s.on && !(Number(s.faces) > 0) && s.badge === '' ? s : null;
    }, { timeout: 10_000, message: 'the popup and badge to show the site off' });
    await new Promise((r) => setTimeout(r, 1_500));
    const off = await screenshot();
    await new Promise((r) => setTimeout(r, 1_000));
    const off2 = await screenshot();
    const drawn = {}, noise = {};
    for (const [name, r] of Object.entries(areas)) {
      drawn[name] = ff.changedPixels(on, off, r, { scale });
      noise[name] = ff.changedPixels(off, off2, r, { scale });
    }
    console.log(`# changed pixels per face area, overlay on vs off: ${JSON.stringify(drawn)}; off vs off (video noise): ${JSON.stringify(noise)}`);
    for (const name of TILES) {
      assert.ok(drawn[name] >= 150 && drawn[name] > 5 * noise[name], `${name}: the overlay drew over the face (${drawn[name]} px changed; noise ${noise[name]})`);
    }
    // The rest of the screen did not change: the difference is the overlay's, where the faces are.
    const header = { x: 0, y: 0, width: VIEWPORT.width, height: 30 };
    assert.equal(ff.changedPixels(on, off, header, { scale }), 0, 'the page header did not change');

    // And back on, as the user would: counted again.
    await popup.click('#enabled');
    const back = await h.poll(async () => {
      const s = await shown();
      return Number(s.faces) >= TILES.length && s.badge === s.faces ? s : null;
    }, { timeout: FIRST_FACES_MS, interval: 500, message: 'faces counted again after turning the site back on' });
    console.log(`# back on: ${back.value.faces} faces after ${back.ms} ms`);
    const again = await screenshot();
    for (const [name, r] of Object.entries(areas)) {
      const n = ff.changedPixels(again, off, r, { scale });
      assert.ok(n >= 150 && n > 5 * noise[name], `${name}: drawn again (${n} px changed)`);
    }
  });

  it('the moz-extension UUID: not visible to the call page; unguessable, so no page can probe for the extension', { skip: skip ?? false }, async () => {
    // What the call page itself can see while the extension analyses it.
    const onCall = await page.evaluate((uuid) => {
      const frames = [];
      for (let i = 0; i < window.length; i++) {
        try {
          frames.push(String(window[i].location.href));
        } catch (e) {
          frames.push(`unreadable (${e.name})`);
        }
      }
      const resources = performance.getEntriesByType('resource').map((e) => e.name).filter((n) => !n.startsWith('https:'));
      const html = document.documentElement.outerHTML;
      return { frames, resources, htmlHasUuid: html.includes(uuid), htmlHasScheme: html.includes('moz-extension:') };
    }, uuid);
    console.log(`# call page: window.length ${onCall.frames.length} ${JSON.stringify(onCall.frames)}, non-https resource entries ${JSON.stringify(onCall.resources)}, UUID in its HTML: ${onCall.htmlHasUuid}`);
    assert.equal(onCall.htmlHasUuid, false, 'the UUID is not in the page\'s DOM');
    assert.equal(onCall.htmlHasScheme, false, 'no moz-extension: URL in the page\'s DOM');
    assert.deepEqual(onCall.resources, [], 'no moz-extension: entry in the page\'s resource timing');
    assert.ok(onCall.frames.every((f) => !f.includes(uuid)), 'no frame the page can reach tells the UUID');

    // A page on a non-call origin, probing: with the UUID (as if it had leaked), with a wrong one,
    // and for a file that is not web-accessible.
    const other = await browser.newPage();
    try {
      await other.goto(`https://${OTHER_HOST}/call.html?auto=0`);
      const probe = await other.evaluate(async ({ uuid, wrong }) => {
        const get = (u) => fetch(u).then((r) => `HTTP ${r.status}`, (e) => `${e.name}: ${e.message}`);
        const frame = (u) => new Promise((resolve) => {
          const f = document.createElement('iframe');
          const timer = setTimeout(() => resolve('no load event in 5 s'), 5_000);
          f.onload = () => { clearTimeout(timer); resolve('load event'); };
          f.onerror = () => { clearTimeout(timer); resolve('error event'); };
          f.src = u;
          document.body.append(f);
        });
        return {
          engineWithUuid: await get(`moz-extension://${uuid}/engine.html`),
          engineWrongUuid: await get(`moz-extension://${wrong}/engine.html`),
          manifestWithUuid: await get(`moz-extension://${uuid}/manifest.json`),
          popupWithUuid: await get(`moz-extension://${uuid}/popup.html`),
          frameWithUuid: await frame(`moz-extension://${uuid}/engine.html#probe`),
          frameWrongUuid: await frame(`moz-extension://${wrong}/engine.html#probe`),
        };
      }, { uuid, wrong: ff.randomUuid() });
      console.log(`# ${OTHER_HOST} probing: ${JSON.stringify(probe)}`);
      // Without the UUID a page cannot tell the extension is there: a wrong UUID and a file that
      // is not web-accessible fail alike.
      assert.match(probe.engineWrongUuid, /^TypeError/);
      assert.equal(probe.manifestWithUuid, probe.engineWrongUuid, 'a non-web-accessible file fails like a missing extension');
      assert.equal(probe.popupWithUuid, probe.engineWrongUuid, 'the popup is not web-accessible');
    } finally {
      await other.close();
    }
  });
});
