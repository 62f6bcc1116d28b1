/**
 * The model card that sits beside an ONNX classifier (`<name>.json` next to `<name>.onnx`).
 * The engine hard-codes nothing about the model: size, channels, normalisation, crop geometry
 * and label order all come from here, so another classifier with a card drops in.
 */
import { EmotionDetectorError } from './errors.js';
import { EMOTIONS, type Emotion } from './types.js';

export interface ModelCard {
  name: string;
  /** ONNX file name, relative to the card. */
  file: string;
  input: {
    name: string;
    layout: 'NCHW';
    width: number;
    height: number;
    channels: 1 | 3;
    /** RGB weights for grayscale conversion. */
    grayscaleWeights?: [number, number, number];
    /** value = (pixel * scale - mean[c]) / std[c] */
    normalization: { scale: number; mean: number[]; std: number[] };
  };
  crop: {
    /** Square side = scale x max(box width, box height). */
    scale: number;
    /** Centre shifted down by offsetY x side (up when negative), along the face's own vertical. */
    offsetY: number;
    /** 'eyes': rotate so the eye keypoints are level; 'none': axis-aligned. */
    align: 'eyes' | 'none';
  };
  output: {
    name: string;
    kind: 'probabilities' | 'logits';
    /** Label of each output index; every one of the seven emotions must appear. */
    labels: Emotion[];
  };
  /** Only what the engine reads of the card's architecture section. */
  architecture?: {
    /** Set when the graph itself averages several views of each face (test-time augmentation). */
    views?: { count: number; mirrored: boolean };
  };
  [extra: string]: unknown;
}

/** Whether the model's graph already averages each face with its mirror image, so that the
 * engine's own flipAverage would only double the time. */
export function mirrorsInGraph(card: ModelCard): boolean {
  return card.architecture?.views?.mirrored === true;
}

const fail = (msg: string): never => {
  throw new EmotionDetectorError('model-card-mismatch', `Invalid model card: ${msg}`);
};
const positive = (v: unknown, what: string): number =>
  typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : fail(`${what} must be a positive number`);

/** Checks a parsed card's shape and fills defaults. Throws 'model-card-mismatch' with the reason. */
export function parseModelCard(json: unknown): ModelCard {
  if (!json || typeof json !== 'object') fail('not a JSON object');
  const c = json as Partial<ModelCard>;
  const input = c.input ?? fail('missing "input"');
  const output = c.output ?? fail('missing "output"');
  positive(input.width, 'input.width');
  positive(input.height, 'input.height');
  if (input.channels !== 1 && input.channels !== 3) fail('input.channels must be 1 or 3');
  if ((input.layout ?? 'NCHW') !== 'NCHW') fail('only NCHW input layout is supported');
  const norm = input.normalization ?? fail('missing input.normalization');
  positive(norm.scale, 'input.normalization.scale');
  if (!Array.isArray(norm.mean) || !Array.isArray(norm.std) || norm.std.some((s) => !(s > 0))) {
    fail('input.normalization needs mean and std arrays with positive std');
  }
  const labels = output.labels;
  if (!Array.isArray(labels) || labels.length < EMOTIONS.length) fail('output.labels must list the emotions');
  for (const e of EMOTIONS) if (!labels.includes(e)) fail(`output.labels is missing "${e}"`);
  if (output.kind !== 'probabilities' && output.kind !== 'logits') fail('output.kind must be probabilities or logits');
  const crop = c.crop ?? { scale: 1.25, offsetY: 0, align: 'eyes' as const };
  return {
    ...c,
    name: c.name ?? 'unnamed',
    file: c.file ?? fail('missing "file"'),
    input: { ...input, layout: 'NCHW', name: input.name ?? 'input' },
    crop: { scale: positive(crop.scale, 'crop.scale'), offsetY: crop.offsetY ?? 0, align: crop.align === 'none' ? 'none' : 'eyes' },
    output: { ...output, name: output.name ?? 'output' },
  } as ModelCard;
}
