/**
 * The expression model in a Web Worker of its own (the engine's worker script, classifier only),
 * so that it can classify while the page's thread runs the face detector. Batches are prepared
 * (cropped) on the page's thread and transferred, not copied.
 */
import { EmotionDetectorError } from '../errors.js';
import type { EmotionScores, ResolvedBackend } from '../types.js';
import { DETECT_TIMEOUT_MS, INIT_TIMEOUT_MS, WorkerChannel } from '../worker/channel.js';
import type { ClassifierInit, ExpressionModel } from './classifier.js';

export class RemoteClassifier implements ExpressionModel {
  private constructor(
    private readonly channel: WorkerChannel,
    readonly backend: ResolvedBackend,
  ) {}

  /**
   * `init`'s bytes are copied to the worker, not transferred: should the worker fail to start, the
   * caller still has them to run the model in its own thread.
   */
  static async create(init: ClassifierInit, workerUrl: string): Promise<RemoteClassifier> {
    const channel = WorkerChannel.open(workerUrl, 'emotion-detector-classifier');
    const { card, model, modelUrl, backend, numThreads, ortWasm } = init;
    try {
      const reply = await channel.request({ type: 'init-classifier', init: { card, model, modelUrl, backend, numThreads, ortWasm } }, [], INIT_TIMEOUT_MS);
      return new RemoteClassifier(channel, reply.backend ?? init.backend);
    } catch (e) {
      channel.terminate();
      throw e;
    }
  }

  async score(input: Float32Array): Promise<{ scores: EmotionScores[]; ms: number }> {
    if (input.length === 0) return { scores: [], ms: 0 };
    const reply = await this.channel.request({ type: 'classify', input }, [input.buffer as ArrayBuffer], DETECT_TIMEOUT_MS);
    if (!reply.scores) throw new EmotionDetectorError('worker-failed', 'The classifier worker answered without scores');
    return { scores: reply.scores, ms: reply.ms ?? 0 };
  }

  close(): Promise<void> {
    return this.channel.close();
  }
}
