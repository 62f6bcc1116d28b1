import { defineConfig } from 'vite';
import emotionDetector from '@emotion-detector/core/vite';

// Serves the engine's models and WASM in dev and copies them into dist/emotion-detector/ on build.
export default defineConfig({ plugins: [emotionDetector()] });
