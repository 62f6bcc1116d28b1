// Big faces against the frame's edge: a face half the height of a 640x480 frame, cut as tightly as
// FER2013 cuts faces, against an edge or in a corner. The whole frame reaches MediaPipe letterboxed,
// the face at 37.5% of its input and touching the input's edge, where BlazeFace scores many such faces
// under 0.5; the frame's squares (tiles.ts, frameSquares) show it at half the input. The faces are the
// sample photos' 21-22 people, grey, 48 pixels of resolution.
import { expect } from '@open-wc/testing';
import { EmotionDetector } from '../src/index.js';
import { ASSETS, MODEL } from './support/engine.js';
import { background, flat } from './support/frames.js';
import { findPlaced, sampleCuts } from './support/placed-faces.js';

const W = 640;
const H = 480;
/** The face image's side: half the frame's height. */
const SIZE = 240;
/** The cuts: squares of these many times each face's box (0.8 cuts forehead and chin, as FER2013 often does). */
const MARGINS = [0.8, 0.9, 1.0];
const PLACES = { 'left edge': { x: 0, y: (H - SIZE) / 2 }, 'top left corner': { x: 0, y: 0 }, 'bottom right corner': { x: W - SIZE, y: H - SIZE }, 'top edge': { x: (W - SIZE) / 2, y: 0 } };

describe('big faces against the frame edge', function () {
  this.timeout(600_000);

  it("finds a face half the frame's height against its edges and in its corners, on black, grey and a texture (>= 98%)", async () => {
    const detector = await EmotionDetector.create({ assetsBase: ASSETS, model: MODEL, backend: 'wasm', numThreads: 1 });
    try {
      const cuts = await sampleCuts(detector, MARGINS);
      const grounds = { black: flat('#000'), grey: flat('#808080'), texture: background(301, true) };
      const { tries, missed } = await findPlaced(detector, cuts, MARGINS, SIZE, PLACES, grounds);
      console.log(`big faces at the edge: ${tries - missed.length} of ${tries} found; missed: ${missed.join(', ') || 'none'}`);
      // main before the frame's squares: 737 of 756 (97.5%, 2026-12-05); with them 746, with the frame
      // seen from further away too 750. The faces missed are mostly the tightest cuts (0.8).
      expect(tries - missed.length, missed.join(', ')).to.be.at.least(Math.ceil(0.98 * tries));
    } finally {
      await detector.dispose();
    }
  });
});
