/**
 * The expression model in a Web Worker of its own (the engine's worker script, classifier only),
 * so that it can classify while the calling thread runs the face detector; the face verifier's
 * session runs there too, on the same runtime (`verifier()`), so the calling thread needs no ONNX
 * Runtime. Batches are prepared (cropped) on the calling thread and transferred, not copied.
 */
import { EmotionDetectorError } from '../errors.js';
import type { EmotionScores, ResolvedBackend } from '../types.js';
import { DETECT_TIMEOUT_MS, INIT_TIMEOUT_MS, openWorker, type Channel } from '../channel/channel.js';
import type { ClassifierInit, ExpressionModel } from '../classification/classifier.js';
import type { FaceScorer } from '../verification/face-verifier.js';
import type { HostReply, HostRequest } from './protocol.js';

export class WorkerModel implements ExpressionModel {
  readonly concurrent = true;

  private constructor(
    private readonly channel: Channel<HostRequest, HostReply>,
    public backend: ResolvedBackend,
    /** The limit of one batch (PipelineInit.requestTimeoutMs): above the detector's bound. */
    private readonly timeoutMs: number,
  ) {}

  /**
   * `init`'s bytes are copied to the worker, not transferred: should the worker fail to start, the
   * caller still has them to run the model in its own thread.
   */
  static async create(init: ClassifierInit, workerUrl: string, timeoutMs = DETECT_TIMEOUT_MS): Promise<WorkerModel> {
    const channel = openWorker<HostRequest, HostReply>(workerUrl, 'emotion-detector-classifier');
    const { card, model, modelUrl, backend, numThreads, ortWasm } = init;
    try {
      const reply = await channel.request({ type: 'init-classifier', init: { card, model, modelUrl, backend, numThreads, ortWasm } }, { timeoutMs: INIT_TIMEOUT_MS });
      return new WorkerModel(channel, reply.backend ?? init.backend, timeoutMs);
    } catch (e) {
      channel.fail('The classifier worker did not start');
      throw e;
    }
  }

  async score(input: Float32Array): Promise<{ scores: EmotionScores[]; ms: number }> {
    if (input.length === 0) return { scores: [], ms: 0 };
    const reply = await this.channel.request({ type: 'classify', input }, { transfer: [input.buffer as ArrayBuffer], timeoutMs: this.timeoutMs });
    if (!reply.scores) throw new EmotionDetectorError('worker-failed', 'The classifier worker answered without scores');
    // The worker's model may have moved from a lost WebGPU device to WASM.
    if (reply.backend) this.backend = reply.backend;
    return { scores: reply.scores, ms: reply.ms ?? 0 };
  }

  /**
   * Opens the face verifier's session in the worker (`model`: its ONNX file, copied; `url` for
   * messages). Its crops queue behind the batches sent before them. It closes with the worker.
   */
  async verifier(model: Uint8Array, url: string): Promise<FaceScorer> {
    await this.channel.request({ type: 'init-verifier', model, url }, { timeoutMs: INIT_TIMEOUT_MS });
    return {
      score: async (input) => {
        const reply = await this.channel.request({ type: 'verify', input }, { transfer: [input.buffer as ArrayBuffer], timeoutMs: this.timeoutMs });
        if (!reply.faceScores) throw new EmotionDetectorError('worker-failed', 'The classifier worker answered without face scores');
        return reply.faceScores;
      },
      // Released by the worker's dispose (close() above).
      close: () => Promise.resolve(),
    };
  }

  close(): Promise<void> {
    return this.channel.close({ type: 'dispose' });
  }
}
