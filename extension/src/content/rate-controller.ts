/**
 * Decides how often to analyse. It starts at the user's rate and backs off when the page is busy
 * (our timers fire late, or grabbing frames took long on the main thread) or when the engine
 * cannot keep up, then creeps back. Pure logic, no DOM.
 */
export interface RoundSample {
  /** How late the round started compared with when it was due, ms (main thread busy). */
  lateness: number;
  /** Longest main-thread task this round spent grabbing a frame, ms. */
  mainThreadMs: number;
  /** Time the engine took for the round, ms. */
  engineMs: number;
}

/** At most this long between rounds: a label lives LABEL_TTL_MS (2 s) without a fresh result (overlay.ts). */
export const MAX_INTERVAL_MS = 1500;
const BUSY_LATENESS_MS = 50;
const BUSY_MAIN_THREAD_MS = 12;

export class RateController {
  private base: number;
  private current: number;

  constructor(targetFps: number) {
    this.base = Math.min(MAX_INTERVAL_MS, 1000 / targetFps);
    this.current = this.base;
  }

  setTarget(fps: number): void {
    this.base = Math.min(MAX_INTERVAL_MS, 1000 / fps);
    this.current = Math.max(this.current, this.base);
    if (this.current > this.base * 4) this.current = this.base * 4;
  }

  /** Milliseconds from the start of one round to the start of the next. */
  get interval(): number {
    return this.current;
  }

  record(s: RoundSample): void {
    const busy = s.lateness > BUSY_LATENESS_MS || s.mainThreadMs > BUSY_MAIN_THREAD_MS;
    if (busy) this.current = Math.min(MAX_INTERVAL_MS, this.current * 1.5);
    else this.current = Math.max(this.base, this.current * 0.9);
    // Leave the engine some idle time: never ask for rounds faster than it answers.
    this.current = Math.min(MAX_INTERVAL_MS, Math.max(this.current, s.engineMs * 1.25));
  }
}
