/**
 * Keeps one engine (the engine frame, through an `EngineClient`) alive for a tab, and says when
 * it is not:
 *
 * - Heartbeat: every result (and each frame of it) counts as a sign of life. After PING_AFTER_MS
 *   without one, a ping (a `detect` of no frames) goes over the engine's own connection; a ping
 *   unanswered for PING_TIMEOUT_MS means the engine is dead or stalled (frame reloaded, renderer
 *   crashed, paused in a debugger). So a dead engine is noticed at most
 *   PING_AFTER_MS + PING_TIMEOUT_MS + TICK_MS (4 s) after its last answer.
 * - While it loads (before `ready`), the same heartbeat with the engine's `ping()`, which the
 *   engine page answers at once in any state: its first answer is due within FIRST_ANSWER_MS of
 *   the start (frame load, ticket, admission), then silence for LOADING_PING_TIMEOUT_MS means dead:
 *   noticed at most PING_AFTER_MS + LOADING_PING_TIMEOUT_MS + TICK_MS (5.75 s) after its last
 *   answer. An engine that answers but is not ready within LOAD_TIMEOUT_MS (alive but too slow)
 *   fails too.
 * - Then (or when the engine fails to start, or `fail()` is called: the page removed the frame)
 *   the engine is disposed, `onDown` fires (the overlay erases its labels) and the state reads
 *   'error' until a new engine is ready.
 * - Restarts back off: 1 s, 2 s, 4 s, 8 s ... (at most 30 s) after 1, 2, 3, 4 ... failures in a
 *   row, and never more than MAX_STARTS_PER_MINUTE starts in any 60 s. After MAX_FAILURES
 *   failures in a row it gives up (state 'error', `gaveUp`): no more quick restarts, only a slow
 *   retry, one engine start after GIVE_UP_RETRY_MS (1 min), then 2, 4, 8 min ... (at most
 *   GIVE_UP_RETRY_MAX_MS, 15 min) after each retry that fails too. A retry that comes due while
 *   the tab is hidden waits until it is shown (nothing would be analysed meanwhile). Nothing the
 *   page does brings a retry forward. Turning the site off and on, or reloading the page, starts
 *   afresh at once. An engine that stays up for STABLE_MS clears the count (and the retry delay).
 *
 * Pure logic over an injected clock and factory: unit-tested in Node (test/supervisor.test.mjs).
 */
import { INIT_TIMEOUT_MS } from '@emotion-detector/core/channel';
import type { FrameIn, FrameOut, FrameTransport } from '../shared/engine-protocol.js';

export const TICK_MS = 250;
export const PING_AFTER_MS = 500;
export const PING_TIMEOUT_MS = 3000;
export const BACKOFF_BASE_MS = 1000;
export const BACKOFF_MAX_MS = 30_000;
export const MAX_FAILURES = 5;
export const MAX_STARTS_PER_MINUTE = 5;
export const STABLE_MS = 30_000;
/** After giving up: the first slow retry (one engine start) comes this long after the last failure. */
export const GIVE_UP_RETRY_MS = 60_000;
/** The slow retry's delay doubles after each retry that fails, up to this. */
export const GIVE_UP_RETRY_MAX_MS = 15 * 60_000;
/** A loading engine's first answer (frame loaded, ticket redeemed, listening) is due within this. */
export const FIRST_ANSWER_MS = 15_000;
/**
 * A loading engine that answered once and is then silent this long is dead. Longer than
 * PING_TIMEOUT_MS: loading blocks the engine's thread in stretches (WASM instantiation, model
 * and graph set-up; the longest silence measured on the loaded 2-core test machine, ping interval
 * included, was 2.1 s), and a healthy engine taken for dead would never get to load.
 */
export const LOADING_PING_TIMEOUT_MS = 5000;
/**
 * An engine that keeps answering but is not ready after this long fails (alive but too slow): the
 * bound of the engine's `start` request (engine-client.ts), counted here from the launch.
 */
export const LOAD_TIMEOUT_MS = INIT_TIMEOUT_MS;

