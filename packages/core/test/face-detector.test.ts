// The face detector on real group photos, in real Chromium with MediaPipe Tasks' WASM.
import { expect } from '@open-wc/testing';
import { writeFile } from '@web/test-runner-commands';
import { MediaPipeFaceDetector } from '../src/detection/face-detector.js';
import { iou } from '../src/geometry/box.js';
import { mergeDetections } from '../src/detection/nms.js';
import { unmirrorFace } from '../src/detection/to-face.js';
import { focusPasses } from '../src/detection/focus.js';
import { frameSquares, frameZoomedOut, reachingPast, squaresPastEnds, SQUARES_ASPECT, tileLayout, tileLevels, TILE_LEVELS } from '../src/detection/tiles.js';
import { EmotionDetectorError } from '../src/errors.js';
import { drawFinds } from '../../../models/eval/lib/draw-finds.mjs';
import { mirrored } from './support/frames.js';
import type { DetectedFace } from '../src/types.js';

const ASSETS = '/packages/core/dist/assets';
const WASM = `${ASSETS}/mediapipe`;
const MODEL = `${ASSETS}/models/face/face_detection_short_range.tflite`;
const ORIGINAL_MODEL = '/node_modules/@mediapipe/face_detection/face_detection_short_range.tflite';
const photo = (n: number): string => `/node_modules/@vladmandic/face-api/demo/sample${n}.jpg`;
/** People in sample1..6, counted by a person (sample2: one profile, one face looking down). */
const PEOPLE = [3, 3, 3, 4, 5, 4];

async function bitmap(url: string): Promise<ImageBitmap> {
  const res = await fetch(url);
  expect(res.ok, url).to.equal(true);
  return createImageBitmap(await res.blob());
}

/** Median and fastest of `runs` timed calls, as text (the fastest shows the cost on an idle machine). */
function time(fn: () => void, runs: number): string {
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    fn();
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  return `median ${ms[Math.floor(runs / 2)]!.toFixed(1)} ms, fastest ${ms[0]!.toFixed(1)} ms`;
}

async function expectError(p: Promise<unknown>, code: string): Promise<void> {
  try {
    await p;
  } catch (e) {
    expect(e).to.be.instanceOf(EmotionDetectorError);
    expect((e as EmotionDetectorError).code).to.equal(code);
    return;
  }
  expect.fail(`expected an EmotionDetectorError ${code}`);
}

const inside = (p: { x: number; y: number }, f: DetectedFace): boolean =>
  p.x >= f.box.x && p.x <= f.box.x + f.box.width && p.y >= f.box.y && p.y <= f.box.y + f.box.height;

