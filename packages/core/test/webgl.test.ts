// MediaPipe needs WebGL even on its CPU delegate. Where a browser has none (WebGL turned off,
// privacy-hardened browsers, headless Firefox), create() fails fast with 'webgl-unavailable',
// saying what is missing, before downloading anything.
import { expect } from '@open-wc/testing';
import { executeServerCommand } from '@web/test-runner-commands';
import { EmotionDetector } from '../src/index.js';
import { ASSETS, MODEL, expectError, loadImage, photo } from './support/engine.js';
import { withoutWebGL } from './support/no-webgl.js';

const base = { assetsBase: ASSETS, model: MODEL, backend: 'wasm' as const, numThreads: 2 };

describe('without WebGL', () => {
  it("create() fails fast with 'webgl-unavailable', before any download (main thread, worker, parallel)", async () => {
    const restore = withoutWebGL();
    try {
      for (const mode of [{ parallel: false }, { worker: true }, { parallel: true }]) {
        await executeServerCommand('requests');
        const e = await expectError(EmotionDetector.create({ ...base, ...mode }), 'webgl-unavailable', /WebGL/);
        expect(e.message, 'says what needs it').to.match(/face detect/i);
        const seen = await executeServerCommand<string[], undefined>('requests');
        expect(seen.filter((r) => r.endsWith('.wasm')), JSON.stringify(mode)).to.deep.equal([]);
      }
    } finally {
      restore();
    }
  });

  it('with WebGL back, create() works', async () => {
    const d = await EmotionDetector.create({ ...base, parallel: false });
    try {
      expect((await d.detect(await loadImage(photo(2)))).faces.length).to.be.greaterThan(0);
    } finally {
      await d.dispose();
    }
  });
});
