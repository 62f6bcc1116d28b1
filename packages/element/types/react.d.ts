/**
 * `<emotion-detector>` in React 19 JSX: import this once, e.g. `import '@emotion-detector/element/react';`
 * beside `import '@emotion-detector/element/define';`, or list it in tsconfig's `types`.
 * Attributes as in HTML (`max-faces={4}`), events as `onemotion-faces={(e) => e.detail.faces}`
 * (React 19 adds a listener for `emotion-faces`), plus React's own props (`ref`, `className`, ...).
 */
import 'react';
import type { DetailedHTMLProps, HTMLAttributes } from 'react';
import type { EmotionDetectorElement } from '../dist/types/index.js';
import type { EmotionDetectorAttributes, EmotionDetectorEventProps } from './html.js';

export type EmotionDetectorJSXProps = DetailedHTMLProps<HTMLAttributes<EmotionDetectorElement>, EmotionDetectorElement> &
  EmotionDetectorAttributes &
  EmotionDetectorEventProps;

declare module 'react' {
  namespace JSX {
    interface IntrinsicElements {
      'emotion-detector': EmotionDetectorJSXProps;
    }
  }
}
