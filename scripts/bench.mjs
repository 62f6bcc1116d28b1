#!/usr/bin/env node
// `npm run bench`: the whole pipeline (face detection + expression classification per frame) in
// headless Chromium, our engine (packages/core/dist, WASM, 1 and 2 threads) against face-api.js
// (@vladmandic/face-api: TinyFaceDetector + FaceExpressionNet) on the very same canvases.
// Prints medians (and mean frame times) and writes bench-results/pipeline.json and bench-results/pipeline.md.
//
//   --runs N            timed frames per engine and scene (default 40)
//   --budget-s S        time for all measurements, split evenly over the scenes; a scene that
//                       runs out stops early, after at least 10 frames per engine (default 180)
//   --warmup N          untimed frames per engine and scene first (default 5)
//   --threads 1,2       WASM thread counts to compare
//   --model X.onnx      our emotion model (its card X.json beside it); default: the built one
//   --tfjs-wasm DIR     folder with tfjs-backend-wasm*.wasm 4.22 for face-api's WASM backend
//                       (default node_modules/@tensorflow/tfjs-backend-wasm/dist, or $TFJS_WASM_DIR)
//   --faceapi-backend   wasm | cpu | webgl (default: wasm when its binaries are found, else cpu)
//   --input-size N      TinyFaceDetector input size (default 416, face-api's default)
//   --no-faceapi        only our engine
//   --no-ours           only face-api.js
//   --no-small-faces    our engine without the tiled small-face search (smallFaces: false)
//   --no-parallel       our engine with 2+ threads without its model worker (parallel: false)
//   --video             feed the engines a playing <video> of the scene (its canvas's captureStream)
//                       instead of the canvas itself
//   --gap-ms N          untimed pause before each timed frame (e.g. 60 for an app analysing 15 frames
//                       a second; default 0: frames back to back)
// Threads: with 1, our engine runs wholly on the page's thread (parallel: false); with N >= 2, the
// face detector keeps the page's thread and the expression model gets a worker with N - 1 WASM
// threads (parallel: true, the default), N threads in all; face-api.js gets N tfjs WASM threads.
// Needs a build first (`npm run build`).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch } from './lib/chromium.mjs';
import { serveStatic } from './lib/static-server.mjs';
import { parseCli } from './lib/cli.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values: opt } = parseCli(import.meta.url, 'bench', {
  options: {
    runs: { type: 'string', default: '40' },
    'budget-s': { type: 'string', default: '180' },
    warmup: { type: 'string', default: '5' },
    threads: { type: 'string', default: '1,2' },
    model: { type: 'string' },
    'tfjs-wasm': { type: 'string' },
    'faceapi-backend': { type: 'string' },
    'input-size': { type: 'string', default: '416' },
    'no-faceapi': { type: 'boolean', default: false },
    'no-ours': { type: 'boolean', default: false },
    'no-small-faces': { type: 'boolean', default: false },
    'no-parallel': { type: 'boolean', default: false },
    video: { type: 'boolean', default: false },
    'gap-ms': { type: 'string', default: '0' },
  },
});

function fail(msg) {
  console.error(`bench: ${msg}`);
  process.exit(1);
}

const runs = Number(opt.runs);
const warmup = Number(opt.warmup);
const threadCounts = opt.threads.split(',').map(Number);
const inputSize = Number(opt['input-size']);
const budgetMs = Number(opt['budget-s']) * 1000;
const gapMs = Number(opt['gap-ms']);
if (!(gapMs >= 0)) fail('--gap-ms must be >= 0');
if (!(budgetMs > 0)) fail('--budget-s must be > 0');
if (!(runs > 0) || !(warmup >= 0)) fail('--runs must be > 0 and --warmup >= 0');
if (threadCounts.some((t) => !(Number.isInteger(t) && t >= 1))) fail('--threads must list positive integers');
if (!(inputSize > 0 && inputSize % 32 === 0)) fail('--input-size must be a multiple of 32');

const dist = path.join(root, 'packages/core/dist');
const withOurs = !opt['no-ours'];
if (withOurs && !fs.existsSync(path.join(dist, 'index.js'))) fail('packages/core/dist/index.js is missing: run `npm run build` first');
const modelPath = opt.model ? path.resolve(opt.model) : null;
if (modelPath && withOurs) {
  if (!fs.existsSync(modelPath)) fail(`no model at ${modelPath}`);
  if (!fs.existsSync(modelPath.replace(/\.onnx$/i, '.json'))) fail(`no model card beside ${modelPath} (same name, .json)`);
} else if (withOurs && !fs.existsSync(path.join(dist, 'assets/models/emotion/index.json'))) {
  fail('the build has no emotion model (packages/core/dist/assets/models/emotion/index.json): pass --model X.onnx');
}

