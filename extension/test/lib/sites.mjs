// Real-looking origins for the attack tests: one local HTTPS server with a self-signed certificate
// that answers as several hosts (a call site, a hostile site), which Chromium reaches through
// --host-resolver-rules; and the release build of the extension (active on the call sites only).
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

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.jpg': 'image/jpeg', '.png': 'image/png' };

/** A self-signed certificate for `hosts` (openssl). */
function certificate(hosts) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ed-cert-'));
  const key = path.join(dir, 'key.pem');
  const cert = path.join(dir, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-keyout', key, '-out', cert,
    '-subj', `/CN=${hosts[0]}`, '-addext', `subjectAltName=${hosts.map((h) => `DNS:${h}`).join(',')}`], { stdio: 'ignore' });
  const out = { key: fs.readFileSync(key), cert: fs.readFileSync(cert) };
  fs.rmSync(dir, { recursive: true, force: true });
  return out;
}

/**
 * One HTTPS server for several hosts. `sites[host]`: `{ roots: { '/prefix/': dir }, pages?: { '/path': html } }`.
 * A document asked for with `?isolated` gets `Cross-Origin-Opener-Policy: same-origin` and
 * `Cross-Origin-Embedder-Policy: require-corp` (its same-origin subresources need nothing more).
 */
export async function serveSites(sites) {
  const tls = certificate(Object.keys(sites));
  const server = https.createServer(tls, (req, res) => {
    const host = (req.headers.host ?? '').replace(/:\d+$/, '');
    const site = sites[host];
    const url = new URL(req.url ?? '/', `https://${host}`);
    const headers = { 'Cache-Control': 'no-store' };
    if (url.searchParams.has('isolated')) Object.assign(headers, { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' });
    const page = site?.pages?.[url.pathname];
    if (page !== undefined) {
      res.writeHead(200, { ...headers, 'Content-Type': TYPES['.html'] });
      return res.end(page);
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
  const port = server.address().port;
  return {
    port,
    hosts: Object.keys(sites),
    close: () => new Promise((r) => { server.closeAllConnections?.(); server.close(() => r()); }),
  };
}

/** The call fixture (fake call of face photos) as a site. */
export function callSite() {
  return { roots: { '/': path.join(here, '../fixtures'), '/samples/': path.join(root, 'node_modules/@vladmandic/face-api/demo') } };
}

/**
 * The release build for Chromium (content script on the call sites only), into extension/build/,
 * or EXT_DIR when set (e.g. another checkout's build, to run the attacks against it).
 */
export async function releaseExtension() {
  if (process.env.EXT_DIR) return path.resolve(process.env.EXT_DIR);
  const dirs = await buildExtension({ test: false, browsers: ['chrome'], outDir: path.join(root, 'extension/build/release'), zip: false });
  return dirs.chrome;
}

/** Chromium with the extension, every host of `sites` resolved to the local HTTPS server. */
export async function launchOnSites(extDir, sites) {
  const rules = sites.hosts.map((h) => `MAP ${h}:443 127.0.0.1:${sites.port}`).join(', ');
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
