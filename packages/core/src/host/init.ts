/** What a pipeline is built from (host/build.ts): plain data, so it can be posted to a worker. */
import type { ResolvedBackend } from '../types.js';
import type { RuntimeSettings } from '../options.js';
import type { ModelCard } from '../model-card.js';

/** Everything a pipeline is built from. */
export interface PipelineInit {
  card: ModelCard;
  model: Uint8Array;
  modelUrl: string;
  faceModel: Uint8Array;
  /** The face verifier's ONNX file (verification/face-verifier.ts) and its URL, for messages. */
  faceVerifier: Uint8Array;
  faceVerifierUrl: string;
  mediapipeBase: string;
  /** MediaPipe's WASM binary, downloaded by loadAssets like the other files. */
  mediapipeWasm: Uint8Array;
  ortWasm: Uint8Array;
  backend: ResolvedBackend;
  numThreads: number;
  settings: RuntimeSettings;
  /** Run the expression model in a worker of its own beside the detector (see `parallel`). */
  parallel: boolean;
  /** The engine's worker script (dist/assets/worker.js), for `parallel`. */
  workerUrl: string;
  /**
   * The worker channels' limit for one request after start-up (a frame, a batch, a setting), in
   * ms: above the detector's detectTimeoutMs (see channel.ts requestTimeoutFor), so that the
   * detector's own bound rejects first, with 'timeout'. Default DETECT_TIMEOUT_MS.
   */
  requestTimeoutMs?: number;
}
