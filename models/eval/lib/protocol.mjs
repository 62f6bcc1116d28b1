// The figures of the honest protocol (models/eval/protocol.mjs): FER+ majority accuracy,
// original-label accuracy, per-class original-label recall and their macro average, each with a
// bootstrap 95% interval over the scored images.
import { NO_LABEL } from './dataset.mjs';
import { topClass } from './metrics.mjs';
import { random } from './random.mjs';

/**
 * The protocol's figures for predictions `top` on `rows` (indices into the label arrays).
 * @returns {{ images: number, ferplusImages: number, ferplusAccuracy: number, originalAccuracy: number,
 *   originalRecall: (number|null)[], originalMacroRecall: number }}
 */
export function protocolFigures(top, ferplus, orig, rows, k = 7) {
  let fpN = 0, fpHit = 0, hit = 0;
  const total = new Array(k).fill(0), correct = new Array(k).fill(0);
  for (const i of rows) {
    const o = orig[i], f = ferplus[i], p = top[i];
    total[o]++;
    if (p === o) {
      hit++;
      correct[o]++;
    }
    if (f !== NO_LABEL) {
      fpN++;
      if (p === f) fpHit++;
    }
  }
  const recall = total.map((t, c) => (t ? correct[c] / t : null));
  const present = recall.filter((r) => r !== null);
  return {
    images: rows.length,
    ferplusImages: fpN,
    ferplusAccuracy: fpN ? fpHit / fpN : 0,
    originalAccuracy: rows.length ? hit / rows.length : 0,
    originalRecall: recall,
    originalMacroRecall: present.length ? present.reduce((a, b) => a + b, 0) / present.length : 0,
  };
}

const quantile = (sorted, q) => {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  return sorted[lo] + (sorted[Math.min(lo + 1, sorted.length - 1)] - sorted[lo]) * (pos - lo);
};

/**
 * protocolFigures() with a percentile bootstrap 95% interval for each figure: the scored images
 * resampled with replacement `resamples` times (seeded). Each figure becomes `{ value, ci95: [lo, hi] }`.
 */
export function withBootstrap(top, ferplus, orig, rows, { resamples = 2000, seed = 21, k = 7 } = {}) {
  const point = protocolFigures(top, ferplus, orig, rows, k);
  const rand = random(seed); // the same resamples, so the same intervals, on every run
  const draws = { ferplusAccuracy: [], originalAccuracy: [], originalMacroRecall: [], originalRecall: Array.from({ length: k }, () => []) };
  const sample = new Array(rows.length);
  for (let b = 0; b < resamples; b++) {
    for (let j = 0; j < rows.length; j++) sample[j] = rows[Math.floor(rand() * rows.length)];
    const f = protocolFigures(top, ferplus, orig, sample, k);
    draws.ferplusAccuracy.push(f.ferplusAccuracy);
    draws.originalAccuracy.push(f.originalAccuracy);
    draws.originalMacroRecall.push(f.originalMacroRecall);
    f.originalRecall.forEach((r, c) => r !== null && draws.originalRecall[c].push(r));
  }
  const ci = (xs) => {
    const s = Float64Array.from(xs).sort();
    return s.length ? [quantile(s, 0.025), quantile(s, 0.975)] : null;
  };
  return {
    images: point.images,
    ferplusImages: point.ferplusImages,
    ferplusAccuracy: { value: point.ferplusAccuracy, ci95: ci(draws.ferplusAccuracy) },
    originalAccuracy: { value: point.originalAccuracy, ci95: ci(draws.originalAccuracy) },
    originalMacroRecall: { value: point.originalMacroRecall, ci95: ci(draws.originalMacroRecall) },
    originalRecall: point.originalRecall.map((v, c) => ({ value: v, ci95: ci(draws.originalRecall[c]) })),
    bootstrap: { resamples, seed, interval: 'percentile, 95%' },
  };
}

/** Top class of every row of N x k probabilities, after adding `offsets` to the log-probabilities. */
export function topClasses(probs, k = 7, offsets = null) {
  const n = probs.length / k;
  const top = new Uint8Array(n);
  if (!offsets) {
    for (let i = 0; i < n; i++) top[i] = topClass(probs, i, k);
    return top;
  }
  for (let i = 0; i < n; i++) {
    let best = 0, bestV = -Infinity;
    for (let c = 0; c < k; c++) {
      const v = Math.log(Math.max(probs[i * k + c], 1e-12)) + offsets[c];
      if (v > bestV) {
        bestV = v;
        best = c;
      }
    }
    top[i] = best;
  }
  return top;
}

/**
 * The protocol figures for every combination of offsets on `classes` (min, min + step, ..., max
 * each; the other classes 0): decision thresholds that move the model along the FER+ / original-label
 * trade-off. Choose on the dev split only. Entries: `{ offsets, ...protocolFigures }`, the
 * no-offset one first.
 */
export function offsetGrid(probs, ferplus, orig, classes, { step = 0.1, min = 0, max = 2.5, k = 7 } = {}) {
  const values = Array.from({ length: Math.round((max - min) / step) + 1 }, (_, i) => Math.round((min + i * step) * 1e6) / 1e6);
  // The no-offset point first (it is the model itself).
  values.sort((x, y) => (x === 0 ? -1 : y === 0 ? 1 : x - y));
  const rows = Array.from({ length: orig.length }, (_, i) => i);
  const out = [];
  const walk = (i, offsets) => {
    if (i === classes.length) {
      out.push({ offsets: offsets.slice(), ...protocolFigures(topClasses(probs, k, offsets), ferplus, orig, rows, k) });
      return;
    }
    for (const v of values) {
      offsets[classes[i]] = v;
      walk(i + 1, offsets);
    }
    offsets[classes[i]] = 0;
  };
  walk(0, new Array(k).fill(0));
  return out;
}

/** The points of `grid` that no other beats on both FER+ accuracy and macro recall, by FER+ accuracy descending. */
export function paretoFront(grid) {
  const front = [];
  let best = -Infinity;
  for (const g of [...grid].sort((a, b) => b.ferplusAccuracy - a.ferplusAccuracy || b.originalMacroRecall - a.originalMacroRecall)) {
    if (g.originalMacroRecall > best) {
      front.push(g);
      best = g.originalMacroRecall;
    }
  }
  return front;
}

/** The grid point with the highest macro recall among those with FER+ accuracy >= `ferplusFloor` (ties: higher FER+). */
export function pickOffsets(grid, ferplusFloor) {
  return paretoFront(grid.filter((g) => g.ferplusAccuracy >= ferplusFloor - 1e-12)).at(-1);
}
