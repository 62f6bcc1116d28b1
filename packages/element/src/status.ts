/**
 * The element's status: its last error (loading, camera or analysis), told once as
 * `emotion-error`, and the `state` that follows from it and the engine, reflected as the `state`
 * attribute after every update and whenever the host calls `reflect()`.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { isEmotionDetectorError } from '@emotion-detector/core';
import { CameraError } from './camera.js';
import { emotionEvent, type EmotionElementErrorCode } from './events.js';

/** `idle`: nothing loaded yet; `loading`: assets downloading; `ready`: loaded, not analysing; `running`: analysing; `error`. */
export type DetectorState = 'idle' | 'loading' | 'ready' | 'running' | 'error';

export interface ElementError {
  code: EmotionElementErrorCode;
  message: string;
}

const CAMERA_CODES: readonly EmotionElementErrorCode[] = ['camera-permission-denied', 'camera-unavailable', 'camera-ended'];

export interface StatusOptions {
  /** The engine is loading. */
  loading(): boolean;
  /** The engine is loaded. */
  loaded(): boolean;
  /** Loaded, and the element would analyse now (not paused, stopped, hidden or failed). */
  analysing(): boolean;
  /** An error was reported (after `error` is set, before `emotion-error` is sent). */
  onError(): void;
}

export class StatusController implements ReactiveController {
  /** The last error, until cleared. */
  error: ElementError | null = null;

  constructor(
    private readonly host: ReactiveControllerHost & HTMLElement,
    private readonly options: StatusOptions,
  ) {
    host.addController(this);
  }

  get state(): DetectorState {
    if (this.error) return 'error';
    if (this.options.loading()) return 'loading';
    if (!this.options.loaded()) return 'idle';
    return this.options.analysing() ? 'running' : 'ready';
  }

  hostUpdated(): void {
    this.reflect();
  }

  /** Sets the `state` attribute now (a script reading it needs no wait for the next render). */
  reflect(): void {
    const state = this.state;
    if (this.host.getAttribute('state') !== state) this.host.setAttribute('state', state);
  }

  /** Records `e` as the error (its code: the engine's, the camera's, or 'runtime-error') and sends `emotion-error`. */
  report(e: unknown): void {
    const code: EmotionElementErrorCode = isEmotionDetectorError(e) ? e.code : e instanceof CameraError ? e.code : 'runtime-error';
    const message = e instanceof Error ? e.message : String(e);
    this.error = { code, message };
    this.options.onError();
    this.host.dispatchEvent(emotionEvent('emotion-error', { error: e, code, message }));
  }

  /** Clears the error: any, only the camera's (another source), or any but the camera's (a new load). */
  clear(which: 'any' | 'camera' | 'engine' = 'any'): void {
    if (!this.error) return;
    const camera = CAMERA_CODES.includes(this.error.code);
    if (which === 'any' || camera === (which === 'camera')) this.error = null;
  }
}
