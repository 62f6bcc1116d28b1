#!/usr/bin/env node
// How much the expression model's output moves when its face crop is off by a little: the bound
// behind the engine's `parallel` mode, which keeps the scores of a face classified at the crop
// predicted from the previous frame while the new crop differs by at most SAME_CROP_SHIFT of the
// side and SAME_CROP_TURN (packages/core/src/pipeline.ts).
//
// Every FER2013 PublicTest face (48x48, the model's own framing) is moved by a fraction of its
// side in a direction of its own (fixed seed) and turned by an angle (bilinear, edges repeated),
// then classified; printed: FER+ majority accuracy, the mean and 99th percentile of the largest
// change of any probability against the unmoved face, and how often the top emotion changes.
//
//   node models/eval/crop-tolerance.mjs [--model X.onnx] [--data DIR]
import { resolveModel, predict } from './lib/model.mjs';
import { DEFAULT_DATA, loadPublicTest } from './lib/publictest.mjs';
import { scoredRows } from './lib/dataset.mjs';
import { score, topClass } from './lib/metrics.mjs';
import { random } from './lib/random.mjs';
import { parseCli } from '../../scripts/lib/cli.mjs';

const { values: opt } = parseCli(import.meta.url, 'crop-tolerance', { options: { model: { type: 'string' }, data: { type: 'string', default: DEFAULT_DATA } } });
const model = await resolveModel({ model: opt.model });
const { data, labels } = loadPublicTest(opt.data);
if (data.channels !== 1) throw new Error('expects the grayscale FER2013 files');
const { n, size } = data;

/** Each image moved by `shift` x size pixels (direction per image) and turned by `turn` radians (sign per image). */
function moved(shift, turn) {
  const rnd = random(1);
  const out = new Uint8Array(data.images.length);
  const c = (size - 1) / 2;
  for (let i = 0; i < n; i++) {
    const dir = rnd() * 2 * Math.PI;
    const a = (rnd() < 0.5 ? -1 : 1) * turn;
    const [dx, dy] = [Math.cos(dir) * shift * size, Math.sin(dir) * shift * size];
    const [cos, sin] = [Math.cos(a), Math.sin(a)];
    const src = data.images.subarray(i * size * size, (i + 1) * size * size);
    const at = (x, y) => src[Math.min(size - 1, Math.max(0, y)) * size + Math.min(size - 1, Math.max(0, x))];
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        // The output pixel (x, y) shows the source at R(a) (p - c) + c + d.
        const sx = cos * (x - c) - sin * (y - c) + c + dx;
        const sy = sin * (x - c) + cos * (y - c) + c + dy;
        const x0 = Math.floor(sx);
        const y0 = Math.floor(sy);
        const fx = sx - x0;
        const fy = sy - y0;
        const top = at(x0, y0) * (1 - fx) + at(x0 + 1, y0) * fx;
        const bottom = at(x0, y0 + 1) * (1 - fx) + at(x0 + 1, y0 + 1) * fx;
        out[i * size * size + y * size + x] = Math.round(top * (1 - fy) + bottom * fy);
      }
    }
  }
  return out;
}

const rows = scoredRows(labels.ferplus);
const base = await predict(model, data);
console.log(`model ${model.card.name}, FER2013 PublicTest, ${rows.length} faces with a FER+ majority label`);
console.log('shift (of side)  turn   FER+ acc   mean max|dp|   p99 max|dp|   top emotion changed');
for (const [shift, turn] of [[0, 0], [0.002, 0], [0.03, 0], [0, 0.05], [0.03, 0.05], [0.05, 0], [0, 0.087], [0.05, 0.087], [0.08, 0.087], [0.1, 0.1]]) {
  const p = shift || turn ? await predict(model, { ...data, images: moved(shift, turn) }) : base;
  const diffs = rows.map((i) => Math.max(...Array.from({ length: 7 }, (_, k) => Math.abs(p[i * 7 + k] - base[i * 7 + k])))).sort((a, b) => a - b);
  const flips = rows.filter((i) => topClass(p, i) !== topClass(base, i)).length;
  const mean = diffs.reduce((a, b) => a + b, 0) / diffs.length;
  console.log(
    `${(shift * 100).toFixed(0).padStart(9)}%  ${((turn * 180) / Math.PI).toFixed(1).padStart(5)}°  ${(100 * score(p, labels.ferplus, rows).accuracy).toFixed(2).padStart(7)}%  ` +
      `${mean.toFixed(4).padStart(12)}  ${diffs[Math.floor(0.99 * (diffs.length - 1))].toFixed(4).padStart(12)}  ${((100 * flips) / rows.length).toFixed(2).padStart(10)}%`,
  );
}