const tfjsWasm = path.resolve(opt['tfjs-wasm'] ?? process.env.TFJS_WASM_DIR ?? path.join(root, 'node_modules/@tensorflow/tfjs-backend-wasm/dist'));
const hasTfjsWasm = fs.existsSync(path.join(tfjsWasm, 'tfjs-backend-wasm-simd.wasm'));
const faceapiBackend = opt['faceapi-backend'] ?? (hasTfjsWasm ? 'wasm' : 'cpu');
if (!['wasm', 'cpu', 'webgl'].includes(faceapiBackend)) fail(`unknown face-api backend ${faceapiBackend}`);
if (faceapiBackend === 'wasm' && !hasTfjsWasm) fail(`no tfjs-backend-wasm-simd.wasm in ${tfjsWasm} (pass --tfjs-wasm DIR)`);
if (!opt['no-faceapi'] && !hasTfjsWasm && !opt['faceapi-backend']) {
  console.log(`note: tfjs WASM binaries not found in ${tfjsWasm}; face-api runs on its (slow) cpu backend.`);
  console.log('      Install @tensorflow/tfjs-backend-wasm@4.22.0 or pass --tfjs-wasm DIR for its WASM backend.');
}

const SCENES = [
  { id: '640x480-1', width: 640, height: 480, faces: 1 },
  { id: '640x480-5', width: 640, height: 480, faces: 5 },
  { id: '1280x720-1', width: 1280, height: 720, faces: 1 },
  { id: '1280x720-5', width: 1280, height: 720, faces: 5 },
];
/** Engines take turns in chunks of this many frames, so load from other processes hits all alike. */
const CHUNK = 5;
/** Fewest timed frames per engine and scene, even when the time budget is spent. */
const MIN_RUNS = 10;

const roots = { '/': root };
if (hasTfjsWasm) roots['/tfwasm/'] = tfjsWasm;
if (modelPath) roots['/bench-model/'] = path.dirname(modelPath);
const server = await serveStatic({ roots });
const browser = await launch();
const watchdog = setTimeout(() => {
  console.error('bench: gave up after 10 minutes');
  process.exit(1);
}, 600_000);

const engines = [];
for (const threads of threadCounts) {
  if (withOurs) engines.push({ key: `ours-${threads}t`, kind: 'ours', threads });
  // tfjs's cpu and webgl backends have no thread setting: one face-api engine is enough.
  const faceApiOnce = faceapiBackend !== 'wasm' && threads !== threadCounts[0];
  if (!opt['no-faceapi'] && !faceApiOnce) engines.push({ key: `faceapi-${threads}t`, kind: 'faceapi', threads });
}

