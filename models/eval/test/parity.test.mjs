// The committed ONNX model gives the probabilities PyTorch gave at export (models/training/export.py
// writes <name>.parity.json), within 1e-4: in onnxruntime-node and in onnxruntime-web WASM in
// headless Chromium (the runtime that ships). An int8 model (models/training/quantize.py) is held to
// the float PyTorch net it was quantised from, on real faces, within the tolerance its fixture names.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { resolveModel, createSession } from '../lib/model.mjs';
import { root } from '../lib/core.mjs';
import { modelsUnderTest } from './helpers.mjs';
import { serveStatic } from '../../../scripts/lib/static-server.mjs';
import { launch } from '../../../scripts/lib/chromium.mjs';

const TOLERANCE = 1e-4;
const { cards, skip } = modelsUnderTest();
if (skip) console.log(`# parity tests skipped: ${skip}`);

async function fixture(cardPath) {
  const model = await resolveModel({ model: cardPath });
  const file = model.onnxPath.replace(/\.onnx$/, '.parity.json');
  assert.ok(fs.existsSync(file), `${file} is missing: models/training/export.py writes it beside the ONNX model`);
  const parity = JSON.parse(fs.readFileSync(file, 'utf8'));
  assert.equal(parity.input.length, parity.shape.reduce((a, b) => a * b, 1), 'parity input length matches its shape');
  assert.equal(parity.probabilities.length, parity.shape[0]);
  // Only an int8 model may be held to a looser bound than float rounding, and not a loose one.
  if (parity.tolerance !== undefined) assert.ok(model.raw.quantization && parity.tolerance <= 0.05, `${file}: a tolerance is for int8 models only`);
  return { model, parity };
}

function assertClose(got, parity, where) {
  const want = parity.probabilities;
  const tolerance = parity.tolerance ?? TOLERANCE;
  let worst = 0;
  want.forEach((row, i) => row.forEach((v, c) => (worst = Math.max(worst, Math.abs(got[i * row.length + c] - v)))));
  console.log(`# ${where}: max |ONNX - PyTorch| = ${worst.toExponential(2)} (tolerance ${tolerance})`);
  assert.ok(worst <= tolerance, `${where}: max |ONNX - PyTorch| = ${worst.toExponential(2)} > ${tolerance}`);
  return worst;
}

for (const cardPath of cards.length ? cards : ['(none)']) {
  const name = path.basename(cardPath, '.json');

  test(`parity ${name}: onnxruntime-node matches the PyTorch probabilities`, { skip }, async () => {
    const { model, parity } = await fixture(cardPath);
    const { ort, session } = await createSession(model.onnxPath);
    try {
      const out = await session.run({ [model.card.input.name]: new ort.Tensor('float32', Float32Array.from(parity.input), parity.shape) });
      const y = out[model.card.output.name] ?? out[session.outputNames[0]];
      assert.deepEqual(y.dims, [parity.shape[0], model.card.output.labels.length]);
      assertClose(y.data, parity, 'onnxruntime-node');
    } finally {
      await session.release();
    }
  });

  test(`parity ${name}: onnxruntime-web (WASM, headless Chromium) matches the PyTorch probabilities`, { skip, timeout: 120_000 }, async () => {
    const { model, parity } = await fixture(cardPath);
    const server = await serveStatic({
      roots: {
        '/ort/': path.join(root, 'node_modules/onnxruntime-web/dist'),
        '/model/': path.dirname(model.onnxPath),
        '/': path.join(root, 'models/eval'),
      },
    });
    const browser = await launch();
    try {
      const page = await browser.newPage();
      await page.goto(`${server.url}/bench-model.html`);
      const got = await page.evaluate(async (url, inputName, input, shape) => {
        const ort = await import('/ort/ort.wasm.min.mjs');
        ort.env.wasm.wasmPaths = '/ort/';
        ort.env.wasm.numThreads = 1;
        const s = await ort.InferenceSession.create(url, { executionProviders: ['wasm'] });
        const out = await s.run({ [inputName]: new ort.Tensor('float32', Float32Array.from(input), shape) });
        const y = out[s.outputNames[0]];
        await s.release();
        return { dims: y.dims, data: Array.from(y.data) };
      }, `/model/${path.basename(model.onnxPath)}`, model.card.input.name, parity.input, parity.shape);
      assert.deepEqual(got.dims, [parity.shape[0], model.card.output.labels.length]);
      assertClose(got.data, parity, 'onnxruntime-web');
    } finally {
      await browser.close();
      await server.close();
    }
  });
}
