#!/usr/bin/env node
// The trade-off curves of two-head runs as one SVG chart: for each `gate.py --json` file, the dev
// split's FER+ majority accuracy against the original labels' macro recall as the gate moves (no
// offsets), and the front over every gate and offset pair, with the pick marked.
//
//   node models/eval/gate-curve.mjs --svg models/tradeoff-gate-dev.svg NAME=gate.json [NAME=gate.json ...]
import fs from 'node:fs';
import { paretoFront } from './lib/protocol.mjs';
import { lineChart } from './lib/svg.mjs';
import { parseCli } from '../../scripts/lib/cli.mjs';

const { values: opt, positionals } = parseCli(import.meta.url, 'gate-curve', { options: { svg: { type: 'string' } }, allowPositionals: true });
if (!opt.svg || positionals.length === 0) {
  console.error('gate-curve: usage: --svg OUT.svg NAME=gate.json [...]');
  process.exit(2);
}

const series = positionals.flatMap((arg) => {
  const [name, file] = arg.includes('=') ? arg.split('=') : [arg, arg];
  const g = JSON.parse(fs.readFileSync(file, 'utf8'));
  const plain = g.rows.map((r) => ({ x: r.plain.ferplus, y: r.plain.origMacro }));
  const all = g.rows.flatMap((r) => r.grid.map((p) => ({ ferplusAccuracy: p.ferplus, originalMacroRecall: p.origMacro })));
  const pick = g.pick ? [{ x: g.pick.ferplus, y: g.pick.origMacro, label: `gate ${g.pick.gate}` }] : [];
  return [
    { name: `${name}: gate alone`, points: plain },
    { name: `${name}: gate + offsets`, points: paretoFront(all).map((p) => ({ x: p.ferplusAccuracy, y: p.originalMacroRecall })), marks: pick },
  ];
});
fs.writeFileSync(opt.svg, lineChart(series, {
  title: 'Two-head nets on the dev split: FER+ accuracy against original-label macro recall',
  xLabel: 'FER+ majority accuracy (%)',
  yLabel: 'original labels, macro recall (%)',
}));
console.log(`chart -> ${opt.svg}`);
