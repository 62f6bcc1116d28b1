// Attacks on the engine (issue 20, items 1 and 4): the release build in headless Chromium, a call
// served as https://meet.jit.si/ and a hostile page as https://evil.example/ (one local HTTPS
// server, self-signed, reached through --host-resolver-rules). The hostile page fetches
// engine.html, frames it with fragments of its own choosing (and, as if the address leaked, at
// the call tab's own address and with the call tab's own ticket), connects with its own port and
// sends frames: it must get no answer, learn nothing, and no engine may load. A call page that is
// cross-origin isolated (COEP require-corp) is still labelled. Then the ticket book itself, with a
// stand-in browser API: one engine per tab, one use per ticket, the cap on engines.
//   EXTENSION_DIR=path/to/unpacked/chrome (or EXT_DIR)   runs the browser attacks against another build (e.g. main's)
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import * as esbuild from 'esbuild';
import * as h from './lib/harness.mjs';
import { callSite, launchOnSites, releaseExtension, serveSites } from './lib/callsite.mjs';

const FIRST_ANNOTATION_MS = 90_000;
/** How long the hostile page listens for an answer; an engine that answers at all does so within a second. */
const LISTEN_MS = 12_000;
const NAMES = ['ada', 'bea', 'cleo', 'dana'];
const CALL = 'https://meet.jit.si';
const EVIL = 'https://evil.example';
const ASSET = /^chrome-extension:\/\/[^/]+\/assets\/.*\.(wasm|onnx|tflite)$/;

let ext, sites, browser, extensionId, requests, call, callCdp;

async function openCall(url) {
  const p = await browser.newPage();
  await p.setViewport({ width: 1100, height: 760 });
  await p.goto(url);
  await p.waitForFunction(() => document.getElementById('status').textContent !== 'starting', { timeout: 30_000 });
  assert.equal(await p.$eval('#status', (e) => e.textContent), 'ready', 'the fake call started');
  return p;
}

async function waitAnnotated(p, session, timeout) {
  return h.poll(async () => {
    const per = h.facesPerTile(await h.readOverlay(session), await h.tileRects(p));
    return NAMES.every((n) => per[n]?.length) ? per : null;
  }, { timeout, message: `labels on ${NAMES.join(', ')}` });
}

/** The engine frame's address in the call tab, as only DevTools can read it (closed shadow root). */
async function engineFrameUrl(session) {
  const { root } = await session.send('DOM.getDocument', { depth: -1, pierce: true });
  let src = null;
  const walk = (n) => {
    if (n.localName === 'iframe') {
      const a = n.attributes ?? [];
      for (let i = 0; i < a.length; i += 2) if (a[i] === 'src' && a[i + 1].includes('/engine.html')) src = a[i + 1];
    }
    for (const c of [...(n.children ?? []), ...(n.shadowRoots ?? [])]) walk(c);
  };
  walk(root);
  return src;
}

