// The committed face verifier (models/face/face-verifier.onnx, models/training/export_verifier.py)
// gives the probabilities PyTorch gave at export, within 1e-4, in onnxruntime-node; it is the
// mirror-averaged net it claims (a crop and its mirror image score the same); and the bar written
// into it is the one the engine applies (FACE_VERIFIER_BAR in packages/core/src/verification/face-verifier.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createSession } from '../lib/model.mjs';
import { root } from '../lib/core.mjs';

const ONNX = path.join(root, 'models/face/face-verifier.onnx');
const parity = JSON.parse(fs.readFileSync(ONNX.replace(/\.onnx$/, '.parity.json'), 'utf8'));

/** The ONNX file's metadata_props value for `key` (a StringStringEntryProto: key, then value). */
function metadata(bytes, key) {
  const k = Buffer.from(key);
  for (let i = bytes.indexOf(Buffer.concat([Buffer.from([0x0a, k.length]), k])); i >= 0; i = bytes.indexOf(Buffer.concat([Buffer.from([0x0a, k.length]), k]), i + 1)) {
    const at = i + 2 + k.length;
    if (bytes[at] === 0x12) return bytes.subarray(at + 2, at + 2 + bytes[at + 1]).toString();
  }
  return undefined;
}

async function run(input, n) {
  const { ort, session } = await createSession(ONNX);
  const out = await session.run({ input: new ort.Tensor('float32', input, [n, 1, 48, 48]) });
  return out.face.data;
}

test('the face verifier gives PyTorch\'s probabilities (onnxruntime-node)', async () => {
  const n = parity.shape[0];
  const got = await run(Float32Array.from(parity.input), n);
  assert.equal(got.length, n);
  const worst = Math.max(...parity.probabilities.map((p, i) => Math.abs(got[i] - p)));
  console.log(`# max |ONNX - PyTorch| = ${worst.toExponential(2)} over ${n} FER2013 dev images`);
  assert.ok(worst <= 1e-4, `max |ONNX - PyTorch| = ${worst}`);
});

test('the face verifier scores a crop and its mirror image the same', async () => {
  const n = parity.shape[0];
  const x = Float32Array.from(parity.input);
  const m = new Float32Array(x.length);
  for (let i = 0; i < n * 48; i++) for (let q = 0; q < 48; q++) m[i * 48 + q] = x[i * 48 + 47 - q];
  const [a, b] = [await run(x, n), await run(m, n)];
  // Not a trivial check: the images are not symmetric, and the net alone scores them apart.
  assert.ok(x.some((v, i) => v !== m[i]));
  for (let i = 0; i < n; i++) assert.ok(Math.abs(a[i] - b[i]) < 1e-5, `image ${i}: ${a[i]} against ${b[i]} mirrored`);
});

test('the bar in the file is the one the engine applies', () => {
  const bar = metadata(fs.readFileSync(ONNX), 'bar');
  assert.ok(bar, 'the ONNX file has metadata "bar"');
  assert.equal(Number(bar), parity.bar);
  const src = fs.readFileSync(path.join(root, 'packages/core/src/verification/face-verifier.ts'), 'utf8');
  const engine = /export const FACE_VERIFIER_BAR = ([\d.]+);/.exec(src);
  assert.ok(engine, 'face-verifier.ts exports FACE_VERIFIER_BAR');
  assert.equal(Number(engine[1]), Number(bar));
});
