/** `<emotion-detector>`: the element class and its types. Importing this defines nothing (see define.ts). */
import type { EmotionDetectorElement } from './emotion-detector.js';
import type { EmotionDetectorEventMap } from './events.js';

export { EmotionDetectorElement, type LoadingMode, type SmallFacesMode, type SourceMode } from './emotion-detector.js';
export type { DetectorState } from './status.js';
export type {
  EmotionCameraDetail,
  EmotionChangeDetail,
  EmotionDetectorEventMap,
  EmotionDetectorEventName,
  EmotionElementErrorCode,
  EmotionErrorDetail,
  EmotionFacesDetail,
  EmotionProgressDetail,
  EmotionReadyDetail,
} from './events.js';
export type { OverlayMode } from './overlay.js';
export type { FacingMode, CameraErrorCode } from './camera.js';
export type { Box, DetectionResult, Emotion, Face, LoadProgress } from '@emotion-detector/core';
export { EMOTIONS } from '@emotion-detector/core';

declare global {
  interface HTMLElementTagNameMap {
    'emotion-detector': EmotionDetectorElement;
  }
  // The events bubble and are composed: listening on document or window is typed too.
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface GlobalEventHandlersEventMap extends EmotionDetectorEventMap {}
}
