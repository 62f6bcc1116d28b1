/**
 * `<emotion-detector>`: wraps a <video>, <img> or <canvas> (or opens the webcam), finds every
 * face and draws its expression over the rendered media, on device. A thin shell: properties,
 * render and the public API; the work is done by one controller per concern (engine.ts: the
 * engine's lifetime; analysis-loop.ts; camera.ts; visibility.ts; slotted-media.ts).
 */
import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { isEmotionDetectorError, type Backend, type DetectionResult, type EmotionDetector, type Face, type RuntimeOptions } from '@emotion-detector/core';
import { measure, type MediaLayout } from '@emotion-detector/core/layout';
import { installParsers, numberIn, oneOf, runtimeNumber, text, url, type ElementProperties } from './attributes.js';
import { AnalysisLoop } from './analysis-loop.js';
import { CameraController, CameraError, type FacingMode } from './camera.js';
import { EngineController, type EngineConfig } from './engine.js';
import { emotionEvent, toProgressDetail, type EmotionElementErrorCode } from './events.js';
import { placeFaces, renderOverlay, renderStatus, type OverlayMode } from './overlay.js';
import { ResultEvents } from './results.js';
import { SlottedMedia, hasFrame, type MediaElement } from './slotted-media.js';
import { styles } from './styles.js';
import { VisibilityController } from './visibility.js';

export type SourceMode = 'media' | 'camera';
export type LoadingMode = 'eager' | 'lazy';
/** `idle`: nothing loaded yet; `loading`: assets downloading; `ready`: loaded, not analysing; `running`: analysing; `error`. */
export type DetectorState = 'idle' | 'loading' | 'ready' | 'running' | 'error';

