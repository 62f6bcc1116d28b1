// Pieces of the Firefox end-to-end test: what it needs on the machine, an X server (WebGL exists
// only in headful Firefox here), a self-signed certificate and an HTTPS server that stands in for
// a call site, Firefox ESR over WebDriver BiDi with the extension installed, extension pages
// opened as tabs, and a PNG decoder for screenshot pixel checks.
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer from 'puppeteer-core';
import { buildExtension } from '../../scripts/build.mjs';
import { GECKO_ID } from '../../scripts/manifest.mjs';
import { serveStatic } from '../../../scripts/lib/static-server.mjs';
import { poll } from './harness.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../..');

export const FIREFOX_PATH = process.env.FIREFOX_PATH || '/usr/bin/firefox-esr';

function onPath(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).status === 0;
}

/** Why the Firefox test cannot run here (null when it can). */
export function firefoxSkipReason() {
  if (!fs.existsSync(FIREFOX_PATH)) return `Firefox not found at ${FIREFOX_PATH} (apt-get install firefox-esr, or set FIREFOX_PATH)`;
  if (!process.env.DISPLAY && !onPath('Xvfb')) {
    return 'no X display: headless Firefox has no WebGL here, so the test needs Xvfb (apt-get install xvfb) or DISPLAY set (e.g. under xvfb-run -a)';
  }
  if (!onPath('openssl')) return 'openssl not found (it makes the test server\'s self-signed certificate)';
  return null;
}

/**
 * The X display to run Firefox on: $DISPLAY when set (e.g. under `xvfb-run -a`), otherwise a
 * private Xvfb that picks a free display number itself (-displayfd) and is stopped by close().
 */
export async function xDisplay() {
  if (process.env.DISPLAY) return { display: process.env.DISPLAY, close: async () => {} };
  const x = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', '1280x1024x24', '-nolisten', 'tcp'], { stdio: ['ignore', 'ignore', 'pipe', 'pipe'] });
  let err = '';
  x.stderr.on('data', (d) => { err += d; });
  const display = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`Xvfb gave no display number in 20 s: ${err.trim()}`)), 20_000);
    x.stdio[3].on('data', (d) => {
      out += d;
      if (out.includes('\n')) { clearTimeout(timer); resolve(`:${out.trim()}`); }
    });
    x.once('exit', (code) => { clearTimeout(timer); reject(new Error(`Xvfb exited (${code}): ${err.trim()}`)); });
  });
  return {
    display,
    close: () => new Promise((r) => {
      if (x.exitCode !== null) return r();
      x.once('exit', () => r());
      x.kill('SIGTERM');
    }),
  };
}

/** A throwaway self-signed certificate for `hosts` (the first is the CN), made with openssl. */
export function selfSignedCert(hosts) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ff-cert-'));
  try {
    const r = spawnSync('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2',
      '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'),
      '-subj', `/CN=${hosts[0]}`, '-addext', `subjectAltName=${hosts.map((h) => `DNS:${h}`).join(',')}`,
    ], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`openssl failed: ${r.stderr}`);
    return { key: fs.readFileSync(path.join(dir, 'key.pem')), cert: fs.readFileSync(path.join(dir, 'cert.pem')) };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The fake call (extension/test/fixtures, face photos under /samples/) over HTTPS on a free
 * local port: the static server's own request handler behind a TLS listener.
 */
export async function serveCallHttps(tls) {
  const plain = await serveStatic({
    roots: { '/': path.join(here, '../fixtures'), '/samples/': path.join(root, 'node_modules/@vladmandic/face-api/demo') },
    isolate: false,
  });
  const server = https.createServer(tls, (req, res) => plain.server.emit('request', req, res));
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return {
    port: server.address().port,
    close: async () => {
      server.closeAllConnections?.();
      await new Promise((r) => server.close(() => r()));
      await plain.close();
    },
  };
}

/** The release configuration of the Firefox build (as in extension/dist/firefox), into extension/build/. */
export async function buildReleaseFirefox() {
  const dirs = await buildExtension({ browsers: ['firefox'], outDir: path.join(root, 'extension/build/release'), zip: false });
  return dirs.firefox;
}

