/**
 * `<emotion-detector>`: wraps a <video>, <img> or <canvas> (or opens the webcam), finds every
 * face and draws its expression over the rendered media, on device.
 */
import { LitElement, html, nothing, type PropertyValues } from 'lit';
import {
  EmotionDetector,
  isEmotionDetectorError,
  type Backend,
  type DetectionResult,
  type Emotion,
  type EmotionDetectorOptions,
  type Face,
} from '@emotion-detector/core';
import { parseEnum, parseNumber, parseUrl } from './attributes.js';
import { Announcer, summarize } from './announcer.js';
import { Camera, CameraError, type FacingMode } from './camera.js';
import { emotionEvent, toProgressDetail, type EmotionElementErrorCode } from './events.js';
import { findMedia, hasFrame, measureMedia, type MediaElement, type MediaLayout } from './media.js';
import { placeFaces, renderOverlay, type OverlayMode } from './overlay.js';
import { styles } from './styles.js';

export type SourceMode = 'media' | 'camera';
export type LoadingMode = 'eager' | 'lazy';
/** `idle`: nothing loaded yet; `loading`: assets downloading; `ready`: loaded, not analysing; `running`: analysing; `error`. */
export type DetectorState = 'idle' | 'loading' | 'ready' | 'running' | 'error';

const OVERLAYS: readonly OverlayMode[] = ['none', 'boxes', 'labels', 'bars'];
const BACKENDS: readonly Backend[] = ['auto', 'webgpu', 'wasm'];
const SOURCES: readonly SourceMode[] = ['media', 'camera'];
const LOADINGS: readonly LoadingMode[] = ['eager', 'lazy'];
const FACING: readonly FacingMode[] = ['user', 'environment'];
/** Attributes pass through as strings; the setters validate them. */
const raw = { fromAttribute: (v: string | null) => v };
/** Options that need a new engine instance when they change. */
const ENGINE_OPTIONS = ['backend', 'modelSrc', 'assetsBase', 'maxFaces', 'smoothing', 'flipAverage'] as const;

