/**
 * The webcam: `Camera` opens a stream into a <video> and releases every track when stopped (the
 * camera light goes off); `CameraController` decides when, for the element. Errors come back as
 * CameraError with a code the element reports as is.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { emotionEvent } from './events.js';

export type FacingMode = 'user' | 'environment';

/** `camera-ended`: the track ended on its own (camera unplugged, taken by the system or another app). */
export type CameraErrorCode = 'camera-permission-denied' | 'camera-unavailable' | 'camera-ended';

export class CameraError extends Error {
  override readonly name = 'CameraError';
  constructor(
    readonly code: CameraErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface CameraOptions {
  facingMode: FacingMode;
  deviceId: string | null;
}

export class Camera {
  private stream: MediaStream | null = null;
  /** Bumps on every open/stop, so a slow getUserMedia that resolves after stop() is discarded. */
  private generation = 0;

  get active(): boolean {
    return this.stream !== null;
  }

  get track(): MediaStreamTrack | null {
    return this.stream?.getVideoTracks()[0] ?? null;
  }

  async open(video: HTMLVideoElement, { facingMode, deviceId }: CameraOptions): Promise<MediaStream> {
    this.stop(video);
    const generation = ++this.generation;
    if (!navigator.mediaDevices?.getUserMedia) {
      throw new CameraError('camera-unavailable', 'Camera access needs a secure context (https or localhost) and a browser with getUserMedia.');
    }
    let stream: MediaStream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({
        audio: false,
        video: deviceId
          ? { deviceId: { exact: deviceId } }
          : { facingMode, width: { ideal: 1280 }, height: { ideal: 720 } },
      });
    } catch (e) {
      const name = (e as DOMException)?.name;
      if (name === 'NotAllowedError' || name === 'SecurityError') {
        throw new CameraError('camera-permission-denied', 'Camera permission was denied.', { cause: e });
      }
      throw new CameraError('camera-unavailable', `No camera could be opened (${name ?? 'error'}: ${(e as Error)?.message ?? e}).`, { cause: e });
    }
    if (generation !== this.generation) {
      // stop() ran while the permission prompt was open.
      for (const t of stream.getTracks()) t.stop();
      throw new DOMException('Camera start was cancelled.', 'AbortError');
    }
    this.stream = stream;
    video.muted = true;
    video.playsInline = true;
    video.srcObject = stream;
    await video.play().catch(() => {
      // Autoplay of a muted inline video is allowed; a rejection here (e.g. the element was
      // removed meanwhile) leaves the stream attached, and the next play() resumes it.
    });
    return stream;
  }

  stop(video?: HTMLVideoElement | null): void {
    this.generation++;
    if (this.stream) for (const t of this.stream.getTracks()) t.stop();
    if (video && video.srcObject === this.stream && this.stream) video.srcObject = null;
    this.stream = null;
  }
}

export interface CameraControllerOptions {
  /** The host's media now: the camera shows in it when it is a <video> (the host's own, or slotted). */
  media(): Element | null;
  constraints(): CameraOptions;
  /** Whether the camera may open without an explicit `open()` (auto()). */
  wanted(): boolean;
  /** The camera started (`track`) or stopped (null); `emotion-camera` follows. */
  onChange(track: MediaStreamTrack | null): void;
  /** Opening failed, or the open camera ended by itself. */
  onError(error: CameraError): void;
}

const aborted = () => new DOMException('Camera start was cancelled.', 'AbortError');

/**
 * When the camera opens and closes. Automatic opens (the element became visible, the page was
 * shown, the engine got ready), only while the host `wanted()` it, stop after a failure (denied,
 * no camera, unplugged) until `open()` is asked for explicitly (start()), so that scrolling or
 * switching tabs never asks again. Only a connected host opens it; disconnecting closes it. The
 * host hears of each start and stop through `emotion-camera`, sent from here.
 */
export class CameraController implements ReactiveController {
  private readonly camera = new Camera();
  private opening: Promise<void> | null = null;
  /** A failure holds automatic opens until the next explicit open(). */
  private held = false;
  /** Bumps on stop(), so an open still waiting for the render gives up. */
  private generation = 0;

  constructor(
    private readonly host: ReactiveControllerHost & HTMLElement,
    private readonly options: CameraControllerOptions,
  ) {
    host.addController(this);
  }

  get active(): boolean {
    return this.camera.active;
  }

  get track(): MediaStreamTrack | null {
    return this.camera.track;
  }

  hostDisconnected(): void {
    this.stop();
  }

  /** Opens the camera if the host wants it and no failure holds automatic opens. */
  auto(): void {
    if (!this.held && this.options.wanted()) void this.open(false).catch(() => undefined);
  }

  /** Opens an open camera again, with the current constraints (another camera asked for). */
  reopen(): void {
    if (!this.camera.active) return;
    this.stop();
    void this.open().catch(() => undefined);
  }

  /** Opens the camera (an explicit request also lifts the hold of an earlier failure). */
  open(explicit = true): Promise<void> {
    if (explicit) this.held = false;
    if (this.camera.active) return Promise.resolve();
    this.opening ??= this.start().finally(() => (this.opening = null));
    return this.opening;
  }

  private async start(): Promise<void> {
    const generation = this.generation;
    await this.host.updateComplete; // the <video> is rendered
    // Stopped or removed meanwhile: a detached element never turns the camera on.
    if (generation !== this.generation || !this.host.isConnected) throw aborted();
    const video = this.video();
    if (!video) throw new Error('No <video> to show the camera in.');
    try {
      await this.camera.open(video, this.options.constraints());
    } catch (e) {
      if ((e as DOMException)?.name === 'AbortError') throw e;
      this.fail(e instanceof CameraError ? e : new CameraError('camera-unavailable', String((e as Error)?.message ?? e), { cause: e }));
      throw e;
    }
    if (!this.host.isConnected) {
      this.camera.stop(video);
      throw aborted();
    }
    const track = this.camera.track;
    track?.addEventListener('ended', () => this.ended(track), { once: true });
    this.changed(track);
  }

  private ended(track: MediaStreamTrack): void {
    if (this.camera.track !== track) return; // an old track, already released
    this.stop();
    this.fail(new CameraError('camera-ended', 'The camera stopped: it was unplugged, or the system or another application took it. start() opens it again.'));
  }

  private fail(error: CameraError): void {
    this.held = true;
    this.options.onError(error);
  }

  /** Releases the camera (its light goes off); a pending open is cancelled. */
  stop(): void {
    this.generation++;
    const wasActive = this.camera.active;
    this.camera.stop(this.video());
    if (wasActive) this.changed(null);
  }

  private video(): HTMLVideoElement | null {
    const media = this.options.media();
    return media instanceof HTMLVideoElement ? media : null;
  }

  private changed(track: MediaStreamTrack | null): void {
    this.options.onChange(track);
    this.host.dispatchEvent(emotionEvent('emotion-camera', { active: track !== null, track }));
  }
}
