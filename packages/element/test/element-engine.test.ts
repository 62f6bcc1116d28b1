// The element end to end with the real engine (MediaPipe + ONNX Runtime WASM), real photos and
// Chromium's fake camera (a looping video of a smiling face, see test/support/prepare-fixtures.mjs).
import { expect, fixture, html } from '@open-wc/testing';
import { executeServerCommand } from '@web/test-runner-commands';
import { EMOTIONS, type EmotionDetectorElement, type EmotionProgressDetail } from '../src/index.js';
import '../src/define.js';
import { ASSETS, SAMPLE, loadImage, modelSrc, nextEvent } from './helpers.js';

const LOAD_MS = 90_000;
const frames = async (n: number) => {
  for (let i = 0; i < n; i++) await new Promise(requestAnimationFrame);
};
let MODEL: string | null = null;

/** The rendered rectangle of a face's overlay group, relative to the image's content box. */
function overlayRects(el: EmotionDetectorElement, media: HTMLElement) {
  const m = media.getBoundingClientRect();
  return [...el.shadowRoot!.querySelectorAll<HTMLElement>('[part~="face"]')].map((g) => {
    const r = g.getBoundingClientRect();
    return { x: r.left - m.left, y: r.top - m.top, width: r.width, height: r.height };
  });
}

function expectProbabilities(p: Record<string, number>) {
  expect(Object.keys(p).sort()).to.deep.equal([...EMOTIONS].sort());
  let sum = 0;
  for (const e of EMOTIONS) {
    expect(p[e]).to.be.within(0, 1);
    sum += p[e]!;
  }
  expect(sum).to.be.closeTo(1, 1e-3);
}

