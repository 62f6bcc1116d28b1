// Splits a dataset's rows by whether its two label sets agree (FER+ majority vs original label)
// and counts which label a classifier's top prediction matches in each part. Used by
// label-agreement.mjs.
import { NO_LABEL } from './dataset.mjs';
import { topClass } from './metrics.mjs';

/**
 * @param {ArrayLike<number>} top  predicted class per row
 * @param {ArrayLike<number>} ferplus  FER+ majority label per row (NO_LABEL: none)
 * @param {ArrayLike<number>} orig  original label per row
 */
export function labelAgreement(top, ferplus, orig) {
  const r = { agree: { n: 0, correct: 0 }, disagree: { n: 0, ferplus: 0, orig: 0 }, noFerplus: { n: 0, orig: 0 } };
  for (let i = 0; i < orig.length; i++) {
    const f = ferplus[i];
    const o = orig[i];
    const p = top[i];
    if (f === NO_LABEL) {
      r.noFerplus.n++;
      if (p === o) r.noFerplus.orig++;
    } else if (f === o) {
      r.agree.n++;
      if (p === o) r.agree.correct++;
    } else {
      r.disagree.n++;
      if (p === f) r.disagree.ferplus++;
      if (p === o) r.disagree.orig++;
    }
  }
  const withFerplus = r.agree.n + r.disagree.n;
  return {
    ...r,
    ferplusAccuracy: (r.agree.correct + r.disagree.ferplus) / withFerplus,
    originalAccuracy: (r.agree.correct + r.disagree.orig + r.noFerplus.orig) / orig.length,
  };
}

/**
 * The best original-label accuracy of a classifier that knows both labels of every row and must
 * reach `ferplusTarget` on the FER+ labels: right wherever the labels agree or FER+ has none, the
 * FER+ label on as few disagreeing rows as the target needs, the original label on the others.
 */
export function oracleOriginalAccuracy(report, ferplusTarget) {
  const { agree, disagree, noFerplus } = report;
  const needed = Math.min(disagree.n, Math.max(0, Math.ceil(ferplusTarget * (agree.n + disagree.n) - 1e-9) - agree.n));
  return (agree.n + disagree.n - needed + noFerplus.n) / (agree.n + disagree.n + noFerplus.n);
}

/**
 * Moves a trained classifier along the trade-off without retraining it: adds a per-class offset
 * to its log-probabilities (a decision threshold per class), chosen by coordinate search to
 * maximise the original-label accuracy while the FER+ accuracy stays at or above `ferplusFloor`.
 * Tuned and scored on the same rows, so it overstates what the offsets would give on new data:
 * an upper bound for this model, for scale.
 *
 * @param {Float32Array} probs N x 7 probabilities, row-major
 * @param {ArrayLike<number>} ferplus FER+ majority label per row (NO_LABEL: none)
 * @param {ArrayLike<number>} orig original label per row
 * @returns {{ bias: number[], ferplusAccuracy: number, originalAccuracy: number } | null}
 *   null when not even the unshifted model reaches the floor
 */
export function bestClassOffsets(probs, ferplus, orig, ferplusFloor, { k = 7, steps = [-2, 2, 0.1], rounds = 6 } = {}) {
  const logp = Float64Array.from(probs, (p) => Math.log(Math.max(p, 1e-12)));
  const shifted = new Float64Array(logp.length);
  const score = (bias) => {
    for (let j = 0; j < logp.length; j++) shifted[j] = logp[j] + bias[j % k];
    const top = Uint8Array.from({ length: orig.length }, (_, i) => topClass(shifted, i, k));
    const r = labelAgreement(top, ferplus, orig);
    return { ferplusAccuracy: r.ferplusAccuracy, originalAccuracy: r.originalAccuracy };
  };
  let bias = new Array(k).fill(0);
  let current = score(bias);
  if (current.ferplusAccuracy < ferplusFloor) return null;
  const [lo, hi, step] = steps;
  for (let round = 0; round < rounds; round++) {
    let moved = false;
    for (let c = 0; c < k; c++) {
      for (let v = lo; v <= hi + 1e-9; v += step) {
        const trial = bias.slice();
        trial[c] = Math.round(v * 100) / 100;
        const s = score(trial);
        if (s.ferplusAccuracy >= ferplusFloor && s.originalAccuracy > current.originalAccuracy) {
          bias = trial;
          current = s;
          moved = true;
        }
      }
    }
    if (!moved) break;
  }
  return { bias, ...current };
}
