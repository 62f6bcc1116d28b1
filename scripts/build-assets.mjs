#!/usr/bin/env node
// Copies every runtime asset the engine loads into packages/core/dist/assets/ (the one folder a
// user serves from their own origin; no CDN at run time):
//   ort/         onnxruntime-web WASM binaries and their loaders
//   mediapipe/   @mediapipe/tasks-vision WASM (SIMD build)
//   models/      the emotion CNN (ONNX + model card) and the face detector (.tflite with metadata)
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
for (const f of fs.readdirSync(nm('onnxruntime-web/dist'))) {
  if (/^ort-wasm-simd-threaded(\.asyncify|\.jsep)?\.(wasm|mjs)$/.test(f)) copy(nm(`onnxruntime-web/dist/${f}`), path.join(out, 'ort', f));
}
// Only the SIMD build: the engine loads no other (ONNX Runtime Web needs SIMD anyway).
for (const f of ['vision_wasm_internal.js', 'vision_wasm_internal.wasm']) {
  copy(nm(`@mediapipe/tasks-vision/wasm/${f}`), path.join(out, 'mediapipe', f));
}
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
console.log(`assets -> ${path.relative(root, out)}`);
