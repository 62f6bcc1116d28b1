// Finding the shipped model through its card, and running it with onnxruntime-node on a dataset
// through the engine's own preprocessing (see core.mjs).
import fs from 'node:fs';
import path from 'node:path';
import { loadCore, root } from './core.mjs';

export const MODEL_DIR = path.join(root, 'models/emotion');

const isCard = (f) => f.endsWith('.json') && !f.endsWith('.parity.json') && f !== 'index.json';

/** Every card in `dir` whose ONNX `file` exists beside it, newest ONNX first. */
export function listCards(dir = MODEL_DIR) {
  return readCards(dir).map((c) => c.card);
}

/** The cards in `dir` whose ONNX file exists, newest ONNX first, each read once: `{ card, json }`. */
function readCards(dir) {
  if (!fs.existsSync(dir)) return [];
  const found = fs.readdirSync(dir).filter(isCard).map((f) => {
    const card = path.join(dir, f);
    try {
      const json = JSON.parse(fs.readFileSync(card, 'utf8'));
      const onnx = typeof json.file === 'string' && path.join(dir, json.file);
      return onnx && fs.existsSync(onnx) ? { card, json, mtime: fs.statSync(onnx).mtimeMs } : null;
    } catch {
      return null;
    }
  }).filter(Boolean);
  return found.sort((a, b) => b.mtime - a.mtime);
}

/**
 * The card of the model to evaluate in `dir`: the one index.json names (`{"default": "name"}`),
 * else the card marked `"default": true`, else the newest card whose ONNX `file` exists. Returns
 * null when there is none.
 */
export function findCard(dir = MODEL_DIR) {
  const index = path.join(dir, 'index.json');
  if (fs.existsSync(index)) {
    const idx = JSON.parse(fs.readFileSync(index, 'utf8'));
    const entry = idx.default ?? (Array.isArray(idx.models) ? idx.models[0] : undefined);
    const name = typeof entry === 'string' ? entry : (entry?.card ?? entry?.name);
    if (name) {
      const card = path.join(dir, name.endsWith('.json') ? name : `${name}.json`);
      if (!fs.existsSync(card)) throw new Error(`${index} names ${name}, but ${card} does not exist`);
      return card;
    }
  }
  // As the build picks the engine's default: the card marked `"default": true`, else the newest.
  const cards = readCards(dir);
  return (cards.find((c) => c.json.default === true) ?? cards[0])?.card ?? null;
}

/** Card path for an ONNX path (`x.onnx` -> `x.json`), or the ONNX path for a card. */
export async function resolveModel({ model, dir = MODEL_DIR } = {}) {
  let cardPath;
  if (model) {
    cardPath = model.endsWith('.json') ? model : model.replace(/\.onnx$/, '') + '.json';
    if (!fs.existsSync(cardPath)) throw new Error(`No model card ${cardPath} beside ${model}`);
  } else {
    cardPath = findCard(dir);
    if (!cardPath) throw new Error(`No model card with an existing ONNX file in ${dir}`);
  }
  const { parseModelCard } = await loadCore();
  const raw = JSON.parse(fs.readFileSync(cardPath, 'utf8'));
  const card = parseModelCard(raw);
  const onnxPath = path.join(path.dirname(cardPath), card.file);
  if (!fs.existsSync(onnxPath)) throw new Error(`${cardPath} names ${card.file}, which does not exist`);
  return { cardPath, onnxPath, card, raw };
}

/**
 * An inference session on `runtime`: 'node' (onnxruntime-node, native CPU kernels) or 'web'
 * (onnxruntime-web's WASM build, the engine's own runtime and kernels, run in Node).
 */
export async function createSession(onnxPath, threads = 1, runtime = 'node') {
  if (runtime === 'web') {
    const ort = await import('onnxruntime-web');
    ort.env.wasm.numThreads = threads;
    const session = await ort.InferenceSession.create(onnxPath, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
    return { ort, session };
  }
  if (runtime !== 'node') throw new Error(`Unknown runtime "${runtime}" (node or web)`);
  const ort = await import('onnxruntime-node');
  const session = await ort.InferenceSession.create(onnxPath, {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
  return { ort, session };
}

/**
 * Probabilities for every image of `data` (see dataset.mjs), N x 7 in the canonical emotion
 * order (EMOTIONS), whatever the model's own label order.
 */
export async function predict({ onnxPath, card }, data, { batch = 256, threads = 1, flipAverage = false, runtime = 'node' } = {}) {
  const { toModelInput, softmax, withMirrors, EMOTIONS } = await loadCore();
  const { ort, session } = await createSession(onnxPath, threads, runtime);
  const { width, height, channels, name: inputName } = card.input;
  if (!session.inputNames.includes(inputName)) {
    throw new Error(`Card input "${inputName}" is not an input of ${onnxPath} (${session.inputNames.join(', ')})`);
  }
  const outName = session.outputNames.includes(card.output.name) ? card.output.name : session.outputNames[0];
  const k = card.output.labels.length;
  const toCanonical = card.output.labels.map((l) => EMOTIONS.indexOf(l));
  const per = channels * width * height;
  const bytes = data.size * data.size * data.channels;
  const out = new Float32Array(data.n * EMOTIONS.length);
  try {
    for (let start = 0; start < data.n; start += batch) {
      const m = Math.min(batch, data.n - start);
      const input = new Float32Array(m * per);
      for (let j = 0; j < m; j++) {
        const i = start + j;
        const src = { data: data.images.subarray(i * bytes, (i + 1) * bytes), width: data.size, height: data.size, channels: data.channels };
        toModelInput(src, card, input, j * per);
      }
      // With flipAverage, as the engine's FlipAveraged: the batch and its mirror images in one run,
      // each face's two probability vectors averaged.
      const views = flipAverage ? 2 : 1;
      const run = flipAverage ? withMirrors(input, width) : input;
      const res = await session.run({ [inputName]: new ort.Tensor('float32', run, [m * views, channels, height, width]) });
      const y = res[outName].data;
      for (let j = 0; j < m; j++) {
        for (let v = 0; v < views; v++) {
          const row = y.subarray((v * m + j) * k, (v * m + j + 1) * k);
          const p = card.output.kind === 'logits' ? softmax(row) : row;
          for (let c = 0; c < k; c++) if (toCanonical[c] >= 0) out[(start + j) * EMOTIONS.length + toCanonical[c]] += p[c] / views;
        }
      }
    }
  } finally {
    await session.release();
  }
  return out;
}
