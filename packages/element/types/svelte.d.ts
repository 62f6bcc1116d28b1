/**
 * `<emotion-detector>` in Svelte 5 markup (svelte-check): import this once, e.g.
 * `import '@emotion-detector/element/svelte';`, or list it in tsconfig's `types`.
 * Events as attributes: `onemotion-faces={(e) => e.detail.faces}`.
 */
import type { HTMLAttributes } from 'svelte/elements';
import type { EmotionDetectorElement } from '../dist/types/index.js';
import type { EmotionDetectorAttributes, EmotionDetectorEventProps } from './html.js';

export type EmotionDetectorSvelteProps = Omit<HTMLAttributes<EmotionDetectorElement>, keyof EmotionDetectorAttributes> &
  EmotionDetectorAttributes &
  EmotionDetectorEventProps;

declare module 'svelte/elements' {
  interface SvelteHTMLElements {
    'emotion-detector': EmotionDetectorSvelteProps;
  }
}
