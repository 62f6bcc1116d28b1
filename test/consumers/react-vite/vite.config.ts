import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import emotionDetector from '@emotion-detector/core/vite';

export default defineConfig({ plugins: [react(), emotionDetector()] });
