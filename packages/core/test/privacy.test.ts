// Nothing leaves the device: every request the page makes while the face detector loads and runs
// goes to the page's own origin (our asset files), never to Google or anyone else.
import { expect } from '@open-wc/testing';
import { MediaPipeFaceDetector } from '../src/detection/face-detector.js';

const ASSETS = '/packages/core/dist/assets';

// Recorded from before anything loads: the calls the page makes, and what the browser fetched.
const calls: string[] = [];
const record = (url: string | URL | Request): void => {
  calls.push(new URL(url instanceof Request ? url.url : String(url), location.href).href);
};
const realFetch = globalThis.fetch.bind(globalThis);
globalThis.fetch = (input: RequestInfo | URL, init?: RequestInit) => {
  record(input);
  return realFetch(input, init);
};
const realOpen = XMLHttpRequest.prototype.open as (this: XMLHttpRequest, ...args: unknown[]) => void;
XMLHttpRequest.prototype.open = function (this: XMLHttpRequest, ...args: unknown[]) {
  record(args[1] as string | URL);
  realOpen.apply(this, args);
} as typeof XMLHttpRequest.prototype.open;
const realBeacon = navigator.sendBeacon.bind(navigator);
navigator.sendBeacon = (url: string | URL, data?: BodyInit | null) => {
  record(url);
  return realBeacon(url, data);
};
const RealWebSocket = globalThis.WebSocket;
globalThis.WebSocket = class extends RealWebSocket {
  constructor(url: string | URL, protocols?: string | string[]) {
    record(url);
    super(url, protocols);
  }
};
performance.setResourceTimingBufferSize(100_000);
const fetched: string[] = [];
new PerformanceObserver((list) => fetched.push(...list.getEntries().map((e) => e.name))).observe({ type: 'resource', buffered: true });

describe('privacy: no request leaves the origin', function () {
  this.timeout(180_000);

  it('loads and runs the face detector (with tiles) using only our own files', async () => {
    const detector = await MediaPipeFaceDetector.create({
      wasmBase: `${ASSETS}/mediapipe`,
      model: `${ASSETS}/models/face/face_detection_short_range.tflite`,
      minConfidence: 0.5,
      maxFaces: 8,
      smallFaces: true,
    });
    const photo = await createImageBitmap(await (await fetch('/node_modules/@vladmandic/face-api/demo/sample4.jpg')).blob());
    for (let i = 0; i < 3; i++) expect(detector.detect(photo, photo.width, photo.height).faces.length).to.be.greaterThan(0);
    detector.close();
    // Give any deferred upload (a usage beacon on close, a timer) the chance to happen.
    await new Promise((r) => setTimeout(r, 1500));

    const seen = [...new Set([...calls, ...fetched])];
    // The recorders work: they saw the model, the MediaPipe loader and its WASM, and the photo.
    for (const own of [/\/models\/face\/face_detection_short_range\.tflite$/, /\/mediapipe\/vision_wasm.*internal\.js$/, /\/mediapipe\/vision_wasm.*internal\.wasm$/, /sample4\.jpg$/]) {
      expect(seen.some((u) => own.test(u)), `saw ${own}`).to.equal(true);
    }
    const foreign = seen.filter((u) => !u.startsWith('data:') && !u.startsWith('blob:') && new URL(u).origin !== location.origin);
    expect(foreign, 'requests to other origins').to.deep.equal([]);
  });
});