/** What the supervisor needs of an engine (EngineClient has it). */
export interface SupervisedEngine {
  readonly ready: Promise<void>;
  readonly transport: FrameTransport;
  readonly loadMs: number;
  /** Resolves when the engine answers, whatever its state (loading included); a dead one never does. */
  ping(): Promise<void>;
  detect(frames: FrameIn[], onFrame?: (f: FrameOut, engineMs: number) => void): Promise<{ frames: FrameOut[]; engineMs: number }>;
  configure(config: { maxFaces: number; smoothing: number }): void;
  forget(keys: number[]): void;
  dispose(): void;
}

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(t: unknown): void;
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(t: unknown): void;
}

const realClock: Clock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (t) => clearTimeout(t as ReturnType<typeof setTimeout>),
  setInterval: (fn, ms) => setInterval(fn, ms),
  clearInterval: (t) => clearInterval(t as ReturnType<typeof setInterval>),
};

export type SupervisorState = 'loading' | 'ready' | 'error';

export interface SupervisorOptions {
  /** Makes a new engine (its frame goes into the overlay's closed root). */
  create: () => SupervisedEngine;
  /** The state or the error text changed (stats, badge). */
  onChange?: () => void;
  /** The engine is gone: its results are no longer current. */
  onDown?: () => void;
  /** An engine is ready: analysis may (re)start. */
  onUp?: () => void;
  /** False while the tab is hidden: no heartbeat then (nothing is analysed either). */
  active?: () => boolean;
  clock?: Clock;
}

export class EngineSupervisor {
  state: SupervisorState = 'loading';
  /** Why the engine is not working, with what happens next; '' while it works. */
  error = '';
  /** Engines started since this supervisor was made. */
  starts = 0;
  /** Failures in a row. */
  failures = 0;
  /** Gave up after MAX_FAILURES failures in a row: only slow retries now (until an engine is ready). */
  gaveUp = false;
  /** Slow retries made since giving up (reset once an engine stays up for STABLE_MS). */
  slowRetries = 0;
  /** When the engine last showed a sign of life. */
  lastAlive = 0;
  /** Whether the current engine answered at all yet (a ping, while loading). */
  heard = false;
  /**
   * The last starts, readies and failures (clock times; `silentMs`: since the last sign of life;
   * `loading`: the engine failed before it was ready; on 'ready', `firstAnswerMs`: start to first
   * answer, `maxGapMs`: the longest silence between answers while it loaded), newest last.
   */
  readonly log: { type: 'start' | 'ready' | 'down'; at: number; reason?: string; silentMs?: number; loading?: boolean; firstAnswerMs?: number; maxGapMs?: number }[] = [];
  private engine: SupervisedEngine | null = null;
  private readonly clock: Clock;
  private readonly startTimes: number[] = [];
  private retryTimer: unknown;
  /** A slow retry came due (it waits for the tab to be shown). */
  private retryDue = false;
  private lastReason = '';
  private readonly ticker: unknown;
  private readonly aborts = new Set<(e: Error) => void>();
  private pingSent = 0;
  private pinging = false;
  private readyAt = 0;
  /** The current engine is ready (the supervisor's state may still read 'error' until then). */
  private up = false;
  private launchedAt = 0;
  private firstAnswerAt = 0;
  private loadMaxGap = 0;
  private disposed = false;
  /** Bumped per engine, so a late answer of a disposed one is ignored. */
  private generation = 0;

  constructor(private readonly o: SupervisorOptions) {
    this.clock = o.clock ?? realClock;
    this.ticker = this.clock.setInterval(() => this.tick(), TICK_MS);
  }

  /** Starts the first engine (later ones are the supervisor's business). */
  start(): void {
    if (this.starts === 0 && !this.disposed) this.launch();
  }

  get transport(): FrameTransport {
    return this.engine?.transport ?? 'bitmap';
  }

  get loadMs(): number {
    return this.engine?.loadMs ?? 0;
  }

  detect(frames: FrameIn[], onFrame: (f: FrameOut, engineMs: number) => void = () => {}): Promise<{ frames: FrameOut[]; engineMs: number }> {
    const engine = this.engine;
    if (!engine || this.state !== 'ready') {
      frames.forEach((f) => (typeof ImageBitmap !== 'undefined' && f.image instanceof ImageBitmap ? f.image.close() : undefined));
      return Promise.reject(new Error(`engine ${this.state}`));
    }
    const gen = this.generation;
    return new Promise((resolve, reject) => {
      // Settled by the engine, or at once when the engine is dropped (whatever it does with it).
      const abort = (e: Error) => reject(e);
      this.aborts.add(abort);
      engine.detect(frames, (f, ms) => {
        if (gen !== this.generation) return;
        this.alive();
        onFrame(f, ms);
      }).then(
        (r) => {
          if (gen === this.generation) this.alive();
          resolve(r);
        },
        reject,
      ).finally(() => this.aborts.delete(abort));
    });
  }