/**
 * Finds every face in the media it wraps (or in the webcam with `source="camera"`) and shows
 * the expression of each one over the rendered media.
 *
 * @summary On-device facial emotion recognition for a video, image, canvas or the webcam.
 *
 * @slot - The `<video>`, `<img>` or `<canvas>` to analyse.
 *
 * @attr {"media"|"camera"} source - `media` (default) analyses the slotted media; `camera` opens the webcam.
 * @attr {"user"|"environment"} facing-mode - Which camera with `source="camera"` (default `user`, shown mirrored).
 * @attr {string} device-id - A specific camera (from `enumerateDevices()`), overrides `facing-mode`.
 * @attr {number} max-faces - Most faces per frame, 1 to 32 (default 8).
 * @attr {number} fps - Analysis rate in frames per second, 0.1 to 60 (default 15).
 * @attr {"auto"|"webgpu"|"wasm"} backend - Where the expression model runs (default `auto`).
 * @attr {string} model-src - URL of an emotion model (.onnx with its .json card beside it).
 * @attr {string} assets-base - URL of the assets folder (models, WASM); default: `assets/` next to the script.
 * @attr {number} smoothing - Half-life of the temporal smoothing in ms, 0 to 10000 (default 300; 0 = off).
 * @attr {"none"|"boxes"|"labels"|"bars"} overlay - What to draw over each face (default `labels`).
 * @attr {boolean} flip-average - Also classifies each face's mirror image and averages the two: about a point more accuracy for twice the expression model's time.
 * @attr {boolean} paused - Stops analysing (the camera stays on, the last overlay stays).
 * @attr {"eager"|"lazy"} loading - `lazy` downloads the models when the element first becomes visible.
 * @attr {"idle"|"loading"|"ready"|"running"|"error"} state - Read-only: the current state, for styling.
 *
 * @fires {CustomEvent<EmotionProgressDetail>} emotion-progress - While the models download: `{ asset, loaded, total, fraction }`.
 * @fires {CustomEvent<EmotionReadyDetail>} emotion-ready - The engine is loaded: `{ backend, loadTime }`.
 * @fires {CustomEvent<EmotionFacesDetail>} emotion-faces - Every analysed frame: `{ faces, timings, width, height, timestamp, fps, backend }`.
 * @fires {CustomEvent<EmotionChangeDetail>} emotion-change - A face's dominant emotion changed (or a face appeared): `{ id, from, to, face }`.
 * @fires {CustomEvent<EmotionErrorDetail>} emotion-error - Loading, camera or analysis failed: `{ error, code, message }`.
 * @fires {CustomEvent<EmotionCameraDetail>} emotion-camera - The webcam started or stopped: `{ active, track }`.
 *
 * @csspart frame - The wrapper around the media and the overlay.
 * @csspart video - The element's own camera <video> (with `source="camera"` and no slotted video).
 * @csspart overlay - The layer over the rendered media (aria-hidden).
 * @csspart face - One face's group, positioned over the face (`data-emotion` is the dominant emotion).
 * @csspart box - The face's outline.
 * @csspart label - The dominant emotion and its probability.
 * @csspart bars - The seven probability bars (`overlay="bars"`).
 * @csspart bar - One bar; also `bar-<emotion>`, e.g. `bar-happy`.
 * @csspart status - The loading and error message.
 * @csspart progress - The loading progress bar.
 *
 * @cssprop --emotion-detector-box-color - Outline and label colour (default: the dominant emotion's colour).
 * @cssprop --emotion-detector-box-width - Outline width (default 2px).
 * @cssprop --emotion-detector-box-radius - Outline corner radius (default 6px).
 * @cssprop --emotion-detector-label-color - Label text colour (default #111).
 * @cssprop --emotion-detector-bars-background - Background of the bars panel.
 * @cssprop --emotion-detector-bars-color - Text colour of the bars panel.
 * @cssprop --emotion-detector-font-family - Overlay font.
 * @cssprop --emotion-detector-font-size - Label font size (default 12px).
 * @cssprop --emotion-detector-transition - Box movement transition (default 80ms linear).
 * @cssprop --emotion-detector-accent - Progress bar colour.
 * @cssprop --emotion-detector-error-background - Error message background.
 * @cssprop --emotion-color-angry - Colour for angry.
 * @cssprop --emotion-color-disgust - Colour for disgust.
 * @cssprop --emotion-color-fear - Colour for fear.
 * @cssprop --emotion-color-happy - Colour for happy.
 * @cssprop --emotion-color-sad - Colour for sad.
 * @cssprop --emotion-color-surprise - Colour for surprise.
 * @cssprop --emotion-color-neutral - Colour for neutral.
 */
export class EmotionDetectorElement extends LitElement {
  static override styles = styles;

  // Declared without decorators so any compiler (legacy or standard decorators, either class
  // field semantics) gives the same element; the setters below validate every value. `useDefault`:
  // defaults are not reflected (no attributes sprout), and removing an attribute restores them.
  static override properties = {
    source: { reflect: true, useDefault: true, converter: raw },
    facingMode: { attribute: 'facing-mode', reflect: true, useDefault: true, converter: raw },
    deviceId: { attribute: 'device-id', reflect: true, useDefault: true, converter: raw },
    maxFaces: { attribute: 'max-faces', reflect: true, useDefault: true, converter: raw },
    fps: { reflect: true, useDefault: true, converter: raw },
    backend: { reflect: true, useDefault: true, converter: raw },
    modelSrc: { attribute: 'model-src', reflect: true, useDefault: true, converter: raw },
    assetsBase: { attribute: 'assets-base', reflect: true, useDefault: true, converter: raw },
    smoothing: { reflect: true, useDefault: true, converter: raw },
    overlay: { reflect: true, useDefault: true, converter: raw },
    loading: { reflect: true, useDefault: true, converter: raw },
    paused: { type: Boolean, reflect: true },
    flipAverage: { attribute: 'flip-average', type: Boolean, reflect: true },
    /** @internal */
    _state: { state: true, attribute: false },
    /** @internal */
    _result: { state: true, attribute: false },
    /** @internal */
    _progress: { state: true, attribute: false },
    /** @internal */
    _error: { state: true, attribute: false },
    /** @internal */
    _announcement: { state: true, attribute: false },
    /** @internal */
    _media: { state: true, attribute: false },
  };

