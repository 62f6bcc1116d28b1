/**
 * The analysis loop: while the host says it should run, analyses its media at most `fps` times a
 * second, one frame at a time, and only when there is something new (a still image once per
 * load, a paused video once per position). Results of an engine that was replaced meanwhile are
 * dropped. Runs or stops after every host update and whenever `sync()` is called.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { DetectionResult, EmotionDetector } from '@emotion-detector/core';
import { hasFrame, type MediaElement } from './slotted-media.js';

export interface AnalysisLoopOptions {
  shouldRun(): boolean;
  fps(): number;
  media(): MediaElement | null;
  detector(): EmotionDetector | null;
  /** A frame was analysed; `fps`: frames analysed per second over the last second or so. */
  onResult(result: DetectionResult, fps: number): void;
  onError(error: unknown): void;
}

export class AnalysisLoop implements ReactiveController {
  private raf = 0;
  private inFlight = false;
  private lastRun = -Infinity;
  /** The analysed position: a video's currentTime, 0 for an image that was done, -1 for "analyse again". */
  private lastVideoTime = -1;
  private runTimes: number[] = [];

  constructor(
    host: ReactiveControllerHost,
    private readonly options: AnalysisLoopOptions,
  ) {
    host.addController(this);
  }

  get running(): boolean {
    return this.raf !== 0;
  }

  hostUpdated(): void {
    this.sync();
  }

  hostDisconnected(): void {
    this.stop();
  }

  /** Starts or stops the loop to match the host's conditions. */
  sync(): void {
    if (!this.options.shouldRun()) this.stop();
    else if (!this.raf) this.raf = requestAnimationFrame(this.tick);
  }

  stop(): void {
    if (this.raf) cancelAnimationFrame(this.raf);
    this.raf = 0;
  }

  /** Analyse the current picture again (a new engine, a resized video). */
  again(): void {
    this.lastVideoTime = -1;
  }

  /**
   * Different pictures from now on: analyse again, with fresh tracking (a new photo must not
   * inherit the previous photo's faces or smoothing).
   */
  newScene(): void {
    this.again();
    this.options.detector()?.forget();
  }

  private tick = (now: number): void => {
    this.raf = requestAnimationFrame(this.tick);
    const detector = this.options.detector();
    const media = this.options.media();
    if (!detector || !media || this.inFlight || !hasFrame(media)) return;
    if (now - this.lastRun < 1000 / this.options.fps() - 2) return;
    // A still image, or a paused video, has nothing new to analyse once done.
    if (media instanceof HTMLImageElement && this.lastVideoTime === 0) return;
    if (media instanceof HTMLVideoElement && (media.paused || media.ended) && media.currentTime === this.lastVideoTime) return;
    this.lastRun = now;
    this.lastVideoTime = media instanceof HTMLVideoElement ? media.currentTime : media instanceof HTMLImageElement ? 0 : -1;
    void this.analyse(detector, media).catch(() => undefined);
  };

  /**
   * Analyses the current frame once (detectOnce()), whether the loop runs or not. Rejects with
   * `code: 'no-media'` when there is no frame yet, and when the engine was replaced meanwhile.
   */
  async once(detector: EmotionDetector): Promise<DetectionResult> {
    const media = this.options.media();
    if (!media || !hasFrame(media)) {
      // A call made too early: the caller hears about it, the host's state is unaffected.
      throw Object.assign(new Error('No frame to analyse: the element wraps no loaded <video>, <img> or <canvas> yet.'), {
        code: 'no-media' as const,
      });
    }
    const result = await this.analyse(detector, media);
    if (!result) throw new Error('The engine was replaced while analysing.');
    return result;
  }

  /** Analyses one frame; null when the engine was replaced meanwhile. Errors go to onError too. */
  async analyse(detector: EmotionDetector, media: MediaElement): Promise<DetectionResult | null> {
    this.inFlight = true;
    try {
      // A <video> or a canvas redrawn every frame is a video (tracked, smoothed); an <img> a still.
      const result = await detector.detect(media, undefined, { video: !(media instanceof HTMLImageElement) });
      if (detector !== this.options.detector()) return null;
      this.options.onResult(result, this.measureFps());
      return result;
    } catch (e) {
      if (detector === this.options.detector()) {
        this.stop();
        this.options.onError(e);
      }
      throw e;
    } finally {
      this.inFlight = false;
    }
  }

  private measureFps(): number {
    const now = performance.now();
    this.runTimes.push(now);
    while (this.runTimes.length > 2 && now - this.runTimes[0]! > 1000) this.runTimes.shift();
    const span = now - this.runTimes[0]!;
    return this.runTimes.length > 1 && span > 0 ? ((this.runTimes.length - 1) * 1000) / span : 0;
  }
}
