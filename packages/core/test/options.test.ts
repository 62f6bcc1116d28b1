// Run-time options and streams: every option is checked once, in core ('invalid-option' naming the
// option, its unit and range); setOptions() changes what a running detector reports without loading
// anything, with the same results as a detector created with those options (main thread and
// worker); forget() starts a stream afresh; a slow stream keeps its faces; trackingMemory.
import { expect } from '@open-wc/testing';
import { executeServerCommand } from '@web/test-runner-commands';
import { EmotionDetector, type DetectionResult, type EmotionDetectorOptions } from '../src/index.js';
import { ASSETS, MODEL, expectError, loadImage, maxDiff, pairFaces, photo } from './support/engine.js';

const base = { assetsBase: ASSETS, model: MODEL, backend: 'wasm' as const, numThreads: 1, parallel: false };

/** The face ids of a result, in order (faces come largest first, and near-equal sizes can swap). */
const ids = (r: DetectionResult) => r.faces.map((f) => f.id).sort((a, b) => a - b);

/** The faces of `a` and `b` are the same faces with the same scores. */
function expectSameResult(a: DetectionResult, b: DetectionResult, what: string): void {
  expect(a.faces.length, `${what}: faces`).to.equal(b.faces.length);
  for (const [x, y] of pairFaces(a.faces, b.faces)) {
    expect(Math.abs(x.box.x - y.box.x) + Math.abs(x.box.y - y.box.y), `${what}: box`).to.be.lessThan(0.5);
    expect(maxDiff(x.rawEmotions, y.rawEmotions), `${what}: raw scores`).to.be.lessThan(1e-5);
    expect(maxDiff(x.emotions, y.emotions), `${what}: smoothed scores`).to.be.lessThan(1e-5);
  }
}

describe('options: checked once, in core', () => {
  const bad: Array<[EmotionDetectorOptions, RegExp]> = [
    [{ maxFaces: 0 }, /maxFaces.*integer from 1 to 64, in faces.*got 0/],
    [{ maxFaces: 2.5 }, /maxFaces.*integer/],
    [{ maxFaces: 65 }, /maxFaces/],
    [{ minFaceConfidence: 0 }, /minFaceConfidence.*between 0 and 1 \(exclusive\)/],
    [{ minFaceConfidence: 1 }, /minFaceConfidence/],
    [{ smoothing: -1 }, /smoothing.*from 0 to 10000, in ms/],
    [{ smoothing: Number.NaN }, /smoothing.*got NaN/],
    [{ trackingMemory: 1e9 }, /trackingMemory.*in ms/],
    [{ smallFaces: 'yes' as unknown as boolean }, /smallFaces.*true or false, or "tiny".*"yes"/],
    [{ smallFaces: 'Tiny' as 'tiny' }, /smallFaces.*got "Tiny"/],
    [{ flipAverage: 1 as unknown as boolean }, /flipAverage.*true or false, or "stills".*got 1/],
    [{ flipAverage: 'always' as 'stills' }, /flipAverage.*got "always"/],
    [{ numThreads: 0 }, /numThreads.*in threads/],
    [{ backend: 'gpu' as 'wasm' }, /backend.*'auto', 'webgpu', 'wasm'.*"gpu"/],
    [{ worker: 'no' as unknown as boolean }, /worker.*true or false/],
  ];

  it("create() rejects each out-of-range option with 'invalid-option', before downloading anything", async () => {
    await executeServerCommand('requests');
    for (const [options, message] of bad) await expectError(EmotionDetector.create({ ...base, ...options }), 'invalid-option', message);
    const seen = await executeServerCommand<string[], undefined>('requests');
    expect(seen.filter((r) => r.includes('/assets/')), 'nothing was downloaded').to.deep.equal([]);
  });
});

