/** Messages between the main thread and the engine's worker. Every request has an id; so does its answer. */
import type { EmotionDetectorErrorCode } from '../errors.js';
import type { DetectionResult, EmotionScores, ResolvedBackend, StreamKey } from '../types.js';
import type { PipelineInit } from '../pipeline.js';
import type { ClassifierInit } from '../classification/classifier.js';

export type Request =
  // The whole pipeline in the worker (`worker: true`).
  | { id: number; type: 'init'; init: PipelineInit }
  | { id: number; type: 'detect'; bitmap: ImageBitmap; width: number; height: number; timestamp: number; stream?: StreamKey; video?: boolean }
  // Only the expression model in the worker (`parallel`): prepared batches in, scores out.
  | { id: number; type: 'init-classifier'; init: ClassifierInit }
  | { id: number; type: 'classify'; input: Float32Array }
  | { id: number; type: 'dispose' };

export type Reply =
  | { id: number; ok: true; backend?: ResolvedBackend; result?: DetectionResult; scores?: EmotionScores[]; ms?: number }
  | { id: number; ok: false; error: { code: EmotionDetectorErrorCode; message: string } };

/** The name ONNX Runtime gives its own thread workers, which load this same script. */
export const PTHREAD_NAME = 'em-pthread';
