// The whole engine on the main thread, on real photos: classification equals the ONNX model run
// directly on the same crop, every frame source type gives the same answer, ids stay stable on a
// moving face, a not-ready source gives an empty result, and the frame time.
import { expect } from '@open-wc/testing';
import * as ort from 'onnxruntime-web/wasm';
import { EmotionDetector } from '../src/index.js';
import { cropGeometry, cropperFor } from '../src/classification/crop.js';
import { toModelInput } from '../src/classification/preprocess.js';
import { withMirrors } from '../src/classification/flip-average.js';
import type { ModelCard } from '../src/model-card.js';
import { EMOTIONS, type DetectionResult, type EmotionScores, type Face } from '../src/types.js';
import { ASSETS, MODEL, expectDistribution, loadImage, maxDiff, median, pairFaces, photo, pipelineInit } from './support/engine.js';

/** A 640x480 webcam-like frame: the smiling woman of sample1 (as the fake camera shows her). */
async function webcamFrame(): Promise<HTMLCanvasElement> {
  const img = await loadImage(photo(1));
  const c = document.createElement('canvas');
  c.width = 640;
  c.height = 480;
  c.getContext('2d')!.drawImage(img, 1240, 60, 640, 480, 0, 0, 640, 480);
  return c;
}

/**
 * The model run directly on one face's crop, as the engine crops and preprocesses it; with
 * `mirrored`, on the crop and its mirror image in one batch, the two score sets averaged.
 */
async function directScores(session: ort.InferenceSession, card: ModelCard, img: HTMLImageElement, face: Face, mirrored = false): Promise<EmotionScores> {
  const { width: w, height: h, channels: c } = card.input;
  const input = toModelInput(cropperFor(card).crop(img, cropGeometry(face, card.crop)), card);
  const n = mirrored ? 2 : 1;
  const out = await session.run({ [card.input.name]: new ort.Tensor('float32', mirrored ? withMirrors(input, w) : input, [n, c, h, w]) });
  const p = out[card.output.name]!.data as Float32Array;
  const k = card.output.labels.length;
  return Object.fromEntries(card.output.labels.map((label, i) => [label, mirrored ? (p[i]! + p[k + i]!) / 2 : p[i]!])) as EmotionScores;
}

