// The page that eval:pipeline and engine-framing.mjs drive: the benchmark's page (its import map
// resolves the engine's bare imports to the installed packages) with eval-pipeline-page.mjs started
// in it, which renders FER2013 faces into frames and runs them through the built engine.

/** A new page of `browser` at `serverUrl` with the engine started (`options` as eval-pipeline-page.mjs's start()); its start() answer. */
export async function openPipelinePage(browser, serverUrl, options) {
  const page = await browser.newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(`${serverUrl}/scripts/bench/pipeline.html`);
  const info = await page.evaluate(async (a) => (await import('/models/eval/eval-pipeline-page.mjs')).start(a), options);
  return { page, info };
}
