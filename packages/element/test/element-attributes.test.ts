// Attributes and properties: parsing, validation (a warning and the default, never a throw),
// reflection, and import without side effects. The engine is not loaded here (loading="lazy" on
// an element that is never shown, or a detached element).
import { expect, fixture, html } from '@open-wc/testing';
import { EmotionDetectorElement } from '../src/index.js';
import { warningsDuring } from './helpers.js';

describe('<emotion-detector> attributes', () => {
  before(async () => {
    // index.js defines nothing; define.js does, once, and is safe to import again.
    expect(customElements.get('emotion-detector')).to.equal(undefined);
    await import('../src/define.js');
    await import('../src/define.js');
    expect(customElements.get('emotion-detector')).to.equal(EmotionDetectorElement);
  });

  /** A detached element: attribute handling works without loading anything. */
  const make = () => document.createElement('emotion-detector');

  it('has documented defaults', () => {
    const el = make();
    expect(el.source).to.equal('media');
    expect(el.facingMode).to.equal('user');
    expect(el.deviceId).to.equal(null);
    expect(el.maxFaces).to.equal(8);
    expect(el.fps).to.equal(15);
    expect(el.backend).to.equal('auto');
    expect(el.modelSrc).to.equal(null);
    expect(el.assetsBase).to.equal(null);
    expect(el.smoothing).to.equal(300);
    expect(el.overlay).to.equal('labels');
    expect(el.loading).to.equal('eager');
    expect(el.paused).to.equal(false);
    expect(el.flipAverage).to.equal(false);
    expect(el.smallFaces).to.equal('on');
    expect(el.ready).to.equal(false);
    expect(el.detector).to.equal(null);
    expect(el.faces).to.deep.equal([]);
    expect(el.state).to.equal('idle');
  });

  it('parses valid attributes into typed properties', async () => {
    const warnings = await warningsDuring(() => {
      const el = make();
      el.setAttribute('max-faces', '3');
      el.setAttribute('fps', '7.5');
      el.setAttribute('backend', 'WASM');
      el.setAttribute('smoothing', '0');
      el.setAttribute('overlay', 'bars');
      el.setAttribute('source', 'camera');
      el.setAttribute('facing-mode', 'environment');
      el.setAttribute('device-id', 'abc');
      el.setAttribute('loading', 'lazy');
      el.setAttribute('model-src', '/m/x.onnx');
      el.setAttribute('assets-base', '/assets/');
      el.setAttribute('paused', '');
      el.setAttribute('flip-average', '');
      el.setAttribute('small-faces', 'Tiny');
      expect(el.maxFaces).to.equal(3);
      expect(el.fps).to.equal(7.5);
      expect(el.backend).to.equal('wasm');
      expect(el.smoothing).to.equal(0);
      expect(el.overlay).to.equal('bars');
      expect(el.source).to.equal('camera');
      expect(el.facingMode).to.equal('environment');
      expect(el.deviceId).to.equal('abc');
      expect(el.loading).to.equal('lazy');
      expect(el.modelSrc).to.equal('/m/x.onnx');
      expect(el.assetsBase).to.equal('/assets/');
      expect(el.paused).to.equal(true);
      expect(el.flipAverage).to.equal(true);
      expect(el.smallFaces).to.equal('tiny');
    });
    expect(warnings).to.deep.equal([]);
  });

  const bad: [string, string, keyof EmotionDetectorElement, unknown][] = [
    ['max-faces', '0', 'maxFaces', 8],
    ['max-faces', '2.5', 'maxFaces', 8],
    ['max-faces', 'many', 'maxFaces', 8],
    ['fps', '-1', 'fps', 15],
    ['fps', '1000', 'fps', 15],
    ['backend', 'webgl', 'backend', 'auto'],
    ['smoothing', '-5', 'smoothing', 300],
    ['overlay', 'sparkles', 'overlay', 'labels'],
    ['source', 'screen', 'source', 'media'],
    ['loading', 'later', 'loading', 'eager'],
    ['facing-mode', 'left', 'facingMode', 'user'],
    ['small-faces', 'true', 'smallFaces', 'on'],
  ];
  for (const [attr, value, prop, fallback] of bad) {
    it(`warns and uses the default for ${attr}="${value}"`, async () => {
      const el = make();
      const warnings = await warningsDuring(() => el.setAttribute(attr, value));
      expect(el[prop]).to.equal(fallback);
      expect(warnings.length).to.equal(1);
      expect(warnings[0]).to.contain(attr).and.contain(value);
    });
  }

  it('validates properties set from script, too', async () => {
    const el = make();
    const warnings = await warningsDuring(() => {
      el.fps = Number.NaN;
      el.maxFaces = 100;
      (el as unknown as { overlay: string }).overlay = 'everything';
    });
    expect([el.fps, el.maxFaces, el.overlay]).to.deep.equal([15, 8, 'labels']);
    expect(warnings.length).to.equal(3);
  });

  it('removing an attribute restores the default quietly', async () => {
    const el = make();
    el.setAttribute('fps', '5');
    const warnings = await warningsDuring(() => el.removeAttribute('fps'));
    expect(el.fps).to.equal(15);
    expect(warnings).to.deep.equal([]);
  });

  it('reflects properties to attributes, without adding defaults', async () => {
    const el = await fixture<EmotionDetectorElement>(html`<emotion-detector loading="lazy" style="display:none"></emotion-detector>`);
    // No attribute appears for an untouched property (except the read-only state).
    expect(el.getAttributeNames().sort()).to.deep.equal(['loading', 'state', 'style']);
    el.fps = 5;
    el.overlay = 'boxes';
    el.paused = true;
    el.maxFaces = 2;
    el.flipAverage = true;
    el.smallFaces = 'off';
    await el.updateComplete;
    expect(el.getAttribute('fps')).to.equal('5');
    expect(el.getAttribute('overlay')).to.equal('boxes');
    expect(el.hasAttribute('paused')).to.equal(true);
    expect(el.getAttribute('max-faces')).to.equal('2');
    expect(el.hasAttribute('flip-average')).to.equal(true);
    expect(el.getAttribute('small-faces')).to.equal('off');
    expect(el.getAttribute('state')).to.equal('idle');
  });

  it('renders an aria-hidden overlay layer and a polite live region', async () => {
    const el = await fixture<EmotionDetectorElement>(html`<emotion-detector loading="lazy" style="display:none"></emotion-detector>`);
    const live = el.shadowRoot!.querySelector('[aria-live]')!;
    expect(live.getAttribute('aria-live')).to.equal('polite');
    expect(live.getAttribute('role')).to.equal('status');
  });
});
