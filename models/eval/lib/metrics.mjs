// Classification metrics from predicted probabilities: accuracy, per-class and macro recall,
// confusion matrix (rows = true class) and expected calibration error of the top-1 confidence.

/** The class with the highest probability in row `i` of an N x K row-major array. */
export function topClass(probs, i, k = 7) {
  let best = 0;
  for (let c = 1; c < k; c++) if (probs[i * k + c] > probs[i * k + best]) best = c;
  return best;
}

/**
 * @param {Float32Array} probs N x K probabilities, row-major, classes in the dataset's order
 * @param {ArrayLike<number>} labels N true labels
 * @param {number[]} rows indices to score
 * @param {number} k number of classes
 * @param {number} bins ECE bins (equal width over [0, 1])
 */
export function score(probs, labels, rows, k = 7, bins = 15) {
  const confusion = Array.from({ length: k }, () => new Array(k).fill(0));
  const binCount = new Array(bins).fill(0), binConf = new Array(bins).fill(0), binHit = new Array(bins).fill(0);
  let correct = 0;
  for (const i of rows) {
    const best = topClass(probs, i, k);
    const conf = probs[i * k + best];
    const hit = best === labels[i] ? 1 : 0;
    confusion[labels[i]][best]++;
    correct += hit;
    const b = Math.min(bins - 1, Math.floor(conf * bins));
    binCount[b]++;
    binConf[b] += conf;
    binHit[b] += hit;
  }
  const n = rows.length;
  const recall = confusion.map((row, c) => {
    const total = row.reduce((a, b) => a + b, 0);
    return total ? row[c] / total : null;
  });
  const present = recall.filter((r) => r !== null);
  let ece = 0;
  for (let b = 0; b < bins; b++) if (binCount[b]) ece += Math.abs(binHit[b] - binConf[b]) / (n || 1);
  return {
    n,
    accuracy: n ? correct / n : 0,
    macroRecall: present.length ? present.reduce((a, b) => a + b, 0) / present.length : 0,
    recall,
    confusion,
    ece,
  };
}

const pct = (v) => (v === null ? '   -  ' : `${(100 * v).toFixed(1).padStart(5)}%`);

/** Human-readable report of `score()`'s result. */
export function formatReport(title, s, classNames) {
  const w = Math.max(...classNames.map((c) => c.length), 8);
  const lines = [
    `${title}: ${s.n} images`,
    `  top-1 accuracy   ${pct(s.accuracy)}`,
    `  macro recall     ${pct(s.macroRecall)}`,
    `  ECE (15 bins)    ${s.ece.toFixed(4)}`,
    `  per-class recall ${classNames.map((c, i) => `${c} ${pct(s.recall[i]).trim()}`).join(', ')}`,
    `  confusion (rows = true, columns = predicted)`,
    `  ${''.padEnd(w)} ${classNames.map((c) => c.slice(0, 7).padStart(7)).join(' ')}`,
    ...s.confusion.map((row, i) => `  ${classNames[i].padEnd(w)} ${row.map((v) => String(v).padStart(7)).join(' ')}`),
  ];
  return lines.join('\n');
}

/**
 * Standard error of the difference between two classifiers' accuracies on the same items (paired;
 * `top` and `otherTop` their classes, -1 for none, `truth` the labels): only the
 * faces one gets right and the other wrong count, sqrt(b + c - (b - c)^2 / n) / n. With about 12% of
 * faces changing their top emotion between the two crops, it is about 1.7 points on 400 faces and
 * 0.6 on all 2,938, so a 1-point target needs the whole set.
 */
export function pairedDifferenceSE(top, otherTop, truth) {
  const n = truth.length;
  let b = 0;
  let c = 0;
  truth.forEach((t, k) => {
    const one = top[k] === t;
    const other = otherTop[k] === t;
    if (one && !other) b++;
    else if (other && !one) c++;
  });
  return Math.sqrt(Math.max(0, b + c - (b - c) ** 2 / n)) / n;
}