let exitCode = 0;
try {
  let system;
  for (const e of engines) {
    e.page = await browser.newPage();
    e.page.on('pageerror', (err) => console.error(`[${e.key}] page error: ${err.message}`));
    e.page.on('response', (r) => r.status() >= 400 && !r.url().endsWith('/favicon.ico') && console.error(`[${e.key}] HTTP ${r.status()} ${r.url()}`));
    await e.page.goto(`${server.url}/scripts/bench/pipeline.html`);
    await e.page.waitForFunction('window.benchReady === true', { timeout: 60_000 });
    system ??= await e.page.evaluate(() => window.bench.info());
    await e.page.evaluate((s, video) => window.bench.prepareScenes(s, { video }), SCENES, opt.video);
    const t = performance.now();
    e.info = e.kind === 'ours'
      ? await e.page.evaluate((o) => window.bench.startOurs(o), {
          threads: e.threads,
          model: modelPath ? `/bench-model/${path.basename(modelPath)}` : undefined,
          smallFaces: !opt['no-small-faces'],
          parallel: e.threads > 1 && !opt['no-parallel'],
        })
      : await e.page.evaluate((o) => window.bench.startFaceApi(o), { backend: faceapiBackend, threads: e.threads, inputSize });
    e.info.startMs = performance.now() - t;
    e.samples = {};
  }
  system = {
    ...system,
    chromium: await browser.version(),
    cpu: os.cpus()[0]?.model,
    cpus: os.cpus().length,
    node: process.version,
    loadAverageAtStart: os.loadavg()[0],
  };
  printSystem(system);

  for (const scene of SCENES) {
    const sceneStart = performance.now();
    for (const e of engines) {
      await e.page.bringToFront();
      await e.page.evaluate((o) => window.bench.run(o), { scene: scene.id, n: 0, warmup });
      e.samples[scene.id] = [];
    }
    const inBudget = () => performance.now() - sceneStart < budgetMs / SCENES.length;
    for (let done = 0; done < runs && (done < MIN_RUNS || inBudget()); done += CHUNK) {
      for (const e of engines) {
        await e.page.bringToFront();
        const n = Math.min(CHUNK, runs - done);
        e.samples[scene.id].push(...(await e.page.evaluate((o) => window.bench.run(o), { scene: scene.id, n, gapMs })));
      }
    }
    const counts = engines.map((e) => e.samples[scene.id].length);
    process.stdout.write(`  measured ${scene.id}: ${Math.min(...counts)} frames per engine in ${((performance.now() - sceneStart) / 1000).toFixed(0)} s\n`);
  }
  for (const e of engines) await e.page.evaluate(() => window.bench.close());
  system.loadAverageAtEnd = os.loadavg()[0];

  const rows = summarise(engines);
  const table = markdownTable(rows);
  const targets = checkTargets(rows);
  console.log(`\n${table}\n`);
  for (const t of targets) console.log(`${t.ok ? 'MET   ' : 'MISSED'} ${t.text}`);

  const results = {
    date: new Date().toISOString(),
    command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
    system,
    settings: { runs, warmup, chunk: CHUNK, budgetS: budgetMs / 1000, inputSize, faceapiBackend, smallFaces: !opt['no-small-faces'], parallel: !opt['no-parallel'], video: opt.video, gapMs },
    engines: engines.map((e) => ({ key: e.key, kind: e.kind, ...e.info })),
    scenes: SCENES,
    rows,
    targets,
    samples: Object.fromEntries(engines.map((e) => [e.key, e.samples])),
  };
  const out = path.join(root, 'bench-results');
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(path.join(out, 'pipeline.json'), JSON.stringify(results, null, 2));
  fs.writeFileSync(path.join(out, 'pipeline.md'), `${systemLine(system, engines)}\n\n${table}\n\n${targets.map((t) => `- ${t.ok ? 'met' : 'missed'}: ${t.text}`).join('\n')}\n`);
  console.log('\nwrote bench-results/pipeline.json and bench-results/pipeline.md');
} catch (e) {
  console.error(`bench failed: ${e.stack ?? e}`);
  exitCode = 1;
} finally {
  clearTimeout(watchdog);
  await browser.close();
  await server.close();
}
process.exit(exitCode);

function median(xs) {
  return quantile(xs, 0.5);
}

function mean(xs) {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null;
}

/** Linear-interpolated quantile; null for no data. */
function quantile(xs, q) {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const i = (s.length - 1) * q;
  const lo = Math.floor(i);
  return s[lo] + (s[Math.min(lo + 1, s.length - 1)] - s[lo]) * (i - lo);
}

function summarise(list) {
  const rows = [];
  for (const scene of SCENES) {
    for (const e of list) {
      const s = e.samples[scene.id];
      const frame = median(s.map((x) => x.frame));
      const perFace = median(s.filter((x) => x.faces > 0).map((x) => x.classification / x.faces));
      const row = {
        scene: scene.id,
        size: `${scene.width}x${scene.height}`,
        facesInFrame: scene.faces,
        engine: e.key,
        frames: s.length,
        facesFound: median(s.map((x) => x.faces)),
        detectionMs: median(s.map((x) => x.detection)),
        classificationMsPerFace: perFace,
        frameMs: frame,
        // The mean as well: a video's frames differ in work (a piece of the spread full search on
        // some), which the median does not show.
        frameMsMean: mean(s.map((x) => x.frame)),
        frameMsP10: quantile(s.map((x) => x.frame), 0.1),
        frameMsP90: quantile(s.map((x) => x.frame), 0.9),
        fps: frame ? 1000 / frame : null,
      };
      if (e.kind === 'ours') {
        const peers = list.filter((p) => p.kind === 'faceapi');
        const peer = peers.find((p) => p.threads === e.threads) ?? peers[0];
        const peerFrame = peer && median(peer.samples[scene.id].map((x) => x.frame));
        row.speedupVsFaceApi = peerFrame && frame ? peerFrame / frame : null;
        const peerMean = peer && mean(peer.samples[scene.id].map((x) => x.frame));
        row.speedupVsFaceApiMean = peerMean && row.frameMsMean ? peerMean / row.frameMsMean : null;
      }
      rows.push(row);
    }
  }
  return rows;
}

function fmt(v, d = 1) {
  return v == null ? 'n/a' : v.toFixed(d);
}

