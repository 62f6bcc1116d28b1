// The engine supervisor's logic (extension/src/content/engine-supervisor.ts) on a simulated clock:
// how soon a dead engine is noticed, that a slow one is not mistaken for dead, the backoff, the
// cap, and the starts per minute under a removal storm. The same paths run for real in
// faults.test.mjs (engine frame reloaded and crashed, overlay-removal storm).
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { before, describe, it } from 'node:test';
import * as esbuild from 'esbuild';

const src = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../src');
let S;

before(async () => {
  const r = await esbuild.build({ entryPoints: [path.join(src, 'content/engine-supervisor.ts')], bundle: true, format: 'esm', write: false, platform: 'neutral' });
  S = await import(`data:text/javascript;base64,${Buffer.from(r.outputFiles[0].text).toString('base64')}`);
});

/** A clock whose timers run only when advanced; promise callbacks run between them. */
function fakeClock() {
  let now = 0;
  let seq = 0;
  const timers = new Map();
  const add = (fn, ms, every) => {
    const id = ++seq;
    timers.set(id, { at: now + Math.max(0, ms), fn, every });
    return id;
  };
  const flush = async () => {
    for (let i = 0; i < 10; i++) await Promise.resolve();
  };
  return {
    now: () => now,
    setTimeout: (fn, ms) => add(fn, ms, 0),
    clearTimeout: (id) => timers.delete(id),
    setInterval: (fn, ms) => add(fn, ms, ms),
    clearInterval: (id) => timers.delete(id),
    async advance(ms) {
      const end = now + ms;
      for (;;) {
        await flush();
        let next = null;
        for (const [id, t] of timers) if (t.at <= end && (!next || t.at < next[1].at)) next = [id, t];
        if (!next) break;
        const [id, t] = next;
        now = t.at;
        if (t.every) t.at += t.every;
        else timers.delete(id);
        t.fn();
      }
      now = end;
      await flush();
    },
  };
}

/**
 * Engines as the supervisor sees them. mode: 'ok' (answers at once), 'slow' (answers after
 * `delay` ms), 'dead' (never answers); `ready`: 'now', 'never' or 'reject'.
 */
function engineFactory(clock, { ready = 'now', mode = 'ok', delay = 0 } = {}) {
  const made = [];
  const create = () => {
    const e = {
      mode, delay, disposed: false, at: clock.now(), detects: 0,
      transport: 'bitmap', loadMs: 1,
      ready: ready === 'now' ? Promise.resolve() : ready === 'reject' ? Promise.reject(new Error('no WebGL')) : new Promise(() => {}),
      pings: 0,
      // Answered out of band by the engine page, in any state: at once unless dead.
      ping() {
        e.pings++;
        return e.mode === 'dead' ? new Promise(() => {}) : Promise.resolve();
      },
      detect(frames) {
        e.detects++;
        if (e.mode === 'dead') return new Promise(() => {});
        if (e.mode === 'slow') return new Promise((r) => clock.setTimeout(() => r({ frames: [], engineMs: e.delay }), e.delay));
        return Promise.resolve({ frames: frames.map(() => ({})), engineMs: 1 });
      },
      configure() {},
      forget() {},
      dispose() { e.disposed = true; },
    };
    e.ready.catch(() => {});
    made.push(e);
    return e;
  };
  return { made, create };
}

function supervise(clock, factory, extra = {}) {
  const events = { down: 0, up: 0, changes: 0 };
  const s = new S.EngineSupervisor({
    create: () => factory.create(),
    clock,
    onDown: () => events.down++,
    onUp: () => events.up++,
    onChange: () => events.changes++,
    ...extra,
  });
  return { s, events };
}

