#!/usr/bin/env node
// The import graph of the engine's sources: files, import circles, and imports that run back up.
//   node scripts/import-graph.mjs [DIR]     DIR defaults to packages/core/src
//
// Floors are defined here, explicitly, lowest first (FLOORS below): a room is a folder (detection/,
// host/...) or a top-level file (pipeline.ts...), and each room sits on one floor. An import may go
// down to a lower floor or stay in its own room. One to a higher floor, or sideways to another room
// of the same floor, "runs back up" (rooms of one floor are peers that must not lean on each
// other). Every import counts, type-only ones and dynamic import() too: each is a dependency of
// the code's design. Bare imports (packages) are outside the graph.
// Exit code 1 when there is a circle, an import that runs back up, or a file on no floor.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Lowest first. `worker/` is the old name of `host/` (main before the arch-core redesign). */
export const FLOORS = [
  { name: 'base: public types and errors', rooms: ['types.ts', 'errors.ts'] },
  { name: 'rules and shapes: box geometry, the model card, the options', rooms: ['geometry/', 'model-card.ts', 'options.ts'] },
  { name: 'services: assets, frames, the detect() queue, the message channel, overlay layout', rooms: ['assets/', 'frame/', 'frame-queue.ts', 'channel/', 'layout/'] },
  { name: 'stages: detection, classification, tracking', rooms: ['detection/', 'classification/', 'tracking/'] },
  { name: 'second opinions on a stage, by another: the face verifier (classification\'s crop and runtime on detection\'s finds)', rooms: ['verification/'] },
  { name: 'the pipeline', rooms: ['pipeline.ts'] },
  { name: 'hosts: where the pipeline and the model run', rooms: ['host/', 'worker/'] },
  { name: 'the public detector', rooms: ['emotion-detector.ts'] },
  { name: 'entry points', rooms: ['index.ts'] },
];

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dir = path.resolve(process.argv[2] ?? path.join(root, 'packages/core/src'));

function listFiles(d) {
  return fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(d, e.name);
    if (e.isDirectory()) return listFiles(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

const rel = (p) => path.relative(dir, p).split(path.sep).join('/');
/** A file's room: its top folder (with '/'), or itself at the top level. */
const roomOf = (file) => (file.includes('/') ? `${file.split('/')[0]}/` : file);
/** Entry points of public sub-paths (e.g. layout/index.ts) sit on the top floor, with index.ts. */
const isEntry = (file) => /^[^/]+\/index\.ts$/.test(file) || file === 'index.ts';
function floorOf(file) {
  if (isEntry(file)) return FLOORS.length - 1;
  const room = roomOf(file);
  return FLOORS.findIndex((f) => f.rooms.includes(room));
}

const IMPORT = /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|(?:^|[\s;])import\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

function importsOf(absFile) {
  const text = fs.readFileSync(absFile, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const out = new Set();
  for (const m of text.matchAll(IMPORT)) {
    const spec = m[1] ?? m[2] ?? m[3];
    if (!spec.startsWith('.')) continue;
    const target = path.resolve(path.dirname(absFile), spec.replace(/\.js$/, '.ts'));
    out.add(rel(fs.existsSync(target) ? target : `${target}.ts`));
  }
  return [...out];
}

const files = listFiles(dir).map(rel).sort();
const graph = new Map(files.map((f) => [f, importsOf(path.join(dir, f)).filter((t) => files.includes(t))]));

// Circles: strongly connected components (Tarjan), each shown as one cycle through it.
function circles() {
  let index = 0;
  const idx = new Map();
  const low = new Map();
  const stack = [];
  const on = new Set();
  const out = [];
  const visit = (v) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v)) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
    }
    if (low.get(v) === idx.get(v)) {
      const scc = [];
      let w;
      do {
        w = stack.pop();
        on.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || graph.get(v).includes(v)) out.push(cycleIn(new Set(scc), v));
    }
  };
  for (const f of files) if (!idx.has(f)) visit(f);
  return out;
}

/** One cycle from `start` back to it inside the component (breadth-first). */
function cycleIn(scc, start) {
  const prev = new Map();
  const queue = [start];
  while (queue.length) {
    const v = queue.shift();
    for (const w of graph.get(v)) {
      if (!scc.has(w)) continue;
      if (w === start) {
        const path = [start];
        for (let u = v; u !== start; u = prev.get(u)) path.splice(1, 0, u);
        return [...path, start];
      }
      if (!prev.has(w)) {
        prev.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start, start];
}

const unplaced = files.filter((f) => floorOf(f) < 0);
const upward = [];
for (const [from, targets] of graph) {
  for (const to of targets) {
    const a = floorOf(from);
    const b = floorOf(to);
    if (a < 0 || b < 0 || roomOf(from) === roomOf(to)) continue;
    if (b > a) upward.push(`${from} -> ${to} (floor ${a} -> ${b}, up)`);
    else if (b === a && !isEntry(from)) upward.push(`${from} -> ${to} (floor ${a}, sideways)`);
  }
}
const found = circles();
const edges = [...graph.values()].reduce((n, t) => n + t.length, 0);

console.log(`import graph of ${path.relative(process.cwd(), dir) || '.'}`);
console.log(`files: ${files.length}, imports between them: ${edges}`);
console.log(`floors (lowest first): ${FLOORS.map((f, i) => `${i} ${f.rooms.join(' ')}`).join(' | ')}`);
console.log(`import circles: ${found.length}`);
for (const c of found) console.log(`  ${c.join(' -> ')}`);
console.log(`imports that run back up: ${upward.length}`);
for (const u of upward.sort()) console.log(`  ${u}`);
if (unplaced.length) console.log(`files on no floor: ${unplaced.length}\n  ${unplaced.join('\n  ')}`);
process.exitCode = found.length || upward.length || unplaced.length ? 1 : 0;
