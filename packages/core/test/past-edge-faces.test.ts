// Faces the frame cuts: a face half the height of a 640x480 frame, cut as tightly as FER2013 cuts
// faces, reaching a fifth of its side past the frame's left or right edge (a person partly out of
// the picture). MediaPipe's input ends where the frame does, and BlazeFace scores a face cut by its
// input's edge low, in the whole frame and in the frame's squares alike; the end squares moved past
// the frame's ends (tiles.ts, squaresPastEnds) show its cut side against mid-grey. The faces are the
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
/** How far past the frame's edge the face image reaches: a fifth of it. */
const PAST = SIZE / 5;
/** The cuts: squares of these many times each face's box (0.8 cuts forehead and chin, as FER2013 often does). */
const MARGINS = [0.8, 0.9, 1.0];
const PLACES = { 'past the left edge': { x: -PAST, y: (H - SIZE) / 2 }, 'past the right edge': { x: W - SIZE + PAST, y: (H - SIZE) / 2 } };

describe("faces cut by the frame's edge", function () {
  this.timeout(600_000);

  it("finds a face half the frame's height a fifth past its left or right edge, on grey, black and a texture (>= 90%)", async () => {
    const detector = await EmotionDetector.create({ assetsBase: ASSETS, model: MODEL, backend: 'wasm', numThreads: 1 });
    try {
      const cuts = await sampleCuts(detector, MARGINS);
      const grounds = { grey: flat('#808080'), black: flat('#000'), texture: background(301, true) };
      const { tries, missed } = await findPlaced(detector, cuts, MARGINS, SIZE, PLACES, grounds);
      console.log(`faces past the edge: ${tries - missed.length} of ${tries} found; missed: ${missed.join(', ') || 'none'}`);
      // main before the end squares moved past the frame's ends: 325 of 378 (86.0%, 2026-12-06);
      // with them 347 (91.8%; 362 confirmed by one look, as the frame's squares are, which let
      // textures' blobs through). The faces missed are mostly the tightest cuts (0.8).
      expect(tries - missed.length, missed.join(', ')).to.be.at.least(Math.ceil(0.9 * tries));
    } finally {
      await detector.dispose();
    }
  });
});
