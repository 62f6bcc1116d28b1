// A tiny static file server with the cross-origin isolation headers that WASM threads need.
// Used by `npm start`, the benchmarks and the extension tests. Serves only files under `roots`.
// Every file carries an ETag and a Last-Modified (from its size and modification time), and a
// conditional request (If-None-Match, or If-Modified-Since without it) for an unchanged file is
// answered 304 without a body: the engine's cache check (a HEAD compared with the stored
// validator) then keeps its cached copy, and the browser's HTTP cache revalidates instead of
// downloading again. Without validators every create() downloaded every asset again.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript',
  '.css': 'text/css', '.json': 'application/json', '.wasm': 'application/wasm',
  '.onnx': 'application/octet-stream', '.tflite': 'application/octet-stream', '.bin': 'application/octet-stream',
  '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.svg': 'image/svg+xml',
  '.y4m': 'video/x-yuv4mpeg', '.map': 'application/json', '.ico': 'image/x-icon', '.txt': 'text/plain',
};

export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/** A strong validator of a file's version: its size and modification time (ns where the OS gives them). */
export function etagOf(stat) {
  return `"${stat.size.toString(16)}-${Math.round(stat.mtimeMs * 1000).toString(16)}"`;
}

/**
 * Whether a conditional request's copy is current (RFC 9110 13.1.2, 13.1.3): If-None-Match (weak
 * comparison; `*` matches any) decides when present, else If-Modified-Since (to the second).
 */
function notModified(req, stat) {
  const inm = req.headers['if-none-match'];
  if (inm !== undefined) {
    const ours = etagOf(stat);
    return inm.split(',').map((t) => t.trim().replace(/^W\//, '')).some((t) => t === '*' || t === ours);
  }
  const ims = Date.parse(req.headers['if-modified-since'] ?? '');
  return Number.isFinite(ims) && Math.floor(stat.mtimeMs / 1000) * 1000 <= ims;
}

/**
 * @param {{ roots: Record<string, string>, port?: number, host?: string, headers?: Record<string,string>, isolate?: boolean,
 *   onResponse?: (r: { method: string, path: string, status: number }) => void }} opts
 *   roots maps a URL prefix ('/' or '/models/') to a folder on disk; onResponse hears of every answer.
 * @returns {Promise<{ url: string, port: number, close: () => Promise<void>, server: http.Server }>}
 */
export function serveStatic({ roots, port = 0, host = '127.0.0.1', headers = {}, isolate = true, onResponse }) {
  const prefixes = Object.keys(roots).sort((a, b) => b.length - a.length);
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (onResponse) res.once('finish', () => onResponse({ method: req.method ?? 'GET', path: url.pathname, status: res.statusCode }));
    let pathname = decodeURIComponent(url.pathname);
    const prefix = prefixes.find((p) => pathname.startsWith(p));
    if (!prefix) return send(res, 404, 'not found');
    const root = path.resolve(roots[prefix]);
    let file = path.resolve(root, '.' + pathname.slice(prefix.length - 1));
    if (!file.startsWith(root)) return send(res, 403, 'forbidden');
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, 'index.html');
    if (!fs.existsSync(file)) return send(res, 404, 'not found');
    const stat = fs.statSync(file);
    const common = {
      ETag: etagOf(stat),
      'Last-Modified': stat.mtime.toUTCString(),
      'Cache-Control': 'no-cache',
      ...(isolate ? ISOLATION_HEADERS : {}),
      ...headers,
    };
    if ((req.method === 'GET' || req.method === 'HEAD') && notModified(req, stat)) {
      res.writeHead(304, common);
      return res.end();
    }
    res.writeHead(200, {
      'Content-Type': TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
      'Content-Length': stat.size,
      ...common,
    });
    if (req.method === 'HEAD' || stat.size === 0) return res.end();
    // The bytes the header announced, no more: a stream read to EOF would also send what a file
    // rewritten meanwhile has past them, into the next response of a kept-alive connection.
    fs.createReadStream(file, { start: 0, end: stat.size - 1 }).pipe(res);
  });
  function send(res, code, text) {
    res.writeHead(code, { 'Content-Type': 'text/plain', ...(isolate ? ISOLATION_HEADERS : {}) });
    res.end(text);
  }
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const actual = /** @type {import('node:net').AddressInfo} */ (server.address()).port;
      resolve({
        url: `http://${host === '127.0.0.1' ? 'localhost' : host}:${actual}`,
        port: actual,
        server,
        close: () => new Promise((r) => { server.closeAllConnections?.(); server.close(() => r()); }),
      });
    });
  });
}
