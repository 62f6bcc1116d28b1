/**
 * The webcam: opens a stream into a <video>, and releases every track when stopped (the camera
 * light goes off). Errors come back as CameraError with a code the element reports as is.
 */

export type FacingMode = 'user' | 'environment';

export type CameraErrorCode = 'camera-permission-denied' | 'camera-unavailable';

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