  constructor() {
    super();
    this.paused = false;
    this.flipAverage = false;
    this._state = 'idle';
    this._result = null;
    this._progress = 0;
    this._error = null;
    this._announcement = '';
    this._media = null;
  }


  // ---- attributes / properties (validated in the setters) ----

  private _source: SourceMode = 'media';
  /** `media` analyses the slotted media; `camera` opens the webcam. */
  get source(): SourceMode {
    return this._source;
  }
  set source(v: SourceMode) {
    this._source = parseEnum('source', v, SOURCES, 'media');
  }

  private _facingMode: FacingMode = 'user';
  get facingMode(): FacingMode {
    return this._facingMode;
  }
  set facingMode(v: FacingMode) {
    this._facingMode = parseEnum('facing-mode', v, FACING, 'user');
  }

  private _deviceId: string | null = null;
  get deviceId(): string | null {
    return this._deviceId;
  }
  set deviceId(v: string | null) {
    this._deviceId = typeof v === 'string' && v.trim() ? v.trim() : null;
  }

  private _maxFaces = 8;
  get maxFaces(): number {
    return this._maxFaces;
  }
  set maxFaces(v: number) {
    this._maxFaces = parseNumber('max-faces', v, { min: 1, max: 32, integer: true, fallback: 8 });
  }

  private _fps = 15;
  get fps(): number {
    return this._fps;
  }
  set fps(v: number) {
    this._fps = parseNumber('fps', v, { min: 0.1, max: 60, fallback: 15 });
  }

  private _backend: Backend = 'auto';
  get backend(): Backend {
    return this._backend;
  }
  set backend(v: Backend) {
    this._backend = parseEnum('backend', v, BACKENDS, 'auto');
  }

  private _modelSrc: string | null = null;
  get modelSrc(): string | null {
    return this._modelSrc;
  }
  set modelSrc(v: string | null) {
    this._modelSrc = parseUrl('model-src', v);
  }

  private _assetsBase: string | null = null;
  get assetsBase(): string | null {
    return this._assetsBase;
  }
  set assetsBase(v: string | null) {
    this._assetsBase = parseUrl('assets-base', v);
  }

  private _smoothing = 300;
  get smoothing(): number {
    return this._smoothing;
  }
  set smoothing(v: number) {
    this._smoothing = parseNumber('smoothing', v, { min: 0, max: 10_000, fallback: 300 });
  }

  private _overlay: OverlayMode = 'labels';
  get overlay(): OverlayMode {
    return this._overlay;
  }
  set overlay(v: OverlayMode) {
    this._overlay = parseEnum('overlay', v, OVERLAYS, 'labels');
  }

  private _loading: LoadingMode = 'eager';
  get loading(): LoadingMode {
    return this._loading;
  }
  set loading(v: LoadingMode) {
    this._loading = parseEnum('loading', v, LOADINGS, 'eager');
  }

  /** Stops analysing; the camera stays on and the last overlay stays. */
  declare paused: boolean;

  /**
   * Classifies each face also as its mirror image and averages the two scores: about a point more
   * accuracy on FER2013 PublicTest for twice the expression model's time. Changing it reloads the engine.
   */
  declare flipAverage: boolean;

  // ---- read-only state ----

  /** The latest analysed faces (empty before the first result). */
  get faces(): readonly Face[] {
    return this._result?.faces ?? [];
  }

  /** The latest full result, or null. */
  get result(): DetectionResult | null {
    return this._result;
  }

  /** True once the engine is loaded. */
  get ready(): boolean {
    return this._detector !== null;
  }

  /** The engine instance once loaded (null before). */
  get detector(): EmotionDetector | null {
    return this._detector;
  }

  /** The current state (also reflected as the `state` attribute). */
  get state(): DetectorState {
    return this._state;
  }

  /** The last error's message, or null. */
  get error(): { code: EmotionElementErrorCode; message: string } | null {
    return this._error;
  }

