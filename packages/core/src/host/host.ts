/**
 * Where the pipeline runs, as the detector sees it: on the calling thread (ThreadHost, here) or in
 * the engine's worker (WorkerHost, worker-host.ts).
 */
import type { DetectionResult, FrameSource, ResolvedBackend, StreamKey } from '../types.js';
import type { RuntimeSettings } from '../options.js';
import { FrameReader } from '../frame/frame.js';
import { emptyResult, type Pipeline } from '../pipeline.js';
import { buildPipeline } from './build.js';
import type { PipelineInit } from './init.js';

export interface Host {
  readonly backend: ResolvedBackend;
  /** Whether the expression model runs in a worker of its own, beside the detector. */
  readonly parallel: boolean;
  /** A frame of the video `stream`, or with `video` false a still (see Pipeline.process). */
  process(source: FrameSource, timestamp: number, stream?: StreamKey, video?: boolean): Promise<DetectionResult>;
  configure(settings: RuntimeSettings): Promise<void>;
  forget(stream: StreamKey): Promise<void>;
  close(): Promise<void>;
}

export class ThreadHost implements Host {
  private readonly reader = new FrameReader();

  private constructor(private readonly pipeline: Pipeline) {}

  static async create(init: PipelineInit): Promise<ThreadHost> {
    return new ThreadHost(await buildPipeline(init));
  }

  get backend(): ResolvedBackend {
    return this.pipeline.backend;
  }

  get parallel(): boolean {
    return this.pipeline.parallel;
  }

  async process(source: FrameSource, timestamp: number, stream?: StreamKey, video = false): Promise<DetectionResult> {
    const frame = this.reader.read(source);
    return frame ? this.pipeline.process(frame, timestamp, stream, video) : emptyResult(timestamp);
  }

  configure(settings: RuntimeSettings): Promise<void> {
    return this.pipeline.configure(settings);
  }

  async forget(stream: StreamKey): Promise<void> {
    this.pipeline.forget(stream);
  }

  close(): Promise<void> {
    return this.pipeline.close();
  }
}
