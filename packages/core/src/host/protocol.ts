/** Messages between the calling thread and the engine's worker (over channel/channel.ts, which numbers them). */
import type { DetectionResult, EmotionScores, ResolvedBackend, StreamKey } from '../types.js';
import type { RuntimeSettings } from '../options.js';
import type { ClassifierInit } from '../classification/classifier.js';
import type { PipelineInit } from './init.js';

export type HostRequest =
  // The whole pipeline in the worker (`worker: true`).
  | { type: 'init'; init: PipelineInit }
  | { type: 'detect'; bitmap: ImageBitmap; width: number; height: number; timestamp: number; stream?: StreamKey; video?: boolean }
  | { type: 'configure'; settings: RuntimeSettings }
  | { type: 'forget'; stream: StreamKey }
  // Only the expression model in the worker (`parallel`): prepared batches in, scores out; and the
  // face verifier's session on the same runtime (after init-classifier), prepared crops in.
  | { type: 'init-classifier'; init: ClassifierInit }
  | { type: 'classify'; input: Float32Array }
  | { type: 'init-verifier'; model: Uint8Array; url: string }
  | { type: 'verify'; input: Float32Array }
  | { type: 'dispose' };

/** The fields of a successful reply (which ones depends on the request). */
export interface HostReply {
  backend?: ResolvedBackend;
  result?: DetectionResult;
  scores?: EmotionScores[];
  ms?: number;
  /** The face verifier's probability of a face, per crop. */
  faceScores?: Float32Array;
}

/** The name ONNX Runtime gives its own thread workers, which load this same script. */
export const PTHREAD_NAME = 'em-pthread';
