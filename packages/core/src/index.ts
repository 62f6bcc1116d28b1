export * from './types.js';
export * from './errors.js';
export { EmotionDetector } from './emotion-detector.js';
export { FaceTracker, type FaceTrackerOptions, type ClassifiedFace } from './tracking/tracker.js';
export { parseModelCard, type ModelCard } from './classification/model-card.js';
export { toModelInput, type PixelBuffer } from './classification/preprocess.js';
