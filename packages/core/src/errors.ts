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
  /** No WebGL here (turned off, blocked or missing): MediaPipe's face detector needs it even on its CPU delegate. */
  | 'webgl-unavailable'
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
