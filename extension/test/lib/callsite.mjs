// The release build of the extension on a real call-site origin: the fake call (fixtures/) served
// over HTTPS with a self-signed certificate as https://meet.jit.si/ (and https://evil.example/),
// which Chromium reaches through --host-resolver-rules. The release build's content script is
// declared for meet.jit.si, so nothing test-only is involved.
//
// EXTENSION_DIR=/path/to/unpacked runs the tests against another build (e.g. main's, to show a
// test fails there).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildExtension } from '../../scripts/build.mjs';
import { launch } from '../../../scripts/lib/chromium.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../..');
export const CALL_ORIGIN = 'https://meet.jit.si';
export const EVIL_ORIGIN = 'https://evil.example';

/** The release build for Chromium (call sites only, minified), or EXTENSION_DIR. */
export async function releaseExtension() {
  if (process.env.EXTENSION_DIR) return path.resolve(process.env.EXTENSION_DIR);
  const dirs = await buildExtension({ browsers: ['chrome'], outDir: path.join(root, 'extension/build/release'), zip: false });
  return dirs.chrome;
}

function selfSignedCert() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'callsite-cert-'));
  const key = path.join(dir, 'key.pem');
  const cert = path.join(dir, 'cert.pem');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2',
    '-subj', '/CN=meet.jit.si', '-addext', 'subjectAltName=DNS:meet.jit.si,DNS:evil.example',
  ], { stdio: 'ignore' });
  const out = { key: fs.readFileSync(key), cert: fs.readFileSync(cert) };
  fs.rmSync(dir, { recursive: true, force: true });
  return out;
}

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.jpg': 'image/jpeg' };

/**
 * The fake call over HTTPS. `pages`: extra pages by path, as HTML strings or functions of the
 * request URL. `callWith(scripts)` gives the call page with extra scripts run before anything
 * else (an attacker's setup).
 */
