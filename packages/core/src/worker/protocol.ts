/** Messages between the main thread and the engine's worker. Every request has an id; so does its answer. */
import type { EmotionDetectorErrorCode } from '../errors.js';
import type { DetectionResult, ResolvedBackend, StreamKey } from '../types.js';
import type { PipelineInit } from '../pipeline.js';

export type Request =
  | { id: number; type: 'init'; init: PipelineInit }
  | { id: number; type: 'detect'; bitmap: ImageBitmap; width: number; height: number; timestamp: number; stream?: StreamKey }
  | { id: number; type: 'dispose' };

export type Reply =
  | { id: number; ok: true; backend?: ResolvedBackend; result?: DetectionResult }
  | { id: number; ok: false; error: { code: EmotionDetectorErrorCode; message: string } };

/** The name ONNX Runtime gives its own thread workers, which load this same script. */
export const PTHREAD_NAME = 'em-pthread';
