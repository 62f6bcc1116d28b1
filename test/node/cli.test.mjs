// The project's command-line scripts (scripts/lib/cli.mjs): `--help` prints the usage in the
// script's header comment and exits 0; an option the script does not know is named in one line on
// stderr, with a pointer to --help, and exits 2, instead of Node's stack trace. Both happen before
// any data is read, build looked for or browser started.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** Every script with options: `npm run eval*`, `bench`, `bench:download`, `soak` and the tools beside them. */
const SCRIPTS = {
  'models/eval/bench-model.mjs': 'bench-model',
  'models/eval/crop-tolerance.mjs': 'crop-tolerance',
  'models/eval/detector-scale.mjs': 'detector-scale',
  'models/eval/engine-framing.mjs': 'engine-framing',
  'models/eval/eval-detector.mjs': 'eval-detector',
  'models/eval/eval-faceapi.mjs': 'eval-faceapi',
  'models/eval/eval-non-faces.mjs': 'eval-non-faces',
  'models/eval/eval-pipeline.mjs': 'eval-pipeline',
  'models/eval/eval.mjs': 'eval',
  'models/eval/gate-curve.mjs': 'gate-curve',
  'models/eval/label-agreement.mjs': 'label-agreement',
  'models/eval/protocol.mjs': 'protocol',
  'scripts/bench.mjs': 'bench',
  'scripts/bench-download.mjs': 'bench-download',
  'scripts/screenshot-demo.mjs': 'screenshot-demo',
  'scripts/soak.mjs': 'soak',
};
const run = (file, ...args) => spawnSync(process.execPath, [path.join(root, file), ...args], { encoding: 'utf8', timeout: 60_000 });

test('every script that parses options is in this list', () => {
  const dirs = ['models/eval', 'scripts'];
  const found = dirs.flatMap((d) =>
    fs
      .readdirSync(path.join(root, d))
      .filter((f) => f.endsWith('.mjs') && /\bparse(Args|Cli)\(/.test(fs.readFileSync(path.join(root, d, f), 'utf8')))
      .map((f) => `${d}/${f}`),
  );
  assert.deepEqual(found.sort(), Object.keys(SCRIPTS).sort());
});

for (const [file, name] of Object.entries(SCRIPTS)) {
  test(`${name} --help prints its usage`, () => {
    const r = run(file, '--help');
    assert.equal(r.status, 0, r.stdout + r.stderr);
    // The usage is the header comment: its first line, without the slashes.
    const lines = fs.readFileSync(path.join(root, file), 'utf8').split('\n');
    const first = lines[lines[0].startsWith('#!') ? 1 : 0];
    assert.match(first, /^\/\/ \S/, `${file} opens with a comment`);
    assert.equal(r.stdout.split('\n')[0], first.slice(3));
    assert.equal(r.stderr, '');
  });

  test(`${name} names an option it does not know, in one line`, () => {
    const r = run(file, '--no-such-option', '1');
    assert.equal(r.status, 2, r.stdout + r.stderr);
    assert.match(r.stderr, new RegExp(`^${name}: Unknown option '--no-such-option'.* \\(--help lists the options\\)\\n$`));
    assert.equal(r.stdout, '');
  });
}

test('bench-download refuses a --runs that is not a positive integer, in one line', () => {
  for (const runs of ['0', '2.5', 'x']) {
    const r = run('scripts/bench-download.mjs', '--runs', runs);
    assert.equal(r.status, 2, r.stdout + r.stderr);
    assert.equal(r.stderr, `bench-download: --runs ${runs} is not a positive integer\n`);
    assert.equal(r.stdout, '');
  }
});