describe('attacks on the engine (release build, headless Chromium)', { timeout: 400_000 }, () => {
  before(async () => {
    ext = await releaseExtension();
    sites = await serveSites({
      'meet.jit.si': callSite(),
      'evil.example': { roots: { '/samples/': callSite().roots['/samples/'] }, pages: { '/': '<!doctype html><title>evil</title><p>nothing to see</p>' } },
    });
    ({ browser, extensionId } = await launchOnSites(ext, sites));
    requests = h.recordRequests(browser);
  });

  after(async () => {
    await browser?.close();
    await sites?.close();
  });

  it('labels a call on https://meet.jit.si/ (the release build runs there)', async () => {
    call = await openCall(`${CALL}/call.html`);
    callCdp = await call.createCDPSession();
    const { ms } = await waitAnnotated(call, callCdp, FIRST_ANNOTATION_MS);
    console.log(`# call labelled ${ms} ms after it was ready`);
    assert.ok(requests.urls.some((u) => ASSET.test(u)), 'the recorder saw the engine load its runtimes and models');
  });

  it('a page on another origin cannot fetch engine.html, nor tell that the extension is installed', async () => {
    const evil = await browser.newPage();
    try {
      await evil.goto(`${EVIL}/`);
      const bogus = 'abcdefghijklmnopabcdefghijklmnop';
      const outcome = await evil.evaluate(async (id, bogus) => {
        const get = (u) => fetch(u).then((r) => `status ${r.status}`, (e) => `${e.name}: ${e.message}`);
        return {
          engine: await get(`chrome-extension://${id}/engine.html`),
          notInstalled: await get(`chrome-extension://${bogus}/engine.html`),
          manifest: await get(`chrome-extension://${id}/manifest.json`),
        };
      }, extensionId, bogus);
      console.log(`# fetch from ${EVIL}: ${JSON.stringify(outcome)}`);
      assert.match(outcome.engine, /^TypeError/, 'fetching engine.html fails');
      assert.equal(outcome.engine, outcome.notInstalled, 'the same failure as for an extension that is not installed');
      assert.equal(outcome.manifest, outcome.notInstalled);
    } finally {
      await evil.close();
    }
  });

  it('a page that frames engine.html#anything and connects with its own nonce gets no answer, and no engine loads', async () => {
    const leaked = await engineFrameUrl(callCdp);
    assert.ok(leaked, 'the call tab has an engine frame');
    const base = leaked.split('#')[0];
    const stolen = leaked.split('#')[1];
    const hex = 'ab'.repeat(32);
    const targets = [
      `chrome-extension://${extensionId}/engine.html#x`,
      `chrome-extension://${extensionId}/engine.html#${hex}`,
      // As if the call tab's engine address and its ticket had leaked to the page.
      `${base}#x`,
      `${base}#${hex}`,
      `${base}#${stolen}`,
    ];
    const assetsBefore = requests.urls.filter((u) => ASSET.test(u)).length;
    const evil = await browser.newPage();
    try {
      await evil.goto(`${EVIL}/`);
      const got = await evil.evaluate(async (targets, listenMs) => {
        const img = new Image();
        img.src = '/samples/sample1.jpg';
        await img.decode();
        const config = { maxFaces: 4, smoothing: 400 };
        const one = (url) => new Promise((resolve) => {
          const frame = document.createElement('iframe');
          frame.src = url;
          const fragment = url.split('#')[1];
          const messages = [];
          let loaded = false;
          const connect = async () => {
            loaded = true;
            const { port1, port2 } = new MessageChannel();
            port1.onmessage = async (e) => {
              messages.push(e.data?.type ?? (e.data?.ok !== undefined ? `reply ${e.data.ok}` : 'progress'));
              // Today's protocol: once the engine says ready, ask for faces.
              if (e.data?.type === 'ready') port1.postMessage({ type: 'detect', id: 9, frames: [{ key: 1, image: await createImageBitmap(img) }] });
            };
            // Every shape of handshake either protocol has used, with the page's own nonce.
            frame.contentWindow.postMessage({ type: 'connect', nonce: fragment, ticket: fragment, config }, '*', [port2]);
            // A liveness ping, which an admitted engine answers in any state (even while loading).
            port1.postMessage({ type: 'ping', n: 1 });
            port1.postMessage({ type: 'start', id: 1, config });
            port1.postMessage({ type: 'detect', id: 2, frames: [{ key: 1, image: await createImageBitmap(img) }] });
          };
          frame.addEventListener('load', () => void connect(), { once: true });
          document.body.append(frame);
          setTimeout(() => resolve({ url, loaded, messages }), listenMs);
        });
        return Promise.all(targets.map(one));
      }, targets, LISTEN_MS);
      for (const g of got) console.log(`# ${g.url.replace(/#.*/, '#…')} (fragment ${g.url.split('#')[1].length} chars): frame load event ${g.loaded}, ${g.messages.length} messages ${JSON.stringify(g.messages.slice(0, 4))}`);
      const assets = requests.urls.filter((u) => ASSET.test(u)).slice(assetsBefore);
      for (const g of got) assert.deepEqual(g.messages, [], `no answer through ${g.url}`);
      assert.deepEqual(assets, [], 'no runtime or model was loaded for the hostile page');
    } finally {
      await evil.close();
    }
    // The call goes on.
    await waitAnnotated(call, callCdp, 10_000);
  });

  it('labels a cross-origin-isolated call page (COOP same-origin, COEP require-corp)', async () => {
    await call.close();
    const isolated = await openCall(`${CALL}/call.html?isolated`);
    try {
      assert.equal(await isolated.evaluate(() => crossOriginIsolated), true, 'the page is cross-origin isolated');
      const session = await isolated.createCDPSession();
      const { ms } = await waitAnnotated(isolated, session, FIRST_ANNOTATION_MS);
      console.log(`# isolated call labelled ${ms} ms after it was ready`);
    } finally {
      await isolated.close();
    }
  });
});

// ---------------------------------------------------------------------------------------------
// The ticket book (background/engine-tickets.ts) with a stand-in browser API.

const src = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../src');

/** A stand-in for the parts of the browser API the ticket book uses. */
function fakeBrowser() {
  const store = {};
  const revoked = [];
  /** Tabs whose content script says it still runs its engine. */
  const holding = new Set();
  return {
    revoked,
    holding,
    api: {
      runtime: {
        id: 'our-id',
        sendMessage: async (m) => {
          if (m?.type === 'engine-revoked') revoked.push(m.ticket);
        },
      },
      storage: { session: { get: async (k) => ({ [k]: store[k] }), set: async (o) => Object.assign(store, structuredClone(o)) } },
      tabs: { sendMessage: async (tabId, m) => m.type === 'engine-held' && holding.has(tabId) },
    },
  };
}