  configure(config: { maxFaces: number; smoothing: number }): void {
    if (this.state === 'ready') this.engine?.configure(config);
  }

  forget(keys: number[]): void {
    if (this.state === 'ready') this.engine?.forget(keys);
  }

  /** The engine is gone or unusable (`reason` says why): drop it and restart with backoff. */
  fail(reason: string): void {
    // No engine running (waiting for a restart already): nothing more was lost.
    if (this.engine) this.failed(reason);
  }

  private failed(reason: string): void {
    if (this.disposed) return;
    this.note({ type: 'down', at: this.clock.now(), reason, silentMs: this.clock.now() - this.lastAlive, loading: !!this.engine && !this.up });
    this.drop();
    this.failures++;
    if (this.failures >= MAX_FAILURES) {
      // Given up: one slow retry, later and later; never a hot loop.
      this.gaveUp = true;
      this.lastReason = reason;
      const delay = Math.min(GIVE_UP_RETRY_MAX_MS, GIVE_UP_RETRY_MS * 2 ** this.slowRetries);
      this.clock.clearTimeout(this.retryTimer);
      this.retryDue = false;
      this.retryTimer = this.clock.setTimeout(() => {
        this.retryTimer = undefined;
        this.retryDue = true;
        this.retryIfDue();
      }, delay);
      this.setState('error', `${reason}; stopped after ${this.failures} failures in a row; trying again in ${minutes(delay)} (or turn the site off and on, or reload the page)`);
      return;
    }
    const now = this.clock.now();
    let delay = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** (this.failures - 1));
    // Never more than MAX_STARTS_PER_MINUTE starts in any 60 s.
    const recent = this.startTimes.filter((t) => now - t < 60_000);
    if (recent.length >= MAX_STARTS_PER_MINUTE) delay = Math.max(delay, recent[recent.length - MAX_STARTS_PER_MINUTE] + 60_000 - now);
    this.setState('error', `${reason}; restarting (attempt ${this.failures + 1} of ${MAX_FAILURES})`);
    this.clock.clearTimeout(this.retryTimer);
    this.retryTimer = this.clock.setTimeout(() => {
      this.retryTimer = undefined;
      if (!this.disposed && !this.gaveUp && !this.engine) this.launch();
    }, delay);
  }

  /** The slow retry after giving up, once it is due and the tab is shown. */
  private retryIfDue(): void {
    if (this.disposed || !this.retryDue || this.engine || (this.o.active && !this.o.active())) return;
    this.retryDue = false;
    this.slowRetries++;
    this.setState('error', `${this.lastReason}; stopped after ${this.failures} failures in a row; trying again now`);
    this.launch();
  }

  dispose(): void {
    this.disposed = true;
    this.clock.clearInterval(this.ticker);
    this.clock.clearTimeout(this.retryTimer);
    this.drop();
  }

  private launch(): void {
    const gen = ++this.generation;
    this.starts++;
    this.note({ type: 'start', at: this.clock.now() });
    this.startTimes.push(this.clock.now());
    if (this.startTimes.length > MAX_STARTS_PER_MINUTE) this.startTimes.shift();
    let engine: SupervisedEngine;
    try {
      engine = this.o.create();
    } catch (e) {
      this.failed(`the engine could not be created: ${String((e as Error)?.message ?? e)}`);
      return;
    }
    this.engine = engine;
    this.up = false;
    this.heard = false;
    this.launchedAt = this.firstAnswerAt = this.lastAlive = this.clock.now();
    this.loadMaxGap = 0;
    // Keep showing the error of the last failure until the new engine works.
    if (this.state !== 'error') this.setState('loading', '');
    engine.ready.then(
      () => {
        if (gen !== this.generation) return;
        this.readyAt = this.clock.now();
        this.up = true;
        this.gaveUp = false;
        this.pinging = false;
        this.note({ type: 'ready', at: this.readyAt, ...(this.heard ? { firstAnswerMs: this.firstAnswerAt - this.launchedAt, maxGapMs: this.loadMaxGap } : {}) });
        this.alive();
        this.setState('ready', '');
        this.o.onUp?.();
      },
      (e: unknown) => {
        if (gen === this.generation) this.failed(`the engine did not start: ${String((e as Error)?.message ?? e)}`);
      },
    );
  }

  private drop(): void {
    this.generation++;
    this.pinging = false;
    this.up = false;
    const engine = this.engine;
    this.engine = null;
    const aborts = [...this.aborts];
    this.aborts.clear();
    aborts.forEach((a) => a(new Error('engine closed')));
    if (engine) {
      try {
        engine.dispose();
      } catch {
        // Already gone.
      }
      this.o.onDown?.();
    }
  }

  private note(entry: EngineSupervisor['log'][number]): void {
    this.log.push(entry);
    if (this.log.length > 50) this.log.shift();
  }

  private alive(): void {
    this.lastAlive = this.clock.now();
  }

  private tick(): void {
    if (this.disposed) return;
    if (!this.engine) return this.retryIfDue();
    if (!this.up) return this.watchLoading();
    const now = this.clock.now();
    if (this.failures && now - this.readyAt > STABLE_MS) {
      this.failures = 0;
      this.slowRetries = 0;
    }
    if (this.o.active && !this.o.active()) {
      // Hidden tab: no heartbeat; start afresh when shown.
      this.pinging = false;
      this.lastAlive = now;
      return;
    }
    if (this.pinging) {
      if (now - this.pingSent > PING_TIMEOUT_MS && now - this.lastAlive > PING_TIMEOUT_MS) {
        this.failed(`the engine stopped answering (no answer for ${((now - this.lastAlive) / 1000).toFixed(1)} s)`);
      }
      return;
    }
    if (now - this.lastAlive < PING_AFTER_MS) return;
    this.pinging = true;
    this.pingSent = now;
    const gen = this.generation;
    this.engine.detect([]).then(
      () => {
        if (gen !== this.generation) return;
        this.pinging = false;
        this.alive();
      },
      () => {
        // A ping that fails outright (the engine closed) leaves the timeout to decide.
      },
    );
  }

  /** The heartbeat of an engine that is still loading (see the header). */
  private watchLoading(): void {
    const engine = this.engine;
    if (!engine) return;
    const now = this.clock.now();
    if (now - this.launchedAt > LOAD_TIMEOUT_MS) {
      this.failed(`the engine did not finish loading within ${LOAD_TIMEOUT_MS / 1000} s`);
      return;
    }
    if (this.o.active && !this.o.active()) {
      // Hidden tab: no heartbeat (as when ready); the silence counts afresh when shown.
      this.pinging = false;
      this.lastAlive = now;
      return;
    }
    const limit = this.heard ? LOADING_PING_TIMEOUT_MS : FIRST_ANSWER_MS;
    if (now - this.lastAlive > limit) {
      const silent = ((now - this.lastAlive) / 1000).toFixed(1);
      this.failed(this.heard
        ? `the engine stopped answering while loading (no answer for ${silent} s)`
        : `the engine did not answer within ${silent} s of its start`);
      return;
    }
    if (this.pinging || now - this.lastAlive < PING_AFTER_MS) return;
    this.pinging = true;
    this.pingSent = now;
    const gen = this.generation;
    engine.ping().then(
      () => {
        if (gen !== this.generation) return;
        this.pinging = false;
        const at = this.clock.now();
        if (!this.up) {
          if (this.heard) this.loadMaxGap = Math.max(this.loadMaxGap, at - this.lastAlive);
          else this.firstAnswerAt = at;
          this.heard = true;
        }
        this.alive();
      },
      () => {
        // A ping that fails outright (the engine closed) leaves the silence to decide.
      },
    );
  }

  private setState(state: SupervisorState, error: string): void {
    if (state === this.state && error === this.error) return;
    this.state = state;
    this.error = error;
    this.o.onChange?.();
  }
}

/** A delay as the error text says it: whole minutes (the slow retries' delays are). */
function minutes(ms: number): string {
  const m = Math.round(ms / 60_000);
  return m >= 1 ? `${m} min` : `${Math.round(ms / 1000)} s`;
}
