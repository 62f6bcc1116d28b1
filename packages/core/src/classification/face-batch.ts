/** Faces of a frame -> one model input batch (N x C x H x W), cropped and converted as the card says. */
import type { DetectedFace } from '../types.js';
import type { Drawable } from '../frame/frame.js';
import { cropGeometry, cropperFor, type FaceCropper } from './crop.js';
import type { ModelCard } from './model-card.js';
import { toModelInput } from './preprocess.js';

export class FaceBatcher {
  private readonly cropper: FaceCropper;
  readonly itemSize: number;

  constructor(readonly card: ModelCard) {
    const { width, height, channels } = card.input;
    this.itemSize = width * height * channels;
    this.cropper = cropperFor(card);
  }

  /** A new array each time: a batch may be transferred to a worker (and so detached). */
  prepare(image: Drawable, faces: readonly DetectedFace[]): Float32Array {
    const batch = new Float32Array(faces.length * this.itemSize);
    faces.forEach((face, i) => {
      const pixels = this.cropper.crop(image, cropGeometry(face, this.card.crop));
      toModelInput(pixels, this.card, batch, i * this.itemSize);
    });
    return batch;
  }
}
