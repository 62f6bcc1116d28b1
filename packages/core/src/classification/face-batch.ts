/** Faces of a frame -> one model input batch (N x C x H x W), cropped and converted as the card says. */
import type { DetectedFace } from '../types.js';
import type { Drawable } from '../frame/frame.js';
import type { CropGeometry } from '../geometry/box.js';
import { cropGeometry, cropperFor, type FaceCropper } from './crop.js';
import type { ModelCard } from '../model-card.js';
import { itemSizeOf, toModelInput } from './preprocess.js';

export class FaceBatcher {
  private readonly cropper: FaceCropper;
  readonly itemSize: number;

  constructor(readonly card: Pick<ModelCard, 'input' | 'crop'>) {
    this.itemSize = itemSizeOf(card.input);
    this.cropper = cropperFor(card);
  }

  /** Where each face is cut out, by the card's crop geometry. */
  cropsOf(faces: readonly DetectedFace[]): CropGeometry[] {
    return faces.map((face) => cropGeometry(face, this.card.crop));
  }

  /** The batch for these crops. A new array each time: it may be transferred to a worker (and so detached). */
  prepare(image: Drawable, crops: readonly CropGeometry[]): Float32Array {
    const batch = new Float32Array(crops.length * this.itemSize);
    crops.forEach((crop, i) => toModelInput(this.cropper.crop(image, crop), this.card, batch, i * this.itemSize));
    return batch;
  }
}
