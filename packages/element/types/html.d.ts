/**
 * `<emotion-detector>` as written in markup: its attributes (kebab-case, as in
 * custom-elements.json) and its events. The framework typings (./react, ./vue, ./svelte) are
 * built from these; a test checks them against custom-elements.json, both ways.
 */
import type {
  DetectorState,
  EmotionDetectorEventMap,
  FacingMode,
  LoadingMode,
  OverlayMode,
  SmallFacesMode,
  SourceMode,
} from '../dist/types/index.js';

type NumberAttribute = number | `${number}`;

/** The element's attributes. A property of the same meaning has the camelCase name (`max-faces` → `maxFaces`). */
export interface EmotionDetectorAttributes {
  /** `media` (the slotted `<video>`, `<img>` or `<canvas>`) or `camera`. Default `media`. */
  source?: SourceMode;
  /** `user` (shown mirrored) or `environment`. Default `user`. */
  'facing-mode'?: FacingMode;
  /** A camera id from `navigator.mediaDevices.enumerateDevices()`. */
  'device-id'?: string;
  /** Most faces per frame, 1 to 64. Default 8. */
  'max-faces'?: NumberAttribute;
  /** Analysis rate, 0.1 to 60 frames per second. Default 15. */
  fps?: NumberAttribute;
  /** Where the expression model runs. Default `auto`. */
  backend?: 'auto' | 'webgpu' | 'wasm';
  /** URL of another emotion model (`.onnx`, its `.json` card beside it). */
  'model-src'?: string;
  /** URL of the assets folder (models, WASM, worker.js). */
  'assets-base'?: string;
  /** Half-life of the temporal smoothing in ms, 0 to 10000. Default 300. */
  smoothing?: NumberAttribute;
  /** `none`, `boxes`, `labels` or `bars`. Default `labels`. */
  overlay?: OverlayMode;
  /** The search for small faces: `on`, `off` or `tiny` (beside bigger faces too, about 6x the detection work per still). Default `on`. */
  'small-faces'?: SmallFacesMode;
  /** Classify each face also as its mirror image and average the two. */
  'flip-average'?: boolean;
  /** Stop analysing, keep the camera and the last overlay. */
  paused?: boolean;
  /** `eager`, or `lazy`: download the models when first visible. Default `eager`. */
  loading?: LoadingMode;
  /** Reflected by the element for styling (`emotion-detector[state="error"]`); setting it has no effect. */
  state?: DetectorState;
}

/** The events as `on<event-name>` handler props (React 19 and Svelte 5 spell a custom element's listeners so). */
export type EmotionDetectorEventProps = {
  [K in keyof EmotionDetectorEventMap as `on${K}`]?: (event: EmotionDetectorEventMap[K]) => void;
};

export type { EmotionDetectorEventMap };