  // Reactive internal state (declared, not initialised as fields: see the constructor).
  declare private _state: DetectorState;
  declare private _result: DetectionResult | null;
  declare private _progress: number;
  declare private _error: { code: EmotionElementErrorCode; message: string } | null;
  declare private _announcement: string;
  declare private _media: MediaElement | null;

  private get _frame(): HTMLDivElement | null {
    return this.renderRoot?.querySelector('.frame') ?? null;
  }
  private get _cameraVideo(): HTMLVideoElement | null {
    return this.renderRoot?.querySelector('video.camera') ?? null;
  }

  private _detector: EmotionDetector | null = null;
  private _loadPromise: Promise<EmotionDetector> | null = null;
  private _loadAbort: AbortController | null = null;
  /** Bumps when the engine is replaced, so late results from the old one are dropped. */
  private _generation = 0;
  private readonly _camera = new Camera();
  private _cameraStarting: Promise<void> | null = null;
  /** stop() was called: do not restart on visibility until start(). */
  private _stopped = false;
  private _visible = false;
  private _seen = false;
  private _raf = 0;
  private _inFlight = false;
  private _lastRun = -Infinity;
  private _lastVideoTime = -1;
  private _runTimes: number[] = [];
  private _dominant = new Map<number, Emotion>();
  /**
   * Added to timestamps; jumps when the media changes so the engine's tracker starts fresh
   * (a new photo must not inherit the previous photo's faces or smoothing).
   */
  private _clockOffset = 0;
  private readonly _announcer = new Announcer((text) => (this._announcement = text));
  private _intersection: IntersectionObserver | null = null;
  private _resize: ResizeObserver | null = null;
  private _listening: MediaElement | null = null;
  private _disposeTimer: ReturnType<typeof setTimeout> | undefined;

  // ---- lifecycle ----

  override connectedCallback(): void {
    super.connectedCallback();
    clearTimeout(this._disposeTimer);
    document.addEventListener('visibilitychange', this._onVisibility);
    this._resize = new ResizeObserver(() => this.requestUpdate());
    this._resize.observe(this);
    this._intersection = new IntersectionObserver((entries) => {
      const entry = entries[entries.length - 1];
      if (entry) this._setVisible(entry.isIntersecting);
    });
    this._intersection.observe(this);
    // Reinserted after the engine was released: updated() loads it again.
    if (this.hasUpdated && !this._loadPromise) this.requestUpdate();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    document.removeEventListener('visibilitychange', this._onVisibility);
    this._intersection?.disconnect();
    this._resize?.disconnect();
    this._intersection = this._resize = null;
    this._visible = false;
    this._stopLoop();
    this._stopCamera();
    this._announcer.reset();
    // A move within the document reconnects at once: keep the engine for that case.
    this._disposeTimer = setTimeout(() => {
      if (!this.isConnected) this._unload();
    }, 0);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    // A new engine option reloads a loaded (or failed) engine; a fix of model-src retries.
    if (this.hasUpdated && ENGINE_OPTIONS.some((k) => changed.has(k)) && (this._loadPromise || this._state === 'error')) this._reload();
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (this.getAttribute('state') !== this._state) this.setAttribute('state', this._state);
    if (changed.has('source') && this.hasUpdated) this._onSourceChanged();
    if (changed.has('facingMode') || changed.has('deviceId')) {
      if (this._camera.active) {
        this._stopCamera();
        void this._maybeStartCamera();
      }
    }
    if (changed.has('paused') || changed.has('fps')) this._schedule();
    if (!this._loadPromise && this._state !== 'error' && (this.loading === 'eager' || this._seen)) void this._load().catch(() => {});
  }

  protected override firstUpdated(): void {
    this._bindMedia();
  }

  // ---- public API ----

  /**
   * Loads the engine if needed, opens the camera with `source="camera"`, and analyses.
   * Rejects with the error that is also sent as `emotion-error`.
   */
  async start(): Promise<void> {
    this._stopped = false;
    this.paused = false;
    this._clearError();
    await this._load();
    if (this.source === 'camera') await this._startCamera();
    this._schedule();
  }