describe('setOptions() and forget() (main thread)', () => {
  let detector: EmotionDetector;
  let photo1: HTMLImageElement;
  let photo6: HTMLImageElement;

  before(async () => {
    detector = await EmotionDetector.create(base);
    [photo1, photo6] = await Promise.all([loadImage(photo(1)), loadImage(photo(6))]);
  });
  after(() => detector?.dispose());

  it('changes every runtime option without loading anything, as a detector created with them would report', async () => {
    const changed = { maxFaces: 2, minFaceConfidence: 0.8, smoothing: 0, smallFaces: false, flipAverage: true };
    const reference = await EmotionDetector.create({ ...base, ...changed });
    try {
      const before = await detector.detect(photo6, 0, { stream: 'same' });
      expect(before.faces.length, 'the defaults find more than two faces').to.be.greaterThan(2);
      await executeServerCommand('requests');
      await detector.setOptions(changed);
      const seen = await executeServerCommand<string[], undefined>('requests');
      expect(seen, 'setOptions() loads nothing').to.deep.equal([]);
      expect(detector.options).to.deep.include(changed);
      // A new stream on each, so that neither has history.
      for (const img of [photo1, photo6]) {
        const a = await detector.detect(img, 0, { stream: `new ${img.src}` });
        const b = await reference.detect(img, 0, { stream: `new ${img.src}` });
        expect(a.faces.length).to.be.within(1, 2);
        expectSameResult(a, b, img.src);
      }
      // And back: the defaults again give what they gave at first.
      await detector.setOptions({ maxFaces: 8, minFaceConfidence: 0.5, smoothing: 300, smallFaces: true, flipAverage: 'stills' });
      const again = await detector.detect(photo6, 0, { stream: 'again' });
      expectSameResult(again, before, 'defaults restored');
    } finally {
      await reference.dispose();
    }
  });

  it('keeps the ids of the faces it tracks, and applies a new smoothing to them', async () => {
    const s = { stream: 'ids' };
    const first = await detector.detect(photo1, 1000, s);
    await detector.setOptions({ smoothing: 0 });
    const next = await detector.detect(photo1, 1033, s);
    expect(ids(next)).to.deep.equal(ids(first));
    for (const f of next.faces) expect(maxDiff(f.emotions, f.rawEmotions), 'no smoothing').to.be.lessThan(1e-6);
    await detector.setOptions({ smoothing: 300 });
  });

  it('a changed face search (maxFaces, minFaceConfidence) applies to the next frame of a video, not only after the next periodic full search', async () => {
    // Between two full searches (500 ms of video time) a video's frame is searched only around the
    // last frame's faces: without a full search after setOptions, a raised maxFaces or a lowered
    // threshold would keep the old face set. Frames 33 ms apart, so only the change can force one.
    const still = (await detector.detect(photo6, 0)).faces.length;
    expect(still, 'the defaults find more than two faces').to.be.greaterThan(2);
    const s = { stream: 'search' };
    await detector.setOptions({ maxFaces: 1 });
    const one = await detector.detect(photo6, 1000, s);
    expect(one.faces.length).to.equal(1);
    await detector.setOptions({ maxFaces: 8 });
    const all = await detector.detect(photo6, 1033, s);
    expect(all.faces.length, 'maxFaces raised: every face at the next frame').to.equal(still);
    expect(ids(all), 'the face tracked before keeps its id').to.include(one.faces[0]!.id);

    await detector.setOptions({ minFaceConfidence: 0.95 });
    const strict = await detector.detect(photo6, 1066, s);
    expect(strict.faces.length, 'a high threshold drops some faces').to.be.lessThan(still);
    await detector.setOptions({ minFaceConfidence: 0.5 });
    const lenient = await detector.detect(photo6, 1100, s);
    expect(lenient.faces.length, 'threshold lowered: every face at the next frame').to.equal(still);
  });

  it("rejects a bad value with 'invalid-option' and changes nothing", async () => {
    const before = detector.options;
    await expectError(detector.setOptions({ maxFaces: 3, smoothing: -5 }), 'invalid-option', /smoothing/);
    await expectError(detector.setOptions({ backend: 'wasm' } as never), 'invalid-option', /backend needs a new runtime/);
    await expectError(detector.setOptions({ maxfaces: 3 } as never), 'invalid-option', /unknown option maxfaces/);
    expect(detector.options).to.deep.equal(before);
  });

  it('forget(stream) starts that stream afresh (new ids, no smoothing history) and leaves the others', async () => {
    const a1 = await detector.detect(photo1, 0, { stream: 'a' });
    const b1 = await detector.detect(photo6, 0, { stream: 'b' });
    const a2 = await detector.detect(photo1, 33, { stream: 'a' });
    expect(ids(a2)).to.deep.equal(ids(a1));
    detector.forget('a');
    const a3 = await detector.detect(photo1, 66, { stream: 'a' });
    const b2 = await detector.detect(photo6, 33, { stream: 'b' });
    expect(a3.faces.length).to.equal(a1.faces.length);
    const old = new Set(a1.faces.map((f) => f.id));
    for (const f of a3.faces) {
      expect(old.has(f.id), 'a forgotten face gets a new id').to.equal(false);
      expect(maxDiff(f.emotions, f.rawEmotions), 'and no smoothing history').to.be.lessThan(1e-6);
    }
    expect(ids(b2), 'stream b keeps its ids').to.deep.equal(ids(b1));
  });

  it('a slow stream (a frame a second) keeps its faces; one gone longer than trackingMemory gets new ids', async () => {
    const blank = document.createElement('canvas');
    blank.width = photo1.naturalWidth;
    blank.height = photo1.naturalHeight;
    blank.getContext('2d')!.fillRect(0, 0, blank.width, blank.height);
    // Seen in every frame, 1 s apart (twice the default trackingMemory): the same faces.
    // One at a time: a frame still waiting when a newer one of its stream arrives is skipped.
    const s0 = await detector.detect(photo1, 0, { stream: 'slow' });
    const s1 = await detector.detect(photo1, 1000, { stream: 'slow' });
    const s2 = await detector.detect(photo1, 2000, { stream: 'slow' });
    expect(ids(s1!)).to.deep.equal(ids(s0!));
    expect(ids(s2!)).to.deep.equal(ids(s0!));
    // Missing for one frame: gone 2 s > 500 ms, new ids; with trackingMemory 5000 the same ids.
    // (The frame after one without faces is searched whole, in one pass, where these small faces'
    // boxes are rough; the next frame searches around them again, as every frame of a video.)
    const gone = async (stream: string) => {
      const r0 = await detector.detect(photo1, 0, { stream });
      expect((await detector.detect(blank, 1000, { stream })).faces).to.deep.equal([]);
      await detector.detect(photo1, 2000, { stream });
      return [r0, await detector.detect(photo1, 2033, { stream })] as const;
    };
    const [g0, g2] = await gone('gone');
    expect(ids(g2).some((id) => ids(g0).includes(id)), 'default memory: new ids').to.equal(false);
    await detector.setOptions({ trackingMemory: 5000 });
    const [m0, m2] = await gone('remembered');
    expect(ids(m2), 'trackingMemory 5000: the same ids').to.deep.equal(ids(m0));
    await detector.setOptions({ trackingMemory: 500 });
  });

  it("after dispose(): setOptions() rejects 'disposed', forget() does nothing", async () => {
    const d = await EmotionDetector.create(base);
    await d.dispose();
    await expectError(d.setOptions({ maxFaces: 2 }), 'disposed');
    expect(() => d.forget('x')).not.to.throw();
  });
});

describe('setOptions() and forget() in a worker', () => {
  it('change what the worker reports as on the main thread', async () => {
    const inWorker = await EmotionDetector.create({ ...base, worker: true });
    const onMain = await EmotionDetector.create({ ...base, maxFaces: 2, flipAverage: true, smoothing: 0 });
    try {
      const bitmap = await createImageBitmap(await loadImage(photo(6)));
      const before = await inWorker.detect(bitmap, 0, { stream: 'w' });
      expect(before.faces.length).to.be.greaterThan(2);
      await inWorker.setOptions({ maxFaces: 2, flipAverage: true, smoothing: 0 });
      inWorker.forget('w');
      const a = await inWorker.detect(bitmap, 33, { stream: 'w' });
      const b = await onMain.detect(bitmap, 33, { stream: 'w' });
      expectSameResult(a, b, 'worker after setOptions');
      const old = new Set(before.faces.map((f) => f.id));
      expect(a.faces.every((f) => !old.has(f.id)), 'forgotten in the worker').to.equal(true);
      await expectError(inWorker.setOptions({ minFaceConfidence: 7 }), 'invalid-option', /minFaceConfidence/);
      bitmap.close();
    } finally {
      await inWorker.dispose();
      await onMain.dispose();
    }
  });
});
