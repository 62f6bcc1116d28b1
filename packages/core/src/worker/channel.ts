/**
 * Requests to a worker, answered by id. A worker that dies or stops answering fails every pending
 * and later request with 'worker-failed' instead of leaving them waiting.
 */
import { EmotionDetectorError } from '../errors.js';
import type { Reply, Request } from './protocol.js';

/** Model and runtime start-up, which can include compiling shaders on a slow GPU. */
export const INIT_TIMEOUT_MS = 120_000;
/** One frame; far above any real frame time. */
export const DETECT_TIMEOUT_MS = 20_000;

/** The buffers of these byte arrays, each once: they move to the worker without a copy. */
export function buffersOf(...arrays: Uint8Array[]): ArrayBuffer[] {
  return arrays.map((a) => a.buffer).filter((b, i, all): b is ArrayBuffer => b instanceof ArrayBuffer && all.indexOf(b) === i);
}

type Pending = { resolve: (r: Reply & { ok: true }) => void; reject: (e: EmotionDetectorError) => void; timer: ReturnType<typeof setTimeout> };

/** A request without its id (the channel numbers them). */
export type Outgoing = Request extends infer R ? (R extends Request ? Omit<R, 'id'> : never) : never;

export class WorkerChannel {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private failure: EmotionDetectorError | undefined;

  private constructor(private readonly worker: Worker) {
    worker.onmessage = (e: MessageEvent<Reply>) => this.settle(e.data);
    worker.onerror = (e) => {
      e.preventDefault();
      this.fail(`The worker stopped: ${e.message || 'script error (is worker.js served from assetsBase?)'}`);
    };
    worker.onmessageerror = () => this.fail('A worker message could not be read');
  }

  /** Starts the worker script at `url` (a classic script: MediaPipe needs importScripts). */
  static open(url: string, name: string): WorkerChannel {
    try {
      return new WorkerChannel(new Worker(url, { name }));
    } catch (e) {
      throw new EmotionDetectorError('worker-failed', `Could not start the worker ${url}: ${String(e)}`, { cause: e });
    }
  }

  /** Why the worker can no longer answer, once it cannot. */
  get failed(): EmotionDetectorError | undefined {
    return this.failure;
  }

  request(msg: Outgoing, transfer: Transferable[], timeoutMs: number): Promise<Reply & { ok: true }> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.fail(`The worker did not answer "${msg.type}" within ${timeoutMs / 1000} s`), timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      try {
        this.worker.postMessage({ ...msg, id }, transfer);
      } catch (e) {
        this.pending.delete(id);
        clearTimeout(timer);
        reject(new EmotionDetectorError('worker-failed', `Could not post to the worker: ${String(e)}`, { cause: e }));
      }
    });
  }

  /** Asks the worker to release what it holds (`dispose`), then ends it. */
  async close(): Promise<void> {
    if (!this.failure) await this.request({ type: 'dispose' }, [], 5_000).catch(() => undefined);
    this.terminate();
  }

  terminate(): void {
    for (const p of this.pending.values()) clearTimeout(p.timer);
    this.pending.clear();
    this.worker.terminate();
  }

  private settle(reply: Reply): void {
    const p = this.pending.get(reply.id);
    if (!p) return;
    this.pending.delete(reply.id);
    clearTimeout(p.timer);
    if (reply.ok) p.resolve(reply);
    else p.reject(EmotionDetectorError.fromJSON(reply.error));
  }

  /** The worker is gone (or hung): reject everything, now and later. */
  private fail(message: string): void {
    this.failure ??= new EmotionDetectorError('worker-failed', message);
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(this.failure);
    }
    this.pending.clear();
    this.worker.terminate();
  }
}
