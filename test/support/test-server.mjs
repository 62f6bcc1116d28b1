// Test-server controls for the engine's loading tests, as wtr server commands:
//   executeServerCommand('unreachable', { block: ['/assets/'], allow: ['/assets/loader.js'] })
//     makes every path starting with a `block` entry (except the exact `allow` paths) unreachable,
//     for every context of the page (the page, its workers): the connection closes without an
//     answer, the real network failure of a server that cannot be reached (fetch rejects; no HTTP
//     status). `{ block: [] }` lifts it. Answers the requests refused since the previous call.
//   executeServerCommand('requests')
//     the requests the server got since the previous call, as "METHOD /path".
//   executeServerCommand('misbehave', { under: ['/assets/'], allow: [...], answer: 'status-503' })
//     the server still answers those paths, but badly: 'status-503' (every request: 503 Service
//     Unavailable), 'html' (every request: 200 with a captive portal's HTML page) or 'no-head'
//     (HEAD answered 405 Method Not Allowed; GET as usual). `{ under: [] }` lifts it. Answers the
//     requests answered badly since the previous call.
//   executeServerCommand('pause-workers', { url: 'worker.js' })
//     pauses (CDP debugger) every live worker of the browser whose URL contains `url`: it stops
//     answering, as a hung runtime does. Answers how many it paused. (Chromium launcher.)
//   executeServerCommand('redirect', { from: '/a.jpg?x', to: 'http://127.0.0.1:8000/a.jpg' })
//     answers the request whose path and query are `from` with a 302 to `to` (`{}` lifts it); the
//     browser's caches are bypassed meanwhile, so that the same URL is fetched again.
//     Requests with `?no-store` (anywhere in the query) are answered with Cache-Control: no-store.
//   executeServerCommand('clear-http-cache')
//     empties the browser's HTTP cache (not the Cache API), so that a file the page loads can only
//     come from the server or from the engine's own cache.
// And a file requested with `?csp=no-blob` is served with a CSP that refuses blob: fetches.
let block = [];
let allow = [];
let refused = [];
let requests = [];
let misbehave = { under: [], allow: [], answer: '' };
let misanswered = [];
let redirect = {};
/** Per test page, the CDP session that keeps its caches off. */
const cacheOff = new Map();

const PORTAL = '<!doctype html><html><head><title>Sign in to the Wi-Fi</title></head><body><form>Accept the terms</form></body></html>';

/** Answers `ctx` as the misbehaving server of the 'misbehave' command; false when it answers normally. */
function answerBadly(ctx) {
  const { under, allow, answer } = misbehave;
  if (!under.some((p) => ctx.path.startsWith(p)) || allow.includes(ctx.path)) return false;
  if (answer === 'no-head' && ctx.method !== 'HEAD') return false;
  misanswered.push(`${ctx.method} ${ctx.path}`);
  if (answer === 'status-503') {
    ctx.status = 503;
    ctx.body = 'Service Unavailable';
  } else if (answer === 'no-head') {
    ctx.status = 405;
    ctx.set('Allow', 'GET');
    ctx.body = '';
  } else {
    ctx.status = 200;
    ctx.type = 'text/html';
    ctx.body = PORTAL;
  }
  return true;
}

const NO_BLOB_CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'";

const PAUSE_STEP_MS = 4000;

/** `promise`, or a rejection after `ms`. */
function withinMs(ms, promise) {
  let timer;
  const late = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** Config middleware (it must run before the static file server). */
export function testServerMiddleware(ctx, next) {
  const request = `${ctx.method} ${ctx.path}`;
  requests.push(request);
  if (requests.length > 10_000) requests.shift();
  if (block.some((p) => ctx.path.startsWith(p)) && !allow.includes(ctx.path)) {
    refused.push(request);
    ctx.respond = false;
    ctx.req.socket.destroy();
    return undefined;
  }
  if (answerBadly(ctx)) return undefined;
  if ('no-store' in ctx.query) ctx.set('Cache-Control', 'no-store');
  if (redirect.from === ctx.url) {
    ctx.redirect(redirect.to);
    return undefined;
  }
  if (ctx.query.csp === 'no-blob') ctx.set('Content-Security-Policy', NO_BLOB_CSP);
  return next();
}

export function testServerCommands() {
  return {
    name: 'test-server-commands',
    async executeCommand({ command, payload, session }) {
      switch (command) {
        case 'unreachable': {
          block = payload?.block ?? [];
          allow = payload?.allow ?? [];
          const seen = refused;
          refused = [];
          return seen;
        }
        case 'misbehave': {
          misbehave = { under: payload?.under ?? [], allow: payload?.allow ?? [], answer: payload?.answer ?? '' };
          const seen = misanswered;
          misanswered = [];
          return seen;
        }
        case 'redirect': {
          redirect = payload ?? {};
          // The page's memory cache would serve the old answer: off while a redirect is set.
          if (session.browser.type === 'puppeteer') {
            if (!cacheOff.has(session.id)) cacheOff.set(session.id, await session.browser.getPage(session.id).createCDPSession());
            const cdp = cacheOff.get(session.id);
            await cdp.send('Network.enable');
            await cdp.send('Network.setCacheDisabled', { cacheDisabled: !!redirect.from });
          }
          return true;
        }
        case 'pause-workers': {
          if (session.browser.type !== 'puppeteer') throw new Error('pause-workers needs the Chromium launcher');
          const cdp = await session.browser.getPage(session.id).browser().target().createCDPSession();
          const { targetInfos } = await cdp.send('Target.getTargets');
          const workers = targetInfos.filter((i) => i.type === 'worker' && i.url.includes(payload?.url ?? ''));
          // All at once, each within PAUSE_STEP_MS: a worker being terminated (an earlier detector's)
          // may never answer, and must not hold the command past the runner's 20 s limit.
          const outcomes = await Promise.allSettled(workers.map((t) => withinMs(PAUSE_STEP_MS, (async () => {
            const { sessionId } = await cdp.send('Target.attachToTarget', { targetId: t.targetId, flatten: true });
            const worker = cdp.connection().session(sessionId);
            await worker.send('Debugger.enable');
            await worker.send('Debugger.pause');
          })())));
          // A worker that ended or hung meanwhile has nothing to pause.
          return outcomes.filter((o) => o.status === 'fulfilled').length;
        }
        case 'requests': {
          const seen = requests;
          requests = [];
          return seen;
        }
        case 'clear-http-cache': {
          if (session.browser.type !== 'puppeteer') throw new Error('clear-http-cache needs the Chromium launcher');
          const cdp = await session.browser.getPage(session.id).createCDPSession();
          try {
            await cdp.send('Network.clearBrowserCache');
          } finally {
            await cdp.detach().catch(() => undefined);
          }
          return true;
        }
        default:
          return undefined;
      }
    },
  };
}
