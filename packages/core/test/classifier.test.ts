// The classifier's parts: crop geometry (checked on a synthetic image with known eye positions),
// the card/session check, and batching (one batch of N faces == N runs of one face).
import { expect } from '@open-wc/testing';
import { cropGeometry, FaceCropper } from '../src/classification/crop.js';
import { Classifier } from '../src/classification/classifier.js';
import { missingIo } from '../src/classification/backend.js';
import { FaceBatcher } from '../src/classification/face-batch.js';
import { FlipAveraged, withMirrors } from '../src/classification/flip-average.js';
import type { ModelCard } from '../src/model-card.js';
import { loadAssets } from '../src/assets/load.js';
import { EMOTIONS, type DetectedFace } from '../src/types.js';
import { ASSETS, MODEL, expectDistribution, maxDiff } from './support/engine.js';

const point = (x: number, y: number) => ({ x, y });
/** A face box with eyes at the given points (the other keypoints do not matter for the crop). */
function face(box: DetectedFace['box'], rightEye: { x: number; y: number }, leftEye: { x: number; y: number }): DetectedFace {
  const p = point(box.x + box.width / 2, box.y + box.height / 2);
  return { box, score: 1, keypoints: { rightEye, leftEye, noseTip: p, mouth: p, rightEarTragion: p, leftEarTragion: p } };
}

/** White canvas with black dots of radius 4 at the given points. */
function dots(width: number, height: number, points: Array<{ x: number; y: number }>): OffscreenCanvas {
  const c = new OffscreenCanvas(width, height);
  const ctx = c.getContext('2d')!;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, width, height);
  ctx.fillStyle = '#000';
  for (const p of points) {
    ctx.beginPath();
    ctx.arc(p.x, p.y, 4, 0, 2 * Math.PI);
    ctx.fill();
  }
  return c;
}

/** Centroids of the dark pixels in the left and right halves of an RGBA crop. */
function darkCentroids(data: Uint8ClampedArray | Uint8Array, size: number) {
  const acc = [
    { x: 0, y: 0, n: 0 },
    { x: 0, y: 0, n: 0 },
  ];
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const i = (y * size + x) * 4;
      if (data[i + 3]! > 200 && data[i]! < 100) {
        const a = acc[x < size / 2 ? 0 : 1]!;
        a.x += x;
        a.y += y;
        a.n++;
      }
    }
  }
  return acc.map((a) => ({ x: a.x / a.n, y: a.y / a.n, n: a.n }));
}

describe('face crop', () => {
  const box = { x: 130, y: 60, width: 140, height: 140 };
  const right = point(150, 100);
  const left = point(250, 140); // eyes tilted by atan(40/100) = 21.8 degrees
  const size = 96;

  it('rotates the face so the eyes are level, at the scale the card asks for', () => {
    const g = cropGeometry(face(box, right, left), { scale: 1.25, offsetY: 0, align: 'eyes' });
    expect(g.angle).to.be.closeTo(Math.atan2(40, 100), 1e-9);
    expect(g.side).to.equal(1.25 * 140);
    const { data } = new FaceCropper(size).crop(dots(400, 300, [right, left]), g);
    const [a, b] = darkCentroids(data, size);
    expect(a!.n).to.be.greaterThan(5);
    expect(b!.n).to.be.greaterThan(5);
    expect(Math.abs(a!.y - b!.y), 'eyes level').to.be.lessThan(0.5);
    const k = size / g.side;
    expect(b!.x - a!.x, 'eye distance scaled').to.be.closeTo(Math.hypot(100, 40) * k, 0.5);
    // The eyes' midpoint (200, 120) is 10 px above the box centre (the crop's centre): rotated by
    // -angle about that centre it lands at (-10 sin a, -10 cos a) from it (pixel centres at +0.5).
    expect((a!.x + b!.x) / 2).to.be.closeTo(size / 2 - 0.5 - 10 * Math.sin(g.angle) * k, 0.6);
    expect((a!.y + b!.y) / 2).to.be.closeTo(size / 2 - 0.5 - 10 * Math.cos(g.angle) * k, 0.6);
  });

  it('moves the square down by offsetY x side along the face, and keeps the eyes the right way round', () => {
    const g0 = cropGeometry(face(box, right, left), { scale: 1.25, offsetY: 0, align: 'eyes' });
    const g1 = cropGeometry(face(box, left, right), { scale: 1.25, offsetY: 0.1, align: 'eyes' });
    expect(g1.angle, 'same angle whichever eye is called left').to.be.closeTo(g0.angle, 1e-9);
    const image = dots(400, 300, [right, left]);
    const [a0] = darkCentroids(new FaceCropper(size).crop(image, g0).data, size);
    const [a1] = darkCentroids(new FaceCropper(size).crop(image, g1).data, size);
    // The content moves up by offsetY x side, in crop pixels: 0.1 x 96.
    expect(a0!.y - a1!.y).to.be.closeTo(0.1 * size, 0.5);
    expect(a1!.x).to.be.closeTo(a0!.x, 0.5);
  });

  it("is axis-aligned with align: 'none', and repeats the frame's edge outside it (crop.test.ts)", () => {
    const g = cropGeometry(face({ x: -50, y: -50, width: 100, height: 100 }, right, left), { scale: 1, offsetY: 0, align: 'none' });
    expect(g.angle).to.equal(0);
    const { data } = new FaceCropper(size).crop(dots(400, 300, []), g);
    expect(Array.from(data.subarray(0, 4)), 'top-left is outside the frame: its white corner repeated').to.deep.equal([255, 255, 255, 255]);
    const i = (size - 1) * size * 4 + (size - 1) * 4;
    expect(Array.from(data.subarray(i, i + 3)), 'bottom-right is the white frame').to.deep.equal([255, 255, 255]);
  });
});

