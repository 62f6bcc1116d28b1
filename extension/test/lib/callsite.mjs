// The release build of the extension on real-looking origins: one local HTTPS server with a
// self-signed certificate answers as several hosts (the call site https://meet.jit.si/, a hostile
// https://evil.example/), which Chromium reaches through --host-resolver-rules. The release build's
// content script is declared for meet.jit.si, so nothing test-only is involved. Used by the overlay
// attack, fault and engine attack tests.
//
// EXTENSION_DIR=/path/to/unpacked (or EXT_DIR) runs the tests against another build (e.g. main's,
// to show a test fails there).
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

/** The release build for Chromium (call sites only, minified), or EXTENSION_DIR (EXT_DIR). */
export async function releaseExtension() {
  const other = process.env.EXTENSION_DIR || process.env.EXT_DIR;
  if (other) return path.resolve(other);
  const dirs = await buildExtension({ test: false, browsers: ['chrome'], outDir: path.join(root, 'extension/build/release'), zip: false });
  return dirs.chrome;
}

/** A self-signed certificate for `hosts` (the first is the CN), made with openssl. */
function certificate(hosts) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'callsite-cert-'));
  const key = path.join(dir, 'key.pem');
  const cert = path.join(dir, 'cert.pem');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2',
    '-subj', `/CN=${hosts[0]}`, '-addext', `subjectAltName=${hosts.map((h) => `DNS:${h}`).join(',')}`,
  ], { stdio: 'ignore' });
  const out = { key: fs.readFileSync(key), cert: fs.readFileSync(cert) };
  fs.rmSync(dir, { recursive: true, force: true });
  return out;
}

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.jpg': 'image/jpeg', '.png': 'image/png' };

/**
 * One HTTPS server for several hosts. `sites[host]`: `{ roots: { '/prefix/': dir }, pages?: { '/path': page } }`,
 * a page being HTML or a function of the request URL that returns it. A document asked for with
 * `?isolated` gets `Cross-Origin-Opener-Policy: same-origin` and `Cross-Origin-Embedder-Policy:
 * require-corp` (its same-origin subresources need nothing more). Nothing is cached.
 * Returns `{ port, hosts, close }`; `launchOnSites` maps every host to it.
 */
export async function serveSites(sites) {
  const server = https.createServer(certificate(Object.keys(sites)), (req, res) => {
    const host = (req.headers.host ?? '').replace(/:\d+$/, '');
    const site = sites[host];
    const url = new URL(req.url ?? '/', `https://${host}`);
    const headers = { 'Cache-Control': 'no-store' };
    if (url.searchParams.has('isolated')) Object.assign(headers, { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' });
    const page = site?.pages?.[url.pathname];
    if (page !== undefined) {
      res.writeHead(200, { ...headers, 'Content-Type': TYPES['.html'] });
      return res.end(typeof page === 'function' ? page(url) : page);
    }
    const prefix = Object.keys(site?.roots ?? {}).sort((a, b) => b.length - a.length).find((p) => url.pathname.startsWith(p));
    if (!site || !prefix) {
      res.writeHead(404, headers);
      return res.end('not found');
    }
    const dir = path.resolve(site.roots[prefix]);
    const file = path.resolve(dir, '.' + decodeURIComponent(url.pathname.slice(prefix.length - 1)));
    if (!file.startsWith(dir) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      res.writeHead(404, headers);
      return res.end('not found');
    }
    res.writeHead(200, { ...headers, 'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: server.address().port,
    hosts: Object.keys(sites),
    close: () => new Promise((r) => { server.closeAllConnections?.(); server.close(() => r()); }),
  };
}

/** The call fixture (the fake call of face photos, fixtures/) as a site, with extra `pages` (see serveSites). */
export function callSite({ pages = {} } = {}) {
  return { roots: { '/': path.join(here, '../fixtures'), '/samples/': path.join(root, 'node_modules/@vladmandic/face-api/demo') }, pages };
}

/**
 * The fake call as https://meet.jit.si/ (and the same on https://evil.example/). `pages`: extra
 * pages by path (see serveSites; `callWith` makes the call page with an attacker's setup).
 */
export async function serveCallSite({ pages = {} } = {}) {
  const server = await serveSites({ 'meet.jit.si': callSite({ pages }), 'evil.example': callSite({ pages }) });
  return { ...server, origin: CALL_ORIGIN };
}

/** The call page with `headScripts` (source text) run first, inline, before the call starts. */
export function callWith(...headScripts) {
  const html = fs.readFileSync(path.join(here, '../fixtures/call.html'), 'utf8');
  const inject = headScripts.map((s) => `<script>${s}</script>`).join('\n');
  return html.replace('<head>', `<head>\n${inject}`);
}

/** Chromium with the unpacked extension, every host of `server` (serveSites) mapped to it. */
export async function launchOnSites(extDir, server) {
  const rules = server.hosts.map((h) => `MAP ${h}:443 127.0.0.1:${server.port}`).join(', ');
  const browser = await launch({
    headless: true,
    args: [
      `--load-extension=${extDir}`, `--disable-extensions-except=${extDir}`, '--window-size=1200,800',
      `--host-resolver-rules=${rules}`, '--ignore-certificate-errors',
    ],
    ignoreDefaultArgs: ['--disable-extensions'],
  });
  const sw = await browser.waitForTarget((t) => t.type() === 'service_worker' && t.url().startsWith('chrome-extension://'), { timeout: 30_000 });
  return { browser, extensionId: new URL(sw.url()).host, serviceWorker: sw };
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