async function loadTickets(fake) {
  globalThis.__fakeBrowser = fake.api;
  const r = await esbuild.build({
    entryPoints: [path.join(src, 'background/engine-tickets.ts')], bundle: true, format: 'esm', write: false, platform: 'neutral',
    plugins: [{ name: 'fake-browser', setup(b) {
      b.onResolve({ filter: /^webextension-polyfill$/ }, () => ({ path: 'x', namespace: 'fake' }));
      b.onLoad({ filter: /.*/, namespace: 'fake' }, () => ({ contents: 'export default globalThis.__fakeBrowser' }));
    } }],
  });
  // A fresh module per stand-in (the same source would be the same cached module).
  const code = `${r.outputFiles[0].text}\n// ${++loads}`;
  return import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`);
}
let loads = 0;

const contentScript = (tabId, frameId = 0) => ({ id: 'our-id', tab: { id: tabId }, frameId, url: `https://meet.jit.si/room-${tabId}` });
const enginePage = (tabId, ticket) => ({ id: 'our-id', tab: { id: tabId }, frameId: 7, url: `chrome-extension://our-id/engine.html#${ticket}` });

describe('engine tickets (background)', () => {
  it('gives a ticket only to a content script, redeemable once, by our engine page in that tab', async () => {
    const fake = fakeBrowser();
    const t = await loadTickets(fake);
    assert.equal((await t.mintTicket({ id: 'our-id', url: 'https://meet.jit.si/' })).ok, false, 'no tab: refused');
    assert.equal((await t.mintTicket({ id: 'our-id', tab: { id: 1 }, url: 'chrome-extension://our-id/popup.html' })).ok, false, 'an extension page: refused');
    const a = await t.mintTicket(contentScript(1));
    assert.equal(a.ok, true);
    assert.match(a.ticket, /^[0-9a-f]{64}$/);
    assert.deepEqual(await t.redeemTicket(a.ticket, enginePage(2, a.ticket)), { ok: false }, 'another tab');
    assert.deepEqual(await t.redeemTicket(a.ticket, { ...enginePage(1, a.ticket), url: 'https://meet.jit.si/engine.html' }), { ok: false }, 'not our page');
    assert.deepEqual(await t.redeemTicket(a.ticket, { ...enginePage(1, a.ticket), url: `chrome-extension://our-id/popup.html#${a.ticket}` }), { ok: false }, 'not the engine page');
    assert.deepEqual(await t.redeemTicket('ab'.repeat(32), enginePage(1, 'x')), { ok: false }, 'a made-up ticket');
    assert.deepEqual(await t.redeemTicket(a.ticket, enginePage(1, a.ticket)), { ok: true });
    assert.deepEqual(await t.redeemTicket(a.ticket, enginePage(1, a.ticket)), { ok: false }, 'used once only');
  });

  it('keeps one engine per tab (a new ticket revokes the old one) and at most 8 at once', async () => {
    const fake = fakeBrowser();
    const t = await loadTickets(fake);
    const first = await t.mintTicket(contentScript(1));
    const second = await t.mintTicket(contentScript(1));
    assert.deepEqual(fake.revoked, [first.ticket], 'the old engine of the tab is told to stop');
    assert.deepEqual(await t.redeemTicket(first.ticket, enginePage(1, first.ticket)), { ok: false }, 'a revoked ticket');
    assert.deepEqual(await t.redeemTicket(second.ticket, enginePage(1, second.ticket)), { ok: true });
    fake.holding.add(1);
    for (let tab = 2; tab <= t.MAX_ENGINES; tab++) {
      assert.equal((await t.mintTicket(contentScript(tab))).ok, true);
      fake.holding.add(tab);
    }
    const refused = await t.mintTicket(contentScript(100));
    assert.equal(refused.ok, false);
    assert.equal(refused.code, 'too-many-engines');
    assert.match(refused.message, /8 tabs/);
    // A tab whose content script no longer runs its engine (navigated away, turned off) is pruned.
    fake.holding.delete(3);
    assert.equal((await t.mintTicket(contentScript(100))).ok, true);
    fake.holding.add(100);
    // Released and closed tabs free their place too.
    const tab4 = await t.mintTicket(contentScript(4));
    assert.equal(tab4.ok, true, 'a tab that has a ticket may always renew it');
    await t.releaseTicket(tab4.ticket, contentScript(4));
    assert.equal((await t.mintTicket(contentScript(101))).ok, true);
    fake.holding.add(101);
    await t.forgetTab(5);
    assert.equal((await t.mintTicket(contentScript(102))).ok, true);
    fake.holding.add(102);
    assert.equal((await t.mintTicket(contentScript(103))).ok, false);
  });
});
