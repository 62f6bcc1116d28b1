// Faces and their mirror images: BlazeFace is not symmetric, and a face it scores under the
// threshold in one orientation often scores over it in the other (a face cut tightly by its image and
// by the frame's edge, a profile). Where no face was found surely the search also sees the frame's
// mirror image (face-detector.ts, mirroredFrame), so a face is found alike in both orientations. The
// faces are the sample photos' 21-22 people, grey, 48 pixels of resolution, cut as FER2013 cuts
// faces, each also flipped left to right, half the frame's height in its corners.
//
// Small faces: a find of a tile whose closer looks fall short gets them again in the mirror image
// (face-detector.ts, confirm). The faces: the same people cut tighter and off-centre (0.75 of their
// box moved 15% of it sideways, 0.7 moved 25% either way: a cheek, an ear, often an eye cut away, as
// FER2013 cuts turned faces), a tenth of the frame high, centred and across the finest tiles' borders.
import { expect } from '@open-wc/testing';
import { EmotionDetector } from '../src/index.js';
import { ASSETS, MODEL } from './support/engine.js';
import { flat, mirrored } from './support/frames.js';
import { findPlaced, sampleCuts } from './support/placed-faces.js';

const W = 640;
const H = 480;
/** The face image's side: half the frame's height. */
const SIZE = H / 2;
/** The cuts: squares of these many times each face's box (0.8 cuts forehead and chin, as FER2013 often does). */
const MARGINS = [0.8, 0.9, 1.0];
const PLACES = { 'top left': { x: 0, y: 0 }, 'bottom right': { x: W - SIZE, y: H - SIZE } };
/** The tight, off-centre cuts: [share of the box, sideways shift in box widths] (ferLike). */
const TIGHT = [[0.75, 0.15], [0.7, 0.25], [0.7, -0.25]] as const;
/** A tenth of the frame high: centred, and two places across the finest tiles' borders. */
const SMALL = 48;
const SMALL_PLACES = { centre: { x: 296, y: 216 }, 'left, across tiles': { x: 131, y: 202 }, 'right, across tiles': { x: 344, y: 273 } };

describe('faces and their mirror images', function () {
  this.timeout(600_000);

  it('finds a face half the frame high in its corners as often as its mirror image (>= 99% each)', async () => {
    const detector = await EmotionDetector.create({ assetsBase: ASSETS, model: MODEL, backend: 'wasm', numThreads: 1 });
    try {
      const cuts = await sampleCuts(detector, MARGINS);
      const grounds = { black: flat('#000'), grey: flat('#808080') };
      const plain = await findPlaced(detector, cuts, MARGINS, SIZE, PLACES, grounds);
      const flipped = await findPlaced(detector, cuts.map(mirrored), MARGINS, SIZE, PLACES, grounds);
      const onlyOne = [...plain.missed.filter((m) => !flipped.missed.includes(m)).map((m) => `${m}, found mirrored`), ...flipped.missed.filter((m) => !plain.missed.includes(m)).map((m) => `${m} mirrored, found as it is`)];
      console.log(`faces half the frame high in its corners: ${plain.tries - plain.missed.length} of ${plain.tries} found, mirrored ${flipped.tries - flipped.missed.length}; in one orientation only: ${onlyOne.join('; ') || 'none'}`);
      for (const { tries, missed } of [plain, flipped]) expect(tries - missed.length, missed.join(', ')).to.be.at.least(Math.ceil(0.99 * tries));
      expect(onlyOne, 'found in one orientation only').to.have.length.at.most(1);
    } finally {
      await detector.dispose();
    }
  });

  it('finds small faces cut tightly and off-centre more often with the mirror-image looks and the face verifier (>= 80%)', async () => {
    const detector = await EmotionDetector.create({ assetsBase: ASSETS, model: MODEL, backend: 'wasm', numThreads: 1 });
    try {
      const cuts = await sampleCuts(detector, TIGHT);
      const { tries, missed } = await findPlaced(detector, cuts, TIGHT, SMALL, SMALL_PLACES, { grey: flat('#808080') });
      console.log(`small faces cut tightly: ${tries - missed.length} of ${tries} found; missed: ${missed.join('; ')}`);
      // Main before the mirror-image looks (bd0f993): 128 of 189 (68%); with them 141 (75%); with the
      // near misses the face verifier calls faces (face-verifier.test.ts) 158 (84%). Many of these
      // cuts keep too little of the face for any look (the rest of the misses in all three).
      expect(tries - missed.length, missed.join('; ')).to.be.at.least(Math.ceil(0.8 * tries));
    } finally {
      await detector.dispose();
    }
  });
});
