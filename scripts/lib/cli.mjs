// The command line of the project's scripts (`npm run eval:*`, `bench`, `soak`): node:util's
// parseArgs, plus `--help`, which prints the usage written in the script's header comment, and a
// one-line error naming the option it does not know instead of Node's stack trace (a mistyped
// `--fces 300` must not look like a crash of the evaluation).
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

/** The header comment of the script at `url` (the `//` lines after the shebang), without the slashes. */
export function usageOf(url) {
  const lines = fs.readFileSync(fileURLToPath(url), 'utf8').split('\n');
  const from = lines[0]?.startsWith('#!') ? 1 : 0;
  const end = lines.findIndex((l, i) => i >= from && !l.startsWith('//'));
  return lines
    .slice(from, end < 0 ? lines.length : end)
    .map((l) => l.replace(/^\/\/ ?/, ''))
    .join('\n');
}

/**
 * parseArgs(config) for the script at `url`, called `name` in its messages. `--help` prints the
 * usage and exits 0; an unknown option, a missing value or a stray argument prints
 * `name: <what> (--help lists the options)` and exits 2. Returns parseArgs' `{ values, positionals }`.
 */
export function parseCli(url, name, config) {
  let parsed;
  try {
    parsed = parseArgs({ ...config, options: { ...config.options, help: { type: 'boolean', default: false } } });
  } catch (err) {
    if (!String(err?.code).startsWith('ERR_PARSE_ARGS_')) throw err;
    console.error(`${name}: ${err.message.split('\n')[0]} (--help lists the options)`);
    process.exit(2);
  }
  if (parsed.values.help) {
    console.log(usageOf(url));
    process.exit(0);
  }
  delete parsed.values.help;
  return parsed;
}

/**
 * `text` (an option's value) as a positive integer; otherwise prints
 * `name: --option text is not a positive integer` and exits 2, as an unknown option does.
 */
export function positiveInteger(name, option, text) {
  const n = Number(text);
  if (Number.isInteger(n) && n > 0) return n;
  console.error(`${name}: --${option} ${text} is not a positive integer`);
  process.exit(2);
}
