import type { Plugin } from 'vite';

export interface EmotionDetectorPluginOptions {
  /** Folder under Vite's `base` where the assets are served and emitted. Default `'emotion-detector'`. */
  dir?: string;
  /** Write `<meta name="emotion-detector-assets" content="<base><dir>/">` into the HTML, the engine's default assetsBase. Default true. */
  meta?: boolean;
}

/** Serves @emotion-detector/core's runtime assets in dev and copies them into the build (`<outDir>/<dir>/`). */
export default function emotionDetector(options?: EmotionDetectorPluginOptions): Plugin;
