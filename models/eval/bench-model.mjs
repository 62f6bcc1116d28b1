#!/usr/bin/env node
// Speed of expression models in onnxruntime-web WASM, headless Chromium, 1 and 2 threads,
// batch 1 and batch 8. Prints a table of medians.
//
//   node models/eval/bench-model.mjs [model.onnx ...]   (default: the shipped models/emotion/*.onnx)
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serveStatic } from '../../scripts/lib/static-server.mjs';
import { launch } from '../../scripts/lib/chromium.mjs';
import { parseCli } from '../../scripts/lib/cli.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { positionals: argv } = parseCli(import.meta.url, 'bench-model', { options: {}, allowPositionals: true });
const runs = Number(process.env.BENCH_RUNS ?? 200);
const models = argv.length
  ? argv.map((m) => path.resolve(m))
  : fs.readdirSync(path.join(root, 'models/emotion')).filter((f) => f.endsWith('.onnx')).map((f) => path.join(root, 'models/emotion', f));

const roots = { '/ort/': path.join(root, 'node_modules/onnxruntime-web/dist') };
models.forEach((m, i) => (roots[`/m${i}/`] = path.dirname(m)));
roots['/'] = path.join(root, 'models/eval');
const server = await serveStatic({ roots });
const browser = await launch();
try {
  const page = await browser.newPage();
  await page.goto(`${server.url}/bench-model.html`);
  console.log(`onnxruntime-web WASM in headless Chromium, ${runs} runs each, median ms (per face for batch 8)`);
  console.log('model'.padEnd(28), 'threads', 'batch1_ms', 'batch8_ms_per_face');
  for (const [i, m] of models.entries()) {
    // Input shape from the model card beside the ONNX file when there is one.
    const cardFile = m.replace(/\.onnx$/, '.json');
    const input = fs.existsSync(cardFile) ? JSON.parse(fs.readFileSync(cardFile, 'utf8')).input : null;
    const chw = input ? [input.channels, input.height, input.width] : [1, 48, 48];
    for (const threads of [1, 2]) {
      const r = await page.evaluate(
        async (url, threads, runs, chw) => {
          const ort = await import('/ort/ort.wasm.min.mjs');
          ort.env.wasm.numThreads = threads;
          ort.env.wasm.wasmPaths = '/ort/';
          const s = await ort.InferenceSession.create(url, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
          const out = {};
          for (const batch of [1, 8]) {
            const data = new Float32Array(batch * chw[0] * chw[1] * chw[2]).map(() => Math.random());
            const times = [];
            for (let k = 0; k < runs + 10; k++) {
              const t = new ort.Tensor('float32', data, [batch, ...chw]);
              const t0 = performance.now();
              await s.run({ [s.inputNames[0]]: t });
              if (k >= 10) times.push(performance.now() - t0);
            }
            times.sort((a, b) => a - b);
            out[batch] = times[times.length >> 1] / batch;
          }
          await s.release();
          return out;
        },
        `/m${i}/${path.basename(m)}`, threads, runs, chw,
      );
      console.log(path.basename(m).padEnd(28), String(threads).padEnd(7), r[1].toFixed(3).padEnd(9), r[8].toFixed(3));
    }
  }
} finally {
  await browser.close();
  await server.close();
}
