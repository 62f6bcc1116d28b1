// Drives scripts/soak/page.html (the engine's long-run page) in headless Chromium over CDP, for
// the soak benchmark (scripts/soak.mjs) and the lifecycle test (test/node/lifecycle.test.mjs):
// JS heap of the page and of each worker after a forced GC, DOM counters, live workers, and the
// page's console warnings.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch } from './chromium.mjs';
import { serveStatic } from './static-server.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const MB = 1024 * 1024;
/** A worker's heap figure not given by then is left out. */
const WORKER_ANSWER_MS = 3_000;

/** Chromium's warning when a page holds more WebGL contexts than it allows. */
export const TOO_MANY_CONTEXTS = /too many active webgl contexts/i;

/**
 * Serves the repository (built packages/core/dist, node_modules) with or without cross-origin
 * isolation. `onResponse` hears of every answer (method, path, status).
 */
export function serveRepo({ isolate = true, onResponse } = {}) {
  return serveStatic({ roots: { '/': root }, isolate, onResponse });
}

export function launchBrowser() {
  return launch({ args: ['--enable-precise-memory-info'] });
}

export class EnginePage {
  /** @param {import('puppeteer-core').Browser} browser @param {import('puppeteer-core').Page} page */
  constructor(browser, page, cdp, browserCdp) {
    this.browser = browser;
    this.page = page;
    this.cdp = cdp;
    /** A browser-wide session: it sees every worker, nested ones too (puppeteer's own lists miss them). */
    this.browserCdp = browserCdp;
    /** Console messages of level warning or error, and page errors. */
    this.warnings = [];
  }

  /** Opens the soak page served at `baseUrl` in a new tab of `browser`. */
  static async open(browser, baseUrl) {
    const page = await browser.newPage();
    const cdp = await page.createCDPSession();
    const ep = new EnginePage(browser, page, cdp, await browser.target().createCDPSession());
    page.on('console', (m) => {
      if (m.type() === 'warn' || m.type() === 'warning' || m.type() === 'error' || TOO_MANY_CONTEXTS.test(m.text())) ep.warnings.push(m.text());
    });
    page.on('pageerror', (e) => ep.warnings.push(`pageerror: ${e.message}`));
    await page.goto(`${baseUrl}/scripts/soak/page.html`);
    await page.waitForFunction(() => 'soak' in window, { timeout: 60_000 });
    return ep;
  }

  /** Calls `window.soak[name](...args)` in the page. */
  call(name, ...args) {
    return this.page.evaluate((n, a) => window.soak[n](...a), name, args);
  }

  /** The live workers (the engine's and ONNX Runtime's thread workers), as CDP target infos. */
  async workerTargets() {
    const { targetInfos } = await this.browserCdp.send('Target.getTargets');
    return targetInfos.filter((t) => t.type === 'worker');
  }

  /** Waits up to `ms` for the live worker count to reach `count`; returns the last count seen. */
  async waitForWorkers(count, ms = 10_000) {
    const until = Date.now() + ms;
    let n = (await this.workerTargets()).length;
    while (n !== count && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 200));
      n = (await this.workerTargets()).length;
    }
    return n;
  }

  /**
   * JS heap in use (bytes) after a forced GC, of the page and of each worker (by URL). A worker
   * that cannot answer (ONNX Runtime's idle thread workers sleep in Atomics.wait) is listed with
   * `used: null`.
   */
  async heap() {
    const usage = async (session) => {
      await session.send('HeapProfiler.collectGarbage');
      return (await session.send('Runtime.getHeapUsage')).usedSize;
    };
    const page = await usage(this.cdp);
    const workers = [];
    for (const t of await this.workerTargets()) {
      let session;
      try {
        const { sessionId } = await this.browserCdp.send('Target.attachToTarget', { targetId: t.targetId, flatten: true });
        session = this.browserCdp.connection().session(sessionId);
        const timeout = new Promise((r) => setTimeout(() => r(null), WORKER_ANSWER_MS));
        workers.push({ url: t.url, used: await Promise.race([usage(session), timeout]) });
      } catch {
        // a worker that ended meanwhile
      } finally {
        await session?.detach().catch(() => undefined);
      }
    }
    return { page, workers, total: page + workers.reduce((s, w) => s + (w.used ?? 0), 0) };
  }

  /** DOM nodes, documents and JS event listeners of the page. */
  domCounters() {
    return this.cdp.send('Memory.getDOMCounters');
  }

  close() {
    return this.page.close();
  }
}

export const toMB = (bytes) => Math.round((bytes / MB) * 100) / 100;
