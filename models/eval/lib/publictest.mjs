// The FER2013 PublicTest protocol used for the card's metrics: one inference pass, scored against
// the FER+ majority labels and the original labels, each with and without the 280 images that
// also occur in Training.
import fs from 'node:fs';
import path from 'node:path';
import { root } from './core.mjs';
import { loadDataset, scoredRows } from './dataset.mjs';
import { score } from './metrics.mjs';

export const DEFAULT_DATA = path.join(root, '../shared/data/fer2013');

export function publicTestFiles(dataDir = DEFAULT_DATA) {
  const f = (s) => path.join(dataDir, `PublicTest-${s}.u8`);
  return { images: f('images'), ferplus: f('ferplus-labels'), orig: f('labels'), dup: f('dup_in_training') };
}

export function hasPublicTest(dataDir = DEFAULT_DATA) {
  return Object.values(publicTestFiles(dataDir)).every((f) => fs.existsSync(f));
}

/** Loads PublicTest: the images with the FER+ labels, plus the original labels and the duplicate mask. */
export function loadPublicTest(dataDir = DEFAULT_DATA) {
  const files = publicTestFiles(dataDir);
  const data = loadDataset({ images: files.images, labels: files.ferplus, skip: files.dup });
  const orig = loadDataset({ images: files.images, labels: files.orig });
  return { data, labels: { ferplus: data.labels, orig: orig.labels }, dup: data.skip };
}

/** Scores `probs` (N x 7, canonical order) on PublicTest: four label/row selections. */
export function scorePublicTest(probs, { labels, dup }) {
  return {
    ferplus: score(probs, labels.ferplus, scoredRows(labels.ferplus)),
    ferplusNoDup: score(probs, labels.ferplus, scoredRows(labels.ferplus, dup)),
    orig: score(probs, labels.orig, scoredRows(labels.orig)),
    origNoDup: score(probs, labels.orig, scoredRows(labels.orig, dup)),
  };
}

const r4 = (v) => Math.round(v * 1e4) / 1e4;

/** The card's `metrics` section from scorePublicTest()'s result. */
export function cardMetrics(s, extra) {
  return {
    publicTest: {
      ferplusAccuracy: r4(s.ferplus.accuracy),
      ferplusAccuracyNoDuplicates: r4(s.ferplusNoDup.accuracy),
      originalAccuracy: r4(s.orig.accuracy),
      originalAccuracyNoDuplicates: r4(s.origNoDup.accuracy),
      ferplusMacroRecall: r4(s.ferplus.macroRecall),
      originalMacroRecall: r4(s.orig.macroRecall),
      ferplusEce: r4(s.ferplus.ece),
      originalEce: r4(s.orig.ece),
      images: { ferplus: s.ferplus.n, ferplusNoDuplicates: s.ferplusNoDup.n, original: s.orig.n, originalNoDuplicates: s.origNoDup.n },
      note: 'FER2013 PublicTest (used for model selection and temperature fitting, so optimistic). ' +
        'ferplus = FER+ majority label (rows without one left out); original = FER2013 label; ' +
        'NoDuplicates = without the 280 images that also occur in Training. ECE: 15 bins, top-1 confidence.',
    },
    ...extra,
  };
}
