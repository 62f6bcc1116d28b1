/**
 * `<emotion-detector>`, a thin shell: properties, render and the public API. One controller per
 * concern does the work (engine, analysis-loop, camera, visibility, slotted-media, results,
 * status); attributes.ts validates every attribute.
 */
import { LitElement, html, nothing, type PropertyValues } from 'lit';
import type { Backend, DetectionResult, EmotionDetector, Face, SmallFaces } from '@emotion-detector/core';
import { measure } from '@emotion-detector/core/layout';
import { installParsers, numberIn, oneOf, runtimeNumber, text, url, type ElementProperties } from './attributes.js';
import { AnalysisLoop } from './analysis-loop.js';
import { CameraController, type FacingMode } from './camera.js';
import { EngineController, engineConfig } from './engine.js';
import type { EmotionElementErrorCode } from './events.js';
import { placeFaces, renderOverlay, renderStatus, type OverlayMode } from './overlay.js';
import { ResultEvents } from './results.js';
import { SlottedMedia, type MediaElement } from './slotted-media.js';
import { StatusController, type DetectorState } from './status.js';
import { styles } from './styles.js';
import { VisibilityController } from './visibility.js';

export type SourceMode = 'media' | 'camera';
/** The engine's small-face search (`smallFaces`): `off` (false), `on` (true, the default) or `tiny`. */
export type SmallFacesMode = 'off' | 'on' | 'tiny';
const SMALL_FACES: Record<SmallFacesMode, SmallFaces> = { off: false, on: true, tiny: 'tiny' };
export type LoadingMode = 'eager' | 'lazy';

