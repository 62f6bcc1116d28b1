// train.py --engine-framing cuts the engine's crop in Python (engine_framing.py): the same geometry
// as packages/core's crop.ts, checked here against crop.ts itself on random faces and against the
// crop the shipped cards name. Skipped where /usr/bin/python3 cannot import torch.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { findCard } from '../../eval/lib/model.mjs';
import { random } from '../../eval/lib/random.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../..');
const python = process.env.PYTHON ?? '/usr/bin/python3';
const hasTorch = spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0;

/** crop.ts's cropGeometry, bundled from the engine's source. */
async function engineCropGeometry() {
  const { build } = await import('esbuild');
  const out = await build({
    entryPoints: [path.join(root, 'packages/core/src/classification/crop.ts')],
    bundle: true, format: 'esm', platform: 'node', target: 'node20', write: false, logLevel: 'silent',
  });
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'crop-')), 'crop.mjs');
  fs.writeFileSync(file, out.outputFiles[0].text);
  try {
    return (await import(pathToFileURL(file).href)).cropGeometry;
  } finally {
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  }
}

test('engine_framing.py cuts the crop crop.ts cuts, with the crop the cards name', { skip: !hasTorch && `${python} cannot import torch` }, async () => {
  const cropGeometry = await engineCropGeometry();
  const rnd = random(5);
  const faces = Array.from({ length: 40 }, () => {
    const [x, y, w, h] = [rnd() * 20 - 5, rnd() * 20 - 5, 20 + rnd() * 30, 20 + rnd() * 30];
    // Eyes at any tilt up to 40 degrees, named either way round.
    const a = (rnd() - 0.5) * (80 * Math.PI) / 180;
    const [ex, ey, d] = [x + w / 2, y + h * 0.4, w * 0.4];
    const one = [ex + (Math.cos(a) * d) / 2, ey + (Math.sin(a) * d) / 2];
    const other = [ex - (Math.cos(a) * d) / 2, ey - (Math.sin(a) * d) / 2];
    const [left, right] = rnd() < 0.5 ? [one, other] : [other, one];
    return [x, y, w, h, ...left, ...right];
  });
  // The default model's card (as the build picks it): the crop the engine cuts unless told otherwise.
  const cardPath = findCard();
  assert.ok(cardPath, 'models/emotion has a default card');
  const card = JSON.parse(fs.readFileSync(cardPath, 'utf8'));
  const r = spawnSync(python, ['-c', `
import json, sys
sys.path.insert(0, ${JSON.stringify(path.join(root, 'models/training'))})
from engine_framing import CROP, crop_geometry
faces = json.load(sys.stdin)
print(json.dumps({"crop": CROP, "geometry": [crop_geometry(f) for f in faces]}))
`], { input: JSON.stringify(faces), encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const py = JSON.parse(r.stdout);
  assert.deepEqual(py.crop, { scale: card.crop.scale, offsetY: card.crop.offsetY });
  faces.forEach(([x, y, width, height, lx, ly, rx, ry], i) => {
    const face = { box: { x, y, width, height }, keypoints: { leftEye: { x: lx, y: ly }, rightEye: { x: rx, y: ry } }, score: 1 };
    const g = cropGeometry(face, card.crop);
    const [cx, cy, side, angle] = py.geometry[i];
    for (const [name, a, b] of [['cx', cx, g.cx], ['cy', cy, g.cy], ['side', side, g.side], ['angle', angle, g.angle]]) {
      assert.ok(Math.abs(a - b) < 1e-9, `face ${i}: ${name} ${a} (Python) against ${b} (crop.ts)`);
    }
  });
});