describe('engine supervisor', () => {
  it('notices a dead engine within 5 s of its last answer, drops it, and shows an error until a new one is ready', async () => {
    const clock = fakeClock();
    const f = engineFactory(clock);
    const { s, events } = supervise(clock, f);
    s.start();
    await clock.advance(10_000);
    assert.equal(s.state, 'ready');
    assert.ok(f.made[0].detects > 5, 'the idle engine is pinged');
    const lastAnswer = clock.now();
    f.made[0].mode = 'dead';
    let noticed = null;
    for (let t = 0; t < 10_000 && noticed === null; t += 50) {
      await clock.advance(50);
      if (s.state === 'error') noticed = clock.now() - lastAnswer;
    }
    assert.ok(noticed !== null && noticed <= 5000, `noticed after ${noticed} ms`);
    assert.ok(noticed <= S.PING_AFTER_MS + S.PING_TIMEOUT_MS + S.TICK_MS, `within the documented bound (${noticed} ms)`);
    assert.match(s.error, /stopped answering/);
    assert.equal(f.made[0].disposed, true);
    assert.equal(events.down, 1);
    // The replacement loads slowly: the error stays until it is ready.
    let resolveReady;
    f.create = (orig => () => { const e = orig(); e.ready = new Promise((r) => { resolveReady = r; }); return e; })(f.create);
    await clock.advance(S.BACKOFF_BASE_MS + 10);
    assert.equal(s.starts, 2);
    assert.equal(s.state, 'error');
    resolveReady();
    await clock.advance(10);
    assert.equal(s.state, 'ready');
    assert.equal(s.error, '');
    s.dispose();
  });

  it('notices an engine that dies while still loading within a few seconds of its last answer, and restarts it', async () => {
    const clock = fakeClock();
    // Loads forever (its WASM and models never finish), answering pings meanwhile.
    const f = engineFactory(clock, { ready: 'never' });
    const { s, events } = supervise(clock, f);
    s.start();
    await clock.advance(5000);
    assert.equal(s.state, 'loading');
    assert.equal(s.heard, true, 'the loading engine answered');
    assert.ok(f.made[0].pings >= 5, `the loading engine is pinged (${f.made[0].pings})`);
    const lastAnswer = clock.now();
    f.made[0].mode = 'dead';
    let noticed = null;
    for (let t = 0; t < 20_000 && noticed === null; t += 50) {
      await clock.advance(50);
      if (s.state === 'error') noticed = clock.now() - lastAnswer;
    }
    assert.ok(noticed !== null && noticed <= S.PING_AFTER_MS + S.LOADING_PING_TIMEOUT_MS + S.TICK_MS, `noticed ${noticed} ms after its last answer`);
    assert.match(s.error, /stopped answering while loading/);
    assert.equal(f.made[0].disposed, true);
    assert.equal(events.down, 1);
    const down = s.log.filter((e) => e.type === 'down').at(-1);
    assert.equal(down.loading, true);
    await clock.advance(S.BACKOFF_BASE_MS + 10);
    assert.equal(s.starts, 2, 'a new engine after the backoff');
    s.dispose();
  });

  it('gives a loading engine FIRST_ANSWER_MS for its first answer, and fails it after that', async () => {
    const clock = fakeClock();
    const f = engineFactory(clock, { ready: 'never', mode: 'dead' });
    const { s } = supervise(clock, f);
    s.start();
    await clock.advance(S.FIRST_ANSWER_MS - 500);
    assert.equal(s.state, 'loading', 'not called dead before its first answer is due');
    assert.equal(f.made[0].pings, 1, 'one ping waits for the first answer');
    await clock.advance(1000);
    assert.equal(s.state, 'error');
    assert.match(s.error, /did not answer within 15\.\d s of its start/);
    s.dispose();
  });

  it('waits for a slow engine that answers while it loads, up to LOAD_TIMEOUT_MS', async () => {
    const clock = fakeClock();
    const f = engineFactory(clock, { ready: 'never' });
    let resolveSecond;
    const { s } = supervise(clock, f);
    s.start();
    await clock.advance(S.LOAD_TIMEOUT_MS - 1000);
    assert.equal(s.state, 'loading', 'alive and loading: not failed');
    assert.equal(s.starts, 1);
    await clock.advance(2000);
    assert.equal(s.state, 'error');
    assert.match(s.error, /did not finish loading within 120 s/);
    // The next one is slow too (90 s) but gets there.
    f.create = (orig => () => { const e = orig(); e.ready = new Promise((r) => { resolveSecond = r; }); return e; })(f.create);
    await clock.advance(S.BACKOFF_BASE_MS + 10);
    assert.equal(s.starts, 2);
    await clock.advance(90_000);
    resolveSecond();
    await clock.advance(10);
    assert.equal(s.state, 'ready');
    assert.equal(s.starts, 2);
    const ready = s.log.filter((e) => e.type === 'ready').at(-1);
    assert.ok(ready.firstAnswerMs >= 0 && ready.maxGapMs <= S.PING_AFTER_MS + S.TICK_MS, JSON.stringify(ready));
    s.dispose();
  });

  it('pings no loading engine while the tab is hidden', async () => {
    const clock = fakeClock();
    const f = engineFactory(clock, { ready: 'never', mode: 'dead' });
    let active = false;
    const { s } = supervise(clock, f, { active: () => active });
    s.start();
    await clock.advance(60_000);
    assert.equal(f.made[0].pings, 0);
    assert.equal(s.state, 'loading');
    active = true;
    await clock.advance(S.FIRST_ANSWER_MS + 500);
    assert.equal(s.state, 'error', 'the silence counts from when the tab is shown');
    s.dispose();
  });

  it('does not mistake a slow engine (2.5 s per answer) for a dead one', async () => {
    const clock = fakeClock();
    const f = engineFactory(clock, { mode: 'slow', delay: 2500 });
    const { s } = supervise(clock, f);
    s.start();
    await clock.advance(120_000);
    assert.equal(s.state, 'ready');
    assert.equal(s.starts, 1);
    s.dispose();
  });

  it('backs off exponentially and gives up after MAX_FAILURES failures in a row; then retries slowly: 1, 2, 4, 8, 15 min', async () => {
    const clock = fakeClock();
    const f = engineFactory(clock, { ready: 'reject' });
    const { s } = supervise(clock, f);
    s.start();
    await clock.advance(59_000);
    assert.deepEqual(f.made.map((e) => e.at), [0, 1000, 3000, 7000, 15000], 'quick restarts, backed off');
    assert.equal(s.gaveUp, true);
    assert.equal(s.state, 'error');
    assert.match(s.error, /no WebGL; stopped after 5 failures in a row; trying again in 1 min/);
    await clock.advance(2 * 3600_000);
    const at = f.made.map((e) => e.at);
    const gaps = at.slice(5).map((t, i) => (t - at[4 + i]) / 60_000);
    assert.deepEqual(gaps, [1, 2, 4, 8, 15, 15, 15, 15, 15, 15, 15], `slow retries (minutes apart): ${gaps}`);
    assert.equal(s.gaveUp, true);
    assert.match(s.error, /stopped after 16 failures in a row; trying again in 15 min/);
    for (const t0 of at) assert.ok(at.filter((t) => t >= t0 && t < t0 + 60_000).length <= S.MAX_STARTS_PER_MINUTE);
    s.dispose();
  });

  it('recovers by itself after giving up, once a slow retry gets an engine up', async () => {
    const clock = fakeClock();
    const f = engineFactory(clock, { ready: 'reject' });
    const { s, events } = supervise(clock, f);
    s.start();
    await clock.advance(30_000);
    assert.equal(s.gaveUp, true);
    // Whatever broke it is gone: the next engine starts.
    f.create = (orig => () => { const e = orig(); e.ready = Promise.resolve(); return e; })(f.create);
    await clock.advance(S.GIVE_UP_RETRY_MS - 30_000 + 15_000 - 1000);
    assert.equal(s.starts, 5, 'no retry before its time');
    await clock.advance(2000);
    assert.equal(s.starts, 6, 'one slow retry');
    assert.equal(s.state, 'ready');
    assert.equal(s.error, '');
    assert.equal(s.gaveUp, false);
    assert.equal(events.up, 1);
    // Up for STABLE_MS: the count and the retry delay start afresh.
    await clock.advance(S.STABLE_MS + 1000);
    assert.equal(s.failures, 0);
    assert.equal(s.slowRetries, 0);
    s.dispose();
  });

  it('a slow retry that comes due while the tab is hidden waits until it is shown; the page cannot bring it forward', async () => {
    const clock = fakeClock();
    const f = engineFactory(clock, { ready: 'reject' });
    let active = true;
    const { s } = supervise(clock, f, { active: () => active });
    s.start();
    await clock.advance(20_000);
    assert.equal(s.gaveUp, true);
    active = false;
    await clock.advance(10 * 60_000);
    assert.equal(s.starts, 5, 'no engine started in a hidden tab');
    active = true;
    await clock.advance(S.TICK_MS);
    assert.equal(s.starts, 6, 'retried as soon as shown');
    // Shown again after the next failure: not before its time (2 min).
    const t = clock.now();
    active = false;
    await clock.advance(1000);
    active = true;
    await clock.advance(60_000);
    assert.equal(s.starts, 6, 'hiding and showing the tab does not bring a retry forward');
    await clock.advance(2 * 60_000 - 60_000 - 1000 + S.TICK_MS);
    assert.equal(s.starts, 7, `the next one ${(f.made[6].at - t) / 1000} s later`);
    s.dispose();
  });

  it('a page that removes the overlay every 500 ms for an hour gets at most 5 starts a minute and 11 an hour', async () => {
    const clock = fakeClock();
    const f = engineFactory(clock, { ready: 'never' });
    const { s } = supervise(clock, f);
    s.start();
    for (let t = 0; t < 3600_000; t += 500) {
      await clock.advance(500);
      s.fail('the page removed the overlay');
    }
    const at = f.made.map((e) => e.at);
    for (const t0 of at) assert.ok(at.filter((t) => t >= t0 && t < t0 + 60_000).length <= 5);
    // 5 quick ones, then slow retries after 1, 2, 4, 8, 15, 15 min.
    assert.ok(at.length <= 11, `${at.length} starts in an hour`);
    assert.equal(s.state, 'error');
    s.dispose();
  });

  it('an overlay-removal storm (every 500 ms for 60 s) costs at most 5 engine starts a minute', async () => {
    const clock = fakeClock();
    // Engines take 6 s to load: the storm never lets one finish.
    const f = engineFactory(clock, { ready: 'never' });
    const { s } = supervise(clock, f);
    s.start();
    for (let t = 0; t < 60_000; t += 500) {
      await clock.advance(500);
      s.fail('the page removed the overlay');
    }
    assert.ok(s.starts <= 5, `${s.starts} starts`);
    assert.equal(s.state, 'error');
    // Removals while no engine runs are not failures: the count is per engine lost.
    assert.equal(s.failures, s.starts);
  });

  it('an engine that stays up clears the failure count; starts never exceed 5 in any minute', async () => {
    const clock = fakeClock();
    const f = engineFactory(clock);
    const { s } = supervise(clock, f);
    s.start();
    // Killed every 31 s, after it has been up STABLE_MS each time: it never gives up.
    for (let i = 0; i < 20; i++) {
      await clock.advance(33_000);
      s.fail('the page removed the overlay');
    }
    await clock.advance(5000);
    assert.equal(s.gaveUp, false);
    assert.equal(s.state, 'ready');
    const at = f.made.map((e) => e.at);
    for (const t0 of at) assert.ok(at.filter((t) => t >= t0 && t < t0 + 60_000).length <= 5);
  });

  it('rejects a detect in flight at once when its engine is dropped', async () => {
    const clock = fakeClock();
    const f = engineFactory(clock);
    const { s } = supervise(clock, f);
    s.start();
    await clock.advance(100);
    f.made[0].mode = 'dead';
    const pending = s.detect([]);
    s.fail('the page removed the overlay');
    await assert.rejects(pending, /engine closed/);
    await assert.rejects(s.detect([]), /engine error/);
    s.dispose();
  });

  it('pings nothing while the tab is hidden, and does not call a quiet hidden engine dead', async () => {
    const clock = fakeClock();
    const f = engineFactory(clock);
    let active = true;
    const { s, events } = supervise(clock, f, { active: () => active });
    s.start();
    await clock.advance(1000);
    active = false;
    f.made[0].mode = 'dead';
    const before = f.made[0].detects;
    await clock.advance(60_000);
    assert.equal(f.made[0].detects, before);
    assert.equal(s.state, 'ready');
    active = true;
    await clock.advance(4500);
    assert.equal(events.down, 1, 'noticed within 4.5 s of the tab showing');
    assert.equal(f.made[0].disposed, true);
    s.dispose();
  });
});
