/**
 * Builds a pipeline from downloaded assets: the face detector and its verifier, and the expression
 * model where it is to run (on this thread, or in a worker of its own for `parallel`),
 * mirror-averaged unless the model's graph already is. The pipeline itself only sees them ready.
 */
import { EmotionDetectorError } from '../errors.js';
import { Classifier, type ExpressionModel } from '../classification/classifier.js';
import { FlipAveraged } from '../classification/flip-average.js';
import { mirrorsInGraph } from '../model-card.js';
import { MediaPipeFaceDetector } from '../detection/face-detector.js';
import { FaceVerifier, VerifierSession } from '../verification/face-verifier.js';
import { Pipeline } from '../pipeline.js';
import type { PipelineInit } from './init.js';
import { WorkerModel } from './model-worker.js';

/** The expression model, and its worker where it has one. */
interface Model {
  model: ExpressionModel;
  worker?: WorkerModel;
}

/**
 * The expression model: in a worker of its own for `parallel` (with one thread fewer than the
 * engine's, as the detector keeps this one), else here. Where no worker can start (a CSP without
 * worker-src for our assets, say) it runs here too.
 */
async function expressionModel(init: PipelineInit): Promise<Model> {
  let worker: WorkerModel | undefined;
  if (init.parallel) {
    try {
      worker = await WorkerModel.create({ ...init, numThreads: Math.max(1, init.numThreads - 1) }, init.workerUrl, init.requestTimeoutMs);
    } catch (e) {
      if (!(e instanceof EmotionDetectorError && e.code === 'worker-failed')) throw e;
    }
  }
  const model = worker ?? (await Classifier.create(init));
  // A model that averages mirror views in its own graph gains nothing from averaging them again.
  return { model: mirrorsInGraph(init.card) ? model : new FlipAveraged(model, init.card.input.width, init.settings.flipAverage), worker };
}

/**
 * The face verifier: its crops are cut on this thread (the detector's), its model runs on the
 * expression model's runtime, in the model's worker where it has one (no second runtime here).
 */
async function faceVerifier(init: PipelineInit, { worker }: Model): Promise<FaceVerifier> {
  const { faceVerifier: bytes, faceVerifierUrl: url, backend, ortWasm, numThreads } = init;
  return new FaceVerifier(worker ? await worker.verifier(bytes, url) : await VerifierSession.create({ model: bytes, url, backend, ortWasm, numThreads }));
}

export async function buildPipeline(init: PipelineInit): Promise<Pipeline> {
  const { settings } = init;
  const [detector, model] = await Promise.allSettled([
    MediaPipeFaceDetector.create({
      wasmBase: init.mediapipeBase,
      wasmBinary: init.mediapipeWasm,
      model: init.faceModel,
      minConfidence: settings.minFaceConfidence,
      maxFaces: settings.maxFaces,
      smallFaces: settings.smallFaces,
    }),
    expressionModel(init),
  ]);
  // After the expression model: on its runtime (whose settings its first session fixes), here or in its worker.
  const verifier = model.status === 'fulfilled' ? await Promise.allSettled([faceVerifier(init, model.value)]).then(([v]) => v) : undefined;
  if (detector.status === 'rejected' || model.status === 'rejected' || verifier?.status === 'rejected') {
    // Release whichever part did start.
    if (detector.status === 'fulfilled') detector.value.close();
    if (model.status === 'fulfilled') await model.value.model.close();
    throw detector.status === 'rejected' ? detector.reason : model.status === 'rejected' ? model.reason : (verifier as PromiseRejectedResult).reason;
  }
  return new Pipeline(detector.value, model.value.model, verifier!.value, init.card, settings);
}
