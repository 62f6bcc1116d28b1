/**
 * The per-tab loop: find videos, grab a small frame of each visible one when the main thread is
 * idle, send them to the engine, draw the answers. One round in flight at a time; the rate
 * controller spaces rounds out when the page or the engine is busy; nothing runs while the tab
 * is hidden.
 */
import type { Settings } from '../shared/settings.js';
import type { TabStats } from '../shared/messages.js';
import type { FrameImage, FrameIn } from '../shared/engine-protocol.js';
import { mirrorOf } from '@emotion-detector/core/layout';
import { EngineClient } from './engine-client.js';
import { EngineSupervisor } from './engine-supervisor.js';
import { grabFrame, isAnalysable } from './frame-grabber.js';
import { Overlay } from './overlay.js';
import { RateController, type RoundSample } from './rate-controller.js';
import { VideoWatcher } from './video-watcher.js';

/** Videos smaller than this on screen (px) are thumbnails or decorations, not worth analysing. */
const MIN_SIDE = 64;

export class Analyzer {
  private readonly watcher = new VideoWatcher(() => this.onNewVideo());
  private readonly overlay: Overlay;
  /** The engine frame, watched, restarted with backoff (see engine-supervisor.ts). */
  private readonly engine: EngineSupervisor;
  private readonly rate: RateController;
  private readonly keys = new WeakMap<HTMLVideoElement, number>();
  private readonly live = new Map<number, HTMLVideoElement>();
  private nextKey = 1;
  /** Keys of videos analysed at least once: newcomers go first in a round. */
  private readonly seen = new Set<number>();
  /** Engine time per frame, smoothed, ms. */
  private frameMs = 0;
  private lastSample: RoundSample | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private idle = 0;
  private running = false;
  private inFlight = false;
  /** A video became ready while a round was in flight: look at it right after. */
  private newcomer = false;
  /** Completion times of analysed frames over the last seconds, for the frames/s figure. */
  private readonly analysed: number[] = [];
  private analysedTotal = 0;

  constructor(private settings: Settings, private readonly onStats: () => void) {
    this.overlay = new Overlay(settings.draw, {
      onFacesChanged: onStats,
      // The page removed our host, and with it the engine frame: the overlay puts the host back,
      // the supervisor starts a new engine in it (rate-limited).
      onHostLost: () => this.engine.fail('the page removed the overlay'),
      // A page with no document element at first: the engine starts once the host is in.
      onAttached: () => {
        if (this.running) this.engine.start();
      },
    });
    this.engine = new EngineSupervisor({
      create: () => {
        if (!this.overlay.root) throw new Error(this.overlay.error);
        return new EngineClient(this.overlay.root, this.engineConfig(), onStats, this.settings.transport);
      },
      onChange: onStats,
      onDown: () => this.overlay.clear(),
      onUp: () => this.schedule(0),
      active: () => this.running && document.visibilityState !== 'hidden',
    });
    this.rate = new RateController(settings.rate);
  }

  start(): void {
    this.running = true;
    this.watcher.start();
    document.addEventListener('visibilitychange', this.onVisibility);
    // No engine where the overlay could not be attached (it would have to sit in a page-reachable node).
    if (this.overlay.root && !this.overlay.error) this.engine.start();
    this.onStats();
  }

  stop(): void {
    this.running = false;
    clearTimeout(this.timer);
    if (this.idle) cancelIdleCallback(this.idle);
    document.removeEventListener('visibilitychange', this.onVisibility);
    this.watcher.stop();
    this.engine.dispose();
    this.overlay.dispose();
  }

  /** What the overlay draws now (for the tests, through DevTools). */
  snapshot() {
    const now = performance.now();
    return {
      ...this.overlay.snapshot(),
      engine: this.engine.state,
      engineError: this.engine.error,
      engineStarts: this.engine.starts,
      gaveUp: this.engine.gaveUp,
      engineHeard: this.engine.heard,
      // Times as "ms ago", so the reader needs no clock of ours.
      engineLog: this.engine.log.map((e) => ({ ...e, agoMs: Math.round(now - e.at), silentMs: e.silentMs === undefined ? undefined : Math.round(e.silentMs) })),
    };
  }

  update(settings: Settings): void {
    const prev = this.settings;
    this.settings = settings;
    if (JSON.stringify(prev.draw) !== JSON.stringify(settings.draw)) this.overlay.setDraw(settings.draw);
    if (prev.rate !== settings.rate) this.rate.setTarget(settings.rate);
    if (prev.maxFaces !== settings.maxFaces || prev.smoothing !== settings.smoothing) this.engine.configure(this.engineConfig());
  }

  stats(): Omit<TabStats, 'url'> {
    const now = performance.now();
    // Over at least two rounds, so a backed-off rate does not read as zero.
    const windowMs = Math.max(3000, 2 * this.rate.interval + 500);
    while (this.analysed.length && now - this.analysed[0] > windowMs) this.analysed.shift();
    const span = this.analysed.length ? Math.max(1000, now - this.analysed[0]) : 1000;
    return {
      active: true,
      videos: this.live.size,
      analysedFrames: this.analysedTotal,
      faces: this.overlay.faceCount(),
      fps: Math.round((this.analysed.length / span) * 10000) / 10,
      intervalMs: Math.round(this.rate.interval),
      frameMs: Math.round(this.frameMs),
      ...(this.lastSample ? { lastRound: roundSample(this.lastSample) } : {}),
      engine: this.overlay.error ? 'error' : this.engine.state,
      transport: this.engine.transport,
      engineStarts: this.engine.starts,
      ...(this.engine.loadMs ? { loadMs: this.engine.loadMs } : {}),
      ...(this.overlay.error || this.engine.error ? { error: this.overlay.error || this.engine.error } : {}),
    };
  }

