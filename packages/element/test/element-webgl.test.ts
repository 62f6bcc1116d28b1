// Without WebGL (WebGL turned off, privacy-hardened browsers, headless Firefox) the engine fails
// fast with 'webgl-unavailable' (packages/core/test/webgl.test.ts); the element must show that
// error in its status part and its emotion-error event, not sit in 'loading' (issue 18 item 4).
import { expect, fixture, html } from '@open-wc/testing';
import type { EmotionDetectorElement } from '../src/index.js';
import '../src/define.js';
import { ASSETS, SAMPLE, modelSrc, nextEvent } from './helpers.js';
import { withoutWebGL } from '../../core/test/support/no-webgl.js';

describe('<emotion-detector> without WebGL', () => {
  it("shows 'webgl-unavailable' in its status part and emotion-error event, state 'error'", async () => {
    const model = await modelSrc();
    const restore = withoutWebGL();
    try {
      // Listening from the template: the error may come before fixture() resolves.
      const seen: CustomEvent[] = [];
      const el = await fixture<EmotionDetectorElement>(html`<emotion-detector assets-base=${ASSETS} model-src=${model ?? ''} backend="wasm"
        @emotion-error=${(e: CustomEvent) => seen.push(e)}
        ><img src=${SAMPLE(1)} alt=""
      /></emotion-detector>`);
      if (!seen.length) await nextEvent(el, 'emotion-error', 30_000);
      expect(seen.length, 'one error event').to.equal(1);
      const { detail } = seen[0]!;
      expect(detail.code).to.equal('webgl-unavailable');
      expect(detail.message, 'says what is missing').to.match(/WebGL/);
      await el.updateComplete;
      expect(el.state).to.equal('error');
      expect(el.getAttribute('state')).to.equal('error');
      expect(el.shadowRoot!.querySelector('[part="status"]')!.textContent).to.contain(detail.message);
    } finally {
      restore();
    }
  });
});
