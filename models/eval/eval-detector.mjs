#!/usr/bin/env node
// `npm run eval:detector`: what the face detector's small-face search costs and what it finds, for
// two builds of it side by side (this checkout's, and `--base` another checkout's, e.g. main's), in
// one headless Chromium page, calls interleaved:
//
// - stills: the six sample photos of @vladmandic/face-api (1280-1920 px, 3-5 people each; 22 people
//   counted by a person) at their own size and fitted into 640x480: faces found, detector passes,
//   ms per still (median of --runs);
// - face-free frames: the textured backgrounds of eval:pipeline alone (grey and colour), flat grey
//   and black, at 640x480: every box there is a false positive;
// - a video: sample5 fitted into 640x480 and swaying, 60 frames at 30 frames/s as the engine runs it
//   (the full search on the first frame, then the focus search around the last faces with the full
//   search's pieces spread over the frames): passes per frame, mean and most, and faces per frame;
//   and a textured room without faces, swaying, 62 frames: passes per frame and (false) boxes.
//
//   npm run eval:detector [-- --base ../main/packages/core/src] [--level tiny] [--runs 7] [--out DIR]
//     --src DIR    the detector's sources (default: this checkout's packages/core/src)
//     --base DIR   a second build to compare with (its packages/core/src), at smallFaces true
//     --level L    this build's smallFaces: true (the default), false or tiny
//     --runs N     timed calls per still (default 7; the median is printed)
//     --out DIR    also write each still with its boxes drawn (PNG) there
// Needs `npm run build` (for the MediaPipe assets in packages/core/dist/assets).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { root } from './lib/core.mjs';
import { serveStatic } from '../../scripts/lib/static-server.mjs';
import { launch } from '../../scripts/lib/chromium.mjs';
import { parseCli } from '../../scripts/lib/cli.mjs';

const { values: opt } = parseCli(import.meta.url, 'eval-detector', {
  options: { src: { type: 'string' }, base: { type: 'string' }, runs: { type: 'string', default: '7' }, level: { type: 'string', default: 'true' }, out: { type: 'string' } },
});
if (!fs.existsSync(path.join(root, 'packages/core/dist/assets/mediapipe'))) {
  console.error('eval-detector: packages/core/dist/assets is missing: run `npm run build` first');
  process.exit(2);
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'eval-detector-'));
/** The face detector from `src` as one browser module (MediaPipe left to the page's import map). */
async function bundle(src, name) {
  const { build } = await import('esbuild');
  await build({
    entryPoints: [path.join(path.resolve(src), 'detection/face-detector.ts')],
    bundle: true, format: 'esm', platform: 'browser', target: 'es2022', external: ['@mediapipe/tasks-vision'],
    outfile: path.join(tmp, `${name}.js`), logLevel: 'error',
  });
  return `/build/${name}.js`;
}
const level = { true: true, false: false, tiny: 'tiny' }[opt.level];
if (level === undefined) {
  console.error(`eval-detector: --level takes true, false or tiny, not ${opt.level}`);
  process.exit(2);
}
const builds = [{ name: 'this', level, url: await bundle(opt.src ?? path.join(root, 'packages/core/src'), 'this') }];
if (opt.base) builds.unshift({ name: 'base', level: true, url: await bundle(opt.base, 'base') });

const server = await serveStatic({ roots: { '/build/': tmp, '/': root } });
const browser = await launch();
try {
  const page = await browser.newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(`${server.url}/scripts/bench/pipeline.html`);
  const r = await page.evaluate(
    async (a) => (await import('/models/eval/eval-detector-page.mjs')).run(a),
    { builds, runs: Number(opt.runs), draw: !!opt.out },
  );
  const names = builds.map((b) => b.name);
  const col = (v) => String(v).padStart(14);
  console.log(`${''.padEnd(28)}${names.map((n) => col(n)).join('')}${opt.base ? col('ratio') : ''}`);
  const line = (label, values, fmt = (v) => v, ratio = true) =>
    console.log(`${label.padEnd(28)}${values.map((v) => col(fmt(v))).join('')}${opt.base && ratio ? col(`${(values[1] / values[0]).toFixed(2)}x`) : ''}`);
  for (const s of r.stills) {
    line(`${s.name} faces`, s.faces, (v) => v, false);
    line(`${s.name} passes`, s.passes);
    line(`${s.name} ms`, s.ms, (v) => v.toFixed(1));
  }
  const sum = (key) => names.map((_, b) => r.stills.filter((s) => s.full).reduce((t, s) => t + s[key][b], 0));
  const sumSmall = (key) => names.map((_, b) => r.stills.filter((s) => !s.full).reduce((t, s) => t + s[key][b], 0));
  console.log('');
  line('photos: faces (of 22)', sum('faces'), (v) => v, false);
  line('photos: passes', sum('passes'));
  line('photos: ms', sum('ms'), (v) => v.toFixed(0));
  line('640x480: faces (of 22)', sumSmall('faces'), (v) => v, false);
  line('640x480: passes', sumSmall('passes'));
  line('640x480: ms', sumSmall('ms'), (v) => v.toFixed(0));
  line(`face-free frames (${r.empty.frames}): boxes`, r.empty.boxes, (v) => v, false);
  line('face-free frames: passes', r.empty.passes);
  line('video: passes per frame', r.video.mean, (v) => v.toFixed(2));
  line('video: most passes', r.video.most, (v) => v);
  line('video: faces per frame', r.video.faces, (v) => v.toFixed(2), false);
  line('faceless video: passes/frame', r.emptyVideo.mean, (v) => v.toFixed(2));
  line('faceless video: most passes', r.emptyVideo.most, (v) => v);
  line('faceless video: boxes', r.emptyVideo.boxes, (v) => v, false);
  if (opt.out) {
    fs.mkdirSync(opt.out, { recursive: true });
    for (const [file, b64] of Object.entries(r.drawn)) fs.writeFileSync(path.join(opt.out, file), Buffer.from(b64, 'base64'));
    console.log(`drawn: ${opt.out}`);
  }
} finally {
  await browser.close();
  await server.close();
  fs.rmSync(tmp, { recursive: true, force: true });
}
