/**
 * The detector's work queue: frames are processed one at a time, in call order (the pipeline
 * reuses its buffers), with two guarantees for callers that run for hours:
 *
 * - Backpressure, latest frame wins per stream: while a frame of a stream waits for its turn, a
 *   newer frame of the same stream takes its place and the older call rejects with 'superseded'.
 *   At most one frame per stream waits, however fast frames come. Frames of other streams, and
 *   other work (setOptions, forget), keep their places.
 * - A bound: work that has not settled `timeoutMs` after its turn began rejects with 'timeout'.
 *   The runtime is then stuck (a lost GPU device, a hung runtime): every later call rejects with
 *   'timeout' at once, and close() releases what it can within a bound instead of waiting for it.
 */
import { EmotionDetectorError } from './errors.js';
import type { StreamKey } from './types.js';

/** How long close() waits for the runtimes to release themselves after a hang. */
const CLOSE_BOUND_MS = 5_000;

/** Rejects with `error()` when `work` has not settled within `ms`. */
function within<T>(work: Promise<T>, ms: number, error: () => EmotionDetectorError): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(error()), ms)));
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

export class FrameQueue {
  private tail: Promise<unknown> = Promise.resolve();
  /** The frame waiting for its turn, per stream: superseding it rejects it. */
  private readonly waiting = new Map<StreamKey, () => void>();
  private stuckError: EmotionDetectorError | undefined;

  constructor(private readonly timeoutMs: number) {}

  /** Why this queue no longer runs work, once a piece of it hung. */
  get stuck(): EmotionDetectorError | undefined {
    return this.stuckError;
  }

  /** Runs `work` for a frame of `stream` in its turn, unless a newer frame of that stream comes first. */
  frame<T>(stream: StreamKey, work: () => Promise<T>): Promise<T> {
    if (this.stuckError) return Promise.reject(this.stuckError);
    return new Promise<T>((resolve, reject) => {
      let superseded = false;
      const supersede = () => {
        superseded = true;
        reject(new EmotionDetectorError('superseded', `A newer frame of stream "${String(stream)}" came before this one's turn; this one was skipped`));
      };
      this.waiting.get(stream)?.();
      this.waiting.set(stream, supersede);
      this.enqueue(async () => {
        if (superseded) return;
        if (this.waiting.get(stream) === supersede) this.waiting.delete(stream);
        await this.bounded(work).then(resolve, reject);
      });
    });
  }

  /** Runs `work` in its turn (never superseded). */
  task<T>(work: () => Promise<T>): Promise<T> {
    if (this.stuckError) return Promise.reject(this.stuckError);
    return new Promise<T>((resolve, reject) => {
      this.enqueue(() => this.bounded(work).then(resolve, reject));
    });
  }

  /**
   * Runs `release` after the work already queued (or at once, without the hung work, once
   * stuck), and resolves within a bound either way.
   */
  close(release: () => Promise<void>): Promise<void> {
    const done = new Promise<void>((resolve) => {
      this.enqueue(() => within(release(), CLOSE_BOUND_MS, () => new EmotionDetectorError('timeout', 'release timed out')).catch(() => undefined).then(resolve));
    });
    return done;
  }

  private enqueue(step: () => Promise<void>): void {
    const run = this.tail.then(step);
    this.tail = run.catch(() => undefined);
  }

  private bounded<T>(work: () => Promise<T>): Promise<T> {
    if (this.stuckError) return Promise.reject(this.stuckError);
    const seconds = this.timeoutMs / 1000;
    return within(Promise.resolve().then(work), this.timeoutMs, () => {
      this.stuckError ??= new EmotionDetectorError(
        'timeout',
        `An earlier frame did not finish within ${seconds} s (detectTimeoutMs): the runtime is stuck. dispose() this detector and create() a new one`,
      );
      return new EmotionDetectorError('timeout', `The frame did not finish within ${seconds} s (detectTimeoutMs): the runtime is stuck; later calls reject with 'timeout'`);
    });
  }
}
