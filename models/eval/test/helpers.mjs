// Shared by the model tests: which models to test (every card in models/emotion whose ONNX file
// exists; EMOTION_MODEL_DIR points elsewhere, e.g. at a stand-in export during development).
import path from 'node:path';
import { listCards, MODEL_DIR } from '../lib/model.mjs';

export const modelDir = process.env.EMOTION_MODEL_DIR ? path.resolve(process.env.EMOTION_MODEL_DIR) : MODEL_DIR;

/** Card paths of the models under test, and a skip reason when there are none. */
export function modelsUnderTest() {
  const cards = listCards(modelDir);
  return { cards, skip: cards.length ? false : `no emotion model (card + ONNX) in ${modelDir} yet` };
}
