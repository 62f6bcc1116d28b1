/**
 * Defines `<emotion-detector>`. The entry of the one-script-tag bundle (dist/emotion-detector.js).
 * Guarded: importing it where there is no DOM, or twice, does nothing harmful.
 */
import { EmotionDetectorElement } from './emotion-detector.js';

export * from './index.js';

if (typeof customElements !== 'undefined' && !customElements.get('emotion-detector')) {
  customElements.define('emotion-detector', EmotionDetectorElement);
}
