// The label-agreement split (lib/agreement.mjs) on a hand-checked example.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { labelAgreement, oracleOriginalAccuracy } from '../lib/agreement.mjs';

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
