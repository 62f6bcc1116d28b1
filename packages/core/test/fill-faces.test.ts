// Faces that fill the frame: a face as high as a 640x480 frame, cut as tightly as FER2013 cuts faces
// (a webcam close-up, a portrait photo). The whole frame reaches MediaPipe letterboxed, the face at
// three quarters of its input, past the range where BlazeFace scores faces surely; the frame seen
// from further away (tiles.ts, frameZoomedOut) shows it at half the input. The faces are the sample
// photos' 21-22 people, grey, 48 pixels of resolution.
import { expect } from '@open-wc/testing';
import { EmotionDetector } from '../src/index.js';
import { ASSETS, MODEL } from './support/engine.js';
import { background, flat } from './support/frames.js';
import { findPlaced, sampleCuts } from './support/placed-faces.js';

const W = 640;
const H = 480;
/** The face image's side: the frame's height. */
const SIZE = H;
/** The cuts: squares of these many times each face's box (0.8 cuts forehead and chin, as FER2013 often does). */
const MARGINS = [0.8, 0.9, 1.0];
const PLACES = { centred: { x: (W - SIZE) / 2, y: 0 }, 'left edge': { x: 0, y: 0 }, 'right edge': { x: W - SIZE, y: 0 } };

describe('faces that fill the frame', function () {
  this.timeout(600_000);

  it('finds a face as high as the frame, centred and against its sides, on black, grey and a texture (>= 99%)', async () => {
    const detector = await EmotionDetector.create({ assetsBase: ASSETS, model: MODEL, backend: 'wasm', numThreads: 1 });
    try {
      const cuts = await sampleCuts(detector, MARGINS);
      const grounds = { black: flat('#000'), grey: flat('#808080'), texture: background(302, true) };
      const { tries, missed } = await findPlaced(detector, cuts, MARGINS, SIZE, PLACES, grounds);
      console.log(`faces filling the frame: ${tries - missed.length} of ${tries} found; missed: ${missed.join(', ') || 'none'}`);
      expect(tries - missed.length, missed.join(', ')).to.be.at.least(Math.ceil(0.99 * tries));
    } finally {
      await detector.dispose();
    }
  });
});
