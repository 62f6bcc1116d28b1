#!/usr/bin/env node
// Fixtures made at test time (never committed): the fake-camera video, a 4:2:0 .y4m built from
// a real face photo, for Chromium's --use-file-for-fake-video-capture.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeY4m } from './y4m.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const out = path.join(root, 'test/artifacts/fake-camera.y4m');
// sample1.jpg (1920x1280) from @vladmandic/face-api's demo: the smiling woman on the right.
const photo = path.join(root, 'node_modules/@vladmandic/face-api/demo/sample1.jpg');
const crop = { x: 1240, y: 60, w: 640, h: 480 };
if (!fs.existsSync(out) || fs.statSync(out).mtimeMs < fs.statSync(photo).mtimeMs) {
  fs.mkdirSync(path.dirname(out), { recursive: true });
  await makeY4m({ image: photo, out, width: 640, height: 480, frames: 30, crop });
  console.log(`made ${path.relative(root, out)}`);
}
