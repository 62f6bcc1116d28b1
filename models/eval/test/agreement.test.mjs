// The label-agreement split (lib/agreement.mjs) on a hand-checked example.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bestClassOffsets, labelAgreement, oracleOriginalAccuracy } from '../lib/agreement.mjs';

const N = 255; // no FER+ majority

test('splits rows by label agreement and counts which label the prediction takes', () => {
  //              agree      agree  disagree  disagree  disagree  none  none
  const ferplus = [3, 6, 0, 6, 2, N, N];
  const orig = [3, 6, 4, 4, 4, 5, 1];
  const top = [3, 0, 0, 4, 1, 5, 2];
  const r = labelAgreement(top, ferplus, orig);
  assert.deepEqual(r.agree, { n: 2, correct: 1 });
  assert.deepEqual(r.disagree, { n: 3, ferplus: 1, orig: 1 });
  assert.deepEqual(r.noFerplus, { n: 2, orig: 1 });
  assert.equal(r.ferplusAccuracy, 2 / 5); // agree 1 + FER+ side 1, of 5 rows with a FER+ label
  assert.equal(r.originalAccuracy, 3 / 7); // agree 1 + original side 1 + no-majority 1, of 7
});

test('the oracle takes the original label wherever the FER+ target allows', () => {
  const r = labelAgreement([0, 0, 0, 0], [0, 1, 1, 1], [0, 2, 2, 2]);
  // 1 agreeing row, 3 disagreeing. FER+ 50% needs one disagreeing row on FER+: 3 of 4 original.
  assert.equal(oracleOriginalAccuracy(r, 0.5), 3 / 4);
  assert.equal(oracleOriginalAccuracy(r, 0.25), 1);
  assert.equal(oracleOriginalAccuracy(r, 1), 1 / 4);
});

test('class offsets trade FER+ accuracy for original-label accuracy only down to the floor', () => {
  // Two classes used (of 7). Rows 0-1: labels agree on class 0. Rows 2-3: FER+ says 0, the
  // original label says 1. The model leans to class 0 everywhere, more on the agreeing rows.
  const p = (a, b) => [a, b, 0, 0, 0, 0, 0].map((x) => x / (a + b));
  const probs = Float32Array.from([...p(0.9, 0.1), ...p(0.9, 0.1), ...p(0.6, 0.4), ...p(0.6, 0.4)]);
  const ferplus = [0, 0, 0, 0];
  const orig = [0, 0, 1, 1];
  // Without offsets: FER+ 100%, original 50%. Offsetting class 1 by log(0.6/0.4) < d < log(9)
  // flips rows 2-3 only: FER+ 50%, original 100%.
  const free = bestClassOffsets(probs, ferplus, orig, 0.5);
  assert.equal(free.ferplusAccuracy, 0.5);
  assert.equal(free.originalAccuracy, 1);
  assert.ok(free.bias[1] - free.bias[0] > Math.log(1.5) && free.bias[1] - free.bias[0] < Math.log(9));
  const held = bestClassOffsets(probs, ferplus, orig, 1);
  assert.deepEqual([held.ferplusAccuracy, held.originalAccuracy], [1, 0.5]);
  assert.equal(bestClassOffsets(probs, [1, 1, 1, 1], orig, 0.9), null);
});
