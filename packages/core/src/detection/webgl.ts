/**
 * MediaPipe's face detector converts every image on a WebGL context, even on its CPU delegate.
 * Without WebGL (turned off, a privacy-hardened browser, headless Firefox) it fails deep inside its
 * WASM with an unreadable error: this check says so first, before anything is downloaded.
 */
import { EmotionDetectorError } from '../errors.js';

let found = false;

/** Throws 'webgl-unavailable' when this context (page or worker) can create no WebGL context. */
export function requireWebGL(): void {
  if (found) return;
  const canvas = typeof OffscreenCanvas === 'function' ? new OffscreenCanvas(1, 1) : globalThis.document?.createElement('canvas');
  const gl = (canvas?.getContext('webgl2') ?? canvas?.getContext('webgl')) as WebGLRenderingContext | null | undefined;
  if (!gl) {
    throw new EmotionDetectorError(
      'webgl-unavailable',
      'The face detector (MediaPipe) needs WebGL, and this browser gives none: WebGL is turned off or blocked ' +
        '(browser settings, a privacy extension, a GPU blocklist) or missing (some headless browsers). Turn WebGL on to use the engine.',
    );
  }
  // The probe's context is released now, not when collected (browsers cap live WebGL contexts).
  gl.getExtension('WEBGL_lose_context')?.loseContext();
  found = true;
}
