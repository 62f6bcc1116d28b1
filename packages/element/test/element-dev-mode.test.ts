// A quiet console in Lit's dev mode: the element loads the real engine on a photo and runs, and
// nothing it does logs a warning or an error (Lit's dev build warns, for instance, when an element
// schedules an update after an update). The test runner serves Lit's production build, so the
// element runs in an iframe whose import map sends every Lit module to its development build.
import { expect } from '@open-wc/testing';
import type { EmotionDetectorElement } from '../src/index.js';
import { ASSETS, SAMPLE, modelSrc } from './helpers.js';

const LIT_PACKAGES = ['lit', 'lit-html', 'lit-element', '@lit/reactive-element', '@lit/task'];
// Nothing is exempt: MediaPipe's routine INFO and glog lines ("Created TensorFlow Lite XNNPACK
// delegate", "W1202 16:49:03.84 123 gl_context.cc:1118] ...") go to console.debug
// (core's detection/mediapipe-logs.ts), and ONNX Runtime logs errors only.

interface DevFrame extends Window {
  __logs: string[];
  __failed?: string;
}

async function devModePage(body: string): Promise<{ frame: HTMLIFrameElement; win: DevFrame }> {
  const imports: Record<string, string> = {};
  for (const pkg of LIT_PACKAGES) {
    imports[`/node_modules/${pkg}/`] = `/node_modules/${pkg}/development/`;
    imports[`/node_modules/${pkg}/development/`] = `/node_modules/${pkg}/development/`;
  }
  const frame = document.createElement('iframe');
  frame.style.cssText = 'width:700px;height:600px;border:0';
  frame.srcdoc = `<!doctype html><html><body>
<script>
  window.__logs = [];
  // Lit announces its dev mode once; that notice is Lit's, not a warning about the element.
  globalThis.litIssuedWarnings = new Set(['dev-mode']);
  for (const level of ['warn', 'error']) {
    const original = console[level].bind(console);
    console[level] = (...args) => { window.__logs.push(level + ': ' + args.map(String).join(' ')); original(...args); };
  }
  addEventListener('error', (e) => window.__logs.push('uncaught: ' + e.message));
  addEventListener('unhandledrejection', (e) => window.__logs.push('unhandled rejection: ' + (e.reason && e.reason.message || e.reason)));
</script>
<script type="importmap">${JSON.stringify({ imports })}</script>
<script type="module">
  import('/packages/element/src/define.ts').catch((e) => { window.__failed = String(e); });
</script>
${body}
</body></html>`;
  const loaded = new Promise((r) => frame.addEventListener('load', r, { once: true }));
  document.body.append(frame);
  await loaded;
  return { frame, win: frame.contentWindow as DevFrame };
}

async function until<T>(fn: () => T | undefined | null | false, ms: number, what: string): Promise<T> {
  const end = performance.now() + ms;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('<emotion-detector> in Lit dev mode', function () {
  this.timeout(180_000);

  it('loads, analyses a photo and takes attribute changes without a console warning or error', async () => {
    const model = await modelSrc();
    const { frame, win } = await devModePage(
      `<emotion-detector assets-base="${ASSETS}" ${model ? `model-src="${model}"` : ''} backend="wasm" overlay="bars">
        <img src="${SAMPLE(1)}" alt="Three people" style="width:480px">
      </emotion-detector>`,
    );
    try {
      const el = win.document.querySelector('emotion-detector') as EmotionDetectorElement;
      // The dev build really is the one running.
      const ctor = await until(() => win.customElements.get('emotion-detector') ?? win.__failed, 60_000, 'the element to be defined');
      expect(ctor, String(win.__failed)).to.be.a('function');
      const litDev = await until(
        () => [...win.performance.getEntriesByType('resource')].some((e) => e.name.includes('/@lit/reactive-element/development/')),
        10_000,
        'the dev build',
      );
      expect(litDev).to.equal(true);
      let faces = 0;
      el.addEventListener('emotion-faces', (e) => (faces = e.detail.faces.length));
      await until(() => faces > 0 || el.getAttribute('state') === 'error', 120_000, 'faces');
      expect(el.getAttribute('state')).to.equal('running');
      expect(faces).to.equal(3);
      // Runtime changes, a reload, a pause, a removal and a re-insertion: still quiet.
      el.setAttribute('overlay', 'boxes');
      el.setAttribute('fps', '5');
      el.setAttribute('paused', '');
      await new Promise((r) => setTimeout(r, 300));
      el.removeAttribute('paused');
      const parent = el.parentElement!;
      el.remove();
      parent.append(el);
      await new Promise((r) => setTimeout(r, 1000));
      expect(win.__logs).to.deep.equal([]);
    } finally {
      frame.remove();
    }
  });

  it('the README\'s plainest markup (no backend, no overlay, default model): faces of sample1.jpg, no console warning or error', async () => {
    const { frame, win } = await devModePage(
      `<emotion-detector assets-base="${ASSETS}"><img src="${SAMPLE(1)}" alt="Three people"></emotion-detector>`,
    );
    try {
      await until(() => win.customElements.get('emotion-detector') ?? win.__failed, 60_000, 'the element to be defined');
      expect(win.__failed).to.equal(undefined);
      const el = win.document.querySelector('emotion-detector') as EmotionDetectorElement;
      let faces = 0;
      el.addEventListener('emotion-faces', (e) => (faces = e.detail.faces.length));
      await until(() => faces > 0 || el.getAttribute('state') === 'error', 120_000, 'faces');
      expect(faces).to.equal(3);
      await new Promise((r) => setTimeout(r, 1000));
      expect(win.__logs).to.deep.equal([]);
    } finally {
      frame.remove();
    }
  });
});