describe('EmotionDetector pipeline (main thread, WASM)', () => {
  let detector: EmotionDetector;

  before(async () => {
    detector = await EmotionDetector.create({ assetsBase: ASSETS, model: MODEL, backend: 'wasm', numThreads: 2, smoothing: 0 });
  });
  after(() => detector.dispose());

  it('reports the backend and the model card', () => {
    expect(detector.backend).to.equal('wasm');
    expect(detector.modelCard.output.labels).to.have.members([...EMOTIONS]);
    expect(detector.modelCard.file).to.match(/\.onnx$/);
  });

  it('classifies each face exactly as the ONNX model does on that crop (1e-5)', async () => {
    const img = await loadImage(photo(1));
    const result = await detector.detect(img, 0);
    expect(result.width).to.equal(img.naturalWidth);
    expect(result.height).to.equal(img.naturalHeight);
    expect(result.faces.length).to.be.greaterThan(1);
    // The model run directly, one face at a time (the engine batches them).
    const card = detector.modelCard;
    const modelUrl = MODEL ?? new URL(card.file, new URL('models/emotion/', new URL(ASSETS, location.href))).href;
    const session = await ort.InferenceSession.create(new Uint8Array(await (await fetch(modelUrl)).arrayBuffer()));
    // A still is mirror-averaged by default (flipAverage 'stills'): the mean of the model on each
    // face's crop and on the crop's mirror image.
    for (const face of result.faces) {
      expect(maxDiff(face.rawEmotions, await directScores(session, card, img, face, true)), `face ${face.id}`).to.be.lessThan(1e-5);
      expectDistribution(face.emotions);
      expect(face.valence).to.be.within(-1, 1);
      expect(face.arousal).to.be.within(-1, 1);
      expect(EMOTIONS).to.include(face.dominant);
    }
    expect(new Set(result.faces.map((f) => f.id)).size).to.equal(result.faces.length);
    expect(result.timings.total).to.be.at.least(result.timings.detection + result.timings.classification - 1e-6);

    // The same picture as a video's frame: the model once per face (the smoothing averages views
    // over frames). With flipAverage false a still too; with true (here with the model in its
    // worker, the default) a video's frame too, mirror-averaged.
    expect(detector.options.flipAverage, 'the default').to.equal('stills');
    const video = await detector.detect(img, 0, { video: true });
    const off = await EmotionDetector.create({ assetsBase: ASSETS, model: MODEL, backend: 'wasm', numThreads: 2, smoothing: 0, flipAverage: false });
    const flip = await EmotionDetector.create({ assetsBase: ASSETS, model: MODEL, backend: 'wasm', numThreads: 2, smoothing: 0, flipAverage: true });
    try {
      const [still, flipped] = [await off.detect(img, 0), await flip.detect(img, 0, { video: true })];
      for (const r of [video, still, flipped]) expect(r.faces.map((f) => f.box)).to.deep.equal(result.faces.map((f) => f.box));
      let changed = 0;
      for (const [i, face] of result.faces.entries()) {
        const once = await directScores(session, card, img, face);
        expect(maxDiff(video.faces[i]!.rawEmotions, once), `face ${face.id} in a video`).to.be.lessThan(1e-5);
        expect(maxDiff(still.faces[i]!.rawEmotions, once), `face ${face.id} with flipAverage false`).to.be.lessThan(1e-5);
        expect(maxDiff(flipped.faces[i]!.rawEmotions, face.rawEmotions), `face ${face.id} in a video with flipAverage true`).to.be.lessThan(1e-5);
        if (maxDiff(face.rawEmotions, once) > 1e-3) changed++;
      }
      expect(changed, 'mirror averaging changes the scores of some faces').to.be.greaterThan(0);
    } finally {
      await Promise.all([off.dispose(), flip.dispose()]);
      await session.release();
    }
  });

  it('runs a multi-view model (mirrors averaged in its graph) once per face, even with flipAverage', async () => {
    // fer-resnet-xs-orig-tta-int8 averages six zoomed and mirrored views inside its graph: the engine
    // must not mirror again (that would double its time for the same views).
    // On this thread (parallel: false) the engine's session is this page's onnxruntime-web: record
    // the batch size of each of its runs.
    const url = new URL('models/emotion/fer-resnet-xs-orig-tta-int8.onnx', new URL(ASSETS, location.href)).href;
    const tta = await EmotionDetector.create({ assetsBase: ASSETS, model: url, backend: 'wasm', numThreads: 2, smoothing: 0, flipAverage: true, parallel: false });
    const session = await ort.InferenceSession.create(new Uint8Array(await (await fetch(url)).arrayBuffer()));
    const proto = Object.getPrototypeOf(session) as { run: ort.InferenceSession['run'] };
    const run = proto.run;
    const batches: number[] = [];
    proto.run = function (this: ort.InferenceSession, feeds: ort.InferenceSession.FeedsType, ...rest: unknown[]) {
      // The face verifier's runs (its output is `face`) are not the expression model's.
      if (!this.outputNames.includes('face')) batches.push(Object.values(feeds)[0]!.dims[0]!);
      return (run as (...a: unknown[]) => ReturnType<typeof run>).call(this, feeds, ...rest);
    } as typeof run;
    try {
      const card = tta.modelCard;
      expect(card.architecture?.views).to.deep.include({ count: 6, mirrored: true });
      const img = await loadImage(photo(1));
      const result = await tta.detect(img, 0);
      expect(result.faces.length).to.be.greaterThan(1);
      expect(batches, 'one batch of the faces, without mirror copies').to.deep.equal([result.faces.length]);
      proto.run = run;
      for (const face of result.faces) {
        expect(maxDiff(face.rawEmotions, await directScores(session, card, img, face)), `face ${face.id}`).to.be.lessThan(1e-5);
      }
    } finally {
      proto.run = run;
      await tta.dispose();
      await session.release();
    }
  });

  it('gives the same faces and scores for every kind of frame source', async () => {
    const img = await loadImage(photo(4));
    const canvas = document.createElement('canvas');
    canvas.width = img.naturalWidth;
    canvas.height = img.naturalHeight;
    const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
    ctx.drawImage(img, 0, 0);
    const offscreen = new OffscreenCanvas(canvas.width, canvas.height);
    offscreen.getContext('2d')!.drawImage(img, 0, 0);
    const imageData = ctx.getImageData(0, 0, canvas.width, canvas.height);
    const bitmap = await createImageBitmap(canvas);
    const frame = new VideoFrame(canvas, { timestamp: 0 });
    // Timestamps go backwards between sources: the tracker starts over, so each is a first frame.
    const reference = await detector.detect(canvas, 1000);
    expect(reference.faces.length).to.be.greaterThan(2);
    const sources: Array<[string, CanvasImageSource | ImageData]> = [
      ['OffscreenCanvas', offscreen],
      ['ImageData', imageData],
      ['ImageBitmap', bitmap],
      ['VideoFrame', frame],
    ];
    for (const [name, source] of sources) {
      // Each as a still (a VideoFrame is a video's by default, whose faces are not mirror-averaged).
      const r = await detector.detect(source as HTMLCanvasElement, 0, { video: false });
      expect(r.faces.length, name).to.equal(reference.faces.length);
      expect([r.width, r.height], name).to.deep.equal([reference.width, reference.height]);
      for (const [a, b] of pairFaces(r.faces, reference.faces)) {
        expect(Math.abs(a.box.x - b.box.x) + Math.abs(a.box.y - b.box.y), `${name} box`).to.be.lessThan(0.5);
        expect(maxDiff(a.rawEmotions, b.rawEmotions), `${name} scores`).to.be.lessThan(1e-4);
      }
    }
    // MediaPipe uploads an <img> a little differently from a canvas: the same faces, boxes within 3%.
    const fromImage = await detector.detect(img, 0);
    expect(fromImage.faces.length).to.equal(reference.faces.length);
    for (const [a, b] of pairFaces(fromImage.faces, reference.faces)) {
      expect(Math.abs(a.box.x - b.box.x) + Math.abs(a.box.width - b.box.width), 'image box').to.be.lessThan(0.03 * b.box.width);
    }
    frame.close();
    bitmap.close();
  });

  it('keeps the ids of a moving face over 10 frames', async () => {
    const img = await loadImage(photo(1));
    const c = document.createElement('canvas');
    c.width = 640;
    c.height = 480;
    const ctx = c.getContext('2d')!;
    let ids: number[] | undefined;
    for (let i = 0; i < 10; i++) {
      // The camera pans 12 px right and 5 px down per frame (the face moves the other way).
      ctx.drawImage(img, 1160 + 12 * i, 40 + 5 * i, 640, 480, 0, 0, 640, 480);
      const r = await detector.detect(c, 5000 + 33 * i, { video: true });
      expect(r.faces.length, `frame ${i}`).to.be.greaterThan(0);
      const now = r.faces.map((f) => f.id).sort();
      if (ids) expect(now, `frame ${i}`).to.deep.equal(ids);
      ids = now;
    }
  });

  it('as a video, finds the same small faces between full searches; several streams keep apart', async () => {
    // Two "videos" of one size: the group photos sample1 and sample5, fitted into 1280x720.
    const video = async (n: number) => {
      const img = await loadImage(photo(n));
      const c = document.createElement('canvas');
      c.width = 1280;
      c.height = 720;
      const k = Math.min(1280 / img.naturalWidth, 720 / img.naturalHeight);
      c.getContext('2d')!.drawImage(img, 0, 0, img.naturalWidth * k, img.naturalHeight * k);
      return c;
    };
    const streams = [await video(1), await video(5)];
    // Each alone, as a still (full search: the whole frame and the tiles, as `work` says).
    const alone: number[] = [];
    for (const c of streams) {
      const r = await detector.detect(c, 0);
      alone.push(r.faces.length);
      expect(r.work.search, 'a still').to.equal('tiles');
      expect(r.work.detectorPasses, 'a still').to.be.greaterThan(1);
    }
    expect(alone.every((n) => n >= 3)).to.equal(true);
    // Interleaved at 30 fps for a second: a full search on each stream's first frame, then focused
    // frames, each of the first 7 of every 15 with a piece of the spread full search.
    const seen: number[][] = [[], []];
    const ids: Set<number>[] = [new Set(), new Set()];
    const work: DetectionResult['work'][][] = [[], []];
    let t = 1000;
    for (let i = 0; i < 30; i++) {
      for (const k of [0, 1]) {
        const r = await detector.detect(streams[k]!, (t += 17), { stream: k });
        seen[k]!.push(r.faces.length);
        work[k]!.push(r.work);
        for (const f of r.faces) ids[k]!.add(f.id);
      }
    }
    // `work` tells the frames apart: per stream, the full search with tiles on its first frame only,
    // then a focus pass per four faces, plus one pass on frames 0-6 of every 15 (the whole frame on
    // 15, one of the six tiles of 1280x720 on 1-6), and every face classified (again, where a
    // parallel guess missed it).
    for (const k of [0, 1]) {
      const kinds = work[k]!.map((w) => w.search);
      expect(kinds.flatMap((s, i) => (s === 'tiles' ? [i] : [])), `stream ${k}: ${kinds.join(',')}`).to.deep.equal([0]);
      for (const [i, w] of work[k]!.entries()) {
        const piece = i % 15 <= 6 ? 1 : 0;
        if (i > 0) expect(w.search, `stream ${k} frame ${i}`).to.equal('focus');
        if (i > 0) expect(w.detectorPasses, `stream ${k} frame ${i}`).to.equal(Math.ceil(seen[k]![i - 1]! / 4) + piece);
        else expect(w.detectorPasses, `stream ${k} frame ${i}`).to.equal(7);
        if (detector.parallel) expect(w.facesClassified).to.be.within(seen[k]![i]!, 2 * seen[k]![i]!);
        else expect(w.facesClassified, `stream ${k} frame ${i}`).to.equal(seen[k]![i]);
      }
    }
    expect(seen[0]!.every((n) => n === alone[0]), `sample1 as a video: ${seen[0]!.join(',')}`).to.equal(true);
    expect(seen[1]!.every((n) => n === alone[1]), `sample5 as a video: ${seen[1]!.join(',')}`).to.equal(true);
    // Each stream has its own tracker: its people keep their ids, and no id is shared by two streams.
    expect(ids[0]!.size, 'sample1 ids').to.equal(alone[0]);
    expect(ids[1]!.size, 'sample5 ids').to.equal(alone[1]);
    expect([...ids[0]!].some((id) => ids[1]!.has(id))).to.equal(false);
  });

  it("a video's work per frame does not depend on its frame rate, and a face that appears is found within 15 frames", async () => {
    // sample1 fitted into 1280x720 (three small faces); its first 3 frames show only the left
    // third (one face), the rest all of it. At 30 and at 5 frames/s the same frames get the same
    // detector passes: the full search is spread over frames, not time (with a 500 ms schedule, 5
    // frames/s gave a full search every 3rd frame, 30 frames/s every 15th).
    const img = await loadImage(photo(1));
    const k = Math.min(1280 / img.naturalWidth, 720 / img.naturalHeight);
    const frame = (all: boolean) => {
      const c = document.createElement('canvas');
      c.width = 1280;
      c.height = 720;
      const g = c.getContext('2d')!;
      g.drawImage(img, 0, 0, img.naturalWidth * k, img.naturalHeight * k);
      if (!all) g.clearRect(1280 / 3, 0, 1280, 720);
      return c;
    };
    const [part, whole] = [frame(false), frame(true)];
    const alone = (await detector.detect(whole, 0)).faces.length;
    const first = (await detector.detect(part, 0)).faces.length;
    expect(first, 'faces in the left third').to.be.within(1, alone - 1);
    const run = async (stream: string, msPerFrame: number) => {
      const passes: number[] = [];
      const faces: number[] = [];
      for (let i = 0; i < 30; i++) {
        const r = await detector.detect(i < 3 ? part : whole, 1000 + i * msPerFrame, { stream });
        passes.push(r.work.detectorPasses);
        faces.push(r.faces.length);
      }
      detector.forget(stream);
      return { passes, faces };
    };
    const fast = await run('30fps', 1000 / 30);
    const slow = await run('5fps', 200);
    expect(slow.passes, `detector passes a frame at 5 frames/s against 30`).to.deep.equal(fast.passes);
    for (const { faces } of [fast, slow]) {
      const found = faces.findIndex((n) => n === alone);
      expect(found, `faces a frame: ${faces.join(',')}`).to.be.within(3, 3 + 15);
      expect(faces.slice(found).every((n) => n === alone), `faces a frame: ${faces.join(',')}`).to.equal(true);
    }
  });

  it('gives an empty result (not an error) for a video or image with no frame yet', async () => {
    const video = document.createElement('video');
    const r = await detector.detect(video, 1);
    expect(r).to.deep.include({ faces: [], width: 0, height: 0, timestamp: 1, work: { search: 'none', detectorPasses: 0, facesClassified: 0, facesVerified: 0, facesDropped: 0 } });
    expect((await detector.detect(new Image())).faces).to.deep.equal([]);
    expect((await detector.detect(new OffscreenCanvas(0, 0))).width).to.equal(0);
  });

  it('reads a playing video element', async () => {
    const stream = (await webcamFrame()).captureStream();
    const canvas = stream.getVideoTracks()[0];
    expect(canvas).to.not.equal(undefined);
    const video = document.createElement('video');
    video.muted = true;
    video.srcObject = stream;
    await video.play();
    await new Promise((r) => requestAnimationFrame(r));
    const r = await detector.detect(video);
    expect([r.width, r.height]).to.deep.equal([640, 480]);
    expect(r.faces.length).to.equal(1);
    stream.getTracks().forEach((t) => t.stop());
  });

  it('processes a one-face 640x480 frame fast (2 WASM threads)', async () => {
    const frame = await webcamFrame();
    const runs: DetectionResult[] = [];
    for (let i = 0; i < 30; i++) runs.push(await detector.detect(frame, 10_000 + 33 * i, { video: true }));
    const timed = runs.slice(5);
    expect(timed.every((r) => r.faces.length === 1)).to.equal(true);
    const stat = (pick: (r: DetectionResult) => number) => {
      const xs = timed.map(pick);
      return { median: median(xs), best: Math.min(...xs) };
    };
    const total = stat((r) => r.timings.total);
    const det = stat((r) => r.timings.detection);
    const cls = stat((r) => r.timings.classification);
    const f = (s: { median: number; best: number }) => `${s.median.toFixed(2)} (best ${s.best.toFixed(2)})`;
    console.log(`640x480, 1 face, ms over 25 frames, median: total ${f(total)}, detection ${f(det)}, classification ${f(cls)}`);
    // The target is 12 ms on an idle 2-core machine. Shared test machines are rarely idle, so the
    // check is on the best frame (what the code costs when it gets the CPU), with headroom.
    expect(total.best).to.be.lessThan(25);
  });
});

