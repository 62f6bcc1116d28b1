/**
 * The engine's lifetime, as a @lit/task: the task's arguments are the options that need a new
 * engine (null while none is wanted: detached, or lazy and not yet seen); the others reach the
 * running engine through its setOptions() at the host's next update. When the engine's options
 * change the running load is aborted and the old engine disposed; a detached host releases it
 * (unless it comes back within the same task, i.e. a move in the document). The host hears of a
 * load through `emotion-progress` and `emotion-ready`, sent from here.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { Task, TaskStatus } from '@lit/task';
import { EmotionDetector, EmotionDetectorError, type Backend, type EmotionDetectorOptions, type RuntimeOptions } from '@emotion-detector/core';
import { emotionEvent, toProgressDetail } from './events.js';

/** The options that need a new engine when they change (the runtime options do not). */
export type EngineConfig = Pick<EmotionDetectorOptions, 'backend' | 'assetsBase' | 'model'>;

/** The engine's options from the element's attributes (null: the default), URLs resolved against the document. */
export function engineConfig(backend: Backend, assetsBase: string | null, modelSrc: string | null): EngineConfig {
  const config: EngineConfig = { backend };
  if (assetsBase) config.assetsBase = new URL(assetsBase, document.baseURI).href;
  if (modelSrc) config.model = new URL(modelSrc, document.baseURI).href;
  return config;
}

export interface EngineCallbacks {
  /** A load starts (the previous engine, if any, is released). */
  onLoading(): void;
  /** The engine is loaded (after `emotion-ready`). */
  onReady(detector: EmotionDetector): void;
  /** The load failed (not when it was aborted), or the running engine refused new runtime options. */
  onError(error: unknown): void;
  /** The running engine got new runtime options (from its next frame on). */
  onConfigured(): void;
}

/** How long a reload waits for the options to settle, in ms. */
const RELOAD_DELAY_MS = 250;

const sameConfig = ([a]: readonly [EngineConfig | null], [b]: readonly [EngineConfig | null]) => JSON.stringify(a) === JSON.stringify(b);

export class EngineController implements ReactiveController {
  /** The loaded engine, or null. */
  detector: EmotionDetector | null = null;
  /** A load is running. */
  loading = false;
  /** Overall download fraction of the running load, 0 to 1. */
  progress = 0;
  /** start()/detectOnce() asked for the engine: load it even when lazy and not yet seen. */
  private requested = false;
  /** Loads started so far (the first one starts at once). */
  private loads = 0;
  private releaseTimer: ReturnType<typeof setTimeout> | undefined;
  /** The runtime options the running engine has (as JSON): the host's differ after a change. */
  private applied = '';
  private readonly task: Task<[EngineConfig | null], EmotionDetector | null>;

  constructor(
    private readonly host: ReactiveControllerHost & HTMLElement,
    private readonly callbacks: EngineCallbacks & {
      /** The engine's options now. */
      config(): EngineConfig;
      /** The runtime options now: a new engine starts with them, a running one gets them at the host's next update. */
      runtime(): RuntimeOptions;
      /** Whether the host wants an engine without being asked (false while lazy and unseen). */
      wanted(): boolean;
    },
  ) {
    host.addController(this);
    this.task = new Task(host, {
      args: () => [this.host.isConnected && (this.requested || callbacks.wanted()) ? callbacks.config() : null],
      argsEqual: sameConfig,
      task: ([config], { signal }) => this.load(config, signal),
    });
  }

  hostConnected(): void {
    clearTimeout(this.releaseTimer);
    this.host.requestUpdate(); // re-reads the task's arguments (reinserted after a release)
  }

  hostDisconnected(): void {
    // A move within the document reconnects at once: keep the engine for that case.
    this.releaseTimer = setTimeout(() => {
      if (!this.host.isConnected) void this.task.run([null]);
    }, 0);
  }

  /** The engine, loading it if needed (also when lazy and unseen); rejects with the load's error. */
  async ready(): Promise<EmotionDetector> {
    if (this.detector) return this.detector;
    if (!this.host.isConnected) throw new EmotionDetectorError('aborted', '<emotion-detector> is not in the document.');
    this.requested = true;
    // Not loading: the first load of a lazy element, or a retry after a failure.
    if (this.task.status !== TaskStatus.PENDING) void this.task.run();
    const detector = await this.task.taskComplete;
    if (!detector) throw new EmotionDetectorError('aborted', '<emotion-detector> was removed while its engine was loading.');
    return detector;
  }

  /** Runtime options changed: the running engine gets them before the host renders. */
  hostUpdate(): void {
    if (this.detector && JSON.stringify(this.callbacks.runtime()) !== this.applied) this.configure();
  }

  /** Gives the running engine the current runtime options (no new runtime); failures go to onError. */
  private configure(): void {
    const runtime = this.callbacks.runtime();
    this.applied = JSON.stringify(runtime);
    this.detector?.setOptions(runtime).catch((e: unknown) => this.callbacks.onError(e));
    this.callbacks.onConfigured();
  }

  private release(): void {
    void this.detector?.dispose();
    this.detector = null;
    this.loading = false;
  }

  private async load(config: EngineConfig | null, signal: AbortSignal): Promise<EmotionDetector | null> {
    this.release();
    if (!config) return null;
    this.loading = true;
    this.progress = 0;
    this.callbacks.onLoading();
    const started = performance.now();
    try {
      // A reload waits a moment, so that a burst of changes builds one engine rather than one
      // each: an aborted load stops its downloads at once, but a runtime that began to start
      // finishes starting (taking the CPU the next one needs) before it is released.
      if (this.loads++ > 0) await new Promise((r) => setTimeout(r, RELOAD_DELAY_MS));
      if (signal.aborted) throw new EmotionDetectorError('aborted', 'Replaced by a newer load.');
      const runtime = this.callbacks.runtime();
      const detector = await EmotionDetector.create({
        ...config,
        ...runtime,
        signal,
        onProgress: (p) => {
          if (signal.aborted) return;
          this.progress = p.fraction;
          this.host.dispatchEvent(emotionEvent('emotion-progress', toProgressDetail(p)));
          this.host.requestUpdate();
        },
      });
      if (signal.aborted) {
        void detector.dispose();
        throw new EmotionDetectorError('aborted', 'Replaced by a newer load.');
      }
      this.detector = detector;
      this.loading = false;
      // Changed while it loaded.
      this.applied = JSON.stringify(runtime);
      if (JSON.stringify(this.callbacks.runtime()) !== this.applied) this.configure();
      this.host.dispatchEvent(emotionEvent('emotion-ready', { backend: detector.backend, loadTime: performance.now() - started }));
      this.callbacks.onReady(detector);
      return detector;
    } catch (e) {
      if (!signal.aborted) {
        this.loading = false;
        this.callbacks.onError(e);
      }
      throw e;
    }
  }
}
