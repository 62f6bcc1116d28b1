/**
 * The public engine: `await EmotionDetector.create(options)`, then `await detector.detect(frame)`
 * for every frame. Runs on the main thread, or in a Web Worker with `worker: true`.
 */
import { EmotionDetectorError } from './errors.js';
import type { DetectOptions, DetectionResult, EmotionDetectorOptions, FrameSource, ResolvedBackend, StreamKey } from './types.js';
import { loadAssets } from './assets/load.js';
import { abortError, throwIfAborted } from './assets/fetch-asset.js';
import { chooseBackend } from './classification/backend.js';
import type { ModelCard } from './classification/model-card.js';
import { FrameReader, isVideoSource } from './frame/frame.js';
import { Pipeline, emptyResult, pipelineSettings, type PipelineInit } from './pipeline.js';
import { WorkerEngine } from './worker/client.js';

/** What runs the pipeline: in this thread or in the worker. */
interface Engine {
  readonly backend: ResolvedBackend;
  readonly parallel: boolean;
  process(source: FrameSource, timestamp: number, stream?: StreamKey, video?: boolean): Promise<DetectionResult>;
  close(): Promise<void>;
}

class LocalEngine implements Engine {
  private readonly reader = new FrameReader();
  constructor(private readonly pipeline: Pipeline) {}
  get backend(): ResolvedBackend {
    return this.pipeline.backend;
  }
  get parallel(): boolean {
    return this.pipeline.parallel;
  }
  async process(source: FrameSource, timestamp: number, stream?: StreamKey, video = false): Promise<DetectionResult> {
    const frame = this.reader.read(source);
    return frame ? this.pipeline.process(frame, timestamp, stream, video) : emptyResult(timestamp);
  }
  close(): Promise<void> {
    return this.pipeline.close();
  }
}

/** Settles with `work`, or rejects 'aborted' as soon as `signal` fires (then releases what `work` made). */
function untilAborted<T extends { close(): Promise<void> }>(work: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return work;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      reject(abortError());
      work.then((made) => made.close()).catch(() => undefined);
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

export class EmotionDetector {
  private disposed = false;
  /** Frames are processed one at a time, in call order (the pipeline reuses its buffers). */
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly engine: Engine,
    /** The model card of the emotion classifier in use (name, labels, input, crop, metrics). */
    readonly modelCard: ModelCard,
  ) {}

  /** Loads the models and runtimes (from `assetsBase`, cached for offline use) and starts the engine. */
  static async create(options: EmotionDetectorOptions = {}): Promise<EmotionDetector> {
    const { signal } = options;
    throwIfAborted(signal);
    const settings = pipelineSettings(options);
    const choice = await chooseBackend(options.backend ?? 'auto', options.numThreads);
    const start = async (backend: ResolvedBackend) => {
      const assets = await loadAssets(options, backend);
      throwIfAborted(signal);
      const init: PipelineInit = { ...assets, ...settings, backend, numThreads: choice.numThreads };
      const engine: Engine = options.worker
        ? await untilAborted(WorkerEngine.create(init, assets.workerUrl), signal)
        : new LocalEngine(await untilAborted(Pipeline.create(init), signal));
      return new EmotionDetector(engine, assets.card);
    };
    try {
      return await start(choice.backend);
    } catch (e) {
      // `auto` picked WebGPU but it would not start: WASM runs everywhere.
      const gpuFailed = e instanceof EmotionDetectorError && e.code === 'backend-unavailable';
      if ((options.backend ?? 'auto') === 'auto' && choice.backend === 'webgpu' && gpuFailed) return start('wasm');
      throw e;
    }
  }

  /** Where the classifier runs: 'webgpu' or 'wasm'. */
  get backend(): ResolvedBackend {
    return this.engine.backend;
  }

  /** Whether the expression model runs in a worker of its own, beside the face detector (see `parallel`). */
  get parallel(): boolean {
    return this.engine.parallel;
  }

  /**
   * Finds the faces in `source` and their expressions. A still (an image, canvas, bitmap or
   * ImageData, unless `options.video` or `options.stream` says otherwise) is analysed alone, as a
   * fresh detector would. The frames of a video (a `<video>`, a `VideoFrame`, or frames marked
   * `video` or given a `stream`) are tracked and smoothed: `timestampMs` (default: now) drives the
   * smoothing; pass the video's time for recorded media. One detector serving several videos
   * should name each one's `stream`.
   */
  detect(source: FrameSource, timestampMs?: number, options: DetectOptions = {}): Promise<DetectionResult> {
    if (this.disposed) return Promise.reject(new EmotionDetectorError('disposed', 'detect() was called after dispose()'));
    const timestamp = timestampMs ?? performance.now();
    // Frames queued before dispose() still complete; dispose() waits for them.
    const video = options.video ?? (options.stream !== undefined || isVideoSource(source));
    const run = this.queue.then(() => this.engine.process(source, timestamp, options.stream, video));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Releases the models, runtimes and worker. Later detect() calls reject with 'disposed'. */
  dispose(): Promise<void> {
    if (this.disposed) return Promise.resolve();
    this.disposed = true;
    const closed = this.queue.then(() => this.engine.close());
    this.queue = closed.catch(() => undefined);
    return closed.catch(() => undefined);
  }
}