  /** Stops analysing and releases the camera (its light goes off). */
  stop(): void {
    this._stopped = true;
    this._stopLoop();
    this._stopCamera();
    this._setState(this._detector ? 'ready' : this._state);
  }

  /**
   * Analyses the current frame once, even when paused, and returns the result (also sent as
   * `emotion-faces`). Rejects with `code: 'no-media'` when there is no frame yet.
   */
  async detectOnce(): Promise<DetectionResult> {
    const detector = await this._load();
    const media = this._currentMedia();
    if (!media || !hasFrame(media)) {
      // A call made too early: the caller hears about it, the element's state is unaffected.
      throw Object.assign(new Error('No frame to analyse: the element wraps no loaded <video>, <img> or <canvas> yet.'), {
        code: 'no-media' as const,
      });
    }
    const result = await this._analyse(detector, media);
    if (!result) throw new Error('The engine was replaced while analysing.');
    return result;
  }

  // ---- rendering ----

  protected override render() {
    const ownCamera = this.source === 'camera' && !(this._media instanceof HTMLVideoElement);
    const media = this._currentMedia();
    const layout: MediaLayout | null = media && this._frame ? measureMedia(media, this._frame) : null;
    const result = this._result;
    const placed = layout && result ? placeFaces(result.faces, layout, result) : [];
    return html`<div class="frame" part="frame">
      <slot @slotchange=${this._bindMedia}></slot>
      ${ownCamera ? html`<video class="camera" part="video" muted playsinline autoplay aria-label="Camera preview"></video>` : nothing}
      ${renderOverlay(this.overlay, layout, placed)}
      ${this._renderStatus()}
      <div class="sr-only" role="status" aria-live="polite" aria-atomic="true">${this._announcement}</div>
    </div>`;
  }

  private _renderStatus() {
    if (this._state === 'loading') {
      const p = Math.round(this._progress * 100);
      return html`<div class="status loading" part="status">
        <span>Loading emotion model… ${p}%</span>
        <progress part="progress" max="100" .value=${p} aria-label="Loading emotion model"></progress>
      </div>`;
    }
    if (this._state === 'error' && this._error) {
      return html`<div class="status error" part="status" role="alert">${this._error.message}</div>`;
    }
    return nothing;
  }

  // ---- engine ----

  private _engineOptions(signal: AbortSignal): EmotionDetectorOptions {
    const o: EmotionDetectorOptions = {
      backend: this.backend,
      maxFaces: this.maxFaces,
      smoothing: this.smoothing,
      flipAverage: this.flipAverage,
      signal,
      onProgress: (p) => {
        this._progress = p.fraction;
        this.dispatchEvent(emotionEvent('emotion-progress', toProgressDetail(p)));
      },
    };
    if (this.assetsBase) o.assetsBase = new URL(this.assetsBase, document.baseURI).href;
    if (this.modelSrc) o.model = new URL(this.modelSrc, document.baseURI).href;
    return o;
  }

  /** Loads the engine once; concurrent callers share the promise. */
  private _load(): Promise<EmotionDetector> {
    if (this._loadPromise) return this._loadPromise;
    const abort = new AbortController();
    const generation = ++this._generation;
    const started = performance.now();
    this._loadAbort = abort;
    this._error = null;
    this._progress = 0;
    this._setState('loading');
    const promise = EmotionDetector.create(this._engineOptions(abort.signal)).then(
      (detector) => {
        if (generation !== this._generation) {
          detector.dispose();
          throw new DOMException('Replaced by a newer load.', 'AbortError');
        }
        this._detector = detector;
        this._setState('ready');
        this.dispatchEvent(emotionEvent('emotion-ready', { backend: detector.backend, loadTime: performance.now() - started }));
        void this._maybeStartCamera();
        this._schedule();
        return detector;
      },
      (e: unknown) => {
        if (generation === this._generation) {
          // Let start() or a corrected attribute try again.
          this._loadPromise = null;
          if (!abort.signal.aborted) this._report(e);
        }
        throw e;
      },
    );
    this._loadPromise = promise;
    return promise;
  }

