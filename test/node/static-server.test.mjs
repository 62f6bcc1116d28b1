// The static server of the scripts, the lifecycle test and the soak (scripts/lib/static-server.mjs)
// gives every file an ETag and a Last-Modified and answers a conditional request for an unchanged
// file 304 without a body; a changed file gets a new validator and a 200. The engine's cache keeps
// its copy only when a HEAD brings the validator it stored (packages/core/src/assets/fetch-asset.ts):
// without one, every create() downloaded every asset again.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import net from 'node:net';
import path from 'node:path';
import { serveStatic } from '../../scripts/lib/static-server.mjs';

let dir;
let server;
before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'static-server-'));
  fs.writeFileSync(path.join(dir, 'model.onnx'), Buffer.alloc(1000, 7));
  server = await serveStatic({ roots: { '/': dir } });
});
after(async () => {
  await server?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const get = (headers = {}, method = 'GET') => fetch(`${server.url}/model.onnx`, { method, headers });

test('every file carries an ETag and a Last-Modified, on GET and HEAD alike', async () => {
  const res = await get();
  assert.equal(res.status, 200);
  assert.equal((await res.arrayBuffer()).byteLength, 1000);
  const etag = res.headers.get('etag');
  assert.match(etag ?? '', /^"[0-9a-f]+-[0-9a-f]+"$/);
  assert.equal(res.headers.get('last-modified'), fs.statSync(path.join(dir, 'model.onnx')).mtime.toUTCString());
  const head = await get({}, 'HEAD');
  assert.equal(head.status, 200);
  assert.equal(head.headers.get('etag'), etag);
  assert.equal(head.headers.get('last-modified'), res.headers.get('last-modified'));
});

test('a conditional request for an unchanged file is answered 304, with no body and the isolation headers', async () => {
  const first = await get();
  await first.arrayBuffer();
  const etag = first.headers.get('etag');
  const lastModified = first.headers.get('last-modified');
  for (const headers of [{ 'if-none-match': etag }, { 'if-none-match': `"other", W/${etag}` }, { 'if-none-match': '*' }, { 'if-modified-since': lastModified }]) {
    const res = await get(headers);
    assert.equal(res.status, 304, JSON.stringify(headers));
    assert.equal((await res.arrayBuffer()).byteLength, 0);
    assert.equal(res.headers.get('etag'), etag);
    assert.equal(res.headers.get('cross-origin-embedder-policy'), 'require-corp');
  }
  const head = await get({ 'if-none-match': etag }, 'HEAD');
  assert.equal(head.status, 304);
});

test('a stale validator gets the file: another ETag (If-None-Match decides over If-Modified-Since), an older date', async () => {
  const lastModified = (await get({}, 'HEAD')).headers.get('last-modified');
  let res = await get({ 'if-none-match': '"0-0"', 'if-modified-since': lastModified });
  assert.equal(res.status, 200);
  assert.equal((await res.arrayBuffer()).byteLength, 1000);
  res = await get({ 'if-modified-since': new Date(Date.parse(lastModified) - 60_000).toUTCString() });
  assert.equal(res.status, 200);
  await res.arrayBuffer();
});

test('a changed file gets a new ETag and is served whole to a client holding the old one', async () => {
  const old = (await get({}, 'HEAD')).headers.get('etag');
  const file = path.join(dir, 'model.onnx');
  fs.writeFileSync(file, Buffer.alloc(1200, 8));
  const later = new Date(Date.now() + 5_000);
  fs.utimesSync(file, later, later);
  const res = await get({ 'if-none-match': old });
  assert.equal(res.status, 200);
  assert.notEqual(res.headers.get('etag'), old);
  assert.equal((await res.arrayBuffer()).byteLength, 1200);
});

test('a file rewritten while it is sent: the response holds the announced length, the connection nothing more', async () => {
  // The client stops reading after the first bytes, so the server's read of the file waits (back
  // pressure) while the file grows; a read to EOF would then send the new bytes past Content-Length,
  // into the next response on a kept-alive connection ("Response does not match the HTTP/1.1 protocol").
  const file = path.join(dir, 'big.bin');
  const size = 4 << 20;
  fs.writeFileSync(file, Buffer.alloc(size, 1));
  const { port } = new URL(server.url);
  const socket = net.connect(Number(port), '127.0.0.1');
  socket.write('GET /big.bin HTTP/1.1\r\nHost: localhost\r\n\r\n');
  const chunks = [];
  await new Promise((resolve) => socket.once('data', (d) => (chunks.push(d), socket.pause(), resolve())));
  fs.appendFileSync(file, Buffer.alloc(size, 2));
  socket.on('data', (d) => chunks.push(d));
  socket.resume();
  await new Promise((r) => setTimeout(r, 1500));
  socket.destroy();
  const all = Buffer.concat(chunks);
  const head = all.indexOf('\r\n\r\n');
  assert.match(all.subarray(0, head).toString(), new RegExp(`Content-Length: ${size}\\r`, 'i'));
  assert.equal(all.length - head - 4, size, 'bytes after the header');
});
