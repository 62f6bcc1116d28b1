/**
 * `<emotion-detector>` in Vue templates (vue-tsc, Volar): import this once, e.g.
 * `import '@emotion-detector/element/vue';`, or list it in tsconfig's `types`. Tell Vue's compiler
 * the tag is a custom element (`isCustomElement`); events: `@emotion-faces="(e) => e.detail.faces"`.
 */
import type { DefineComponent } from 'vue';
import type { EmotionDetectorEventMap } from '../dist/types/index.js';
import type { EmotionDetectorAttributes } from './html.js';

type Camel<S extends string> = S extends `${infer A}-${infer B}` ? `${A}${Capitalize<Camel<B>>}` : S;

/** `@emotion-faces` in a template is the prop `onEmotionFaces`. */
export type EmotionDetectorVueEventProps = {
  [K in keyof EmotionDetectorEventMap as `on${Capitalize<Camel<K>>}`]?: (event: EmotionDetectorEventMap[K]) => void;
};

export type EmotionDetectorVueProps = EmotionDetectorAttributes & EmotionDetectorVueEventProps;

declare module 'vue' {
  interface GlobalComponents {
    'emotion-detector': DefineComponent<EmotionDetectorVueProps>;
  }
}
