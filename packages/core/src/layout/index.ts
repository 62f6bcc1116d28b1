/**
 * `@emotion-detector/core/layout`: overlay geometry for faces drawn over a video, image or canvas,
 * and the palette. `measure(media)` reads where the picture is; `placeBox(face.box, frame, layout)`
 * says where a face shows on it.
 */
export { EMOTIONS, EMOTION_COLORS, type Box, type Emotion } from '../types.js';
export {
  CENTER,
  NO_MIRROR,
  clip,
  fitRect,
  layoutOf,
  mapBox,
  mirrorOfStyle,
  parseObjectFit,
  parseObjectPosition,
  placeBox,
  type AxisPosition,
  type LayoutInput,
  type MediaLayout,
  type Mirror,
  type ObjectFit,
  type ObjectPosition,
  type Size,
} from './fit.js';
export { intrinsicSize, measure, mirrorOf, type MeasureOptions, type MediaElement } from './measure.js';
