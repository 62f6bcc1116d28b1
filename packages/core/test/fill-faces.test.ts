// Faces that fill the frame: a face as high as a 640x480 frame, cut as tightly as FER2013 cuts faces
// (a webcam close-up, a portrait photo). The whole frame reaches MediaPipe letterboxed, the face at
// three quarters of its input, past the range where BlazeFace scores faces surely; the frame seen
// from further away (tiles.ts, frameZoomedOut) shows it at half the input. The faces are the sample
// photos' 21-22 people, grey, 48 pixels of resolution.
import { expect } from '@open-wc/testing';
import { EmotionDetector } from '../src/index.js';
import { ASSETS, MODEL, loadImage, photo } from './support/engine.js';
import { background, ferLike, flat, foundAt } from './support/frames.js';

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
      const cuts: HTMLCanvasElement[] = [];
      for (let n = 1; n <= 6; n++) {
        const img = await loadImage(photo(n));
        for (const f of (await detector.detect(img)).faces) cuts.push(...MARGINS.map((m) => ferLike(img, f.box, m)));
      }
      expect(cuts.length).to.be.at.least(20 * MARGINS.length);
      const grounds = { black: flat('#000'), grey: flat('#808080'), texture: background(302, true) };
      const missed: string[] = [];
      let tries = 0;
      for (const [ground, surround] of Object.entries(grounds)) {
        for (const [place, at] of Object.entries(PLACES)) {
          for (const [i, cut] of cuts.entries()) {
            const frame = document.createElement('canvas');
            frame.width = W;
            frame.height = H;
            const g = frame.getContext('2d')!;
            g.drawImage(surround, 0, 0);
            g.drawImage(cut, at.x, at.y, SIZE, SIZE);
            const r = await detector.detect(frame);
            tries++;
            if (!foundAt(r.faces, at, SIZE)) missed.push(`face ${Math.floor(i / MARGINS.length)} (${MARGINS[i % MARGINS.length]}) ${place} on ${ground}`);
            expect(r.faces.length, `face ${i}: one face in the frame`).to.be.at.most(1);
          }
        }
      }
      console.log(`faces filling the frame: ${tries - missed.length} of ${tries} found; missed: ${missed.join(', ') || 'none'}`);
      expect(tries - missed.length, missed.join(', ')).to.be.at.least(Math.ceil(0.99 * tries));
    } finally {
      await detector.dispose();
    }
  });
});