describe('MediaPipeFaceDetector', function () {
  this.timeout(300_000);
  let detector: MediaPipeFaceDetector;
  const photos: ImageBitmap[] = [];

  before(async () => {
    detector = await MediaPipeFaceDetector.create({ wasmBase: WASM, model: MODEL, minConfidence: 0.5, maxFaces: 8, smallFaces: true });
    for (let n = 1; n <= 6; n++) photos.push(await bitmap(photo(n)));
  });
  after(() => detector?.close());

  it('loads the metadata-added model; the original without metadata is refused with a typed error', async () => {
    const bytes = new Uint8Array(await (await fetch(MODEL)).arrayBuffer());
    const fromBytes = await MediaPipeFaceDetector.create({ wasmBase: WASM, model: bytes, minConfidence: 0.5, maxFaces: 8, smallFaces: false });
    expect(fromBytes.detect(photos[0]!, photos[0]!.width, photos[0]!.height).faces.length).to.be.greaterThan(0);
    fromBytes.close();
    await expectError(MediaPipeFaceDetector.create({ wasmBase: WASM, model: ORIGINAL_MODEL, minConfidence: 0.5, maxFaces: 8, smallFaces: false }), 'invalid-model');
  });

  it('finds the faces a person counts in the six group photos, and no more', async () => {
    const found: number[] = [];
    for (let i = 0; i < photos.length; i++) {
      const img = photos[i]!;
      const faces = detector.detect(img, img.width, img.height).faces;
      found.push(faces.length);
      console.log(`sample${i + 1}: ${faces.map((f) => `${f.score.toFixed(2)}@${Math.round(f.box.x)},${Math.round(f.box.y)} ${Math.round(f.box.width)}px`).join('; ')}`);
      await writeFile({ path: `../../../test/artifacts/detections-sample${i + 1}.png`, content: await drawFinds(img, faces), encoding: 'base64' });
      for (const f of faces) {
        // Each box is on a face: it holds the eyes, nose and mouth, is roughly square and of a size
        // a face has in these photos (between 3% and 30% of the width).
        for (const p of [f.keypoints.leftEye, f.keypoints.rightEye, f.keypoints.noseTip, f.keypoints.mouth]) expect(inside(p, f), `sample${i + 1}`).to.equal(true);
        expect(f.keypoints.leftEye.x).to.be.lessThan(f.keypoints.rightEye.x);
        expect(f.box.width / img.width).to.be.within(0.03, 0.3);
        expect(f.box.height / f.box.width).to.be.within(0.7, 1.4);
        expect(f.score).to.be.within(0.5, 1);
      }
      for (let k = 1; k < faces.length; k++) expect(faces[k]!.box.width * faces[k]!.box.height).to.be.at.most(faces[k - 1]!.box.width * faces[k - 1]!.box.height);
    }
    console.log(`faces per photo: ${found.join(',')} of ${PEOPLE.join(',')}; total ${found.reduce((a, b) => a + b)} of 22`);
    found.forEach((n, i) => expect(n, `sample${i + 1}: more faces than people`).to.be.at.most(PEOPLE[i]!));
    expect(found.reduce((a, b) => a + b)).to.be.at.least(20);
  });

  it("maps faces found in a photo's mirror image back to where they are in the photo (boxes, and which eye is which)", () => {
    const img = photos[3]!;
    const mirror = mirrored(img);
    const whole = { x: 0, y: 0, width: img.width, height: img.height };
    const plain = detector.detect(img, img.width, img.height).faces;
    const back = detector.detect(mirror, img.width, img.height).faces.map((f) => unmirrorFace(f, whole));
    expect(plain.length).to.be.at.least(3);
    for (const f of plain) {
      const twin = back.find((b) => iou(b.box, f.box) > 0.6);
      expect(twin, `the face at ${Math.round(f.box.x)},${Math.round(f.box.y)} found in the mirror image`).to.not.equal(undefined);
      // The left eye (as seen in the image) stays on the left, within a tenth of the box.
      for (const k of ['leftEye', 'rightEye', 'noseTip', 'mouth'] as const) {
        expect(Math.hypot(twin!.keypoints[k].x - f.keypoints[k].x, twin!.keypoints[k].y - f.keypoints[k].y), k).to.be.below(0.1 * f.box.width);
      }
      expect(twin!.keypoints.leftEye.x).to.be.lessThan(twin!.keypoints.rightEye.x);
    }
  });

  it('in a video, finds the small faces again around where they were, in fewer passes', async () => {
    let full = 0;
    let focused = 0;
    for (let i = 0; i < photos.length; i++) {
      const img = photos[i]!;
      const { faces: before, detectorPasses } = detector.detect(img, img.width, img.height);
      full += detectorPasses;
      // The next frame: the people moved a little (the photo shifted by 2% of its width).
      const dx = Math.round(img.width * 0.02);
      const next = new OffscreenCanvas(img.width, img.height);
      next.getContext('2d')!.drawImage(img, dx, 0);
      const { faces: after, detectorPasses: around } = detector.detect(next, img.width, img.height, before.map((f) => f.box));
      focused += around;
      expect(after.length, `sample${i + 1}`).to.equal(before.length);
      for (const f of before) {
        const moved = { ...f.box, x: f.box.x + dx };
        const best = Math.max(...after.map((g) => iou(g.box, moved)));
        const where = `sample${i + 1}: face at ${Math.round(f.box.x)},${Math.round(f.box.y)} ${Math.round(f.box.width)}px, ${after.map((g) => `${Math.round(g.box.x)},${Math.round(g.box.y)} ${Math.round(g.box.width)}px`).join('; ')}`;
        expect(best, where).to.be.greaterThan(0.5);
      }
    }
    console.log(`detector passes over the six photos: ${full} with tiles, ${focused} around the previous faces`);
    expect(focused).to.be.lessThan(full * 0.75);
  });

  it('between full searches, looks only around the last faces, or at the whole frame when there were none', () => {
    const img = photos[4]!;
    const all = detector.detect(img, img.width, img.height).faces;
    // One previous face: one region around it, no whole-frame pass, no tiles; that face only.
    const { faces: one, search, detectorPasses } = detector.detect(img, img.width, img.height, [all[0]!.box]);
    expect(detectorPasses).to.equal(1);
    expect(search).to.equal('focus');
    expect(one.length).to.equal(1);
    expect(iou(one[0]!.box, all[0]!.box)).to.be.greaterThan(0.5);
    // None before: the whole frame, once (a big face that walks in is found at once).
    const none = detector.detect(img, img.width, img.height, []);
    expect(none.detectorPasses).to.equal(1);
    expect(none.search).to.equal('frame');
  });

  it('finds five small faces again in one 2x2 mosaic and one single cell, frame after frame', () => {
    // sample5 (five people) fitted into 640x480 and swaying sideways, as in the benchmark.
    const img = photos[4]!;
    const frame = new OffscreenCanvas(640, 480);
    const g = frame.getContext('2d')!;
    const s = Math.min(640 / img.width, 480 / img.height);
    const draw = (dx: number) => {
      g.fillStyle = '#000';
      g.fillRect(0, 0, 640, 480);
      g.drawImage(img, (640 - img.width * s) / 2 + dx, (480 - img.height * s) / 2, img.width * s, img.height * s);
    };
    draw(0);
    let faces = detector.detect(frame, 640, 480).faces;
    expect(faces.length).to.equal(5);
    for (let i = 1; i <= 20; i++) {
      const dx = 16 * Math.sin((2 * Math.PI * i) / 40);
      draw(dx);
      const before = faces;
      const next = detector.detect(frame, 640, 480, before.map((f) => f.box));
      faces = next.faces;
      expect(next.detectorPasses, `frame ${i}`).to.equal(2);
      expect(faces.length, `frame ${i}`).to.equal(5);
      // Each face is found again where it was (it moved by 2.5 px at most), at about its size.
      for (const f of before) expect(Math.max(...faces.map((g) => iou(g.box, f.box))), `frame ${i}`).to.be.greaterThan(0.6);
    }
  });

  it('a big but unsure detection in the whole frame does not stop the tiled search for small faces', () => {
    // In this frame (the sway at its far left), the whole-frame pass reads three of the five small
    // faces as bigger, unsure ones (scores 0.50-0.59): earlier they were taken for a close-up.
    const img = photos[4]!;
    const frame = new OffscreenCanvas(640, 480);
    const g = frame.getContext('2d')!;
    const s = Math.min(640 / img.width, 480 / img.height);
    g.fillStyle = '#000';
    g.fillRect(0, 0, 640, 480);
    g.drawImage(img, (640 - img.width * s) / 2 + 16 * Math.sin((2 * Math.PI * 32) / 40), (480 - img.height * s) / 2, img.width * s, img.height * s);
    const { faces, search, detectorPasses } = detector.detect(frame, 640, 480);
    expect(search).to.equal('tiles');
    expect(detectorPasses).to.be.greaterThan(1);
    expect(faces.length).to.equal(5);
    for (const f of faces) expect(f.box.width).to.be.lessThan(100);
  });

  it('without smallFaces it misses small faces (what the tiles are for)', async () => {
    const plain = await MediaPipeFaceDetector.create({ wasmBase: WASM, model: MODEL, minConfidence: 0.5, maxFaces: 8, smallFaces: false });
    const found = photos.map((img) => plain.detect(img, img.width, img.height).faces.length);
    plain.close();
    console.log(`without tiles: ${found.join(',')}`);
    found.forEach((n, i) => expect(n).to.be.at.most(PEOPLE[i]!));
    expect(found.reduce((a, b) => a + b)).to.be.lessThan(20);
  });

  it('caps the result at maxFaces, keeping the largest', async () => {
    const two = await MediaPipeFaceDetector.create({ wasmBase: WASM, model: MODEL, minConfidence: 0.5, maxFaces: 2, smallFaces: true });
    const img = photos[4]!;
    const all = detector.detect(img, img.width, img.height).faces;
    const capped = two.detect(img, img.width, img.height).faces;
    two.close();
    expect(capped.length).to.equal(2);
    expect(capped.map((f) => Math.round(f.box.x))).to.deep.equal(all.slice(0, 2).map((f) => Math.round(f.box.x)));
  });

  it('finds one big face in a 640x480 frame without tiling (a close-up); reports timings', async () => {
    // The largest face of sample1, framed as a webcam close-up.
    const src = photos[0]!;
    const big = detector.detect(src, src.width, src.height).faces[0]!;
    const cx = big.box.x + big.box.width / 2;
    const cy = big.box.y + big.box.height / 2;
    const w = big.box.width * 2.4;
    const frame = new OffscreenCanvas(640, 480);
    frame.getContext('2d')!.drawImage(src, cx - w / 2, cy - (w * 0.75) / 2, w, w * 0.75, 0, 0, 640, 480);
    const closeUp = detector.detect(frame, 640, 480);
    const faces = closeUp.faces;
    expect(faces.length).to.equal(1);
    expect(faces[0]!.box.width).to.be.within(640 / 2.4 / 1.5, (640 / 2.4) * 1.5);

    // The close-up does not pay for tiles (one model pass); the group photo does.
    expect(closeUp.detectorPasses).to.equal(1);
    expect(closeUp.search).to.equal('frame');
    const photo = detector.detect(src, src.width, src.height);
    const photoPasses = photo.detectorPasses;
    expect(photoPasses).to.be.greaterThan(1);
    expect(photo.search).to.equal('tiles');

    // A 640x480 frame without a close-up (the group photo scaled down) is tiled too.
    const wide = new OffscreenCanvas(640, 427);
    wide.getContext('2d')!.drawImage(src, 0, 0, 640, 427);
    const { faces: { length: wideFaces }, detectorPasses: widePasses } = detector.detect(wide, 640, 427);
    console.log(`sample1 scaled to 640x427: ${wideFaces} of 3 faces`);
    expect(wideFaces).to.be.within(2, 3);
    console.log(`detection, 640x480 close-up: ${time(() => detector.detect(frame, 640, 480), 15)} (1 pass)`);
    console.log(`detection, ${src.width}x${src.height} photo: ${time(() => detector.detect(src, src.width, src.height), 7)} (${photoPasses} passes)`);
    console.log(`detection, 640x427 small faces: ${time(() => detector.detect(wide, 640, 427), 7)} (${widePasses} passes)`);
  });

  it('accepts ImageData and canvases, and returns nothing for a 0x0 frame', () => {
    const src = photos[2]!;
    const canvas = new OffscreenCanvas(src.width, src.height);
    const ctx = canvas.getContext('2d')!;
    ctx.drawImage(src, 0, 0);
    const fromBitmap = detector.detect(src, src.width, src.height).faces.length;
    expect(detector.detect(canvas, src.width, src.height).faces.length).to.equal(fromBitmap);
    expect(detector.detect(ctx.getImageData(0, 0, src.width, src.height), src.width, src.height).faces.length).to.equal(fromBitmap);
    expect(detector.detect(canvas, 0, 0)).to.deep.equal({ faces: [], search: 'none', detectorPasses: 0 });
  });

  it('reports bad models, bad options and use after close with typed errors', async () => {
    const opts = { wasmBase: WASM, minConfidence: 0.5, maxFaces: 8, smallFaces: true };
    await expectError(MediaPipeFaceDetector.create({ ...opts, model: `${ASSETS}/models/face/missing.tflite` }), 'asset-fetch-failed');
    await expectError(MediaPipeFaceDetector.create({ ...opts, model: new TextEncoder().encode('<!doctype html><title>404</title>') }), 'invalid-model');
    const d = await MediaPipeFaceDetector.create({ ...opts, model: MODEL });
    d.close();
    expect(() => d.detect(photos[0]!, 10, 10)).to.throw(EmotionDetectorError).with.property('code', 'disposed');
  });
});

