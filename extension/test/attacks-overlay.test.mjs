// The page against the overlay (issue 20, item 2), as an attacker would try it: the release build
// in headless Chromium, the fake call served as https://meet.jit.si/ (a call site of the release
// manifest), real engine, real frames. The page must not read the labels (DOM, shadow roots it
// forces open, ElementInternals, window.find(), the accessibility tree), nor block or hide the
// overlay; where the overlay cannot be attached at all, the popup and badge must say so.
//
// EXTENSION_DIR=<unpacked build> runs these against another build (main's fails them all).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as h from './lib/harness.mjs';
import * as cs from './lib/callsite.mjs';
import { facesOnScreen } from './lib/screen.mjs';

const FIRST_LABELS_MS = 90_000;
const NAMES = ['ada', 'bea', 'cleo', 'dana'];

// Each runs in the page before anything else (inline, first in <head>).
const ATTACKS = {
  // Pre-defines the tag the overlay used to have, keeping each instance's ElementInternals, and
  // forces every shadow root the main world makes open, keeping it.
  internals: `
    window.__stolen = { internals: [], roots: [] };
    const attach = Element.prototype.attachShadow;
    Element.prototype.attachShadow = function (init) {
      const r = attach.call(this, { ...init, mode: 'open' });
      window.__stolen.roots.push(r);
      return r;
    };
    for (const tag of ['emotion-detector-overlay', 'emotion-overlay', 'emotion-detector-layer']) {
      customElements.define(tag, class extends HTMLElement {
        constructor() { super(); window.__stolen.internals.push(this.attachInternals()); }
      });
    }`,
  // Gives its own (open) shadow root to the overlay's old tag, and to every element added to <html>.
  ownShadow: `
    window.__stolen = { internals: [], roots: [] };
    customElements.define('emotion-detector-overlay', class extends HTMLElement {
      constructor() { super(); window.__stolen.roots.push(this.attachShadow({ mode: 'open' })); }
    });
    new MutationObserver((records) => {
      for (const r of records) for (const n of r.addedNodes) {
        if (n.nodeType !== 1 || n.shadowRoot || n === document.head || n === document.body) continue;
        try { window.__stolen.roots.push(n.attachShadow({ mode: 'open' })); } catch {}
      }
    }).observe(document.documentElement, { childList: true });`,
  // Hides anything an extension adds to <html>: a style sheet, then inline styles and hidden, again every 200 ms.
  hide: `
    const s = document.createElement('style');
    s.textContent = 'html > :not(head):not(body), emotion-detector-overlay { display: none !important; visibility: hidden !important; opacity: 0 !important; }';
    document.head.append(s);
    const hide = () => {
      for (const n of document.documentElement.children) {
        if (n === document.head || n === document.body) continue;
        n.style.setProperty('display', 'none', 'important');
        n.hidden = true;
        window.__hidden = (window.__hidden ?? 0) + 1;
      }
    };
    new MutationObserver(hide).observe(document.documentElement, { childList: true });
    setInterval(hide, 200);`,
  // No document element while the content script starts; __restore() puts it back.
  noRoot: `
    addEventListener('DOMContentLoaded', () => {
      const root = document.documentElement;
      root.remove();
      window.__restore = () => document.append(root);
    });`,
};

/** In the page's world: every label word or extension URL it can reach, through all it holds. */
function pageReach() {
  const words = /\b(angry|disgust|fear|happy|sad|surprise|neutral)\b/i;
  const stolen = window.__stolen ?? { internals: [], roots: [] };
  const out = { leaks: [], internalsWithRoot: 0, rootsScanned: 0 };
  const scan = (root, where) => {
    out.rootsScanned++;
    const text = (root === document ? document.documentElement : root)?.textContent ?? '';
    const m = words.exec(text);
    if (m) out.leaks.push(`${where}: text "${m[0]}"`);
    for (const el of root.querySelectorAll('*')) {
      for (const a of el.getAttributeNames()) {
        const v = el.getAttribute(a) ?? '';
        if (/chrome-extension:|engine\.html/.test(v)) out.leaks.push(`${where}: <${el.localName} ${a}="${v.slice(0, 60)}">`);
      }
      if (el.shadowRoot) scan(el.shadowRoot, `${where} > ${el.localName}`);
    }
  };
  scan(document, 'document');
  for (const i of stolen.internals) {
    if (!i.shadowRoot) continue;
    out.internalsWithRoot++;
    scan(i.shadowRoot, 'ElementInternals.shadowRoot');
  }
  stolen.roots.forEach((r, k) => scan(r, `shadow root the page attached #${k}`));
  return out;
}

let ext, server, browser, extensionId, probe;

/** Opens a page of the call and waits for labels on every tile; returns the page, its session and the overlay. */
async function labelledCall(pathname) {
  const page = await cs.openCall(browser, pathname);
  const cdp = await page.createCDPSession();
  const { value, ms } = await h.poll(async () => {
    const overlay = await h.readOverlay(cdp);
    const per = h.facesPerTile(overlay, await h.tileRects(page));
    return NAMES.every((n) => per[n]?.length) ? overlay : null;
  }, { timeout: FIRST_LABELS_MS, message: `labels on ${NAMES.join(', ')} (${pathname})` });
  return { page, cdp, overlay: value, ms };
}

/**
 * Every labelled face's box border is on screen in its colour. Boxes shift by a few pixels from one
 * result to the next: up to 5 looks, one of which must show every face.
 */