  private engineConfig() {
    return { maxFaces: this.settings.maxFaces, smoothing: this.settings.smoothing };
  }

  private readonly onVisibility = () => {
    if (document.visibilityState === 'visible' && this.engine.state === 'ready') this.schedule(0);
  };

  /** A participant joined: analyse their video now rather than at the next (possibly backed-off) round. */
  private onNewVideo(): void {
    if (!this.running || this.engine.state !== 'ready') return;
    if (this.inFlight) this.newcomer = true;
    else this.schedule(0, true);
  }

  private schedule(delay: number, onlyNew = false): void {
    clearTimeout(this.timer);
    if (this.idle) cancelIdleCallback(this.idle);
    this.idle = 0;
    if (!this.running || document.visibilityState === 'hidden') return;
    const due = performance.now() + delay;
    this.timer = setTimeout(() => {
      // A timer that fires late means the page's main thread is busy.
      const lateness = performance.now() - due;
      // Then wait for an idle moment so the page's own work goes first.
      this.idle = requestIdleCallback(() => {
        this.idle = 0;
        void this.round(lateness, onlyNew);
      }, { timeout: 250 });
    }, delay);
  }

  /** Analyses every visible video (or, after a join, only the ones never analysed). */
  private async round(lateness: number, onlyNew: boolean): Promise<void> {
    if (!this.running || this.inFlight || document.visibilityState === 'hidden') return;
    const start = performance.now();
    this.inFlight = true;
    this.newcomer = false;
    try {
      const visible = this.visibleVideos();
      // Newcomers first, so a tile that just joined is labelled as soon as possible.
      const fresh = visible.filter((v) => !this.seen.has(this.keyOf(v)));
      const videos = onlyNew ? fresh : [...fresh, ...visible.filter((v) => this.seen.has(this.keyOf(v)))];
      // Grabbing is the page's main-thread cost: one video per idle slot keeps each task short.
      let mainThreadMs = 0;
      const bitmaps: (FrameImage | null)[] = [];
      for (const v of videos) {
        if (bitmaps.length) await idleSlot();
        if (!this.running) break;
        const t = performance.now();
        bitmaps.push(grabFrame(v, this.engine.transport));
        mainThreadMs = Math.max(mainThreadMs, performance.now() - t);
      }
      const frames: FrameIn[] = [];
      const byKey = new Map<number, HTMLVideoElement>();
      bitmaps.forEach((bitmap, i) => {
        if (!bitmap) return;
        const key = this.keyOf(videos[i]);
        byKey.set(key, videos[i]);
        this.seen.add(key);
        frames.push({ key, image: bitmap });
      });
      let engineMs = 0;
      if (frames.length) {
        const res = await this.engine.detect(frames, (f, ms) => {
          const video = byKey.get(f.key);
          this.frameMs = this.frameMs ? this.frameMs * 0.8 + ms * 0.2 : ms;
          if (!video || !this.running) return;
          this.overlay.show(f.key, video, f, mirrorOf(video));
          this.analysed.push(performance.now());
          this.analysedTotal++;
        });
        engineMs = res.engineMs;
      }
      if (!onlyNew) {
        this.lastSample = { lateness, mainThreadMs, engineMs };
        this.rate.record(this.lastSample);
      }
    } catch {
      // A failed round (engine restarting, a video gone mid-way) is simply retried next time.
    } finally {
      this.inFlight = false;
    }
    this.onStats();
    if (this.newcomer) return this.schedule(0, true);
    // After a newcomers-only round, the regular rhythm resumes.
    const elapsed = performance.now() - start;
    this.schedule(onlyNew ? this.rate.interval : Math.max(0, this.rate.interval - elapsed));
  }

  /** Videos worth analysing now; overlays of videos that left or went out of view are dropped. */
  private visibleVideos(): HTMLVideoElement[] {
    const out: HTMLVideoElement[] = [];
    const vw = innerWidth;
    const vh = innerHeight;
    for (const v of this.watcher.list()) {
      const r = v.getBoundingClientRect();
      const onScreen = r.width >= MIN_SIDE && r.height >= MIN_SIDE && r.right > 0 && r.bottom > 0 && r.left < vw && r.top < vh;
      // Sites keep spare videos playing under opacity: 0 or visibility: hidden.
      const shown = onScreen && (typeof v.checkVisibility !== 'function' || v.checkVisibility({ opacityProperty: true, visibilityProperty: true }));
      if (shown && isAnalysable(v)) out.push(v);
    }
    const keep = new Set(out.map((v) => this.keyOf(v)));
    const gone: number[] = [];
    for (const [key, v] of this.live) {
      if (keep.has(key)) continue;
      if (!v.isConnected) {
        gone.push(key);
        this.seen.delete(key);
      }
      this.overlay.remove(key);
      this.live.delete(key);
    }
    for (const v of out) this.live.set(this.keyOf(v), v);
    this.engine.forget(gone);
    return out;
  }

  private keyOf(v: HTMLVideoElement): number {
    let k = this.keys.get(v);
    if (k === undefined) {
      k = this.nextKey++;
      this.keys.set(v, k);
    }
    return k;
  }
}

const roundSample = (s: RoundSample): RoundSample => ({
  lateness: Math.round(s.lateness),
  mainThreadMs: Math.round(s.mainThreadMs * 10) / 10,
  engineMs: Math.round(s.engineMs),
});

/** The next idle moment of the page's main thread (or 100 ms, whichever comes first). */
function idleSlot(): Promise<void> {
  return new Promise((resolve) => requestIdleCallback(() => resolve(), { timeout: 100 }));
}
