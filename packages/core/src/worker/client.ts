/**
 * Main-thread side of the worker engine: grabs each frame as a transferable ImageBitmap and posts
 * it; everything else runs in the worker.
 */
import { EmotionDetectorError } from '../errors.js';
import type { DetectionResult, FrameSource, ResolvedBackend, StreamKey } from '../types.js';
import { FrameReader } from '../frame/frame.js';
import { emptyResult, type PipelineInit } from '../pipeline.js';
import { buffersOf, DETECT_TIMEOUT_MS, INIT_TIMEOUT_MS, WorkerChannel } from './channel.js';

export class WorkerEngine {
  private readonly reader = new FrameReader();
  backend: ResolvedBackend = 'wasm';
  /** Everything runs in the one worker. */
  readonly parallel = false;

  private constructor(private readonly channel: WorkerChannel) {}

  static async create(init: PipelineInit, workerUrl: string, initTimeoutMs = INIT_TIMEOUT_MS): Promise<WorkerEngine> {
    const engine = new WorkerEngine(WorkerChannel.open(workerUrl, 'emotion-detector'));
    try {
      // The model and WASM bytes move to the worker (no copy); the main thread no longer needs them.
      const transfer = buffersOf(init.model, init.faceModel, init.ortWasm, init.mediapipeWasm);
      // In the worker everything runs in that one thread: no worker of its own for the model.
      const reply = await engine.channel.request({ type: 'init', init: { ...init, parallel: false } }, transfer, initTimeoutMs);
      engine.backend = reply.backend ?? init.backend;
    } catch (e) {
      engine.channel.terminate();
      throw e;
    }
    return engine;
  }

  async process(source: FrameSource, timestamp: number, stream?: StreamKey, video = false): Promise<DetectionResult> {
    if (this.channel.failed) throw this.channel.failed;
    const size = this.reader.check(source);
    if (!size) return emptyResult(timestamp);
    let bitmap: ImageBitmap;
    try {
      // A copy of the current frame that can move to the worker without copying again.
      bitmap = await createImageBitmap(source as ImageBitmapSource);
    } catch (e) {
      throw new EmotionDetectorError('runtime-error', `Could not grab the frame: ${String(e)}`, { cause: e });
    }
    const reply = await this.channel.request({ type: 'detect', bitmap, width: bitmap.width, height: bitmap.height, timestamp, stream, video }, [bitmap], DETECT_TIMEOUT_MS);
    return reply.result!;
  }

  close(): Promise<void> {
    return this.channel.close();
  }
}
