/** The element's events: names, `detail` types, and the map that types addEventListener. */
import type { DetectionResult, Emotion, EmotionDetectorErrorCode, Face, LoadProgress, ResolvedBackend, Timings } from '@emotion-detector/core';
import type { CameraErrorCode } from './camera.js';

export interface EmotionProgressDetail {
  /** Which asset: 'model-index', 'model-card', 'emotion-model', 'face-model', 'face-verifier', 'ort-wasm' or 'mediapipe-wasm'. */
  asset: string;
  loaded: number;
  /** Total bytes, 0 when unknown. */
  total: number;
  /** Overall fraction in [0, 1] across all assets. */
  fraction: number;
}

export interface EmotionReadyDetail {
  backend: ResolvedBackend;
  /** Milliseconds from the start of loading to ready. */
  loadTime: number;
}

export interface EmotionFacesDetail extends DetectionResult {
  faces: Face[];
  timings: Timings;
  /** Analysed frames per second over the last second or so (0 for a single image). */
  fps: number;
  backend: ResolvedBackend;
}

export interface EmotionChangeDetail {
  /** The face's tracking id. */
  id: number;
  /** The previous dominant emotion, null when the face just appeared. */
  from: Emotion | null;
  to: Emotion;
  face: Face;
}

export type EmotionElementErrorCode = EmotionDetectorErrorCode | CameraErrorCode;

export interface EmotionErrorDetail {
  error: unknown;
  code: EmotionElementErrorCode;
  message: string;
}

export interface EmotionCameraDetail {
  active: boolean;
  /** The video track while active. */
  track: MediaStreamTrack | null;
}

export interface EmotionDetectorEventMap {
  'emotion-progress': CustomEvent<EmotionProgressDetail>;
  'emotion-ready': CustomEvent<EmotionReadyDetail>;
  'emotion-faces': CustomEvent<EmotionFacesDetail>;
  'emotion-change': CustomEvent<EmotionChangeDetail>;
  'emotion-error': CustomEvent<EmotionErrorDetail>;
  'emotion-camera': CustomEvent<EmotionCameraDetail>;
}

export type EmotionDetectorEventName = keyof EmotionDetectorEventMap;

export function emotionEvent<K extends EmotionDetectorEventName>(
  name: K,
  detail: EmotionDetectorEventMap[K]['detail'],
): EmotionDetectorEventMap[K] {
  return new CustomEvent(name, { detail, bubbles: true, composed: true }) as EmotionDetectorEventMap[K];
}

export function toProgressDetail(p: LoadProgress): EmotionProgressDetail {
  return { asset: p.asset, loaded: p.loaded, total: p.total, fraction: p.fraction };
}
