// End to end: the real extension (test build, also active on localhost) in headless Chromium on a
// fake video call whose tiles play loopback WebRTC streams of face photos. Real MediaPipe, real
// ONNX Runtime, real frames; the overlay is read through the DevTools protocol.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as h from './lib/harness.mjs';

/** Engine start (25 MB of WASM to compile) on a loaded 2-core machine is slow; later tiles get 5 s. */
const FIRST_ANNOTATION_MS = 90_000;
const JOIN_ANNOTATION_MS = 5_000;
const NAMES = ['ada', 'bea', 'cleo', 'dana'];

let ext, servers, browser, extensionId, serviceWorker, requests, page, cdp;

async function openCall(server) {
  const p = await browser.newPage();
  await p.setViewport({ width: 1100, height: 760 });
  await p.goto(`${server.url}/call.html`);
  await p.waitForFunction(() => document.getElementById('status').textContent !== 'starting', { timeout: 30_000 });
  assert.equal(await p.$eval('#status', (e) => e.textContent), 'ready', 'the fake call started');
  return p;
}

/** Waits until every named tile shows at least one labelled face; returns the overlay and tiles. */
async function waitAnnotated(p, session, names, timeout) {
  return h.poll(async () => {
    const overlay = await h.readOverlay(session);
    const tiles = await h.tileRects(p);
    const per = h.facesPerTile(overlay, tiles);
    return names.every((n) => per[n]?.length) ? { overlay, tiles, per } : null;
  }, { timeout, message: `labels on ${names.join(', ')}` });
}

/** The tab's stats as the popup sees them (asked from the service worker). */
async function tabStats() {
  const worker = await serviceWorker.worker();
  return worker.evaluate(async () => {
    for (const t of await chrome.tabs.query({})) {
      const s = await chrome.tabs.sendMessage(t.id, { type: 'get-stats' }).catch(() => null);
      if (s && s.active) return { tabId: t.id, ...s, badge: await chrome.action.getBadgeText({ tabId: t.id }) };
    }
    return null;
  });
}

