// A tiny static file server with the cross-origin isolation headers that WASM threads need.
// Used by `npm start`, the benchmarks and the extension tests. Serves only files under `roots`.
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

/**
 * @param {{ roots: Record<string, string>, port?: number, host?: string, headers?: Record<string,string>, isolate?: boolean }} opts
 *   roots maps a URL prefix ('/' or '/models/') to a folder on disk.
 * @returns {Promise<{ url: string, port: number, close: () => Promise<void>, server: http.Server }>}
 */
export function serveStatic({ roots, port = 0, host = '127.0.0.1', headers = {}, isolate = true }) {
  const prefixes = Object.keys(roots).sort((a, b) => b.length - a.length);
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    let pathname = decodeURIComponent(url.pathname);
    const prefix = prefixes.find((p) => pathname.startsWith(p));
    if (!prefix) return send(res, 404, 'not found');
    const root = path.resolve(roots[prefix]);
    let file = path.resolve(root, '.' + pathname.slice(prefix.length - 1));
    if (!file.startsWith(root)) return send(res, 403, 'forbidden');
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, 'index.html');
    if (!fs.existsSync(file)) return send(res, 404, 'not found');
    const stat = fs.statSync(file);
    res.writeHead(200, {
      'Content-Type': TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
      'Content-Length': stat.size,
      'Cache-Control': 'no-cache',
      ...(isolate ? ISOLATION_HEADERS : {}),
      ...headers,
    });
    if (req.method === 'HEAD') return res.end();
    fs.createReadStream(file).pipe(res);
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
