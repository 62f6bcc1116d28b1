#!/usr/bin/env node
// Where FER2013's two label sets part, and which one the model follows there.
//
// PublicTest has an original label per image (one annotator) and, for most images, a FER+
// majority label (ten annotators). The two disagree on about a third of the images that have both,
// so one classifier cannot score high on both at once: this prints how the rows split (labels
// agree / disagree / no FER+ majority), the model's accuracy in each part and, where they
// disagree, how often it sides with FER+ or with the original label. It also prints the best
// original-label accuracy that any classifier could have while keeping a given FER+ accuracy (an
// "oracle" that knows both labels of every image), for scale, and how far per-class decision
// offsets on this model's own outputs can move it towards the original labels at each FER+ floor.
//
//   node models/eval/label-agreement.mjs [--model X.onnx] [--data DIR]
import { resolveModel, predict } from './lib/model.mjs';
import { DEFAULT_DATA, loadPublicTest } from './lib/publictest.mjs';
import { bestClassOffsets, labelAgreement, oracleOriginalAccuracy } from './lib/agreement.mjs';
import { topClass } from './lib/metrics.mjs';
import { parseCli } from '../../scripts/lib/cli.mjs';

const { values: opt } = parseCli(import.meta.url, 'label-agreement', { options: { model: { type: 'string' }, data: { type: 'string', default: DEFAULT_DATA } } });
const model = await resolveModel({ model: opt.model });
const { data, labels } = loadPublicTest(opt.data);
const probs = await predict(model, data);
const top = Uint8Array.from({ length: data.n }, (_, i) => topClass(probs, i));
const r = labelAgreement(top, labels.ferplus, labels.orig);
const pct = (a, b = 1) => `${((100 * a) / b).toFixed(1)}%`;
const withFerplus = r.agree.n + r.disagree.n;

console.log(`model ${model.card.name} (${model.onnxPath}), FER2013 PublicTest, ${data.n} images`);
console.log(`FER+ majority and original label agree on ${r.agree.n} of the ${withFerplus} images with a FER+ majority (${pct(r.agree.n, withFerplus)}); ${r.noFerplus.n} images have no FER+ majority`);
console.log('');
console.log('| rows | images | model = FER+ label | model = original label |');
console.log('|---|---:|---:|---:|');
console.log(`| labels agree | ${r.agree.n} | ${pct(r.agree.correct, r.agree.n)} | ${pct(r.agree.correct, r.agree.n)} |`);
console.log(`| labels disagree | ${r.disagree.n} | ${pct(r.disagree.ferplus, r.disagree.n)} | ${pct(r.disagree.orig, r.disagree.n)} |`);
console.log(`| no FER+ majority | ${r.noFerplus.n} | – | ${pct(r.noFerplus.orig, r.noFerplus.n)} |`);
console.log(`| all | ${data.n} | ${pct(r.ferplusAccuracy)} | ${pct(r.originalAccuracy)} |`);
console.log('');
console.log('Best original-label accuracy with a given FER+ accuracy (an oracle that knows both labels):');
for (const target of [r.ferplusAccuracy, 0.86, 0.9, 1]) {
  console.log(`  FER+ ${(100 * target).toFixed(2)}% -> original at most ${pct(oracleOriginalAccuracy(r, target))}`);
}
console.log('');
console.log(
  `This model: FER+ ${(100 * r.ferplusAccuracy).toFixed(2)}%, original ${(100 * r.originalAccuracy).toFixed(2)}%. Where the labels ` +
    `disagree it gives the FER+ label ${(r.disagree.ferplus / Math.max(1, r.disagree.orig)).toFixed(1)}x as often as the original one.`,
);
console.log('');
console.log(
  'Best original-label accuracy of this model with per-class offsets on its log-probabilities, at a FER+ floor ' +
    '(tuned on these same rows, so an upper bound):',
);
console.log('| FER+ floor | FER+ | original | offsets (angry…neutral) |');
console.log('|---:|---:|---:|---|');
// A floor of 0 is the original-label optimum at any FER+ cost (the only row for a model below 75%).
for (const floor of [0.86, 0.85, 0.83, 0.8, 0.75, 0]) {
  const b = bestClassOffsets(probs, labels.ferplus, labels.orig, floor);
  if (!b) continue;
  console.log(`| ${floor ? pct(floor) : 'none'} | ${pct(b.ferplusAccuracy)} | ${pct(b.originalAccuracy)} | ${b.bias.map((x) => x.toFixed(1)).join(' ')} |`);
}
