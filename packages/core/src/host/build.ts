/**
 * Builds a pipeline from downloaded assets: the face detector, and the expression model where it
 * is to run (on this thread, or in a worker of its own for `parallel`), mirror-averaged unless the
 * model's graph already is. The pipeline itself only sees a ready detector and model.
 */
import { EmotionDetectorError } from '../errors.js';
import { Classifier, type ExpressionModel } from '../classification/classifier.js';
import { FlipAveraged } from '../classification/flip-average.js';
import { mirrorsInGraph } from '../model-card.js';
import { MediaPipeFaceDetector } from '../detection/face-detector.js';
import { Pipeline } from '../pipeline.js';
import type { PipelineInit } from './init.js';
import { WorkerModel } from './model-worker.js';

/**
 * The expression model: in a worker of its own for `parallel` (with one thread fewer than the
 * engine's, as the detector keeps this one), else here. Where no worker can start (a CSP without
 * worker-src for our assets, say) it runs here too.
 */
async function expressionModel(init: PipelineInit): Promise<ExpressionModel> {
  let model: ExpressionModel | undefined;
  if (init.parallel) {
    try {
      model = await WorkerModel.create({ ...init, numThreads: Math.max(1, init.numThreads - 1) }, init.workerUrl, init.requestTimeoutMs);
    } catch (e) {
      if (!(e instanceof EmotionDetectorError && e.code === 'worker-failed')) throw e;
    }
  }
  model ??= await Classifier.create(init);
  // A model that averages mirror views in its own graph gains nothing from averaging them again.
  return mirrorsInGraph(init.card) ? model : new FlipAveraged(model, init.card.input.width, init.settings.flipAverage);
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
  if (detector.status === 'rejected' || model.status === 'rejected') {
    // Release whichever half did start.
    if (detector.status === 'fulfilled') detector.value.close();
    if (model.status === 'fulfilled') await model.value.close();
    throw detector.status === 'rejected' ? detector.reason : (model as PromiseRejectedResult).reason;
  }
  return new Pipeline(detector.value, model.value, init.card, settings);
}
