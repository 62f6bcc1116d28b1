/**
 * The public detector: `await EmotionDetector.create(options)`, then `await detector.detect(frame)`
 * for every frame. The pipeline runs on the calling thread, or in a Web Worker with `worker: true`.
 */
import { EmotionDetectorError, throwIfAborted, untilAborted } from './errors.js';
import type { DetectOptions, DetectionResult, EmotionDetectorOptions, FrameSource, ResolvedBackend, RuntimeOptions, StreamKey } from './types.js';
import { createSettings, resolveRuntimeOptions, type RuntimeSettings } from './options.js';
import type { ModelCard } from './model-card.js';
import { loadAssets } from './assets/load.js';
import { chooseBackend } from './classification/backend.js';
import { requireWebGL } from './detection/webgl.js';
import { isVideoSource } from './frame/frame.js';
import type { PipelineInit } from './host/init.js';
import { ThreadHost, type Host } from './host/host.js';
import { WorkerHost } from './host/worker-host.js';
import { FrameQueue } from './frame-queue.js';
import { requestTimeoutFor } from './channel/channel.js';

export class EmotionDetector {
  private disposed = false;
  /** Frames and option changes, one at a time in call order, bounded, latest frame per stream (frame-queue.ts). */
  private readonly queue: FrameQueue;

  private constructor(
    private readonly host: Host,
    /** The model card of the emotion classifier in use (name, labels, input, crop, metrics). */
    readonly modelCard: ModelCard,
    private settings: RuntimeSettings,
    detectTimeoutMs: number,
  ) {
    this.queue = new FrameQueue(detectTimeoutMs);
  }

  /**
   * Loads the models and runtimes (from `assetsBase`, cached for offline use) and starts them.
   * Rejects with 'invalid-option' for an option out of range, before downloading anything.
   */
  static async create(options: EmotionDetectorOptions = {}): Promise<EmotionDetector> {
    const { signal } = options;
    throwIfAborted(signal);
    const settings = createSettings(options);
    requireWebGL();
    const choice = await chooseBackend(settings.backend, settings.numThreads);
    const start = async (backend: ResolvedBackend) => {
      const assets = await loadAssets(options, backend);
      throwIfAborted(signal);
      // The worker channels wait longer than the detector's bound: a hung frame rejects 'timeout', not 'worker-failed'.
      const requestTimeoutMs = requestTimeoutFor(settings.detectTimeoutMs);
      const init: PipelineInit = { ...assets, settings: settings.runtime, parallel: settings.parallel, backend, numThreads: choice.numThreads, requestTimeoutMs };
      const host: Host = settings.worker ? await untilAborted(WorkerHost.create(init, assets.workerUrl), signal) : await untilAborted(ThreadHost.create(init), signal);
      return new EmotionDetector(host, assets.card, settings.runtime, settings.detectTimeoutMs);
    };
    try {
      return await start(choice.backend);
    } catch (e) {
      // `auto` picked WebGPU but it would not start: WASM runs everywhere.
      const gpuFailed = e instanceof EmotionDetectorError && e.code === 'backend-unavailable';
      if (settings.backend === 'auto' && choice.backend === 'webgpu' && gpuFailed) return start('wasm');
      throw e;
    }
  }

  /** Where the classifier runs: 'webgpu' or 'wasm' (it turns 'wasm' when a lost WebGPU device moves the classifier there). */
  get backend(): ResolvedBackend {
    return this.host.backend;
  }

  /** Whether the expression model runs in a worker of its own, beside the face detector (see `parallel`). */
  get parallel(): boolean {
    return this.host.parallel;
  }

  /** The runtime options in effect (every default filled in). */
  get options(): Readonly<Required<RuntimeOptions>> {
    return { ...this.settings };
  }

  /**
   * Finds the faces in `source` and their expressions. A still (an image, canvas, bitmap or
   * ImageData, unless `options.video` or `options.stream` says otherwise) is analysed alone, as a
   * fresh detector would. The frames of a video (a `<video>`, a `VideoFrame`, or frames marked
   * `video` or given a `stream`) are tracked and smoothed: `timestampMs` (default: now) drives the
   * smoothing; pass the video's time for recorded media. One detector serving several videos
   * should name each one's `stream`.
   *
   * Frames are analysed one at a time, in call order. Backpressure for video: per stream, the
   * latest frame wins: a video frame still waiting for its turn when a newer frame of the same
   * stream arrives is skipped, and its call rejects with 'superseded' (so at most one frame per
   * stream waits). Stills are never skipped: each is a photo of its own, so a burst of un-awaited
   * stills is analysed in full, one after another (the caller bounds how many it sends). Every call settles
   * within `detectTimeoutMs` of its turn: a hung runtime rejects it with 'timeout', and the
   * detector then rejects every later call with 'timeout' (dispose() it and create() another).
   *
   * The caller owns `source`: detect() never closes a VideoFrame or ImageBitmap passed in; close it
   * once the returned promise settles, whatever the outcome (a skipped frame is never read). The
   * copies the detector makes (the ImageBitmap sent to its worker) it closes itself, on every path.
   */
  detect(source: FrameSource, timestampMs?: number, options: DetectOptions = {}): Promise<DetectionResult> {
    if (this.disposed) return Promise.reject(new EmotionDetectorError('disposed', 'detect() was called after dispose()'));
    const timestamp = timestampMs ?? performance.now();
    const video = options.video ?? (options.stream !== undefined || isVideoSource(source));
    const work = () => this.host.process(source, timestamp, options.stream, video);
    return video ? this.queue.frame(options.stream ?? '', work) : this.queue.task(work);
  }

  /**
   * Changes runtime options (see `RuntimeOptions`) from the next frame on, without loading
   * anything: the faces being tracked keep their ids. Frames already passed to detect() finish
   * with the old options. Rejects with 'invalid-option' (nothing changed) for a value out of
   * range, an unknown option, or one that needs a new detector (e.g. `backend`).
   */
  async setOptions(options: RuntimeOptions): Promise<void> {
    if (this.disposed) throw new EmotionDetectorError('disposed', 'setOptions() was called after dispose()');
    const next = resolveRuntimeOptions(options, this.settings);
    this.settings = next;
    await this.queue.task(() => this.host.configure(next));
  }

  /**
   * Forgets a stream (see `DetectOptions.stream`; the default stream is `''`): its faces, ids and
   * smoothing. Its next frame starts afresh, with new ids. Call it when a video goes away, or its
   * content changes (a new photo, another camera).
   */
  forget(stream: StreamKey = ''): void {
    if (this.disposed) return;
    this.queue.task(() => this.host.forget(stream)).catch(() => undefined);
  }

  /** Releases the models, runtimes and worker. Later detect() calls reject with 'disposed'. */
  dispose(): Promise<void> {
    if (this.disposed) return Promise.resolve();
    this.disposed = true;
    // Frames queued before dispose() still complete (dispose() waits for them), unless the runtime hung.
    return this.queue.close(() => this.host.close());
  }
}
