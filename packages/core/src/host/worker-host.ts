/**
 * The pipeline in the engine's Web Worker (`worker: true`): grabs each frame as a transferable
 * ImageBitmap and posts it; everything else runs in the worker.
 */
import { EmotionDetectorError } from '../errors.js';
import type { DetectionResult, FrameSource, ResolvedBackend, StreamKey } from '../types.js';
import type { RuntimeSettings } from '../options.js';
import { FrameReader } from '../frame/frame.js';
import { emptyResult } from '../pipeline.js';
import { buffersOf, DETECT_TIMEOUT_MS, INIT_TIMEOUT_MS, openWorker, type Channel } from '../channel/channel.js';
import type { PipelineInit } from './init.js';
import type { Host } from './host.js';
import type { HostReply, HostRequest } from './protocol.js';

export class WorkerHost implements Host {
  private readonly reader = new FrameReader();
  backend: ResolvedBackend = 'wasm';
  /** Everything runs in the one worker. */
  readonly parallel = false;

  private constructor(
    private readonly channel: Channel<HostRequest, HostReply>,
    /** The limit of each request after start-up (PipelineInit.requestTimeoutMs). */
    private readonly timeoutMs: number,
  ) {}

  static async create(init: PipelineInit, workerUrl: string, initTimeoutMs = INIT_TIMEOUT_MS): Promise<WorkerHost> {
    const host = new WorkerHost(openWorker<HostRequest, HostReply>(workerUrl, 'emotion-detector'), init.requestTimeoutMs ?? DETECT_TIMEOUT_MS);
    try {
      // The model and WASM bytes move to the worker (no copy); the calling thread no longer needs them.
      const transfer = buffersOf(init.model, init.faceModel, init.faceVerifier, init.ortWasm, init.mediapipeWasm);
      // In the worker everything runs in that one thread: no worker of its own for the model.
      const reply = await host.channel.request({ type: 'init', init: { ...init, parallel: false } }, { transfer, timeoutMs: initTimeoutMs });
      host.backend = reply.backend ?? init.backend;
    } catch (e) {
      host.channel.fail('The worker did not start');
      throw e;
    }
    return host;
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
    try {
      const reply = await this.channel.request({ type: 'detect', bitmap, width: bitmap.width, height: bitmap.height, timestamp, stream, video }, { transfer: [bitmap], timeoutMs: this.timeoutMs });
      // The worker's model may have moved from a lost WebGPU device to WASM.
      if (reply.backend) this.backend = reply.backend;
      return reply.result!;
    } finally {
      // Ours: closed by the worker once moved there; here when it never left (a failed post).
      bitmap.close();
    }
  }

  async configure(settings: RuntimeSettings): Promise<void> {
    await this.channel.request({ type: 'configure', settings }, { timeoutMs: this.timeoutMs });
  }

  async forget(stream: StreamKey): Promise<void> {
    await this.channel.request({ type: 'forget', stream }, { timeoutMs: this.timeoutMs });
  }

  close(): Promise<void> {
    return this.channel.close({ type: 'dispose' });
  }
}
