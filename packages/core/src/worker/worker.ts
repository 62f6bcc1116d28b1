/**
 * The engine's Web Worker (built as a classic, self-contained script: dist/assets/worker.js).
 * MediaPipe loads its WASM with importScripts, which module workers lack. It runs either the whole
 * pipeline (frames arrive as transferred ImageBitmaps) or only the expression model (prepared
 * batches arrive as transferred Float32Arrays), and answers each request by id.
 */
import { EmotionDetectorError } from '../errors.js';
import { Classifier } from '../classification/classifier.js';
import { Pipeline } from '../pipeline.js';
import { PTHREAD_NAME, type Reply, type Request } from './protocol.js';

/** The worker global (lib.dom has no worker scope types). */
declare const self: {
  name?: string;
  onmessage: ((e: MessageEvent<Request>) => void) | null;
  postMessage(message: Reply): void;
};

let pipeline: Pipeline | undefined;
let classifier: Classifier | undefined;

function errorOf(e: unknown): { code: EmotionDetectorError['code']; message: string } {
  return e instanceof EmotionDetectorError ? e.toJSON() : { code: 'runtime-error', message: String((e as Error)?.message ?? e) };
}

function notReady(): never {
  throw new EmotionDetectorError('worker-failed', 'The worker got work before it was initialised');
}

async function handle(msg: Request): Promise<Reply> {
  switch (msg.type) {
    case 'init':
      pipeline = await Pipeline.create(msg.init);
      return { id: msg.id, ok: true, backend: pipeline.backend };
    case 'detect':
      try {
        if (!pipeline) notReady();
        const result = await pipeline.process({ image: msg.bitmap, width: msg.width, height: msg.height }, msg.timestamp, msg.stream, msg.video);
        return { id: msg.id, ok: true, result };
      } finally {
        msg.bitmap.close();
      }
    case 'init-classifier':
      classifier = await Classifier.create(msg.init);
      return { id: msg.id, ok: true, backend: classifier.backend };
    case 'classify': {
      if (!classifier) notReady();
      const t0 = performance.now();
      const scores = await classifier.run(msg.input);
      return { id: msg.id, ok: true, scores, ms: performance.now() - t0 };
    }
    case 'dispose':
      await pipeline?.close();
      await classifier?.close();
      pipeline = undefined;
      classifier = undefined;
      return { id: msg.id, ok: true };
  }
}

// ONNX Runtime starts its WASM threads from this same script; those must stay its own.
if (!self.name?.startsWith(PTHREAD_NAME)) {
  self.onmessage = (e: MessageEvent<Request>) => {
    const msg = e.data;
    handle(msg).then(
      (reply) => self.postMessage(reply),
      (err: unknown) => self.postMessage({ id: msg.id, ok: false, error: errorOf(err) } satisfies Reply),
    );
  };
}
