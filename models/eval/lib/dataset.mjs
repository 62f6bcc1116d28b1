// Reads a dataset in the shared raw format (see ../shared/data/fer2013/README.md): N square
// images, grayscale (side^2 bytes each) or interleaved RGB (3 x side^2), one label byte per image
// (class order angry, disgust, fear, happy, sad, surprise, neutral; 255 = no label).
import fs from 'node:fs';

export const NO_LABEL = 255;

/** Image side and channels from the bytes per image; `size` forces the side. */
export function inferLayout(bytesPerImage, size) {
  if (size) {
    const channels = bytesPerImage / (size * size);
    if (channels !== 1 && channels !== 3) {
      throw new Error(`${bytesPerImage} bytes per image is neither ${size}x${size} grayscale nor RGB`);
    }
    return { size, channels };
  }
  for (const channels of [1, 3]) {
    const side = Math.round(Math.sqrt(bytesPerImage / channels));
    if (side > 0 && side * side * channels === bytesPerImage) return { size: side, channels };
  }
  throw new Error(`${bytesPerImage} bytes per image is not a square grayscale or RGB image`);
}

/**
 * @param {{ images: string, labels: string, skip?: string, size?: number }} files
 * @returns {{ n: number, size: number, channels: 1 | 3, images: Uint8Array, labels: Uint8Array,
 *   skip: Uint8Array | null }}
 */
export function loadDataset({ images, labels, skip, size }) {
  const lab = new Uint8Array(fs.readFileSync(labels));
  const img = new Uint8Array(fs.readFileSync(images));
  const n = lab.length;
  if (!n) throw new Error(`${labels} is empty`);
  if (img.length % n) throw new Error(`${images}: ${img.length} bytes do not split into ${n} images (one per label)`);
  const layout = inferLayout(img.length / n, size);
  const bad = lab.findIndex((l) => l > 6 && l !== NO_LABEL);
  if (bad >= 0) throw new Error(`${labels}: row ${bad} has label ${lab[bad]} (expected 0..6 or 255)`);
  let sk = null;
  if (skip) {
    sk = new Uint8Array(fs.readFileSync(skip));
    if (sk.length !== n) throw new Error(`${skip} has ${sk.length} rows, the labels have ${n}`);
  }
  return { n, ...layout, images: img, labels: lab, skip: sk };
}

/** Indices of the rows to score: labelled, and not marked in `skip` (when given). */
export function scoredRows(labels, skip) {
  const rows = [];
  for (let i = 0; i < labels.length; i++) if (labels[i] !== NO_LABEL && !(skip && skip[i] === 1)) rows.push(i);
  return rows;
}
