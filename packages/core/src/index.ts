export * from './types.js';
export * from './errors.js';
export { EmotionDetector } from './emotion-detector.js';
export { RUNTIME_OPTIONS, resolveRuntimeOptions, type RuntimeSettings } from './options.js';
export { parseModelCard, type ModelCard } from './model-card.js';
export { toModelInput, type PixelBuffer } from './classification/preprocess.js';
