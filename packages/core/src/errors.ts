/** Typed errors: every failure the engine reports is an EmotionDetectorError with a code. */

export type EmotionDetectorErrorCode =
  /** A model or WASM file could not be fetched (network error, HTTP status, timeout). */
  | 'asset-fetch-failed'
  /** A fetched file is not what was expected (HTML instead of ONNX, a truncated file...). */
  | 'invalid-model'
  /** The model card does not match the ONNX model's inputs/outputs, or is malformed. */
  | 'model-card-mismatch'
  /** The requested backend cannot run here (e.g. 'webgpu' without an adapter). */
  | 'backend-unavailable'
  /** The frame cannot be read: a tainted cross-origin image or video. */
  | 'tainted-source'
  /** The source is not one of the supported frame types. */
  | 'unsupported-source'
  /** The detector was used after dispose(). */
  | 'disposed'
  /** The operation was aborted through an AbortSignal. */
  | 'aborted'
  /** The worker failed or stopped answering. */
  | 'worker-failed'
  /** An option is out of its range or of the wrong type; the message names it, its unit and range. */
  | 'invalid-option'
  /** A detect() did not settle in time (the runtime hung); the detector stays usable. */
  | 'timeout'
  /** No WebGL here, which MediaPipe's face detector needs even on its CPU delegate. */
  | 'webgl-unavailable'
  /** The camera's video track ended (unplugged, revoked, taken by another app). */
  | 'camera-ended'
  /** Anything else that went wrong inside the runtime. */
  | 'runtime-error';

export class EmotionDetectorError extends Error {
  override readonly name = 'EmotionDetectorError';
  readonly code: EmotionDetectorErrorCode;

  constructor(code: EmotionDetectorErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }

  /** Errors cross worker boundaries as plain objects; this restores them. */
  static fromJSON(data: { code: EmotionDetectorErrorCode; message: string }): EmotionDetectorError {
    return new EmotionDetectorError(data.code, data.message);
  }

  toJSON(): { code: EmotionDetectorErrorCode; message: string } {
    return { code: this.code, message: this.message };
  }
}

export function isEmotionDetectorError(e: unknown): e is EmotionDetectorError {
  return e instanceof EmotionDetectorError;
}

/** The error an aborted operation rejects with. */
export function abortError(): EmotionDetectorError {
  return new EmotionDetectorError('aborted', 'Aborted by the caller');
}

export function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw abortError();
}

/**
 * Settles with `work`, or rejects 'aborted' as soon as `signal` fires; what `work` makes after
 * that is closed, so an abort never leaks a runtime.
 */
export function untilAborted<T extends { close(): unknown }>(work: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return work;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      reject(abortError());
      work.then((made) => made.close()).catch(() => undefined);
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
