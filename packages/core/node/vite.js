// Vite plugin: serves @emotion-detector/core's runtime assets during `vite` (dev) and copies them
// into the build's output folder on `vite build`, under `<base><dir>/` (default
// /emotion-detector/), and tells the engine where they are with a
// <meta name="emotion-detector-assets"> in the HTML (the engine's default assetsBase).
//
//   // vite.config.js
//   import emotionDetector from '@emotion-detector/core/vite';
//   export default { plugins: [emotionDetector()] };
import fs from 'node:fs';
import path from 'node:path';
import { assetFiles, copyAssets } from './assets.js';

const TYPES = {
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.onnx': 'application/octet-stream',
  '.tflite': 'application/octet-stream',
};

/** @param {{ dir?: string, meta?: boolean }} [options] */
export default function emotionDetector(options = {}) {
  const dir = (options.dir ?? 'emotion-detector').replace(/^\/+|\/+$/g, '');
  let base = '/';
  let command = 'serve';
  let outDir = 'dist';
  let ssr = false;
  return {
    name: 'emotion-detector-assets',
    enforce: 'pre',
    configResolved(config) {
      base = config.base || '/';
      command = config.command;
      outDir = path.resolve(config.root, config.build.outDir);
      ssr = Boolean(config.build.ssr);
    },
    configureServer(server) {
      const prefix = `${base.endsWith('/') ? base : `${base}/`}${dir}/`;
      const files = new Map(assetFiles().map((f) => [f.path, f.source]));
      server.middlewares.use((req, res, next) => {
        const url = new URL(req.url ?? '/', 'http://x');
        if (!url.pathname.startsWith(prefix) || (req.method !== 'GET' && req.method !== 'HEAD')) return next();
        const file = files.get(decodeURIComponent(url.pathname.slice(prefix.length)));
        // Never the SPA fallback for a missing asset: a 404 the engine reports with the URL.
        if (!file || !fs.existsSync(file)) {
          res.statusCode = 404;
          res.end(`Not found: ${url.pathname}`);
          return;
        }
        const stat = fs.statSync(file);
        const etag = `"${stat.size.toString(16)}-${Math.floor(stat.mtimeMs).toString(16)}"`;
        res.setHeader('Content-Type', TYPES[path.extname(file)] ?? 'application/octet-stream');
        res.setHeader('Content-Length', String(stat.size));
        res.setHeader('ETag', etag);
        res.setHeader('Last-Modified', stat.mtime.toUTCString());
        res.setHeader('Cache-Control', 'no-cache');
        if (req.headers['if-none-match'] === etag) {
          res.statusCode = 304;
          res.end();
          return;
        }
        if (req.method === 'HEAD') return res.end();
        fs.createReadStream(file).pipe(res);
      });
    },
    // ONNX Runtime names its WASM builds with new URL("….wasm", import.meta.url), which Vite's
    // build copies into dist/assets/ (40 MB); the engine never loads those copies (it hands ONNX
    // Runtime the bytes it downloaded from assetsBase), so the build leaves them out.
    transform(code, id) {
      if (command !== 'build' || !/[\\/]onnxruntime-web[\\/]dist[\\/].*\.m?js$/.test(id)) return null;
      const out = code.replace(/new URL\(("[^"]+\.wasm"|'[^']+\.wasm'),\s*import\.meta\.url\)/g, 'new URL($1, import.meta["url"])');
      return out === code ? null : { code: out, map: null };
    },
    transformIndexHtml() {
      if (options.meta === false) return [];
      return [{ tag: 'meta', attrs: { name: 'emotion-detector-assets', content: `${base}${base.endsWith('/') ? '' : '/'}${dir}/` }, injectTo: 'head-prepend' }];
    },
    writeBundle(output) {
      if (command !== 'build' || ssr) return;
      copyAssets(path.join(output.dir ? path.resolve(output.dir) : outDir, dir));
    },
  };
}
