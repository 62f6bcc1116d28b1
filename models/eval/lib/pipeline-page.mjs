// The page that eval:pipeline, eval:non-faces and engine-framing.mjs drive: the benchmark's page
// (its import map resolves the engine's bare imports to the installed packages) with
// eval-pipeline-page.mjs started in it, which renders 48x48 images into frames and runs them through
// the built engine.

const PAGE_MODULE = '/models/eval/eval-pipeline-page.mjs';

/** A new page of `browser` at `serverUrl` with the engine started (`options` as eval-pipeline-page.mjs's start()); its start() answer. */
export async function openPipelinePage(browser, serverUrl, options) {
  const page = await browser.newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(`${serverUrl}/scripts/bench/pipeline.html`);
  const info = await callPage(page, 'start', options);
  return { page, info };
}

/** Images 0..n-1 in condition `c`, each frame analysed afresh (the page module's run()), `chunk` frames a call. */
export async function runFrames(page, c, n, chunk = 50) {
  const out = [];
  for (let from = 0; from < n; from += chunk) {
    out.push(...(await callPage(page, 'run', c, from, Math.min(n, from + chunk))));
  }
  return out;
}

/** A call of the page module's export `name` with `args`. */
export function callPage(page, name, ...args) {
  return page.evaluate(async (mod, name, args) => (await import(mod))[name](...args), PAGE_MODULE, name, args);
}

/** `choices[value]` for one of its own keys (not "constructor", "toString"...); undefined for undefined; null for any other. */
function oneOf(value, choices) {
  return value === undefined ? undefined : Object.hasOwn(choices, value) ? choices[value] : null;
}

/** The engine's smallFaces for a --small-faces value (true, false or tiny; undefined: the engine's default); null for any other. */
export function smallFacesOption(value) {
  return oneOf(value, { true: true, false: false, tiny: 'tiny' });
}

/** The engine's flipAverage for a --flip-average value (stills, true or false; undefined: the engine's default); null for any other. */
export function flipAverageOption(value) {
  return oneOf(value, { true: true, false: false, stills: 'stills' });
}