describe('classifier', () => {
  let card: ModelCard;
  let classifier: Classifier;

  before(async () => {
    const assets = await loadAssets({ assetsBase: ASSETS, model: MODEL }, 'wasm');
    card = assets.card;
    classifier = await Classifier.create({ ...assets, backend: 'wasm', numThreads: 2 });
  });
  after(() => classifier.close());

  it('names the input or output a session lacks', () => {
    const session = { inputNames: ['input'], outputNames: ['probabilities'] };
    expect(missingIo(session, { input: card.input.name, output: card.output.name })).to.equal(undefined);
    expect(missingIo(session, { input: 'pixels', output: card.output.name })).to.equal('input "pixels" is not an input of the model (it has input)');
    expect(missingIo(session, { input: card.input.name, output: 'scores' })).to.equal('output "scores" is not an output of the model (it has probabilities)');
  });

  it('classifies a batch of faces exactly as it classifies each alone', async () => {
    const image = dots(640, 480, [point(200, 200), point(260, 210), point(450, 220), point(510, 215)]);
    const faces = [
      face({ x: 170, y: 150, width: 120, height: 140 }, point(200, 200), point(260, 210)),
      face({ x: 420, y: 160, width: 120, height: 130 }, point(450, 220), point(510, 215)),
      face({ x: 0, y: 300, width: 200, height: 180 }, point(50, 350), point(150, 350)),
    ];
    const batcher = new FaceBatcher(card);
    const classify = (list: DetectedFace[]) => classifier.run(batcher.prepare(image, batcher.cropsOf(list)));
    const batch = await classify(faces);
    expect(batch).to.have.length(3);
    for (let i = 0; i < faces.length; i++) {
      const [alone] = await classify([faces[i]!]);
      expectDistribution(batch[i]!);
      expect(maxDiff(batch[i]!, alone!)).to.be.lessThan(1e-5);
    }
    expect(maxDiff(batch[0]!, batch[2]!), 'different crops give different scores').to.be.greaterThan(1e-6);
    expect(await classify([])).to.deep.equal([]);
  });

  it('with mirror averaging, scores each face as the mean of it and its mirror image', async () => {
    // withMirrors: n items, then the same items with every row reversed.
    const tiny = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]); // 2 items of 2 rows x 3
    expect([...withMirrors(tiny, 3)]).to.deep.equal([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 3, 2, 1, 6, 5, 4, 9, 8, 7, 12, 11, 10]);

    const image = dots(640, 480, [point(200, 200), point(260, 210), point(250, 260), point(450, 220), point(510, 215)]);
    const faces = [
      face({ x: 170, y: 150, width: 120, height: 140 }, point(200, 200), point(260, 210)),
      face({ x: 420, y: 160, width: 120, height: 130 }, point(450, 220), point(510, 215)),
    ];
    const batcher = new FaceBatcher(card);
    const input = batcher.prepare(image, batcher.cropsOf(faces));
    const mirrored = withMirrors(input, card.input.width).slice(input.length);
    const plain = await classifier.run(input.slice());
    const ofMirrors = await classifier.run(mirrored.slice());
    const flip = new FlipAveraged(classifier, card.input.width);
    const averaged = (await flip.score(input.slice())).scores;
    expect(averaged).to.have.length(2);
    for (let i = 0; i < faces.length; i++) {
      expectDistribution(averaged[i]!);
      for (const e of EMOTIONS) expect(averaged[i]![e]).to.be.closeTo((plain[i]![e] + ofMirrors[i]![e]) / 2, 1e-5);
      // These crops are lopsided, so the two views disagree and averaging changes the scores ...
      expect(maxDiff(plain[i]!, ofMirrors[i]!)).to.be.greaterThan(1e-3);
    }
    // ... and a face and its mirror image now get the same scores.
    const ofMirrorsAveraged = (await flip.score(mirrored.slice())).scores;
    for (let i = 0; i < faces.length; i++) expect(maxDiff(averaged[i]!, ofMirrorsAveraged[i]!)).to.be.lessThan(1e-5);
    expect((await flip.score(new Float32Array(0))).scores).to.deep.equal([]);
  });
});
