#!/usr/bin/env node
// Copies every runtime asset the engine loads into packages/core/dist/assets/ (the one folder a
// user serves from their own origin; no CDN at run time):
//   ort/         onnxruntime-web's two WASM binaries: plain (WASM path), asyncify (WebGPU path)
//   mediapipe/   @mediapipe/tasks-vision WASM (SIMD build; every supported browser has SIMD)
//   models/      the emotion CNN (ONNX + model card), the face detector (.tflite with metadata) and
//                its verifier (ONNX)
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'packages/core/dist/assets');
const nm = (p) => path.join(root, 'node_modules', p);

function copy(from, to) {
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.copyFileSync(from, to);
}

fs.rmSync(out, { recursive: true, force: true });
// The runtimes' own binaries (the two ONNX Runtime builds the engine loads, MediaPipe's SIMD
// fileset) come from their packages, pinned dependencies of core: the package does not carry a
// second copy of them (see `runtimeAssets` in packages/core/package.json, and its README,
// "Serving the assets"). The repository's build puts them in the same folder, so the tests, demo
// and extension serve one folder. No other ONNX Runtime build (jsep, jspi) and no MediaPipe
// nosimd build: no code path loads them (test/node/package-assets.test.mjs records the requests).
const corePkg = JSON.parse(fs.readFileSync(path.join(root, 'packages/core/package.json'), 'utf8'));
for (const [to, from] of Object.entries(corePkg.runtimeAssets)) copy(nm(from), path.join(out, to));
const emotionDir = path.join(root, 'models/emotion');
const cards = [];
// A checkout without the shipped model still builds (the engine then reports a clear fetch error).
for (const f of fs.existsSync(emotionDir) ? fs.readdirSync(emotionDir).sort() : []) {
  if (!/\.(onnx|json)$/.test(f) || f.endsWith('.parity.json') || f === 'index.json') continue;
  copy(path.join(emotionDir, f), path.join(out, 'models/emotion', f));
  if (f.endsWith('.json')) cards.push({ file: f, card: JSON.parse(fs.readFileSync(path.join(emotionDir, f), 'utf8')) });
}
// index.json names the card the engine loads by default: the one marked `"default": true`,
// else the only (or first) one. The engine never hard-codes a model name.
if (!cards.length) console.warn(`warning: no model card in ${emotionDir}; the build has no emotion model`);
if (cards.length) {
  const chosen = cards.find((c) => c.card.default === true) ?? cards[0];
  fs.writeFileSync(
    path.join(out, 'models/emotion/index.json'),
    JSON.stringify({ default: chosen.file, models: cards.map((c) => c.file) }, null, 2),
  );
}
// The face detector: BlazeFace short range from @mediapipe/face_detection, given the TFLite
// metadata that MediaPipe Tasks requires (see models/face/add-tflite-metadata.mjs).
const addMetadata = path.join(root, 'models/face/add-tflite-metadata.mjs');
if (fs.existsSync(addMetadata)) {
  const { addFaceDetectorMetadata } = await import(addMetadata);
  const src = fs.readFileSync(nm('@mediapipe/face_detection/face_detection_short_range.tflite'));
  fs.mkdirSync(path.join(out, 'models/face'), { recursive: true });
  fs.writeFileSync(path.join(out, 'models/face/face_detection_short_range.tflite'), addFaceDetectorMetadata(src));
}
// The face verifier the detector asks about small and unsure finds (models/face/README.md).
const verifier = path.join(root, 'models/face/face-verifier.onnx');
if (fs.existsSync(verifier)) copy(verifier, path.join(out, 'models/face/face-verifier.onnx'));
console.log(`assets -> ${path.relative(root, out)}`);
