// Stills are stills: a loop of detect() over different photos gives, photo by photo, what a fresh
// detector gives for each photo alone (boxes and probabilities; ids aside), whether the caller
// passes no timestamp, increasing timestamps or a constant one. A video (a VideoFrame, or frames
// the caller marks as one) keeps its tracking and smoothing.
import { expect } from '@open-wc/testing';
import { EmotionDetector } from '../src/index.js';
import type { DetectionResult, EmotionDetectorOptions } from '../src/types.js';
import { ASSETS, MODEL, maxDiff, sampleFaces } from './support/engine.js';

/** Every photo is this size: same-size photos with increasing timestamps once read as a video. */
const SIDE = 256;
const PHOTOS = 50;
const OPTIONS: EmotionDetectorOptions = { assetsBase: ASSETS, model: MODEL, backend: 'wasm', numThreads: 2 };

/**
 * 50 different face photos from the face-api samples: every face `locator` finds in sample1..6, cut
 * out as a square of 2.2 times its box (neighbours and all) and scaled to SIDE x SIDE, then the same
 * faces mirrored, then cut at 1.6 times, until there are 50. Half are canvases, half ImageBitmaps.
 */
async function facePhotos(locator: EmotionDetector): Promise<Array<HTMLCanvasElement | ImageBitmap>> {
  const cuts = (await sampleFaces(locator)).map(({ img, box }) => ({ img, cx: box.x + box.width / 2, cy: box.y + box.height / 2, side: Math.max(box.width, box.height) }));
  const variants = [
    { margin: 2.2, mirror: false },
    { margin: 2.2, mirror: true },
    { margin: 1.6, mirror: false },
  ];
  const out: Array<HTMLCanvasElement | ImageBitmap> = [];
  for (const { margin, mirror } of variants) {
    for (const { img, cx, cy, side } of cuts) {
      if (out.length === PHOTOS) break;
      const canvas = document.createElement('canvas');
      canvas.width = SIDE;
      canvas.height = SIDE;
      const g = canvas.getContext('2d')!;
      g.fillStyle = '#777';
      g.fillRect(0, 0, SIDE, SIDE);
      if (mirror) g.setTransform(-1, 0, 0, 1, SIDE, 0);
      const s = side * margin;
      g.drawImage(img, cx - s / 2, cy - s / 2, s, s, 0, 0, SIDE, SIDE);
      out.push(out.length % 2 ? await createImageBitmap(canvas) : canvas);
    }
  }
  return out;
}

/** Same faces, boxes, keypoints, scores and probabilities (smoothed and raw), ids aside. */
function expectSameAs(got: DetectionResult, want: DetectionResult, what: string): void {
  expect(got.faces.length, `${what}: faces`).to.equal(want.faces.length);
  got.faces.forEach((f, i) => {
    const w = want.faces[i]!;
    expect(f.box, `${what}, face ${i}: box`).to.deep.equal(w.box);
    expect(f.keypoints, `${what}, face ${i}: keypoints`).to.deep.equal(w.keypoints);
    expect(f.score, `${what}, face ${i}: score`).to.equal(w.score);
    expect(maxDiff(f.rawEmotions, w.rawEmotions), `${what}, face ${i}: raw probabilities`).to.be.below(1e-5);
    expect(maxDiff(f.emotions, w.emotions), `${what}, face ${i}: probabilities`).to.be.below(1e-5);
    expect(f.dominant, `${what}, face ${i}: dominant`).to.equal(w.dominant);
  });
}

describe('stills are stills (50 photos through one detector, against each photo alone)', function () {
  // Each detector takes seconds to start on a busy machine.
  this.timeout(900_000);
  let photos: Array<HTMLCanvasElement | ImageBitmap>;
  /**
   * The reference: each photo alone, the first frame of a stream of its own on a detector of its
   * own, every frame mirror-averaged as stills are by default (flipAverage 'stills' classifies a
   * video's frames once).
   */
  let reference: EmotionDetector;
  const alone: DetectionResult[] = [];

  before(async () => {
    reference = await EmotionDetector.create({ ...OPTIONS, flipAverage: true });
    photos = await facePhotos(reference);
    expect(photos).to.have.length(PHOTOS);
    for (const [i, p] of photos.entries()) alone.push(await reference.detect(p, 0, { stream: `photo ${i}` }));
    // Most photos hold a face (a few cuts of the crowds hold only faces cut by the edge).
    expect(alone.filter((r) => r.faces.length > 0).length).to.be.at.least(45);
  });
  after(() => reference.dispose());

  it('the reference is what a fresh detector gives (checked on three photos)', async () => {
    for (const i of [0, 21, 42]) {
      const fresh = await EmotionDetector.create(OPTIONS);
      try {
        expectSameAs(await fresh.detect(photos[i]!), alone[i]!, `photo ${i}`);
      } finally {
        await fresh.dispose();
      }
    }
  });

  it('a loop of detect() gives each photo what it gets alone, with no timestamp, increasing timestamps or a constant one', async () => {
    const styles: Array<[string, (i: number) => number | undefined]> = [
      ['no timestamp', () => undefined],
      ['increasing timestamps, 33 ms apart', (i) => 1000 + 33 * i],
      ['a constant timestamp', () => 0],
    ];
    // One detector for the three loops: nothing of one loop may reach the next either.
    const d = await EmotionDetector.create(OPTIONS);
    try {
      for (const [style, timestamp] of styles) {
        for (let i = 0; i < PHOTOS; i++) expectSameAs(await d.detect(photos[i]!, timestamp(i)), alone[i]!, `${style}, photo ${i}`);
      }
    } finally {
      await d.dispose();
    }
  });

  it('keeps tracking and smoothing for a video: VideoFrames, or frames marked `video` or given a `stream`', async () => {
    // Two different photos of one size as consecutive frames of a video: the face keeps its id and
    // its probabilities are smoothed towards the first frame's.
    const [a, b] = [0, 2].map((i) => photos[i] as HTMLCanvasElement);
    const dist = (r: DetectionResult['faces'][number]) => Math.hypot(r.box.x + r.box.width / 2 - SIDE / 2, r.box.y + r.box.height / 2 - SIDE / 2);
    // The face in the middle of the photo (the cut's own face, not a neighbour's).
    const central = (r: DetectionResult) => [...r.faces].sort((p, q) => dist(p) - dist(q))[0]!;
    const d = reference;
    const calls: Array<[string, (c: HTMLCanvasElement, t: number) => Promise<DetectionResult>]> = [
      ['VideoFrame', async (c, t) => {
        const frame = new VideoFrame(c, { timestamp: t * 1000 });
        try {
          return await d.detect(frame, t);
        } finally {
          frame.close();
        }
      }],
      ['video: true', (c, t) => d.detect(c, t, { video: true })],
      ['stream', (c, t) => d.detect(c, t, { stream: 'camera' })],
    ];
    let t = 0;
    for (const [how, call] of calls) {
      t += 10_000; // a new video each time: later than the last, after every track has expired
      const first = central(await call(a, t));
      const second = central(await call(b, t + 33));
      expect(second.id, `${how}: id`).to.equal(first.id);
      expect(maxDiff(second.emotions, second.rawEmotions), `${how}: smoothed`).to.be.above(1e-3);
      expect(maxDiff(first.emotions, first.rawEmotions), `${how}: a video's first frame is its own`).to.be.below(1e-6);
    }
    // The second photo again, as a still: its own probabilities, a new id.
    const still = central(await d.detect(b, t + 66, { video: false }));
    expect(maxDiff(still.emotions, still.rawEmotions)).to.be.below(1e-6);
  });
});
