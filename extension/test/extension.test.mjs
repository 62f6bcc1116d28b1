// End to end: the real extension (test build, also active on localhost) in headless Chromium on a
// fake video call whose tiles play loopback WebRTC streams of face photos. Real MediaPipe, real
// ONNX Runtime, real frames; the overlay is read through the DevTools protocol.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as h from './lib/harness.mjs';
import * as overlayReader from './lib/overlay-reader.mjs';

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

/** A call tab's stats as the popup sees them (asked from the service worker); by default the plain page's. */
async function tabStats(origin = servers.plain.url) {
  const worker = await serviceWorker.worker();
  return worker.evaluate(async (origin) => {
    for (const t of await chrome.tabs.query({})) {
      const s = await chrome.tabs.sendMessage(t.id, { type: 'get-stats' }).catch(() => null);
      if (s && s.active && s.url.startsWith(origin)) return { tabId: t.id, ...s, badge: await chrome.action.getBadgeText({ tabId: t.id }) };
    }
    return null;
  }, origin);
}

/** Changes stored settings the way the options page does. */
async function patchSettings(patch) {
  const worker = await serviceWorker.worker();
  await worker.evaluate(async (patch) => {
    const { settings } = await chrome.storage.local.get('settings');
    await chrome.storage.local.set({ settings: { ...settings, ...patch } });
  }, patch);
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
    // The page cannot read the results. Each check fails when one protection breaks: label text
    // in the DOM or a shadow root the page can open (window.find() searches those), a host the
    // page could pre-define as a custom element (ElementInternals reach its root) or give a root
    // of its own first, an extension URL in an attribute the page can read.
    const labels = value.overlay.faces.map((f) => f.label);
    const words = [...new Set(labels.map((l) => l.split(' ')[0]))];
    const fromPage = await page.evaluate((words) => {
      const found = words.filter((w) => {
        getSelection().removeAllRanges();
        return window.find(w, false, false, true);
      });
      const urls = [...document.querySelectorAll('*')].flatMap((el) => el.getAttributeNames().map((a) => el.getAttribute(a))).filter((v) => /chrome-extension:|engine\.html/.test(v ?? ''));
      return { found, urls, nameFound: window.find('dana') };
    }, words);
    assert.deepEqual(fromPage, { found: [], urls: [], nameFound: true }, `labels drawn: ${labels.join(', ')}`);
    const hosts = overlayReader.findHosts(await overlayReader.documentTree(cdp));
    assert.equal(hosts.length, 1, 'one overlay host');
    const { object } = await cdp.send('DOM.resolveNode', { backendNodeId: hosts[0].node.backendNodeId });
    const { result } = await cdp.send('Runtime.callFunctionOn', {
      objectId: object.objectId,
      returnByValue: true,
      functionDeclaration: `function () {
        let attach;
        try { this.attachShadow({ mode: 'open' }); attach = 'attached'; } catch (e) { attach = e.name; }
        return { tag: this.localName, customisable: this.localName.includes('-') || this.hasAttribute('is'), shadowRoot: this.shadowRoot, attach };
      }`,
    });
    const { tag, ...seen } = result.value;
    assert.deepEqual(seen, { customisable: false, shadowRoot: null, attach: 'NotSupportedError' }, `the host <${tag}> as the page sees it`);
    const stats = await tabStats();
    assert.equal(stats.engine, 'ready');
    console.log(`# engine loaded in ${stats.loadMs} ms; ${Date.now() - t0} ms total`);
  });

  it('labels a participant who joins within 5 s, ignores a hidden video, and removes the overlay when they leave', async () => {
    const joined = Date.now();
    await page.evaluate(() => Promise.all([window.call.join('eve'), window.call.join('fay', { hidden: true })]));
    const { ms } = await waitAnnotated(page, cdp, ['eve'], JOIN_ANNOTATION_MS + 5_000);
    const sinceJoin = Date.now() - joined;
    console.log(`# eve labelled ${ms} ms after her video played (${sinceJoin} ms after join() was called)`);
    assert.ok(ms <= JOIN_ANNOTATION_MS, `labelled within ${JOIN_ANNOTATION_MS} ms of playing (took ${ms})`);
    await new Promise((r) => setTimeout(r, 1_000));
    const tiles = await h.tileRects(page);
    const per = h.facesPerTile(await h.readOverlay(cdp), tiles);
    assert.equal(per.fay.length, 0, 'the invisible (opacity: 0) video is not annotated');

    await page.evaluate(() => window.call.leave('fay'));
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

  it('keeps the call smooth: no long main-thread tasks while analysing', async () => {
    // Frame pacing and long tasks on the call page over 5 s with analysis running. (Measured on
    // this harness: the same p95 frame interval as without the extension, 0-1 long task in 10 s.)
    const before = await tabStats();
    const m = await page.evaluate(() => new Promise((resolve) => {
      const long = [];
      const po = new PerformanceObserver((l) => l.getEntries().forEach((e) => long.push(e.duration)));
      po.observe({ type: 'longtask' });
      const gaps = [];
      let last = performance.now();
      const t0 = last;
      const tick = (t) => {
        gaps.push(t - last);
        last = t;
        if (t - t0 < 5000) return requestAnimationFrame(tick);
        po.disconnect();
        gaps.sort((a, b) => a - b);
        resolve({ p95: gaps[Math.floor(gaps.length * 0.95)], longTasks: long.length, longTaskMs: long.reduce((a, b) => a + b, 0) });
      };
      requestAnimationFrame(tick);
    }));
    const s = await tabStats();
    const frames = s.analysedFrames - before.analysedFrames;
    console.log(`# 5 s of analysis (${frames} frames analysed): frame interval p95 ${m.p95.toFixed(1)} ms, ${m.longTasks} long tasks (${Math.round(m.longTaskMs)} ms)`);
    assert.ok(frames > 0, 'analysis was running');
    assert.ok(m.longTaskMs < 400, `long tasks took ${m.longTaskMs} ms of 5000`);
    assert.ok(m.p95 < 100, `p95 frame interval ${m.p95} ms`);
  });

  it('annotates a page whose CSP forbids WebAssembly (script-src without wasm-unsafe-eval), frames sent as raw pixels', async () => {
    // This tab also takes the other way frames can reach the engine (raw pixels, for browsers
    // that cannot transfer an ImageBitmap to another process); the first page used ImageBitmaps.
    assert.equal((await tabStats()).transport, 'bitmap');
    await patchSettings({ transport: 'pixels' });
    const strict = await openCall(servers.strict);
    const blocked = await strict.evaluate(() =>
      WebAssembly.compile(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0])).then(() => 'compiled', (e) => e.name),
    );
    assert.equal(blocked, 'CompileError', "the page itself cannot compile WebAssembly");
    const session = await strict.createCDPSession();
    const { ms } = await waitAnnotated(strict, session, NAMES, FIRST_ANNOTATION_MS);
    console.log(`# CSP page: all 4 tiles labelled ${ms} ms after the call was ready`);
    assert.equal((await tabStats(servers.strict.url)).transport, 'pixels');
    await strict.close();
    await patchSettings({ transport: 'auto' });
    await page.bringToFront();
  });

  it('the popup shows live stats, the badge counts faces, and the toggle turns the site off and on', async () => {
    // The badge follows the face count within about a second.
    const stats = await h.poll(async () => {
      const s = await tabStats();
      return s && s.faces >= 3 && s.fps > 0 && s.badge === String(s.faces) ? s : null;
    }, { timeout: 10_000, message: 'stats with faces, and the badge showing their number' });
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

  it('the options page edits the same settings', async () => {
    const opts = await browser.newPage();
    try {
      await opts.goto(`chrome-extension://${extensionId}/options.html`);
      await opts.waitForFunction(() => document.getElementById('rate').value !== '');
      assert.equal(await opts.$eval('#rate', (e) => e.value), '4');
      await opts.$eval('#smoothing', (e) => { e.value = '800'; e.dispatchEvent(new Event('change')); });
      const worker = await serviceWorker.worker();
      await h.poll(() => worker.evaluate(async () => (await chrome.storage.local.get('settings')).settings?.smoothing === 800), { timeout: 3_000, message: 'smoothing saved' });
    } finally {
      await opts.close();
    }
  });

  it('starts over when the page removes the overlay layer', async () => {
    // Whatever the extension added to <html> (the host is a plain element, not a named one).
    await page.evaluate(() => [...document.documentElement.children].filter((e) => e !== document.head && e !== document.body).forEach((e) => e.remove()));
    const { ms } = await waitAnnotated(page, cdp, ['bea', 'cleo', 'dana'], FIRST_ANNOTATION_MS);
    console.log(`# labels back ${ms} ms after the page removed the layer`);
  });

  it('stops analysing while the tab is hidden, and resumes when it is shown', async () => {
    await page.bringToFront();
    // A second tab in the call's window hides the call tab.
    const known = new Set(browser.targets());
    const bcdp = await browser.target().createCDPSession();
    await bcdp.send('Target.createTarget', { url: 'about:blank' });
    const other = await (await browser.waitForTarget((t) => t.type() === 'page' && !known.has(t))).page();
    await other.bringToFront();
    assert.equal(await page.evaluate(() => document.visibilityState), 'hidden');
    // A round in flight may finish; after that the count must not move.
    await new Promise((r) => setTimeout(r, 1_500));
    const a = await tabStats();
    await new Promise((r) => setTimeout(r, 5_000));
    const b = await tabStats();
    assert.equal(b.analysedFrames, a.analysedFrames, 'no frame analysed while hidden');
    assert.equal(await page.evaluate(() => document.visibilityState), 'hidden');
    await other.close();
    await page.bringToFront();
    await h.poll(async () => (await tabStats()).analysedFrames > b.analysedFrames, { timeout: 10_000, message: 'analysis to resume when visible' });
  });

  it('makes no network request beyond the page and its own files', async () => {
    // The engine frame's address is per session (use_dynamic_url): the extension's too.
    const worker = await serviceWorker.worker();
    const dynamic = (await worker.evaluate(() => chrome.runtime.getURL('engine.html'))).replace(/\/engine\.html$/, '');
    const origins = [servers.plain.url, servers.strict.url, dynamic];
    assert.ok(requests.urls.some((u) => u.startsWith(`chrome-extension://${extensionId}/assets/`)), 'the recorder saw the engine load its assets');
    assert.ok(requests.urls.some((u) => u.startsWith(servers.plain.url)), 'the recorder saw the page load');
    const label = (u) => (u.startsWith('chrome-extension:') ? 'chrome-extension://<id>' : /^(blob|data):/.test(u) ? `${u.split(':')[0]}: (in memory)` : new URL(u).origin);
    const seen = [...new Set(requests.urls.map(label))];
    console.log(`# ${requests.urls.length} requests recorded, to: ${seen.join(', ')}`);
    assert.deepEqual(requests.outside(origins, extensionId), []);
  });
});
