// The dev split carved from FER2013 Training: the rows that choose everything (epochs,
// temperatures, quantisation tails, views, class offsets), so that PublicTest is only scored.
// The same rule as models/training/fer_data.py's dev_mask: a row is in the dev split when the
// first 4 bytes of the SHA-256 of its pixels, read as a big-endian integer, are 0 modulo
// DEV_MODULUS, and its pixels do not also occur in PublicTest. Identical images (duplicate groups)
// hash alike, so they always fall on one side; PublicTest's copies of Training images stay on the
// training side, so the dev split and PublicTest share no image.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { loadDataset } from './dataset.mjs';

export const DEV_MODULUS = 10;

const digest = (bytes) => crypto.createHash('sha256').update(bytes).digest();
const trainingFile = (dataDir, s) => path.join(dataDir, `Training-${s}.u8`);

/**
 * @param {Uint8Array} trainImages N x side^2 bytes
 * @param {Uint8Array} testImages M x side^2 bytes
 * @param {number} bytesPerImage
 * @returns {Uint8Array} 1 where a Training row is in the dev split
 */
export function devMask(trainImages, testImages, bytesPerImage = 48 * 48) {
  const inTest = new Set();
  for (let i = 0; i < testImages.length / bytesPerImage; i++) {
    inTest.add(digest(testImages.subarray(i * bytesPerImage, (i + 1) * bytesPerImage)).toString('hex'));
  }
  const n = trainImages.length / bytesPerImage;
  const mask = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const d = digest(trainImages.subarray(i * bytesPerImage, (i + 1) * bytesPerImage));
    mask[i] = d.readUInt32BE(0) % DEV_MODULUS === 0 && !inTest.has(d.toString('hex')) ? 1 : 0;
  }
  return mask;
}

export function hasTraining(dataDir) {
  return ['images', 'labels', 'ferplus-labels'].every((s) => fs.existsSync(trainingFile(dataDir, s)));
}

/** All of FER2013 Training with its FER+ labels, as a dataset (see dataset.mjs). */
export function loadTraining(dataDir) {
  return loadDataset({ images: trainingFile(dataDir, 'images'), labels: trainingFile(dataDir, 'ferplus-labels') });
}

/**
 * The dev split as a dataset (see dataset.mjs) with both label sets: `{ data, labels: { ferplus, orig }, rows }`,
 * `rows` being the Training row of each dev image. `testImages` are PublicTest's pixels.
 */
export function loadDevSplit(dataDir, testImages) {
  const ferplus = loadTraining(dataDir);
  const orig = new Uint8Array(fs.readFileSync(trainingFile(dataDir, 'labels')));
  const mask = devMask(ferplus.images, testImages);
  const rows = [];
  for (let i = 0; i < mask.length; i++) if (mask[i]) rows.push(i);
  const per = ferplus.size * ferplus.size * ferplus.channels;
  const images = new Uint8Array(rows.length * per);
  rows.forEach((r, j) => images.set(ferplus.images.subarray(r * per, (r + 1) * per), j * per));
  const pick = (a) => Uint8Array.from(rows, (r) => a[r]);
  const data = { n: rows.length, size: ferplus.size, channels: ferplus.channels, images, labels: pick(ferplus.labels), skip: null };
  return { data, labels: { ferplus: data.labels, orig: pick(orig) }, rows };
}
