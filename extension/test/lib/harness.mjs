// Shared pieces of the extension's end-to-end tests: a test build of the extension, the fake
// call page on local servers, Chromium with the extension loaded, a recorder of every network
// request from every target, and a reader for the overlay (painted on a canvas in a closed shadow
// root, so only the DevTools protocol can see what it shows).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildExtension } from '../../scripts/build.mjs';
import { launch } from '../../../scripts/lib/chromium.mjs';
import { serveStatic } from '../../../scripts/lib/static-server.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../..');
export const EMOTION_LABEL = /^(angry|disgust|fear|happy|sad|surprise|neutral) \d{1,3}%$/;

/** Builds the test variant (also active on http://localhost) for Chromium. */
export async function buildTestExtension() {
  const dirs = await buildExtension({ test: true, browsers: ['chrome'], outDir: path.join(root, 'extension/build'), zip: false });
  return dirs.chrome;
}

/** The fake call, served twice: plainly and under a CSP that forbids WebAssembly. */
export async function serveCall() {
  const roots = { '/': path.join(here, '../fixtures'), '/samples/': path.join(root, 'node_modules/@vladmandic/face-api/demo') };
  const plain = await serveStatic({ roots, isolate: false });
  const strict = await serveStatic({ roots, isolate: false, headers: { 'Content-Security-Policy': "script-src 'self'" } });
  return { plain, strict, close: () => Promise.all([plain.close(), strict.close()]) };
}

export async function launchWithExtension(extDir) {
  const browser = await launch({
    headless: true,
    args: [`--load-extension=${extDir}`, `--disable-extensions-except=${extDir}`, '--window-size=1200,800'],
    ignoreDefaultArgs: ['--disable-extensions'],
  });
  const sw = await browser.waitForTarget((t) => t.type() === 'service_worker' && t.url().startsWith('chrome-extension://'), { timeout: 30_000 });
  const extensionId = new URL(sw.url()).host;
  return { browser, extensionId, serviceWorker: sw };
}

/** Records the URL of every request any target (pages, frames, workers, the service worker) makes. */
export function recordRequests(browser) {
  const urls = [];
  const seen = new WeakSet();
  const attach = async (target) => {
    if (seen.has(target)) return;
    seen.add(target);
    try {
      const s = await target.createCDPSession();
      s.on('Network.requestWillBeSent', (e) => urls.push(e.request.url));
      s.on('Network.webSocketCreated', (e) => urls.push(e.url));
      await s.send('Network.enable');
    } catch {
      // A target that closed before we attached made no request we could see anyway.
    }
  };
  browser.on('targetcreated', attach);
  browser.targets().forEach(attach);
  return {
    urls,
    /** The requests that went anywhere other than `allowedOrigins` or the extension itself. */
    outside(allowedOrigins, extensionId) {
      return urls.filter((u) => {
        if (u.startsWith(`chrome-extension://${extensionId}/`) || u.startsWith('data:') || u.startsWith('blob:')) return false;
        return !allowedOrigins.some((o) => u.startsWith(`${o}/`));
      });
    },
  };
}

/**
 * Every face the overlay shows, with its label text and on-screen box, and the number of overlay
 * hosts in the page (see overlay-reader.mjs: labels are painted on a canvas in a closed shadow
 * root, so the content script's own record is read through DevTools).
 */
export { readOverlay } from './overlay-reader.mjs';

/** The on-screen rectangle of each participant's video, by name (reaching into open shadow roots). */
export function tileRects(page) {
  return page.evaluate(() => {
    const out = {};
    for (const tile of document.querySelectorAll('.tile')) {
      const video = tile.querySelector('video') ?? tile.querySelector('call-tile')?.shadowRoot?.querySelector('video');
      if (!video) continue;
      const r = video.getBoundingClientRect();
      out[tile.dataset.name] = { x: r.x, y: r.y, width: r.width, height: r.height, mirrored: tile.classList.contains('mirrored') };
    }
    return out;
  });
}

export const centre = (b) => ({ x: b.x + b.width / 2, y: b.y + b.height / 2 });
export const inside = (p, r) => p.x >= r.x && p.x <= r.x + r.width && p.y >= r.y && p.y <= r.y + r.height;

/** Faces (with a proper label) whose centre lies in each tile. */
export function facesPerTile(overlay, tiles) {
  const out = {};
  for (const [name, r] of Object.entries(tiles)) {
    out[name] = overlay.faces.filter((f) => EMOTION_LABEL.test(f.label) && inside(centre(f.box), r));
  }
  return out;
}

export async function poll(fn, { timeout = 10_000, interval = 200, message = 'condition' } = {}) {
  const t0 = Date.now();
  let last;
  // At least two looks, however slow one look is on a loaded machine.
  for (let tries = 1; ; tries++) {
    last = await fn();
    if (last) return { value: last, ms: Date.now() - t0 };
    if (Date.now() - t0 > timeout && tries >= 2) throw new Error(`timed out after ${timeout} ms waiting for ${message}`);
    await new Promise((r) => setTimeout(r, interval));
  }
}
