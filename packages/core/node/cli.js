#!/usr/bin/env node
// npx emotion-detector-assets <dir>
// Copies the engine's runtime assets (models, ONNX Runtime and MediaPipe WASM, worker.js) into
// <dir>, a folder your app serves (e.g. public/emotion-detector); then point the engine at its URL:
// EmotionDetector.create({ assetsBase: '/emotion-detector/' }) or <emotion-detector assets-base="/emotion-detector/">.
import path from 'node:path';
import { copyAssets } from './assets.js';

const args = process.argv.slice(2);
if (args.length !== 1 || args[0] === '--help' || args[0] === '-h') {
  console.log(
    'Usage: emotion-detector-assets <dir>\n\n' +
      'Copies the runtime assets of @emotion-detector/core (models, WASM, worker.js) into <dir>,\n' +
      'a folder your app serves, e.g. public/emotion-detector. Then set assetsBase (engine) or\n' +
      'assets-base (<emotion-detector>) to its URL, e.g. "/emotion-detector/".',
  );
  process.exit(args.length === 1 ? 0 : 1);
}
try {
  const r = copyAssets(args[0]);
  const mb = (r.bytes / 1e6).toFixed(1);
  console.log(`emotion-detector-assets: ${r.files.length} files (${mb} MB) in ${path.relative(process.cwd(), r.dest) || '.'}, ${r.copied} copied`);
} catch (e) {
  console.error(`emotion-detector-assets: ${e instanceof Error ? e.message : e}`);
  process.exit(1);
}