describe('parallel: the expression model in its own worker beside the detector', () => {
  let parallel: EmotionDetector;
  let serial: EmotionDetector;

  before(async () => {
    const options = { assetsBase: ASSETS, model: MODEL, backend: 'wasm' as const, numThreads: 2, smoothing: 0 };
    parallel = await EmotionDetector.create(options);
    serial = await EmotionDetector.create({ ...options, parallel: false });
  });
  after(async () => {
    await parallel.dispose();
    await serial.dispose();
  });

  /** The webcam frame with the picture moved right by dx pixels. */
  async function shifted(dx: number): Promise<HTMLCanvasElement> {
    const src = await webcamFrame();
    const c = document.createElement('canvas');
    c.width = 640;
    c.height = 480;
    c.getContext('2d')!.drawImage(src, dx, 0);
    return c;
  }

  it('is on by default with two or more cores, off when asked or in the worker', async () => {
    expect(navigator.hardwareConcurrency).to.be.at.least(2);
    expect(parallel.parallel).to.equal(true);
    expect(serial.parallel).to.equal(false);
    const inWorker = await EmotionDetector.create({ assetsBase: ASSETS, model: MODEL, backend: 'wasm', worker: true });
    expect(inWorker.parallel).to.equal(false);
    await inWorker.dispose();
  });

  it('scores a still and a face that jumped exactly as the serial engine; a face that stayed or barely moved nearly so', async () => {
    const frames = [await shifted(0), await shifted(0), await shifted(1), await shifted(60)];
    const a: DetectionResult[] = [];
    const b: DetectionResult[] = [];
    for (let i = 0; i < frames.length; i++) {
      a.push(await parallel.detect(frames[i]!, 1000 + 33 * i, { video: true }));
      b.push(await serial.detect(frames[i]!, 1000 + 33 * i, { video: true }));
    }
    for (const [i, r] of a.entries()) {
      expect(r.faces.length, `frame ${i}`).to.equal(1);
      expect(b[i]!.faces.length, `frame ${i}`).to.equal(1);
      expect(r.faces[0]!.box).to.deep.equal(b[i]!.faces[0]!.box);
    }
    const diff = (i: number) => maxDiff(a[i]!.faces[0]!.rawEmotions, b[i]!.faces[0]!.rawEmotions);
    // Frame 0: a still, classified after detection. Frame 3: moved 60 px, far from where the crop
    // filter expected it, so classified again where it is.
    for (const i of [0, 3]) expect(diff(i), `frame ${i}`).to.be.lessThan(1e-5);
    // Frames 1 and 2: the same picture, then moved 1 px. The face was classified in parallel where
    // the crop filter expected it, and its steadied crop landed within 3% of that: those scores stand.
    for (const i of [1, 2]) {
      console.log(`frame ${i}: scores differ from the serial engine's by at most ${diff(i).toFixed(5)}`);
      expect(diff(i), `frame ${i}`).to.be.lessThan(0.05);
    }
  });

  it('runs the model on this thread when its worker cannot start', async () => {
    const { loadAssets } = await import('../src/assets/load.js');
    const { buildPipeline } = await import('../src/host/build.js');
    const assets = await loadAssets({ assetsBase: ASSETS, model: MODEL }, 'wasm');
    const pipeline = await buildPipeline(
      pipelineInit(assets, { settings: { smoothing: 0 }, parallel: true, numThreads: 2, workerUrl: '/packages/core/test/fixtures/no-such-worker.js' }),
    );
    try {
      expect(pipeline.parallel).to.equal(false);
      const frame = await webcamFrame();
      const r = await pipeline.process({ image: frame, width: 640, height: 480 }, 0);
      expect(r.faces.length).to.equal(1);
      expectDistribution(r.faces[0]!.emotions);
    } finally {
      await pipeline.close();
    }
  });
});

describe('the built module (packages/core/dist/index.js)', () => {
  it('finds its assets in the assets/ folder next to itself when no assetsBase is given', async () => {
    const built = (await import('/packages/core/dist/index.js' as string)) as typeof import('../src/index.js');
    const events: string[] = [];
    const d = await built.EmotionDetector.create({ model: MODEL, backend: 'wasm', onProgress: (e) => events.push(e.url) });
    expect(events.some((u) => u.includes('/packages/core/dist/assets/ort/'))).to.equal(true);
    expect(events.some((u) => u.includes('/packages/core/dist/assets/models/face/'))).to.equal(true);
    const r = await d.detect(await loadImage(photo(6)));
    expect(r.faces.length).to.be.greaterThan(2);
    await d.dispose();
  });
});