const CAMERA_CODES: readonly EmotionElementErrorCode[] = ['camera-permission-denied', 'camera-unavailable', 'camera-ended'];

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
 * @attr {number} max-faces - Most faces per frame, 1 to 64 (default 8).
 * @attr {number} fps - Analysis rate in frames per second, 0.1 to 60 (default 15).
 * @attr {"auto"|"webgpu"|"wasm"} backend - Where the expression model runs (default `auto`).
 * @attr {string} model-src - URL of an emotion model (.onnx with its .json card beside it).
 * @attr {string} assets-base - URL of the assets folder (models, WASM); default: `@emotion-detector/core`'s `dist/assets/` (the bundle: `../../core/dist/assets/` beside it).
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
 * @fires {CustomEvent<EmotionErrorDetail>} emotion-error - Loading, camera or analysis failed, or the camera ended by itself: `{ error, code, message }`.
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
  // field semantics) gives the same element. A property with `parse` passes every value, from its
  // attribute or from script, through that parser; it is reflected, and its default (the parser's
  // fallback) is not (installParsers below).
  static override properties: ElementProperties = {
    source: { parse: oneOf<SourceMode>(['media', 'camera'], 'media') },
    facingMode: { attribute: 'facing-mode', parse: oneOf<FacingMode>(['user', 'environment'], 'user') },
    deviceId: { attribute: 'device-id', parse: text },
    maxFaces: { attribute: 'max-faces', parse: runtimeNumber('maxFaces') },
    fps: { parse: numberIn({ min: 0.1, max: 60, fallback: 15 }) },
    backend: { parse: oneOf<Backend>(['auto', 'webgpu', 'wasm'], 'auto') },
    modelSrc: { attribute: 'model-src', parse: url },
    assetsBase: { attribute: 'assets-base', parse: url },
    smoothing: { parse: runtimeNumber('smoothing') },
    overlay: { parse: oneOf<OverlayMode>(['none', 'boxes', 'labels', 'bars'], 'labels') },
    loading: { parse: oneOf<LoadingMode>(['eager', 'lazy'], 'eager') },
    paused: { type: Boolean, reflect: true },
    flipAverage: { attribute: 'flip-average', type: Boolean, reflect: true },
    /** @internal */
    _result: { state: true, attribute: false },
    /** @internal */
    _error: { state: true, attribute: false },
    /** @internal */
    _announcement: { state: true, attribute: false },
  };

  static {
    installParsers(this);
  }

  /** `media` analyses the slotted media; `camera` opens the webcam. */
  declare source: SourceMode;
  /** Which camera with `source="camera"`; `user` is shown mirrored. */
  declare facingMode: FacingMode;
  /** A specific camera (from `enumerateDevices()`), overrides `facingMode`. */
  declare deviceId: string | null;
  /** Most faces per frame, 1 to 64. */
  declare maxFaces: number;
  /** Analysis rate in frames per second, 0.1 to 60. */
  declare fps: number;
  /** Where the expression model runs. */
  declare backend: Backend;
  /** URL of an emotion model (.onnx with its .json card beside it); null: the default model. */
  declare modelSrc: string | null;
  /** URL of the assets folder; null: `@emotion-detector/core`'s `dist/assets/`. */
  declare assetsBase: string | null;
  /** Half-life of the temporal smoothing in ms, 0 (off) to 10000. */
  declare smoothing: number;
  /** What to draw over each face. */
  declare overlay: OverlayMode;
  /** `lazy` downloads the models when the element first becomes visible. */
  declare loading: LoadingMode;
  /** Stops analysing; the camera stays on and the last overlay stays. */
  declare paused: boolean;
  /**
   * Classifies each face also as its mirror image and averages the two scores: about a point more
   * accuracy for twice the expression model's time.
   */
  declare flipAverage: boolean;

  declare private _result: DetectionResult | null;
  declare private _error: { code: EmotionElementErrorCode; message: string } | null;
  declare private _announcement: string;

  constructor() {
    super();
    this.paused = false;
    this.flipAverage = false;
    this._result = null;
    this._error = null;
    this._announcement = '';
  }

  /** stop() was called: nothing starts by itself until start(). */
  private _stopped = false;
  private readonly _results = new ResultEvents(this, (text) => (this._announcement = text));

  private readonly _visibility = new VisibilityController(this, () => {
    if (!this._visibility.pageShown) this._camera.stop();
    this._autoCamera();
    this._sync();
  });

  private readonly _engine = new EngineController(this, {
    config: () => this._engineConfig(),
    runtime: () => this._runtimeOptions(),
    wanted: () => this.loading === 'eager' || this._visibility.seen,
    onLoading: () => {
      if (this._error && !CAMERA_CODES.includes(this._error.code)) this._error = null;
      this._newScene();
      this._sync();
    },
    onProgress: (p) => {
      this.dispatchEvent(emotionEvent('emotion-progress', toProgressDetail(p)));
      this.requestUpdate();
    },
    onReady: (detector, loadTime) => {
      this.dispatchEvent(emotionEvent('emotion-ready', { backend: detector.backend, loadTime }));
      this._autoCamera();
      this._sync();
    },
    onError: (e) => this._report(e),
  });

  private readonly _media = new SlottedMedia(this, {
    onBound: () => this._newScene(),
    onFrame: (kind) => {
      if (kind === 'picture') this._newScene();
      else this._loop.again();
      this.requestUpdate();
    },
  });

  private readonly _camera = new CameraController(this, {
    video: () => {
      const video = this._currentMedia();
      return video instanceof HTMLVideoElement ? video : null;
    },
    constraints: () => ({ facingMode: this.facingMode, deviceId: this.deviceId }),
    onChange: (track) => {
      this._newScene();
      this.dispatchEvent(emotionEvent('emotion-camera', { active: track !== null, track }));
      this._sync();
    },
    onError: (e) => this._report(e),
  });

  private readonly _loop = new AnalysisLoop(this, {
    shouldRun: () => this._shouldRun(),
    fps: () => this.fps,
    media: () => this._currentMedia(),
    detector: () => this._engine.detector,
    onResult: (result, fps) => {
      this._result = result;
      this._results.report(result, fps, this._engine.detector!.backend);
    },
    onError: (e) => this._report(e),
  });

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
    return this._engine.detector !== null;
  }

  /** The engine instance once loaded (null before). */
  get detector(): EmotionDetector | null {
    return this._engine.detector;
  }

  /** The current state (also reflected as the `state` attribute). */
  get state(): DetectorState {
    if (this._error) return 'error';
    if (this._engine.loading) return 'loading';
    if (!this._engine.detector) return 'idle';
    return this._shouldRun() ? 'running' : 'ready';
  }

  /** The last error's message, or null. */
  get error(): { code: EmotionElementErrorCode; message: string } | null {
    return this._error;
  }

  // ---- public API ----

  /**
   * Loads the engine if needed, opens the camera with `source="camera"`, and analyses.
   * Rejects with the error that is also sent as `emotion-error`.
   */
  async start(): Promise<void> {
    this._stopped = false;
    this.paused = false;
    this._error = null;
    this._sync();
    await this._engine.ready();
    if (this.source === 'camera') await this._camera.open();
    this._sync();
  }

  /** Stops analysing and releases the camera (its light goes off). */
  stop(): void {
    this._stopped = true;
    this._camera.stop();
    this._sync();
  }

  /**
   * Analyses the current frame once, even when paused, and returns the result (also sent as
   * `emotion-faces`). Rejects with `code: 'no-media'` when there is no frame yet.
   */
  async detectOnce(): Promise<DetectionResult> {
    const detector = await this._engine.ready();
    const media = this._currentMedia();
    if (!media || !hasFrame(media)) {
      // A call made too early: the caller hears about it, the element's state is unaffected.
      throw Object.assign(new Error('No frame to analyse: the element wraps no loaded <video>, <img> or <canvas> yet.'), {
        code: 'no-media' as const,
      });
    }
    const result = await this._loop.analyse(detector, media);
    if (!result) throw new Error('The engine was replaced while analysing.');
    return result;
  }

  // ---- updates and rendering ----

  override disconnectedCallback(): void {
    super.disconnectedCallback(); // the controllers release the camera, the loop and (soon) the engine
    this._results.reset();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (!this.hasUpdated) return;
    if (changed.has('maxFaces') || changed.has('smoothing') || changed.has('flipAverage')) {
      this._engine.configure();
      this._loop.again(); // a still image is analysed again with the new options
    }
    if (changed.has('source')) {
      if (this._error && CAMERA_CODES.includes(this._error.code)) this._error = null;
      this._camera.stop();
      this._newScene();
      this._autoCamera();
    } else if ((changed.has('facingMode') || changed.has('deviceId')) && this._camera.active) {
      this._camera.stop();
      void this._camera.open().catch(() => undefined);
    }
  }

  protected override updated(): void {
    this._reflectState();
  }

  protected override render() {
    const ownCamera = this.source === 'camera' && !(this._media.media instanceof HTMLVideoElement);
    const media = this._currentMedia();
    const frame = this.renderRoot.querySelector<HTMLElement>('.frame');
    const layout: MediaLayout | null = media && frame ? measure(media, { relativeTo: frame }) : null;
    const result = this._result;
    const placed = layout && result ? placeFaces(result.faces, layout, result) : [];
    return html`<div class="frame" part="frame">
      <slot @slotchange=${this._media.onSlotChange}></slot>
      ${ownCamera ? html`<video class="camera" part="video" muted playsinline autoplay aria-label="Camera preview"></video>` : nothing}
      ${renderOverlay(this.overlay, layout, placed)}
      ${renderStatus(this.state, this._engine.progress, this._error?.message)}
      <div class="sr-only" role="status" aria-live="polite" aria-atomic="true">${this._announcement}</div>
    </div>`;
  }

  // ---- glue between the controllers ----

  private _runtimeOptions(): RuntimeOptions {
    return { maxFaces: this.maxFaces, smoothing: this.smoothing, flipAverage: this.flipAverage };
  }

  private _engineConfig(): EngineConfig {
    const config: EngineConfig = { backend: this.backend };
    if (this.assetsBase) config.assetsBase = new URL(this.assetsBase, document.baseURI).href;
    if (this.modelSrc) config.model = new URL(this.modelSrc, document.baseURI).href;
    return config;
  }

  private _shouldRun(): boolean {
    return this._engine.detector !== null && !this.paused && !this._stopped && !this._error && this._visibility.visible && this.isConnected;
  }

  /** Something the state depends on changed: re-render, reflect `state` now, start or stop the loop. */
  private _sync(): void {
    this._reflectState();
    this._loop.sync();
    this.requestUpdate();
  }

  private _reflectState(): void {
    if (this.getAttribute('state') !== this.state) this.setAttribute('state', this.state);
  }

  /** Opens the camera when allowed without a start() call: camera source, visible, not stopped. */
  private _autoCamera(): void {
    if (this.source === 'camera' && !this._stopped && this._visibility.visible && this.isConnected) this._camera.auto();
  }

  private _currentMedia(): MediaElement | null {
    const slotted = this._media.media;
    if (this.source === 'camera' && !(slotted instanceof HTMLVideoElement)) return this.renderRoot?.querySelector('video.camera') ?? null;
    return slotted;
  }

  /** Different pictures from now on: forget the faces (ids, smoothing, overlay). */
  private _newScene(): void {
    this._result = null;
    this._results.newScene();
    this._loop.newScene();
  }

  private _report(e: unknown): void {
    const code: EmotionElementErrorCode = isEmotionDetectorError(e) ? e.code : e instanceof CameraError ? e.code : 'runtime-error';
    const message = e instanceof Error ? e.message : String(e);
    this._error = { code, message };
    this._sync();
    this.dispatchEvent(emotionEvent('emotion-error', { error: e, code, message }));
  }
}