  /** An engine option changed: drop the engine and load again. */
  private _reload(): void {
    this._unload();
    this._clearError();
    this._newScene();
    // A still image or a paused video is analysed again by the new engine.
    this._lastVideoTime = -1;
    void this._load().catch(() => {});
  }

  private _unload(): void {
    this._generation++;
    this._loadAbort?.abort();
    this._loadAbort = null;
    this._loadPromise = null;
    this._detector?.dispose();
    this._detector = null;
    this._stopLoop();
    if (this._state !== 'error') this._setState('idle');
  }

  // ---- analysis loop ----

  private _shouldRun(): boolean {
    return (
      this._detector !== null &&
      !this.paused &&
      !this._stopped &&
      this._visible &&
      this._state !== 'error' &&
      document.visibilityState !== 'hidden' &&
      this.isConnected
    );
  }

  /** Starts or stops the loop to match the current conditions. */
  private _schedule(): void {
    if (!this._shouldRun()) {
      this._stopLoop();
      if (this._detector && this._state === 'running') this._setState('ready');
      return;
    }
    if (this._state === 'ready') this._setState('running');
    if (!this._raf) this._raf = requestAnimationFrame(this._tick);
  }

  private _stopLoop(): void {
    if (this._raf) cancelAnimationFrame(this._raf);
    this._raf = 0;
  }

  private _tick = (now: number): void => {
    this._raf = requestAnimationFrame(this._tick);
    const detector = this._detector;
    const media = this._currentMedia();
    if (!detector || !media || this._inFlight || !hasFrame(media)) return;
    if (now - this._lastRun < 1000 / this.fps - 2) return;
    // A still image, or a paused video, has nothing new to analyse once done.
    if (media instanceof HTMLImageElement && this._lastVideoTime === 0) return;
    if (media instanceof HTMLVideoElement && (media.paused || media.ended) && media.currentTime === this._lastVideoTime) return;
    this._lastRun = now;
    this._lastVideoTime = media instanceof HTMLVideoElement ? media.currentTime : media instanceof HTMLImageElement ? 0 : -1;
    void this._analyse(detector, media).catch(() => {});
  };

  private async _analyse(detector: EmotionDetector, media: MediaElement): Promise<DetectionResult | null> {
    const generation = this._generation;
    this._inFlight = true;
    try {
      const offset = this._clockOffset;
      // A <video> or a canvas redrawn every frame is a video (tracked, smoothed); an <img> a still.
      const raw = await detector.detect(media, performance.now() + offset, { video: !(media instanceof HTMLImageElement) });
      if (generation !== this._generation || detector !== this._detector) return null;
      // Report page time (performance.now()), not the engine's shifted clock.
      const result = { ...raw, timestamp: raw.timestamp - offset };
      this._apply(result);
      return result;
    } catch (e) {
      if (generation === this._generation) {
        this._report(e);
        this._stopLoop();
      }
      throw e;
    } finally {
      this._inFlight = false;
    }
  }

  private _apply(result: DetectionResult): void {
    const now = performance.now();
    this._runTimes.push(now);
    while (this._runTimes.length > 2 && now - this._runTimes[0]! > 1000) this._runTimes.shift();
    const span = now - this._runTimes[0]!;
    const fps = this._runTimes.length > 1 && span > 0 ? ((this._runTimes.length - 1) * 1000) / span : 0;
    this._result = result;
    this.dispatchEvent(emotionEvent('emotion-faces', { ...result, fps, backend: this._detector!.backend }));
    const seen = new Set<number>();
    for (const face of result.faces) {
      seen.add(face.id);
      const from = this._dominant.get(face.id) ?? null;
      if (from !== face.dominant) {
        this._dominant.set(face.id, face.dominant);
        this.dispatchEvent(emotionEvent('emotion-change', { id: face.id, from, to: face.dominant, face }));
      }
    }
    for (const id of this._dominant.keys()) if (!seen.has(id)) this._dominant.delete(id);
    this._announcer.offer(summarize(result.faces));
  }

  // ---- media and camera ----

