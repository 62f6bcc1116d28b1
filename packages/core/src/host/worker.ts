/**
 * The engine's Web Worker (built as a classic, self-contained script: dist/assets/worker.js).
 * MediaPipe loads its WASM with importScripts, which module workers lack. It runs either the whole
 * pipeline (frames arrive as transferred ImageBitmaps) or only the expression model and the face
 * verifier's session (prepared batches arrive as transferred Float32Arrays), and answers each
 * request by id, one at a time (channel.ts serve).
 */
import { EmotionDetectorError } from '../errors.js';
import { Classifier, type ClassifierInit } from '../classification/classifier.js';
import { VerifierSession } from '../verification/face-verifier.js';
import type { Pipeline } from '../pipeline.js';
import { serve, type MessageEndpoint, type Numbered } from '../channel/channel.js';
import { buildPipeline } from './build.js';
import { PTHREAD_NAME, type HostReply, type HostRequest } from './protocol.js';

/** The worker global (lib.dom has no worker scope types). */
declare const self: MessageEndpoint & { name?: string };

let pipeline: Pipeline | undefined;
/** The models alone: the expression model, its runtime settings, and the verifier's session, which shares them. */
let models: { classifier: Classifier; runtime: Pick<ClassifierInit, 'backend' | 'ortWasm' | 'numThreads'>; verifier?: VerifierSession } | undefined;

function notReady(): never {
  throw new EmotionDetectorError('worker-failed', 'The worker got work before it was initialised');
}

async function handle(msg: Numbered<HostRequest>): Promise<HostReply> {
  switch (msg.type) {
    case 'init':
      pipeline = await buildPipeline(msg.init);
      return { backend: pipeline.backend };
    case 'detect':
      try {
        if (!pipeline) notReady();
        const result = await pipeline.process({ image: msg.bitmap, width: msg.width, height: msg.height }, msg.timestamp, msg.stream, msg.video);
        // The backend can change while it runs (a lost WebGPU device moves the model to WASM).
        return { result, backend: pipeline.backend };
      } finally {
        msg.bitmap.close();
      }
    case 'configure':
      if (!pipeline) notReady();
      await pipeline.configure(msg.settings);
      return {};
    case 'forget':
      pipeline?.forget(msg.stream);
      return {};
    case 'init-classifier': {
      const { backend, ortWasm, numThreads } = msg.init;
      const classifier = await Classifier.create(msg.init);
      models = { classifier, runtime: { backend, ortWasm, numThreads } };
      return { backend: classifier.backend };
    }
    case 'init-verifier':
      if (!models) notReady();
      models.verifier = await VerifierSession.create({ ...models.runtime, model: msg.model, url: msg.url });
      return {};
    case 'verify':
      if (!models?.verifier) notReady();
      return { faceScores: await models.verifier.score(msg.input) };
    case 'classify': {
      if (!models) notReady();
      const t0 = performance.now();
      const scores = await models.classifier.run(msg.input);
      return { scores, ms: performance.now() - t0, backend: models.classifier.backend };
    }
    case 'dispose': {
      const [p, m] = [pipeline, models];
      pipeline = undefined;
      models = undefined;
      await p?.close();
      await m?.classifier.close();
      await m?.verifier?.close();
      return {};
    }
  }
}

// ONNX Runtime starts its WASM threads from this same script; those must stay its own.
if (!self.name?.startsWith(PTHREAD_NAME)) serve<HostRequest, HostReply>(self, handle);