export async function serveCallSite({ pages = {} } = {}) {
  const roots = [['/samples/', path.join(root, 'node_modules/@vladmandic/face-api/demo')], ['/', path.join(here, '../fixtures')]];
  const server = https.createServer(selfSignedCert(), (req, res) => {
    const url = new URL(req.url ?? '/', CALL_ORIGIN);
    const page = pages[url.pathname];
    if (page) {
      const body = typeof page === 'function' ? page(url) : page;
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
      return res.end(body);
    }
    const hit = roots.find(([prefix]) => url.pathname.startsWith(prefix));
    if (!hit) return res.writeHead(404).end();
    const base = path.resolve(hit[1]);
    const file = path.resolve(base, '.' + decodeURIComponent(url.pathname).slice(hit[0].length - 1));
    if (!file.startsWith(base) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) return res.writeHead(404).end();
    res.writeHead(200, { 'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'Cache-Control': 'no-store' });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  return { port, origin: CALL_ORIGIN, close: () => new Promise((r) => { server.closeAllConnections?.(); server.close(() => r()); }) };
}

/** The call page with `headScripts` (source text) run first, inline, before the call starts. */
export function callWith(...headScripts) {
  const html = fs.readFileSync(path.join(here, '../fixtures/call.html'), 'utf8');
  const inject = headScripts.map((s) => `<script>${s}</script>`).join('\n');
  return html.replace('<head>', `<head>\n${inject}`);
}

/** Chromium with the unpacked extension, meet.jit.si and evil.example mapped to the local server. */
export async function launchForCallSite(extDir, port) {
  const browser = await launch({
    headless: true,
    args: [
      `--load-extension=${extDir}`, `--disable-extensions-except=${extDir}`, '--window-size=1200,800',
      `--host-resolver-rules=MAP meet.jit.si:443 127.0.0.1:${port}, MAP evil.example:443 127.0.0.1:${port}`,
      '--ignore-certificate-errors',
    ],
    ignoreDefaultArgs: ['--disable-extensions'],
  });
  const sw = await browser.waitForTarget((t) => t.type() === 'service_worker' && t.url().startsWith('chrome-extension://'), { timeout: 30_000 });
  const extensionId = new URL(sw.url()).host;
  return { browser, extensionId, serviceWorker: sw };
}

/** Every engine frame the browser starts (a target per frame: extension frames run out of process). */
export function engineStarts(browser, extensionId) {
  const starts = [];
  const seen = new WeakSet();
  const isEngine = (t) => t.url().startsWith(`chrome-extension://${extensionId}/engine.html`);
  const note = (t) => {
    if (seen.has(t) || !isEngine(t)) return;
    seen.add(t);
    starts.push({ at: Date.now(), target: t });
  };
  browser.on('targetcreated', note);
  browser.on('targetchanged', note);
  browser.targets().forEach(note);
  return {
    starts,
    /** The engine frames alive now. */
    live: () => browser.targets().filter(isEngine),
    stop: () => {
      browser.off('targetcreated', note);
      browser.off('targetchanged', note);
    },
  };
}

/**
 * An extension page (in its own window, so the call tab stays visible) to ask the extension's
 * APIs: the stats a tab reports to the popup and the badge. Not the service worker: it shares the
 * extension's process with the engine frames, so crashing an engine takes it down too; this page
 * is reopened when that happens.
 */
export function extensionProbe(browser, extensionId) {
  let page = null;
  const url = `chrome-extension://${extensionId}/options.html#probe`;
  const open = async () => {
    const known = new Set(browser.targets());
    const bcdp = await browser.target().createCDPSession();
    await bcdp.send('Target.createTarget', { url, newWindow: true });
    await bcdp.detach();
    const t = await browser.waitForTarget((x) => x.url() === url && !known.has(x), { timeout: 15_000 });
    page = await t.page();
    return page;
  };
  const within = (promise, ms, what) => Promise.race([promise, new Promise((_, reject) => setTimeout(() => reject(new Error(`${what} took over ${ms} ms`)), ms))]);
  const evaluate = async (fn, ...args) => {
    for (let tries = 0; ; tries++) {
      try {
        if (!page || page.isClosed()) await within(open(), 15_000, 'opening the probe page');
        // A crashed (or paused) extension process never answers: give up on it after 5 s.
        return await within(page.evaluate(fn, ...args), 5_000, 'the probe page');
      } catch (e) {
        if (tries >= 3) throw e;
        const old = page;
        page = null;
        await within(old?.close() ?? Promise.resolve(), 2_000, 'closing the probe page').catch(() => {});
        await new Promise((r) => setTimeout(r, 300));
      }
    }
  };
  return {
    /** A call tab's stats as the popup sees them, with its badge text and title. */
    stats: (origin = CALL_ORIGIN) =>
      evaluate(async (origin) => {
        for (const t of await chrome.tabs.query({})) {
          const s = await chrome.tabs.sendMessage(t.id, { type: 'get-stats' }).catch(() => null);
          if (s?.url?.startsWith(origin)) {
            return { tabId: t.id, ...s, badge: await chrome.action.getBadgeText({ tabId: t.id }), title: await chrome.action.getTitle({ tabId: t.id }) };
          }
        }
        return null;
      }, origin),
    evaluate,
    close: () => page?.close().catch(() => {}),
  };
}

/** The popup for a tab, opened in its own window; returns its engine line after `waitMs`. */
export async function popupEngineText(browser, extensionId, tabId) {
  const url = `chrome-extension://${extensionId}/popup.html?tab=${tabId}`;
  const bcdp = await browser.target().createCDPSession();
  await bcdp.send('Target.createTarget', { url, newWindow: true });
  await bcdp.detach();
  const popup = await (await browser.waitForTarget((t) => t.url() === url, { timeout: 15_000 })).page();
  try {
    await popup.waitForFunction(() => document.getElementById('engine').textContent !== '–', { timeout: 5_000 });
    return await popup.$eval('#engine', (e) => e.textContent);
  } finally {
    await popup.close();
  }
}

/** Opens the call page (`path`, default the plain call) and waits for its tiles to play. */
export async function openCall(browser, pathname = '/call.html') {
  const p = await browser.newPage();
  await p.setViewport({ width: 1100, height: 760 });
  await p.goto(`${CALL_ORIGIN}${pathname}`);
  await p.waitForFunction(() => document.getElementById('status')?.textContent !== 'starting', { timeout: 30_000 });
  const status = await p.$eval('#status', (e) => e.textContent);
  if (status !== 'ready') throw new Error(`the fake call did not start: ${status}`);
  return p;
}

export const LABEL_WORDS = ['angry', 'disgust', 'fear', 'happy', 'sad', 'surprise', 'neutral'];

/** Which label words `window.find()` finds in the page (it searches shadow roots too). */
export function findLabelWords(page) {
  return page.evaluate((words) => {
    const found = [];
    for (const w of words) {
      getSelection()?.removeAllRanges();
      if (window.find(w, false, false, true)) found.push(w);
    }
    getSelection()?.removeAllRanges();
    return found;
  }, LABEL_WORDS);
}

/** Names in the page's accessibility tree that carry a label word. */
export async function labelWordsInAccessibilityTree(cdp) {
  const { nodes } = await cdp.send('Accessibility.getFullAXTree');
  const re = new RegExp(`\\b(${LABEL_WORDS.join('|')})\\b`, 'i');
  return nodes.map((n) => n.name?.value ?? '').filter((v) => typeof v === 'string' && re.test(v));
}
