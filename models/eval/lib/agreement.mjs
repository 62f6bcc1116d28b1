// Splits a dataset's rows by whether its two label sets agree (FER+ majority vs original label)
// and counts which label a classifier's top prediction matches in each part. Used by
// label-agreement.mjs.
import { NO_LABEL } from './dataset.mjs';

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