/**
 * Firefox ESR, headful on `display`, driven over WebDriver BiDi, with:
 * - `hosts` resolved to this machine (network.dns.localDomains) and every connection to port 443
 *   sent to `port` (network.socket.forcePort), so https://meet.jit.si/ is the local test server;
 * - extensions.originControls.grantByDefault: true, which stands for the user accepting the
 *   install prompt that lists the call sites (the default in stock Firefox; set so a profile
 *   default cannot change what is tested);
 * - the extension's moz-extension UUID pinned to `uuid` (extensions.webextensions.uuids), so the
 *   test can open the popup; Firefox otherwise picks a random one at install;
 * - -remote-allow-system-access, without which BiDi refuses to navigate a tab to moz-extension:.
 */
export async function launchFirefox({ display, port, hosts, uuid }) {
  return puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX_PATH,
    headless: false,
    acceptInsecureCerts: true,
    args: ['-remote-allow-system-access'],
    env: { ...process.env, DISPLAY: display },
    timeout: 90_000,
    protocolTimeout: 120_000,
    extraPrefsFirefox: {
      'network.dns.localDomains': hosts.join(','),
      'network.socket.forcePort': `443=${port}`,
      'extensions.originControls.grantByDefault': true,
      'extensions.webextensions.uuids': JSON.stringify({ [GECKO_ID]: uuid }),
    },
  });
}

export const randomUuid = () => crypto.randomUUID();

/**
 * Sets the page's viewport and waits until the page has it. puppeteer-core 25 sends BiDi's
 * emulation.setScreenOrientationOverride beside browsingContext.setViewport (Promise.all), and
 * Firefox ESR 140 does not know the former: its error may come back before the viewport is applied,
 * so that one error is tolerated and the viewport is then polled for (a plain await raced there).
 */
export async function setViewport(page, { width, height }, timeoutMs = 15_000) {
  await page.setViewport({ width, height }).catch((e) => {
    if (!/setScreenOrientationOverride/.test(String(e?.message))) throw e;
  });
  let last;
  const applied = async () => {
    last = await page.evaluate(() => [innerWidth, innerHeight]);
    return last[0] === width && last[1] === height;
  };
  await poll(applied, { timeout: timeoutMs, interval: 100, message: `the viewport ${width}x${height}` }).catch((e) => {
    throw new Error(`${e.message} (it is ${last?.join('x')})`);
  });
}

/**
 * Opens an extension page (moz-extension://…) in a window of its own, so the call's tab stays
 * the visible one. BiDi reports no load for moz-extension navigations here, so this waits for
 * the document itself.
 */
export async function openExtensionPage(browser, url) {
  const page = await browser.newPage({ type: 'window' });
  void page.goto(url, { timeout: 30_000 }).catch(() => {});
  // Polled by hand: a waitForFunction started before the navigation dies with the old document.
  const t0 = Date.now();
  let last = '';
  while (Date.now() - t0 < 30_000) {
    const state = await page.evaluate(() => `${location.href} ${document.readyState}`).catch((e) => `(${e.message})`);
    if (state === `${url} complete`) return page;
    last = state;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not load in 30 s (last: ${last})`);
}

/**
 * Pixels inside `rect` (CSS px; `scale` = image px per CSS px) whose colour differs between two
 * images decoded by png.mjs's decodePng by more than `threshold` in some channel.
 */
export function changedPixels(a, b, rect, { scale = 1, threshold = 64 } = {}) {
  const x0 = Math.max(0, Math.floor(rect.x * scale)), y0 = Math.max(0, Math.floor(rect.y * scale));
  const x1 = Math.min(a.width, Math.ceil((rect.x + rect.width) * scale)), y1 = Math.min(a.height, Math.ceil((rect.y + rect.height) * scale));
  let n = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const pa = a.pixel(x, y), pb = b.pixel(x, y);
      if (pa.some((v, c) => Math.abs(v - pb[c]) > threshold)) n++;
    }
  }
  return n;
}