describe('browser extension', { timeout: 240_000 }, () => {
  before(async () => {
    ext = await h.buildTestExtension();
    servers = await h.serveCall();
    ({ browser, extensionId, serviceWorker } = await h.launchWithExtension(ext));
    requests = h.recordRequests(browser);
  });

  after(async () => {
    await browser?.close();
    await servers?.close();
  });

  it('labels every participant: plain, mirrored, inside an open shadow root, letterboxed', async () => {
    page = await openCall(servers.plain);
    cdp = await page.createCDPSession();
    const t0 = Date.now();
    const { value, ms } = await waitAnnotated(page, cdp, NAMES, FIRST_ANNOTATION_MS);
    console.log(`# first labels on all 4 tiles ${ms} ms after the call was ready (includes engine start)`);
    const { per, tiles } = value;
    for (const name of NAMES) {
      const t = tiles[name];
      const face = per[name][0];
      const cx = h.centre(face.box).x;
      // The face is in the left half of each camera picture; a mirrored tile shows it on the right.
      if (t.mirrored) assert.ok(cx > t.x + t.width / 2, `${name}: mirrored face drawn on the right (${cx} in ${JSON.stringify(t)})`);
      else assert.ok(cx < t.x + t.width / 2, `${name}: face drawn on the left (${cx} in ${JSON.stringify(t)})`);
      assert.ok(face.box.width > 30 && face.box.width < t.width * 0.7, `${name}: face box has a plausible size (${face.box.width})`);
    }
    // 'dana' is object-fit: contain, 4:3 in a 1:1 box: the picture is letterboxed vertically.
    const d = tiles.dana;
    const pictureH = d.width * (480 / 640);
    const top = d.y + (d.height - pictureH) / 2;
    for (const f of per.dana) assert.ok(f.box.y >= top - 1 && f.box.y + f.box.height <= top + pictureH + 1, 'dana: box inside the letterboxed picture');
    const stats = await tabStats();
    assert.equal(stats.engine, 'ready');
    console.log(`# engine loaded in ${stats.loadMs} ms; ${Date.now() - t0} ms total`);
  });

  it('labels a participant who joins within 5 s and removes the overlay when they leave', async () => {
    const joined = Date.now();
    await page.evaluate(() => window.call.join('eve'));
    const { ms } = await waitAnnotated(page, cdp, ['eve'], JOIN_ANNOTATION_MS + 5_000);
    const sinceJoin = Date.now() - joined;
    console.log(`# eve labelled ${ms} ms after her video played (${sinceJoin} ms after join() was called)`);
    assert.ok(ms <= JOIN_ANNOTATION_MS, `labelled within ${JOIN_ANNOTATION_MS} ms of playing (took ${ms})`);

    const eveRect = (await h.tileRects(page)).eve;
    await page.evaluate(() => window.call.leave('eve'));
    await h.poll(async () => {
      const overlay = await h.readOverlay(cdp);
      return overlay.faces.every((f) => !h.inside(h.centre(f.box), eveRect));
    }, { timeout: 1_500, message: "eve's overlay to go" });
  });

  it('stays glued to the faces when tiles reflow, resize and the page scrolls', async () => {
    // 'ada' leaves: every later tile moves one cell back.
    await page.evaluate(() => window.call.leave('ada'));
    const rest = NAMES.filter((n) => n !== 'ada');
    const check = async () => {
      const overlay = await h.readOverlay(cdp);
      const tiles = await h.tileRects(page);
      const per = h.facesPerTile(overlay, tiles);
      const placed = overlay.faces.filter((f) => h.EMOTION_LABEL.test(f.label));
      const stray = placed.filter((f) => !Object.values(tiles).some((r) => h.inside(h.centre(f.box), r)));
      return rest.every((n) => per[n]?.length) && stray.length === 0;
    };
    await h.poll(check, { timeout: 1_000, message: 'labels to follow the reflowed tiles' });
    await page.evaluate(() => {
      document.querySelector('.tile[data-name="bea"]').style.cssText = 'width: 480px; height: 360px';
      document.body.style.minHeight = '3000px';
      window.scrollTo(0, 150);
    });
    await h.poll(check, { timeout: 1_000, message: 'labels to follow a resized tile and a scroll' });
  });

  it('annotates a page whose CSP forbids WebAssembly (script-src without wasm-unsafe-eval)', async () => {
    const strict = await openCall(servers.strict);
    const blocked = await strict.evaluate(() =>
      WebAssembly.compile(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0])).then(() => 'compiled', (e) => e.name),
    );
    assert.equal(blocked, 'CompileError', "the page itself cannot compile WebAssembly");
    const session = await strict.createCDPSession();
    const { ms } = await waitAnnotated(strict, session, NAMES, FIRST_ANNOTATION_MS);
    console.log(`# CSP page: all 4 tiles labelled ${ms} ms after the call was ready`);
    await strict.close();
    await page.bringToFront();
  });

  it('the popup shows live stats, the badge counts faces, and the toggle turns the site off and on', async () => {
    const stats = await h.poll(async () => {
      const s = await tabStats();
      return s && s.faces >= 3 && s.fps > 0 ? s : null;
    }, { timeout: 10_000, message: 'stats with faces' });
    assert.equal(stats.value.badge, String(stats.value.faces), 'badge shows the face count');
    const v = stats.value;
    console.log(`# live: ${v.faces} faces in ${v.videos} videos, ${v.fps} analysed frames/s, ${v.frameMs} ms engine time per frame, round every ${v.intervalMs} ms (last round: ${JSON.stringify(v.lastRound)})`);

    // The popup, in its own window so the call tab stays visible; ?tab= names the call's tab.
    const popupUrl = `chrome-extension://${extensionId}/popup.html?tab=${stats.value.tabId}`;
    const bcdp = await browser.target().createCDPSession();
    await bcdp.send('Target.createTarget', { url: popupUrl, newWindow: true });
    const popup = await (await browser.waitForTarget((t) => t.url() === popupUrl)).page();
    try {
    await popup.waitForFunction(() => Number(document.getElementById('faces').textContent) >= 3, { timeout: 5_000 });
    const shown = await popup.evaluate(() => ({ fps: Number(document.getElementById('fps').textContent), on: document.getElementById('enabled').checked, text: document.getElementById('stats').textContent }));
    assert.ok(shown.fps > 0, `popup shows analysed frames/s: ${shown.text} / ${JSON.stringify(await tabStats())} / ${await page.evaluate(() => document.visibilityState)}`);
    assert.equal(shown.on, true);

    // "What to draw": bars on, then labels off.
    await popup.click('#bars');
    await h.poll(async () => (await h.readOverlay(cdp)).faces.some((f) => f.barsShown), { timeout: 3_000, message: 'probability bars' });
    await popup.click('#labels');
    await h.poll(async () => {
      const o = await h.readOverlay(cdp);
      return o.faces.length > 0 && o.faces.every((f) => f.labelHidden);
    }, { timeout: 3_000, message: 'labels hidden' });
    await popup.click('#labels');
    await popup.click('#bars');

    await popup.click('#enabled');
    await h.poll(async () => (await h.readOverlay(cdp)).hosts === 0, { timeout: 3_000, message: 'overlay removed after turning off' });
    await popup.waitForFunction(() => document.getElementById('engine').textContent === 'off' || document.getElementById('faces').textContent === '–', { timeout: 3_000 });

    await popup.click('#enabled');
    const { ms } = await waitAnnotated(page, cdp, ['bea', 'cleo', 'dana'], FIRST_ANNOTATION_MS);
    console.log(`# labels back ${ms} ms after turning the site on again`);
    } finally {
      await popup.close();
    }
  });

  it('stops analysing while the tab is hidden', async () => {
    await page.bringToFront();
    // A second tab in the call's window hides the call tab.
    const bcdp = await browser.target().createCDPSession();
    const { targetId } = await bcdp.send('Target.createTarget', { url: 'about:blank' });
    const other = await (await browser.waitForTarget((t) => t._targetId === targetId)).page();
    await other.bringToFront();
    assert.equal(await page.evaluate(() => document.visibilityState), 'hidden');
    // The frames/s figure covers the last 3 s.
    const s = await h.poll(async () => {
      const st = await tabStats();
      return st && st.fps === 0 ? st : null;
    }, { timeout: 6_000, message: 'analysis to stop' });
    assert.equal(s.value.fps, 0);
    await other.close();
    await page.bringToFront();
  });

  it('makes no network request beyond the page and its own files', () => {
    const origins = [servers.plain.url, servers.strict.url];
    assert.ok(requests.urls.some((u) => u.startsWith(`chrome-extension://${extensionId}/assets/`)), 'the recorder saw the engine load its assets');
    assert.ok(requests.urls.some((u) => u.startsWith(servers.plain.url)), 'the recorder saw the page load');
    assert.deepEqual(requests.outside(origins, extensionId), []);
  });
});