describe('<emotion-detector> with the engine', function () {
  this.timeout(180_000);

  before(async () => {
    MODEL = await modelSrc();
  });

  it('downloads nothing while lazy and never shown, in the page or in a worker; shown, it loads', async () => {
    // The test server logs every request it gets, from the page and from its workers alike; with
    // the HTTP cache emptied every asset fetch reaches it (the engine's own Cache API copy is
    // revalidated with the server too).
    await executeServerCommand('clear-http-cache');
    await executeServerCommand('requests');
    const assetRequests = (log: string[]) => log.filter((r) => r.includes(ASSETS) || /\.(onnx|wasm|tflite)$/.test(r));
    const el = await fixture<EmotionDetectorElement>(html`<emotion-detector loading="lazy" assets-base=${ASSETS} model-src=${MODEL ?? ''}
      style="display:none"><img src=${SAMPLE(1)} alt="Three people" style="width:320px"></emotion-detector>`);
    // Longer than a worker takes to start and fetch its runtime here.
    await new Promise((r) => setTimeout(r, 5_000));
    expect(assetRequests((await executeServerCommand('requests')) as string[])).to.deep.equal([]);
    expect(el.state).to.equal('idle');
    expect(el.detector).to.equal(null);
    // The same watch sees a load, a worker's included: shown, the element loads the engine.
    el.style.display = '';
    await nextEvent(el, 'emotion-ready', LOAD_MS);
    const loaded = assetRequests((await executeServerCommand('requests')) as string[]);
    expect(loaded.some((r) => r.endsWith('.wasm'))).to.equal(true);
    if (el.detector!.parallel) expect(loaded.some((r) => /worker[^/]*\.js$/.test(r)), loaded.join('\n')).to.equal(true);
  });

  it('analyses a photo: progress, ready, faces, change events, overlay over each face (contain)', async () => {
    const progress: EmotionProgressDetail[] = [];
    const changes: number[] = [];
    const el = await fixture<EmotionDetectorElement>(html`<emotion-detector
      assets-base=${ASSETS}
      model-src=${MODEL ?? ''}
      backend="wasm"
      overlay="bars"
      style="--emotion-detector-transition: none"
      @emotion-progress=${(e: CustomEvent<EmotionProgressDetail>) => progress.push(e.detail)}
      @emotion-change=${(e: CustomEvent<{ id: number; from: string | null }>) => {
        expect(e.detail.from).to.equal(null);
        changes.push(e.detail.id);
      }}
      ><img src=${SAMPLE(1)} alt="Three people" style="width:600px;height:500px;object-fit:contain"
    /></emotion-detector>`);
    const ready = await nextEvent(el, 'emotion-ready', LOAD_MS);
    expect(ready.detail.backend).to.equal('wasm');
    expect(el.ready).to.equal(true);
    expect(el.detector).to.not.equal(null);
    expect(el.detector!.backend).to.equal('wasm');
    expect(progress.length).to.be.greaterThan(0);
    for (let i = 1; i < progress.length; i++) expect(progress[i]!.fraction).to.be.at.least(progress[i - 1]!.fraction);
    expect(progress.at(-1)!.fraction).to.be.within(0.99, 1);

    const { detail } = await nextEvent(el, 'emotion-faces', 30_000);
    // sample1.jpg has three faces.
    expect(detail.faces.length).to.equal(3);
    expect(detail.width).to.equal(1920);
    expect(detail.timings.total).to.be.greaterThan(0);
    for (const f of detail.faces) {
      expectProbabilities(f.emotions);
      expect(EMOTIONS).to.include(f.dominant);
    }
    expect(el.faces).to.deep.equal(detail.faces);
    await el.updateComplete;
    expect([...changes].sort()).to.deep.equal(detail.faces.map((f) => f.id).sort());
    expect(el.getAttribute('state')).to.equal('running');

    // Overlay geometry: contain puts the 1920x1280 photo at scale 600/1920 = 0.3125, letterboxed
    // by (500 - 400) / 2 = 50 px above.
    const img = el.querySelector('img')!;
    const rects = overlayRects(el, img);
    expect(rects.length).to.equal(3);
    const s = 600 / 1920;
    detail.faces.forEach((f, i) => {
      expect(rects[i]!.x).to.be.closeTo(f.box.x * s, 1.5);
      expect(rects[i]!.y).to.be.closeTo(50 + f.box.y * s, 1.5);
      expect(rects[i]!.width).to.be.closeTo(f.box.width * s, 1.5);
      expect(rects[i]!.height).to.be.closeTo(f.box.height * s, 1.5);
    });
    // Every face has a label and seven bars; the overlay is hidden from assistive technology.
    const overlay = el.shadowRoot!.querySelector('[part="overlay"]')!;
    expect(overlay.getAttribute('aria-hidden')).to.equal('true');
    expect(overlay.querySelectorAll('[part="label"]').length).to.equal(3);
    expect(overlay.querySelectorAll('[part~="bar"]').length).to.equal(21);
    // The live region says what is there.
    const live = el.shadowRoot!.querySelector('[aria-live="polite"]')!;
    expect(live.textContent).to.match(/^3 faces: \w+, \w+, \w+$/);
    await expect(el).to.be.accessible();
  });

  it('places the overlay under object-fit: cover with a mirrored image, and follows a CSS resize', async () => {
    const el = await fixture<EmotionDetectorElement>(html`<emotion-detector assets-base=${ASSETS} model-src=${MODEL ?? ''} backend="wasm" overlay="boxes"
      style="--emotion-detector-transition: none"
      ><img src=${SAMPLE(1)} alt="Three people" style="width:400px;height:400px;object-fit:cover;transform:scaleX(-1)"
    /></emotion-detector>`);
    const { detail } = await nextEvent(el, 'emotion-faces', LOAD_MS);
    expect(detail.faces.length).to.be.greaterThan(0);
    await el.updateComplete;
    const img = el.querySelector('img')!;
    const check = (w: number, h: number) => {
      const s = Math.max(w / 1920, h / 1280);
      const dx = (w - 1920 * s) / 2;
      const dy = (h - 1280 * s) / 2;
      const rects = overlayRects(el, img);
      const expected = detail.faces
        .map((f) => {
          const x = dx + f.box.x * s;
          const width = f.box.width * s;
          return { x: w - x - width, y: dy + f.box.y * s, width, height: f.box.height * s };
        })
        // cover crops: boxes are clipped to what is visible.
        .map((b) => {
          const x0 = Math.max(0, b.x);
          const x1 = Math.min(w, b.x + b.width);
          return { ...b, x: x0, width: x1 - x0 };
        })
        .filter((b) => b.width > 0);
      expect(rects.length).to.equal(expected.length);
      expected.forEach((b, i) => {
        expect(rects[i]!.x).to.be.closeTo(b.x, 1.5);
        expect(rects[i]!.y).to.be.closeTo(b.y, 1.5);
        expect(rects[i]!.width).to.be.closeTo(b.width, 1.5);
        expect(rects[i]!.height).to.be.closeTo(b.height, 1.5);
      });
    };
    check(400, 400);
    img.style.width = '300px';
    img.style.height = '500px';
    // The ResizeObserver re-places the overlay without a new analysis.
    await frames(3);
    await el.updateComplete;
    check(300, 500);
  });

  it('opens the fake camera, reports a face with seven probabilities within 5 s of ready, and stop() releases it', async () => {
    const el = await fixture<EmotionDetectorElement>(html`<emotion-detector source="camera" assets-base=${ASSETS} model-src=${MODEL ?? ''}></emotion-detector>`);
    const ready = nextEvent(el, 'emotion-ready', LOAD_MS);
    const camera = await nextEvent(el, 'emotion-camera', 20_000);
    expect(camera.detail.active).to.equal(true);
    const track = camera.detail.track!;
    expect(track.readyState).to.equal('live');
    const readyAt = (await ready).timeStamp;
    const faces = await nextEvent(el, 'emotion-faces', 5_000, (e) => e.detail.faces.length >= 1);
    expect(faces.timeStamp - readyAt).to.be.below(5_000);
    const { detail } = faces;
    expect(detail.width).to.equal(640);
    // Timestamps are page time, whatever the element does with the engine's clock.
    expect(detail.timestamp).to.be.within(readyAt, performance.now());
    expectProbabilities(detail.faces[0]!.emotions);
    expect(detail.backend).to.be.oneOf(['wasm', 'webgpu']);
    // The fake camera shows a broad smile: the trained model must say so (a development
    // stand-in model, used only before one is built, has random weights).
    if (MODEL === null) expect(detail.faces[0]!.dominant).to.equal('happy');

    const stopped = nextEvent(el, 'emotion-camera', 2_000);
    el.stop();
    expect((await stopped).detail.active).to.equal(false);
    expect(track.readyState).to.equal('ended');
    expect(el.getAttribute('state')).to.equal('ready');
    // Stopped means stopped: no more frames.
    let frames = 0;
    el.addEventListener('emotion-faces', () => frames++);
    await new Promise((r) => setTimeout(r, 500));
    expect(frames).to.equal(0);
    await expect(el).to.be.accessible();
  });

  it('asks for the camera only once visible, and uses a slotted <video> for it', async () => {
    const scroller = await fixture<HTMLDivElement>(html`<div style="height:300px;overflow:auto">
      <div style="height:2000px"></div>
      <emotion-detector source="camera" assets-base=${ASSETS} model-src=${MODEL ?? ''}
        ><video autoplay muted playsinline style="width:320px;transform:scaleX(-1)"></video
      ></emotion-detector>
    </div>`);
    const el = scroller.querySelector('emotion-detector')!;
    let opened = 0;
    el.addEventListener('emotion-camera', () => opened++);
    await new Promise((r) => setTimeout(r, 1000));
    expect(opened).to.equal(0);
    const camera = nextEvent(el, 'emotion-camera', 20_000);
    el.scrollIntoView();
    const { detail } = await camera;
    expect(detail.active).to.equal(true);
    const video = el.querySelector('video')!;
    expect(video.srcObject).to.be.instanceOf(MediaStream);
    expect(el.shadowRoot!.querySelector('video')).to.equal(null);
    el.stop();
    expect(detail.track!.readyState).to.equal('ended');
    expect(video.srcObject).to.equal(null);
  });

  it('analyses a <canvas>', async () => {
    const img = new Image();
    img.src = SAMPLE(1);
    await img.decode();
    const el = await fixture<EmotionDetectorElement>(html`<emotion-detector assets-base=${ASSETS} model-src=${MODEL ?? ''} backend="wasm" fps="2"
      ><canvas width="960" height="640" style="width:480px"></canvas
    ></emotion-detector>`);
    el.querySelector('canvas')!.getContext('2d')!.drawImage(img, 0, 0, 960, 640);
    const { detail } = await nextEvent(el, 'emotion-faces', LOAD_MS);
    expect(detail.width).to.equal(960);
    expect(detail.faces.length).to.equal(3);
  });

  it('releases the camera while the page is hidden and reopens it when shown', async () => {
    const el = await fixture<EmotionDetectorElement>(html`<emotion-detector source="camera" loading="lazy" assets-base=${ASSETS}></emotion-detector>`);
    const first = await nextEvent(el, 'emotion-camera', 20_000);
    // Headless Chromium cannot hide its page: set what the browser would report, then fire its event.
    Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
    try {
      const off = nextEvent(el, 'emotion-camera', 2_000);
      document.dispatchEvent(new Event('visibilitychange'));
      expect((await off).detail.active).to.equal(false);
      expect(first.detail.track!.readyState).to.equal('ended');
    } finally {
      delete (document as { visibilityState?: unknown }).visibilityState;
    }
    const on = nextEvent(el, 'emotion-camera', 20_000);
    document.dispatchEvent(new Event('visibilitychange'));
    const again = await on;
    expect(again.detail.active).to.equal(true);
    expect(again.detail.track!.readyState).to.equal('live');
    el.stop();
  });

  it('releases the camera when removed from the page', async () => {
    const el = await fixture<EmotionDetectorElement>(html`<emotion-detector source="camera" loading="lazy" assets-base=${ASSETS}></emotion-detector>`);
    const camera = await nextEvent(el, 'emotion-camera', 20_000);
    const track = camera.detail.track!;
    el.remove();
    expect(track.readyState).to.equal('ended');
  });

  it('paused stops analysis; detectOnce() still analyses on demand', async () => {
    const el = await fixture<EmotionDetectorElement>(html`<emotion-detector assets-base=${ASSETS} model-src=${MODEL ?? ''} backend="wasm" paused
      ><img src=${SAMPLE(1)} alt="Three people" style="width:480px"
    /></emotion-detector>`);
    await nextEvent(el, 'emotion-ready', LOAD_MS);
    let frames = 0;
    el.addEventListener('emotion-faces', () => frames++);
    await new Promise((r) => setTimeout(r, 400));
    expect(frames).to.equal(0);
    expect(el.getAttribute('state')).to.equal('ready');
    const result = await el.detectOnce();
    expect(result.faces.length).to.equal(3);
    expect(el.faces).to.deep.equal(result.faces);
    expect(frames).to.equal(1);
  });

  it('detectOnce() without media rejects with no-media and leaves the element usable', async () => {
    const el = await fixture<EmotionDetectorElement>(html`<emotion-detector assets-base=${ASSETS} model-src=${MODEL ?? ''} backend="wasm"></emotion-detector>`);
    const err = await el.detectOnce().then(
      () => null,
      (e: unknown) => e as { code?: string },
    );
    expect(err?.code).to.equal('no-media');
    expect(el.state).to.not.equal('error');
    const img = await loadImage(SAMPLE(1));
    img.alt = 'Three people';
    img.style.width = '320px';
    const faces = nextEvent(el, 'emotion-faces', 30_000);
    el.append(img);
    expect((await faces).detail.faces.length).to.equal(3);
  });

  // A still <img> is analysed afresh (full search) after each change; a video's next frame gets a
  // full search after a changed max-faces too (Pipeline.configure), not the last frame's faces.
  it('applies max-faces, smoothing, flip-average and small-faces to the running engine (setOptions), without a reload', async () => {
    const el = await fixture<EmotionDetectorElement>(html`<emotion-detector assets-base=${ASSETS} model-src=${MODEL ?? ''} backend="wasm" smoothing="0"
      ><img src=${SAMPLE(1)} alt="Three people" style="width:480px"
    /></emotion-detector>`);
    const plain = (await nextEvent(el, 'emotion-faces', LOAD_MS)).detail.faces;
    const engine = el.detector!;
    expect(plain.length).to.equal(3);
    let reloads = 0;
    el.addEventListener('emotion-progress', () => reloads++);
    el.addEventListener('emotion-ready', () => reloads++);
    // The same still image, analysed again by the same engine with each new option.
    el.maxFaces = 1;
    const one = (await nextEvent(el, 'emotion-faces', LOAD_MS)).detail.faces;
    expect(one.length).to.equal(1);
    // An <img> is a still: each analysis starts afresh (no tracking: new ids), as a video would not.
    expect(plain.map((f) => f.id)).to.not.include(one[0]!.id);
    expect(engine.options.maxFaces).to.equal(1);
    el.setAttribute('smoothing', '1000');
    el.removeAttribute('max-faces');
    const three = (await nextEvent(el, 'emotion-faces', LOAD_MS, (e) => e.detail.faces.length === 3)).detail.faces;
    expect(engine.options.smoothing).to.equal(1000);
    expect(engine.options.maxFaces).to.equal(8);
    expect(three.length).to.equal(3);
    el.smoothing = 0;
    // Without flip-average the engine mirror-averages stills only (its default); with it every frame.
    expect(engine.options.flipAverage).to.equal('stills');
    el.flipAverage = true;
    const flipped = (await nextEvent(el, 'emotion-faces', LOAD_MS, () => engine.options.flipAverage === true)).detail.faces;
    expect(el.hasAttribute('flip-average')).to.equal(true);
    expect(engine.options.flipAverage).to.equal(true);
    // An <img> is a still, mirror-averaged either way: the same scores as before.
    for (const f of flipped) {
      // The same face before: the nearest box (ids differ).
      const gap = (p: (typeof plain)[number]) => Math.hypot(p.box.x - f.box.x, p.box.y - f.box.y);
      const twin = plain.reduce((a, b) => (gap(b) < gap(a) ? b : a));
      for (const e of EMOTIONS) expect(f.rawEmotions[e], e).to.be.closeTo(twin.rawEmotions[e], 1e-4);
    }
    el.flipAverage = false;
    await nextEvent(el, 'emotion-faces', LOAD_MS, () => engine.options.flipAverage === 'stills');
    // small-faces: the engine's level; `off` searches the whole frame alone (one detector pass).
    el.setAttribute('small-faces', 'off');
    const off = (await nextEvent(el, 'emotion-faces', LOAD_MS, () => engine.options.smallFaces === false)).detail;
    expect(off.work.detectorPasses).to.equal(1);
    el.smallFaces = 'tiny';
    await nextEvent(el, 'emotion-faces', LOAD_MS, () => engine.options.smallFaces === 'tiny');
    expect(el.detector).to.equal(engine);
    expect(reloads).to.equal(0);
  });

  it('a broken model-src gives an error event and the error state, without a hang', async () => {
    const el = await fixture<EmotionDetectorElement>(html`<emotion-detector assets-base=${ASSETS} model-src="/no/such/model.onnx"
      ><img src=${SAMPLE(1)} alt="Three people" style="width:320px"
    /></emotion-detector>`);
    const { detail } = await nextEvent(el, 'emotion-error', 30_000);
    expect(detail.code).to.equal('asset-fetch-failed');
    expect(detail.message).to.contain('/no/such/model');
    expect(detail.error).to.be.instanceOf(Error);
    await el.updateComplete;
    expect(el.getAttribute('state')).to.equal('error');
    expect(el.ready).to.equal(false);
    const status = el.shadowRoot!.querySelector('[part="status"]')!;
    expect(status.getAttribute('role')).to.equal('alert');
    expect(status.textContent).to.contain(detail.message);
    await expect(el).to.be.accessible();
    // start() retries and rejects with the same kind of error.
    const again = await el.start().then(
      () => null,
      (e: unknown) => e,
    );
    expect((again as { code?: string }).code).to.equal('asset-fetch-failed');
  });
});