describe('tile layout and merging', () => {
  it('covers the frame with half-overlapping tiles, so any face up to half a tile lies inside one', () => {
    expect(tileLayout(200, 150)).to.deep.equal([]);
    for (const [w, h] of [[1920, 1280], [640, 480], [1280, 720], [480, 640], [3000, 400]] as const) {
      const tiles = tileLayout(w, h);
      expect(tiles.length, `${w}x${h}`).to.be.within(2, w / h > 3 ? 16 : 9);
      for (const t of tiles) expect(t.x >= 0 && t.y >= 0 && t.x + t.width <= w && t.y + t.height <= h).to.equal(true);
      const side = tiles[0]!.width;
      for (let y = 0; y + side / 2 <= h; y += 37) {
        for (let x = 0; x + side / 2 <= w; x += 41) {
          const face = { x, y, width: side / 2, height: side / 2 };
          const holder = tiles.some((t) => face.x >= t.x && face.y >= t.y && face.x + face.width <= t.x + t.width && face.y + face.height <= t.y + t.height);
          expect(holder, `${w}x${h}: face at ${x},${y}`).to.equal(true);
        }
      }
    }
  });

  it('has finer levels of tiles (a third and a sixth of the longer side) for frames of 512 pixels and more, holding any face up to a third of a tile', () => {
    expect(tileLevels(200, 150)).to.deep.equal([]);
    expect(tileLevels(480, 360).map((l) => l[0]!.width)).to.deep.equal([240]);
    for (const [w, h] of [[640, 480], [1920, 1280], [1280, 720], [480, 640]] as const) {
      const levels = tileLevels(w, h);
      expect(levels.map((l) => l[0]!.width), `${w}x${h}`).to.deep.equal(TILE_LEVELS.map((l) => Math.round(Math.max(w, h) * l.tileFraction)));
      levels.forEach((tiles, k) => {
        const side = tiles[0]!.width;
        const face = side * TILE_LEVELS[k]!.maxFace;
        for (const t of tiles) expect(t.x >= 0 && t.y >= 0 && t.x + t.width <= w && t.y + t.height <= h).to.equal(true);
        for (let y = 0; y + face <= h; y += 7) {
          for (let x = 0; x + face <= w; x += 11) {
            const holder = tiles.some((t) => x >= t.x && y >= t.y && x + face <= t.x + t.width && y + face <= t.y + t.height);
            expect(holder, `${w}x${h} level ${k}: face of ${face.toFixed(0)} px at ${x},${y}`).to.equal(true);
          }
        }
      });
    }
    // 640x480: 6 tiles of 320 px, 15 of 213 and 63 of 107 (a 48-pixel face is 45% of a sixth's tile).
    expect(tileLevels(640, 480).map((l) => l.length)).to.deep.equal([6, 15, 63]);
    expect(tileLevels(640, 480).map((l) => l[0]!.width)).to.deep.equal([320, 213, 107]);
  });

  it("has squares of a non-square frame's shorter side along its longer side, half-overlapping, the frame's edges marked", () => {
    expect(frameSquares(640, 480).map((s) => [s.x, s.y, s.width, s.height])).to.deep.equal([[0, 0, 480, 480], [160, 0, 480, 480]]);
    expect(frameSquares(1280, 720).map((s) => s.x)).to.deep.equal([0, 280, 560]);
    expect(frameSquares(480, 640).map((s) => [s.x, s.y, s.width])).to.deep.equal([[0, 0, 480], [0, 160, 480]]);
    // Squarer than SQUARES_ASPECT: a square would be nearly the whole frame again.
    expect(frameSquares(500, 480)).to.deep.equal([]);
    expect(frameSquares(480, 480)).to.deep.equal([]);
    expect(frameSquares(0, 480)).to.deep.equal([]);
    expect(frameSquares(Math.ceil(SQUARES_ASPECT * 480), 480)).to.have.length(2);
    const [left, right] = frameSquares(640, 480);
    expect(left!.frameEdges).to.deep.equal({ left: true, top: true, right: false, bottom: true });
    expect(right!.frameEdges).to.deep.equal({ left: false, top: true, right: true, bottom: true });
    for (const [w, h] of [[640, 480], [1280, 720], [3000, 400], [400, 3000]] as const) {
      const squares = frameSquares(w, h);
      const side = Math.min(w, h);
      for (const s of squares) expect(s.x >= 0 && s.y >= 0 && s.x + s.width <= w && s.y + s.height <= h, `${w}x${h}`).to.equal(true);
      // Neighbours overlap by half a square or more: a face up to half the frame's shorter side lies wholly in one.
      for (let at = 0; at + side / 2 <= Math.max(w, h); at += 13) {
        const holder = squares.some((s) => (w >= h ? at >= s.x && at + side / 2 <= s.x + s.width : at >= s.y && at + side / 2 <= s.y + s.height));
        expect(holder, `${w}x${h}: face at ${at}`).to.equal(true);
      }
    }
  });

  it("moves the frame's end squares past its ends along its longer side, the inner side alone not the frame's", () => {
    expect(squaresPastEnds(640, 480, 0.2).map((s) => [s.x, s.y, s.width, s.height])).to.deep.equal([[-96, 0, 480, 480], [256, 0, 480, 480]]);
    expect(squaresPastEnds(1280, 720, 0.25).map((s) => [s.x, s.y, s.width])).to.deep.equal([[-180, 0, 720], [740, 0, 720]]);
    // A portrait frame: past its top and bottom, where MediaPipe's input ends.
    expect(squaresPastEnds(480, 640, 0.2).map((s) => [s.x, s.y, s.width])).to.deep.equal([[0, -96, 480], [0, 256, 480]]);
    const [left, right] = squaresPastEnds(640, 480, 0.2);
    expect(left!.frameEdges).to.deep.equal({ left: true, top: true, right: false, bottom: true });
    expect(right!.frameEdges).to.deep.equal({ left: false, top: true, right: true, bottom: true });
    const [top, bottom] = squaresPastEnds(480, 640, 0.2);
    expect(top!.frameEdges).to.deep.equal({ left: true, top: true, right: true, bottom: false });
    expect(bottom!.frameEdges).to.deep.equal({ left: true, top: false, right: true, bottom: true });
    // None where the frame has no squares (squarer than SQUARES_ASPECT).
    expect(squaresPastEnds(480, 480, 0.2)).to.deep.equal([]);
    expect(squaresPastEnds(0, 480, 0.2)).to.deep.equal([]);
  });

  it('sees the frame from further away: a region zoom times its size, centred on it, every side a frame edge', () => {
    const far = frameZoomedOut(640, 480, 1.5);
    expect([far.x, far.y, far.width, far.height]).to.deep.equal([-160, -120, 960, 720]);
    expect(far.frameEdges).to.deep.equal({ left: true, top: true, right: true, bottom: true });
    const square = frameZoomedOut(350, 350, 2);
    expect([square.x, square.y, square.width, square.height]).to.deep.equal([-175, -175, 700, 700]);
  });

  it("grows a tile past the frame's edges it touches, staying square; a tile inside the frame stays as it is", () => {
    const edges = (left: boolean, top: boolean, right = false, bottom = false) => ({ left, top, right, bottom });
    const corner = reachingPast({ x: 0, y: 0, width: 100, height: 100, frameEdges: edges(true, true) }, 0.25);
    expect([corner.x, corner.y, corner.width, corner.height]).to.deep.equal([-25, -25, 125, 125]);
    // Against the left edge only: 25 px past it, and 12.5 px more above and below, inside the frame.
    const left = reachingPast({ x: 0, y: 200, width: 100, height: 100, frameEdges: edges(true, false) }, 0.25);
    expect([left.x, left.y, left.width, left.height]).to.deep.equal([-25, 187.5, 125, 125]);
    const bottomRight = reachingPast({ x: 540, y: 380, width: 100, height: 100, frameEdges: edges(false, false, true, true) }, 0.25);
    expect([bottomRight.x, bottomRight.y, bottomRight.width, bottomRight.height]).to.deep.equal([540, 380, 125, 125]);
    expect(bottomRight.frameEdges).to.deep.equal(edges(false, false, true, true));
    const inner = { x: 100, y: 100, width: 100, height: 100, frameEdges: edges(false, false), maxUnsure: 0.75 };
    expect(reachingPast(inner, 0.25)).to.deep.equal(inner);
  });

  it('passes on to closer looks every unsure find of a finer level up to the size where the next coarser level takes over', () => {
    // A level finds faces from about 30% of its tiles' side; a wider unsure find in a finer tile
    // that got no closer look would be lost between the levels (e.g. 64 px in 640x480, 30% of a
    // third's 213-px tile, is 60% of a sixth's 107-px tile). To a pixel: tile sides are rounded.
    for (const [w, h] of [[640, 480], [1280, 720], [1920, 1080], [512, 384]] as const) {
      const levels = tileLevels(w, h);
      expect(levels.length, `${w}x${h}`).to.equal(3);
      for (let k = 1; k < levels.length; k++) {
        const [finer, coarser] = [levels[k]![0]!, levels[k - 1]![0]!];
        expect(finer.maxUnsure * finer.width, `${w}x${h} level ${k}`).to.be.at.least(0.3 * coarser.width - 1);
      }
      expect(levels[0]![0]!.maxUnsure, `${w}x${h}`).to.equal(0.6);
    }
  });

  it('packs up to four faces into one focus pass, each in a square cell with room to move, inside the frame', () => {
    const box = (x: number, y: number, size: number) => ({ x, y, width: size, height: size });
    const faces = [box(100, 100, 40), box(160, 105, 40), box(590, 430, 40), box(300, 200, 60), box(20, 400, 30)];
    const passes = focusPasses(faces, 640, 480);
    // Five faces: a 2x2 mosaic of four, then one alone.
    expect(passes.map((p) => [p.grid, p.cells.length])).to.deep.equal([
      [2, 4],
      [1, 1],
    ]);
    const cells = passes.flatMap((p) => p.cells);
    cells.forEach((c, i) => {
      const f = faces[i]!;
      expect(c.width).to.equal(c.height);
      expect(c.x >= 0 && c.y >= 0 && c.x + c.width <= 640 && c.y + c.height <= 480).to.equal(true);
      // The face lies inside its cell with at least half its size free on each side that is not
      // the frame's, and is two fifths of the cell: about 26 of the detector's 128 pixels in a 2x2 mosaic.
      const free = [f.x - c.x, f.y - c.y, c.x + c.width - (f.x + f.width), c.y + c.height - (f.y + f.height)];
      const edges = [c.frameEdges.left, c.frameEdges.top, c.frameEdges.right, c.frameEdges.bottom];
      free.forEach((room, k) => expect(room, `face ${i} side ${k}`).to.be.at.least(edges[k] ? 0 : 0.5 * f.width));
      expect(f.width / c.width).to.be.within(0.39, 0.42);
    });
    // The face at the bottom-right corner: its cell is moved inside the frame.
    expect(cells[2]!.frameEdges.right && cells[2]!.frameEdges.bottom).to.equal(true);
    expect(focusPasses([], 640, 480)).to.deep.equal([]);
  });

  it('merges detections of one face, keeps distinct faces apart', () => {
    const kp = (x: number, y: number) => ({ rightEye: { x, y }, leftEye: { x, y }, noseTip: { x, y }, mouth: { x, y }, rightEarTragion: { x, y }, leftEarTragion: { x, y } });
    const face = (x: number, y: number, size: number, score: number): DetectedFace => ({ box: { x, y, width: size, height: size }, keypoints: kp(x + size / 2, y + size / 2), score });
    const merged = mergeDetections([face(100, 100, 100, 0.9), face(104, 98, 100, 0.8), face(120, 120, 40, 0.7), face(400, 100, 100, 0.95)]);
    expect(merged.length).to.equal(2);
    expect(merged[0]!.score).to.equal(0.95);
    // The first face: the two close boxes are averaged by score; the small box inside it is dropped.
    expect(merged[1]!.box.x).to.be.closeTo((100 * 0.9 + 104 * 0.8) / 1.7, 1e-9);
    expect(merged[1]!.box.width).to.be.closeTo(100, 1e-9);
    expect(iou(merged[0]!.box, merged[1]!.box)).to.equal(0);
  });
});