/**
 * Finds every face in the media it wraps (or in the webcam with `source="camera"`) and shows
 * the expression of each one over the rendered media.
 *
 * @summary On-device facial emotion recognition for a video, image, canvas or the webcam.
 *
 * @slot - The `<video>`, `<img>` or `<canvas>` to analyse.
 *
 * @attr {"idle"|"loading"|"ready"|"running"|"error"} state - Read-only: the current state, for styling.
 *
 * @fires {CustomEvent<EmotionProgressDetail>} emotion-progress - While the models download: `{ asset, loaded, total, fraction }`.
 * @fires {CustomEvent<EmotionReadyDetail>} emotion-ready - The engine is loaded: `{ backend, loadTime }`.
 * @fires {CustomEvent<EmotionFacesDetail>} emotion-faces - Every analysed frame: `{ faces, timings, work, width, height, timestamp, fps, backend }`.
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

  // No decorators: any compiler gives the same element. A property with `parse` passes every
  // value, from its attribute or script, through it (attributes.ts, installParsers below).
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
    smallFaces: { attribute: 'small-faces', parse: oneOf<SmallFacesMode>(['off', 'on', 'tiny'], 'on') },
  };

  static {
    installParsers(this);
  }

  /** `media` (default) analyses the slotted media; `camera` opens the webcam. */
  declare source: SourceMode;
  /** Which camera with `source="camera"` (default `user`, shown mirrored). */
  declare facingMode: FacingMode;
  /** A specific camera (from `enumerateDevices()`), overrides `facingMode`. */
  declare deviceId: string | null;
  /** Most faces per frame, 1 to 64 (default 8). */
  declare maxFaces: number;
  /** Analysis rate in frames per second, 0.1 to 60 (default 15). */
  declare fps: number;
  /** Where the expression model runs (default `auto`). */
  declare backend: Backend;
  /** URL of an emotion model (.onnx with its .json card beside it); null: the default model. */
  declare modelSrc: string | null;
  /** URL of the assets folder (models, WASM); null: `@emotion-detector/core`'s `dist/assets/` (the one-script bundle: `../../core/dist/assets/` beside it). */
  declare assetsBase: string | null;
  /** Half-life of the temporal smoothing in ms, 0 (off) to 10000 (default 300). */
  declare smoothing: number;
  /** What to draw over each face (default `labels`). */
  declare overlay: OverlayMode;
  /** `lazy` downloads the models when the element first becomes visible (default `eager`). */
  declare loading: LoadingMode;
  /** Stops analysing; the camera stays on and the last overlay stays. */
  declare paused: boolean;
  /**
   * Classifies each face of every frame, a video's too, also as its mirror image and averages the
   * two scores: about a point more accuracy for twice the expression model's time. Without it only
   * stills (an `<img>`) are mirror-averaged (the engine's default `flipAverage: 'stills'`).
   */
  declare flipAverage: boolean;
  /**
   * The search for small faces (`smallFaces` of the engine): `on` (default) finds faces down to about
   * an eighth of the frame's longer side, and down to a thirteenth where no bigger face shows; `tiny`
   * finds those beside bigger faces too, for about six times the detection work per still and one
   * more WebGL context; `off` searches the whole frame only (faces down to about a sixth).
   */
  declare smallFaces: SmallFacesMode;

  constructor() {
    super();
    this.paused = false;
    this.flipAverage = false;
  }

  /** stop() was called: nothing starts by itself until start(). */
  private _stopped = false;
  private readonly _results = new ResultEvents(this);

  private readonly _status = new StatusController(this, {
    loading: () => this._engine.loading,
    loaded: () => this._engine.detector !== null,
    analysing: () => this._shouldRun(),
    onError: () => this._sync(),
  });

  private readonly _visibility = new VisibilityController(this, () => {
    if (!this._visibility.pageShown) this._camera.stop();
    this._camera.auto();
    this._sync();
  });

  private readonly _engine = new EngineController(this, {
    config: () => engineConfig(this.backend, this.assetsBase, this.modelSrc),
    runtime: () => ({ maxFaces: this.maxFaces, smoothing: this.smoothing, flipAverage: this.flipAverage || 'stills', smallFaces: SMALL_FACES[this.smallFaces] }),
    wanted: () => this.loading === 'eager' || this._visibility.seen,
    onLoading: () => {
      this._status.clear('engine');
      this._newScene();
      this._sync();
    },
    onReady: () => {
      this._camera.auto();
      this._sync();
    },
    onError: (e) => this._status.report(e),
    onConfigured: () => this._loop.again(), // a still image is analysed again with the new options
  });

  private readonly _media = new SlottedMedia(this, {
    onBound: () => this._newScene(),
    onFrame: (kind) => (kind === 'picture' ? this._newScene() : this._loop.again()),
  });

  private readonly _camera = new CameraController(this, {
    media: () => this._currentMedia(),
    constraints: () => ({ facingMode: this.facingMode, deviceId: this.deviceId }),
    wanted: () => this.source === 'camera' && !this._stopped && this._visibility.visible && this.isConnected,
    onChange: () => {
      this._newScene();
      this._sync();
    },
    onError: (e) => this._status.report(e),
  });

  private readonly _loop = new AnalysisLoop(this, {
    shouldRun: () => this._shouldRun(),
    fps: () => this.fps,
    media: () => this._currentMedia(),
    detector: () => this._engine.detector,
    onResult: (result, fps) => this._results.report(result, fps, this._engine.detector!.backend),
    onError: (e) => this._status.report(e),
  });

  // ---- read-only state ----
  /** The latest analysed faces (empty before the first result). */
  get faces(): readonly Face[] {
    return this._results.result?.faces ?? [];
  }

  /** The latest full result, or null. */
  get result(): DetectionResult | null {
    return this._results.result;
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
    return this._status.state;
  }

  /** The last error's message, or null. */
  get error(): { code: EmotionElementErrorCode; message: string } | null {
    return this._status.error;
  }

  // ---- public API ----
  /**
   * Loads the engine if needed, opens the camera with `source="camera"`, and analyses.
   * Rejects with the error that is also sent as `emotion-error`.
   */
  async start(): Promise<void> {
    this._stopped = false;
    this.paused = false;
    this._status.clear();
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
    return this._loop.once(await this._engine.ready());
  }

  // ---- updates and rendering ----
  protected override willUpdate(changed: PropertyValues<this>): void {
    if (!this.hasUpdated) return;
    if (changed.has('source')) {
      this._status.clear('camera');
      this._camera.stop();
      this._newScene();
      this._camera.auto();
    } else if (changed.has('facingMode') || changed.has('deviceId')) {
      this._camera.reopen();
    }
  }

  protected override render() {
    const media = this._currentMedia();
    const frame = this.renderRoot.querySelector<HTMLElement>('.frame');
    const layout = media && frame ? measure(media, { relativeTo: frame }) : null;
    const result = this._results.result;
    const placed = layout && result ? placeFaces(result.faces, layout, result) : [];
    return html`<div class="frame" part="frame">
      <slot @slotchange=${this._media.onSlotChange}></slot>
      ${this._ownCamera() ? html`<video class="camera" part="video" muted playsinline autoplay aria-label="Camera preview"></video>` : nothing}
      ${renderOverlay(this.overlay, layout, placed)}
      ${renderStatus(this.state, this._engine.progress, this._status.error?.message)}
      <div class="sr-only" role="status" aria-live="polite" aria-atomic="true">${this._results.announcement}</div>
    </div>`;
  }

  // ---- glue between the controllers ----
  private _shouldRun(): boolean {
    return this._engine.detector !== null && !this.paused && !this._stopped && !this._status.error && this._visibility.visible && this.isConnected;
  }

  /** Something the state depends on changed: re-render, reflect `state` now, start or stop the loop. */
  private _sync(): void {
    this._status.reflect();
    this._loop.sync();
    this.requestUpdate();
  }

  /** With `source="camera"` and no slotted <video>, the element shows the camera in its own. */
  private _ownCamera(): boolean {
    return this.source === 'camera' && !(this._media.media instanceof HTMLVideoElement);
  }

  private _currentMedia(): MediaElement | null {
    return this._ownCamera() ? (this.renderRoot?.querySelector<HTMLVideoElement>('video.camera') ?? null) : this._media.media;
  }

  /** Different pictures from now on: forget the faces (ids, smoothing, overlay). */
  private _newScene(): void {
    this._results.newScene();
    this._loop.newScene();
  }
}