async function assertOnScreen(page, cdp) {
  let seen = [];
  for (let i = 0; i < 5; i++) {
    const overlay = await h.readOverlay(cdp);
    seen = await facesOnScreen(page, overlay.faces);
    if (seen.length >= NAMES.length && seen.every((f) => f.shown)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.fail(`overlay not on screen: ${JSON.stringify(seen)}`);
}

describe('the page cannot read, forge, block or hide the overlay (release build on https://meet.jit.si)', { timeout: 600_000 }, () => {
  before(async () => {
    ext = await cs.releaseExtension();
    server = await cs.serveCallSite({
      pages: {
        '/internals.html': cs.callWith(ATTACKS.internals),
        '/own-shadow.html': cs.callWith(ATTACKS.ownShadow),
        '/hide.html': cs.callWith(ATTACKS.hide),
        '/no-root.html': cs.callWith(ATTACKS.noRoot),
      },
    });
    ({ browser, extensionId } = await cs.launchOnSites(ext, server));
    probe = cs.extensionProbe(browser, extensionId);
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('labels are painted, not written: window.find() and the accessibility tree find no label word', async () => {
    const { page, cdp, overlay, ms } = await labelledCall('/call.html');
    try {
      console.log(`# labels on all 4 tiles ${ms} ms after the call was ready (${overlay.source})`);
      await assertOnScreen(page, cdp);
      // The probes work: they find the page's own text (a tile's name, the header).
      assert.equal(await page.evaluate(() => window.find('dana')), true, 'window.find() finds page text');
      const { nodes } = await cdp.send('Accessibility.getFullAXTree');
      assert.ok(nodes.some((n) => /Test call/.test(n.name?.value ?? '')), 'the accessibility tree has the page text');
      // Labels drawn right now, and none of their words to be found.
      const labels = (await h.readOverlay(cdp)).faces.map((f) => f.label);
      assert.ok(labels.length >= 4 && labels.every((l) => h.EMOTION_LABEL.test(l)), `labels drawn: ${labels}`);
      assert.deepEqual(await cs.findLabelWords(page), [], `window.find() while showing ${labels.join(', ')}`);
      assert.deepEqual(await cs.labelWordsInAccessibilityTree(cdp), [], 'label words in the accessibility tree');
      assert.deepEqual((await page.evaluate(pageReach)).leaks, [], 'nothing of ours in the DOM the page can reach');
    } finally {
      await page.close();
    }
  });

  it('a page that pre-defines the overlay tag with attachInternals() and forces shadow roots open reaches nothing', async () => {
    const { page, cdp } = await labelledCall('/internals.html');
    try {
      await assertOnScreen(page, cdp);
      const reach = await page.evaluate(pageReach);
      assert.equal(reach.internalsWithRoot, 0, 'no ElementInternals of ours');
      assert.deepEqual(reach.leaks, [], `the page reached: ${reach.leaks.join('; ')}`);
    } finally {
      await page.close();
    }
  });

  it('a page that attaches its own shadow roots to what is added cannot block the overlay, nor read it', async () => {
    const { page, cdp } = await labelledCall('/own-shadow.html');
    try {
      await assertOnScreen(page, cdp);
      const reach = await page.evaluate(pageReach);
      assert.deepEqual(reach.leaks, [], `the page reached: ${reach.leaks.join('; ')}`);
      assert.deepEqual(await cs.findLabelWords(page), []);
    } finally {
      await page.close();
    }
  });

  it('a page that hides what extensions add (style sheet, inline styles, hidden) does not hide the overlay', async () => {
    const { page, cdp } = await labelledCall('/hide.html');
    try {
      assert.ok((await page.evaluate(() => window.__hidden ?? 0)) > 0, 'the page tried');
      // It keeps trying every 200 ms; the overlay stays on screen.
      for (let i = 0; i < 3; i++) {
        await new Promise((r) => setTimeout(r, 700));
        await assertOnScreen(page, cdp);
      }
    } finally {
      await page.close();
    }
  });

  it('where the overlay cannot be attached, the popup and the badge show an error, not "off"; it attaches when it can', async () => {
    const page = await browser.newPage();
    await page.setViewport({ width: 1100, height: 760 });
    try {
      await page.goto(`${cs.CALL_ORIGIN}/no-root.html`);
      await page.waitForFunction(() => typeof window.__restore === 'function' && !document.documentElement, { timeout: 30_000 });
      const { value: s } = await h.poll(async () => {
        const st = await probe.stats();
        return st?.engine === 'error' && st.badge === '!' ? st : null;
      }, { timeout: 10_000, message: 'an error in the stats and "!" on the badge' });
      assert.equal(s.active, true);
      assert.match(s.error, /overlay could not be attached/);
      assert.match(s.title, /error: .*overlay could not be attached/);
      const popupText = await cs.popupEngineText(browser, extensionId, s.tabId);
      assert.match(popupText, /^error: .*overlay could not be attached/);
      console.log(`# popup: ${popupText}`);
      // Back in the page: the overlay attaches and the engine starts.
      await page.evaluate(() => window.__restore());
      const cdp = await page.createCDPSession();
      await h.poll(async () => (await h.readOverlay(cdp)).hosts === 1, { timeout: 5_000, message: 'the overlay attached' });
      await h.poll(async () => (await probe.stats())?.engine === 'ready', { timeout: FIRST_LABELS_MS, message: 'the engine ready' });
    } finally {
      await page.close();
    }
  });
});
