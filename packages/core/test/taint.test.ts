// Recoverable sources: a frame the page may not read (cross-origin without CORS) rejects with
// 'tainted-source' and the next readable frame is analysed normally, also when the source became
// cross-origin mid-stream (the same element and URL, readable before): then the frame reaches the
// detector's own canvases, which must not stay unreadable.
import { expect } from '@open-wc/testing';
import { executeServerCommand } from '@web/test-runner-commands';
import { EmotionDetector } from '../src/index.js';
import { ASSETS, MODEL, expectError, loadImage, photo } from './support/engine.js';

const base = { assetsBase: ASSETS, model: MODEL, backend: 'wasm' as const, numThreads: 2 };

/** Another origin serving the same file, embeddable without CORS: its pixels are unreadable here. */
function crossOrigin(path: string): string {
  const other = new URL(location.href);
  other.hostname = other.hostname === 'localhost' ? '127.0.0.1' : 'localhost';
  return `${other.origin}${path}?corp=cross-origin&no-store`;
}

async function reload(img: HTMLImageElement): Promise<void> {
  const src = img.src;
  img.src = 'data:,';
  img.src = src;
  await img.decode();
}

for (const [name, mode] of [
  ['main thread', { parallel: false }],
  ['parallel', { parallel: true }],
  ['worker', { worker: true }],
] as const) {
  describe(`tainted frames (${name})`, () => {
    let d: EmotionDetector;
    before(async () => {
      d = await EmotionDetector.create({ ...base, ...mode });
    });
    after(async () => {
      await executeServerCommand('redirect', {});
      await d.dispose();
    });

    it("a source that becomes cross-origin mid-stream: 'tainted-source', then clean frames work again", async () => {
      // One element, one URL: first served from this origin, then redirected to another one.
      const url = `${photo(2)}?no-store&taint-${name.replace(' ', '-')}`;
      const img = await loadImage(url);
      const clean = await loadImage(photo(3));
      expect((await d.detect(img, 0, { stream: 'call' })).faces.length, 'readable at first').to.be.greaterThan(0);
      await executeServerCommand('redirect', { from: url, to: crossOrigin(photo(2)) });
      await reload(img);
      await expectError(d.detect(img, 100, { stream: 'call' }), 'tainted-source');
      await expectError(d.detect(img, 200, { stream: 'call' }), 'tainted-source', /cross-origin/);
      // The next clean frames, of another source and of the same element once readable again.
      expect((await d.detect(clean, 300)).faces.length, 'another clean frame').to.be.greaterThan(0);
      await executeServerCommand('redirect', { from: url, to: photo(2) });
      await reload(img);
      expect((await d.detect(img, 400, { stream: 'call' })).faces.length, 'the element readable again').to.be.greaterThan(0);
    });
  });
}