function markdownTable(rows) {
  const head = '| frame | faces (found) | engine | detection ms | classification ms/face | frame ms | frames/s | ours vs face-api | mean frame ms | ours vs face-api (means) |';
  const lines = rows.map((r) =>
    `| ${r.size} | ${r.facesInFrame} (${fmt(r.facesFound, 0)}) | ${label(r.engine)} | ${fmt(r.detectionMs)} | ${fmt(r.classificationMsPerFace, 2)} | ${fmt(r.frameMs)} | ${fmt(r.fps, r.fps != null && r.fps < 10 ? 1 : 0)} | ${r.speedupVsFaceApi == null ? '' : `${fmt(r.speedupVsFaceApi, 2)}x faster`} | ${fmt(r.frameMsMean)} | ${r.speedupVsFaceApiMean == null ? '' : `${fmt(r.speedupVsFaceApiMean, 2)}x`} |`,
  );
  return [head, '|---|---|---|---:|---:|---:|---:|---:|---:|---:|', ...lines].join('\n');
}

function label(key) {
  const [kind, threads] = key.split('-');
  const t = threads.replace('t', '');
  const parallel = engines.find((e) => e.key === key)?.info?.parallel;
  return kind === 'ours' ? `ours (WASM, ${t} thr${parallel ? ': detector + model worker' : ''})` : `face-api.js (tfjs ${faceapiBackend}${faceapiBackend === 'wasm' ? `, ${t} thr` : ''})`;
}

function checkTargets(rows) {
  const out = [];
  const one = rows.find((r) => r.scene === '640x480-1' && r.engine === 'ours-2t');
  if (one) out.push({ ok: one.frameMs <= 12, text: `one face at 640x480 on 2 threads: ${fmt(one.frameMs)} ms per frame (target <= 12 ms)` });
  const vs = rows.filter((r) => r.speedupVsFaceApi != null);
  if (vs.length) {
    const worst = vs.reduce((a, b) => (a.speedupVsFaceApi <= b.speedupVsFaceApi ? a : b));
    out.push({
      ok: worst.speedupVsFaceApi >= 2,
      text:
        `>= 2x faster than face-api.js on the same frames: ${vs.map((r) => `${r.scene} ${r.engine.replace('ours-', '')} ${fmt(r.speedupVsFaceApi, 2)}x`).join(', ')} (lowest ${fmt(worst.speedupVsFaceApi, 2)}x)` +
        (faceapiBackend === 'wasm' ? '' : ` (face-api.js on tfjs ${faceapiBackend}, not its WASM backend: not a like-for-like comparison)`),
    });
  }
  return out;
}

function systemLine(s, list) {
  const ours = list.find((e) => e.kind === 'ours')?.info;
  const fa = list.find((e) => e.kind === 'faceapi')?.info;
  return [
    `Chromium ${s.chromium} (headless), ${s.cpu ?? 'unknown CPU'}, ${s.cpus} logical CPUs (hardwareConcurrency ${s.hardwareConcurrency}), crossOriginIsolated ${s.crossOriginIsolated}.`,
    ours ? `Ours: model \`${ours.model}\`, ${ours.backend} backend, smallFaces ${ours.smallFaces}; with 2+ threads the model runs in its own worker beside the detector (parallel ${list.some((e) => e.info?.parallel)}).` : '',
    `Frames: the scene sways sideways (a sine of 16 px at 640x480 and 40 frames), the same frames for every engine, ${opt.video ? 'as a playing <video> (the canvas\'s captureStream)' : 'as a canvas'}${gapMs ? `, ${gapMs} ms apart (untimed pauses)` : ', back to back'}.`,
    fa ? `face-api.js: @vladmandic/face-api (tfjs ${fa.tfjs}, ${fa.backend} backend), TinyFaceDetector inputSize ${fa.inputSize} + FaceExpressionNet.` : '',
    `Medians over ${framesRange()} frames per cell after ${warmup} warm-up frames; 1-minute load average ${s.loadAverageAtStart.toFixed(1)} at the start, ${s.loadAverageAtEnd.toFixed(1)} at the end.`,
  ].filter(Boolean).join(' ');
}

function framesRange() {
  const counts = engines.flatMap((e) => Object.values(e.samples).map((x) => x.length));
  const lo = Math.min(...counts);
  const hi = Math.max(...counts);
  return lo === hi ? String(lo) : `${lo}-${hi}`;
}

function printSystem(s) {
  console.log(`Chromium ${s.chromium}, ${s.userAgent}`);
  console.log(`CPU: ${s.cpu} x${s.cpus} (navigator.hardwareConcurrency ${s.hardwareConcurrency}), crossOriginIsolated: ${s.crossOriginIsolated}, node ${s.node}, load average ${s.loadAverageAtStart.toFixed(1)}`);
  for (const e of engines) console.log(`${e.key}: ${JSON.stringify(e.info)}`);
  console.log(`Up to ${runs} timed frames per engine and scene (after ${warmup} warm-up; ${budgetMs / 1000} s budget), engines alternate every ${CHUNK} frames.`);
}