  /** Different pictures from now on: forget the faces (ids, smoothing, overlay). */
  private _newScene(): void {
    this._result = null;
    this._dominant.clear();
    this._clockOffset += 3_600_000;
  }

  private _currentMedia(): MediaElement | null {
    if (this.source === 'camera' && !(this._media instanceof HTMLVideoElement)) return this._cameraVideo;
    return this._media;
  }

  private _bindMedia = (): void => {
    const slot = this.renderRoot.querySelector('slot');
    const media = slot ? findMedia(slot.assignedElements({ flatten: true })) : null;
    if (media === this._listening) return;
    if (this._listening) {
      for (const type of ['load', 'loadeddata', 'resize']) this._listening.removeEventListener(type, this._onMediaFrame);
      this._resize?.unobserve(this._listening);
    }
    this._listening = media;
    this._media = media;
    this._newScene();
    this._lastVideoTime = -1;
    if (media) {
      for (const type of ['load', 'loadeddata', 'resize']) media.addEventListener(type, this._onMediaFrame);
      this._resize?.observe(media);
    }
    this._schedule();
  };

  /** A new image loaded or the video size changed: analyse again and re-place the overlay. */
  private _onMediaFrame = (e: Event): void => {
    this._lastVideoTime = -1;
    if (e.type !== 'resize') this._newScene();
    this.requestUpdate();
    this._schedule();
  };

  private _onSourceChanged(): void {
    this._stopCamera();
    this._newScene();
    void this._maybeStartCamera();
    this._schedule();
  }

  /** Opens the camera when allowed without a start() call: visible, not stopped, page shown. */
  private async _maybeStartCamera(): Promise<void> {
    if (this.source !== 'camera' || this._stopped || !this._visible || document.visibilityState === 'hidden') return;
    await this._startCamera().catch(() => {});
  }

  private _startCamera(): Promise<void> {
    if (this._camera.active) return Promise.resolve();
    this._cameraStarting ??= (async () => {
      await this.updateComplete;
      const video = this._currentMedia();
      if (!(video instanceof HTMLVideoElement)) throw new Error('No <video> to show the camera in.');
      try {
        await this._camera.open(video, { facingMode: this.facingMode, deviceId: this.deviceId });
      } catch (e) {
        if ((e as DOMException)?.name !== 'AbortError') this._report(e);
        throw e;
      }
      const track = this._camera.track;
      track?.addEventListener('ended', () => this._stopCamera(), { once: true });
      this.dispatchEvent(emotionEvent('emotion-camera', { active: true, track }));
      this._schedule();
    })().finally(() => (this._cameraStarting = null));
    return this._cameraStarting;
  }

  private _stopCamera(): void {
    const wasActive = this._camera.active;
    const video = this._currentMedia();
    this._camera.stop(video instanceof HTMLVideoElement ? video : null);
    if (wasActive) {
      this._newScene();
      this.dispatchEvent(emotionEvent('emotion-camera', { active: false, track: null }));
    }
  }

  private _setVisible(visible: boolean): void {
    this._visible = visible;
    if (visible && !this._seen) {
      this._seen = true;
      this.requestUpdate(); // lazy loading starts in updated()
    }
    if (visible) void this._maybeStartCamera();
    this._schedule();
  }

  private _onVisibility = (): void => {
    if (document.visibilityState === 'hidden') {
      this._stopCamera();
      this._stopLoop();
    } else {
      void this._maybeStartCamera();
      this._schedule();
    }
  };

  // ---- state and errors ----

  private _setState(s: DetectorState): void {
    this._state = s;
  }

  private _clearError(): void {
    if (this._state !== 'error') return;
    this._error = null;
    this._setState(this._detector ? 'ready' : 'idle');
  }

  private _report(e: unknown): void {
    const resolved: EmotionElementErrorCode = isEmotionDetectorError(e) ? e.code : e instanceof CameraError ? e.code : 'runtime-error';
    const message = e instanceof Error ? e.message : String(e);
    this._error = { code: resolved, message };
    this._setState('error');
    this._stopLoop();
    this.dispatchEvent(emotionEvent('emotion-error', { error: e, code: resolved, message }));
  }
}
