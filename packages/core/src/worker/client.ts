/**
 * Main-thread side of the worker engine: grabs each frame as a transferable ImageBitmap and posts
 * it; everything else runs in the worker. A worker that dies or stops answering fails every
 * pending and later call with 'worker-failed' instead of leaving them waiting.
 */
import { EmotionDetectorError } from '../errors.js';
import type { DetectionResult, FrameSource, ResolvedBackend, StreamKey } from '../types.js';
import { FrameReader } from '../frame/frame.js';
import { emptyResult, type PipelineInit } from '../pipeline.js';
import type { Reply, Request } from './protocol.js';

/** Model and runtime start-up, which can include compiling shaders on a slow GPU. */
const INIT_TIMEOUT_MS = 120_000;
/** One frame; far above any real frame time. */
const DETECT_TIMEOUT_MS = 20_000;

type Pending = { resolve: (r: Reply & { ok: true }) => void; reject: (e: EmotionDetectorError) => void; timer: ReturnType<typeof setTimeout> };

export class WorkerEngine {
  private readonly reader = new FrameReader();
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private failure: EmotionDetectorError | undefined;
  backend: ResolvedBackend = 'wasm';

  private constructor(private readonly worker: Worker) {
    worker.onmessage = (e: MessageEvent<Reply>) => this.settle(e.data);
    worker.onerror = (e) => {
      e.preventDefault();
      this.fail(`The worker stopped: ${e.message || 'script error (is worker.js served from assetsBase?)'}`);
    };
    worker.onmessageerror = () => this.fail('A worker message could not be read');
  }

  static async create(init: PipelineInit, workerUrl: string, initTimeoutMs = INIT_TIMEOUT_MS): Promise<WorkerEngine> {
    let worker: Worker;
    try {
      worker = new Worker(workerUrl, { name: 'emotion-detector' });
    } catch (e) {
      throw new EmotionDetectorError('worker-failed', `Could not start the worker ${workerUrl}: ${String(e)}`, { cause: e });
    }
    const engine = new WorkerEngine(worker);
    try {
      // The model and WASM bytes move to the worker (no copy); the main thread no longer needs them.
      const transfer = [init.model.buffer, init.faceModel.buffer, init.ortWasm.buffer, init.mediapipeWasm.buffer].filter(
        (b, i, all): b is ArrayBuffer => b instanceof ArrayBuffer && all.indexOf(b) === i,
      );
      const reply = await engine.request({ id: 0, type: 'init', init }, transfer, initTimeoutMs);
      engine.backend = reply.backend ?? init.backend;
    } catch (e) {
      engine.terminate();
      throw e;
    }
    return engine;
  }

  async process(source: FrameSource, timestamp: number, stream?: StreamKey): Promise<DetectionResult> {
    if (this.failure) throw this.failure;
    const size = this.reader.check(source);
    if (!size) return emptyResult(timestamp);
    let bitmap: ImageBitmap;
    try {
      // A copy of the current frame that can move to the worker without copying again.
      bitmap = await createImageBitmap(source as ImageBitmapSource);
    } catch (e) {
      throw new EmotionDetectorError('runtime-error', `Could not grab the frame: ${String(e)}`, { cause: e });
    }
    const msg: Request = { id: 0, type: 'detect', bitmap, width: bitmap.width, height: bitmap.height, timestamp, stream };
    const reply = await this.request(msg, [bitmap], DETECT_TIMEOUT_MS);
    return reply.result!;
  }

  async close(): Promise<void> {
    if (!this.failure) await this.request({ id: 0, type: 'dispose' }, [], 5_000).catch(() => undefined);
    this.terminate();
  }

  private request(msg: Request, transfer: Transferable[], timeoutMs: number): Promise<Reply & { ok: true }> {
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

  private terminate(): void {
    for (const p of this.pending.values()) clearTimeout(p.timer);
    this.pending.clear();
    this.worker.terminate();
  }
}
