// Shared by the element tests: where the built assets are, and event waiting with a deadline.
import type { EmotionDetectorElement, EmotionDetectorEventMap } from '../src/index.js';

export const ASSETS = '/packages/core/dist/assets/';
export const SAMPLE = (n: number) => `/node_modules/@vladmandic/face-api/demo/sample${n}.jpg`;

/** Resolves with the next `name` event, or rejects after `ms` (a test must never hang). */
export function nextEvent<K extends keyof EmotionDetectorEventMap>(
  el: EmotionDetectorElement,
  name: K,
  ms: number,
  accept: (e: EmotionDetectorEventMap[K]) => boolean = () => true,
): Promise<EmotionDetectorEventMap[K]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      el.removeEventListener(name, on);
      reject(new Error(`no ${name} event within ${ms} ms (state: ${el.state}, error: ${el.error?.message ?? 'none'})`));
    }, ms);
    const on = (e: EmotionDetectorEventMap[K]) => {
      if (!accept(e)) return;
      clearTimeout(timer);
      el.removeEventListener(name, on);
      resolve(e);
    };
    el.addEventListener(name, on);
  });
}

/** Collects console.warn calls made while `fn` runs. */
export async function warningsDuring(fn: () => unknown): Promise<string[]> {
  const seen: string[] = [];
  const original = console.warn;
  console.warn = (...args: unknown[]) => {
    seen.push(args.map(String).join(' '));
  };
  try {
    await fn();
  } finally {
    console.warn = original;
  }
  return seen;
}

export function loadImage(src: string): Promise<HTMLImageElement> {
  const img = new Image();
  img.src = src;
  return img.decode().then(() => img);
}

/**
 * The emotion model to use: the bundled default (named by the built index.json). Until a trained
 * model is built, a development stand-in from test/artifacts/standin/ is used if present.
 */
export async function modelSrc(): Promise<string | null> {
  const index = await fetch(`${ASSETS}models/emotion/index.json`, { method: 'HEAD' });
  if (index.ok) return null;
  const standin = '/test/artifacts/standin/r-xs.onnx';
  return (await fetch(standin, { method: 'HEAD' })).ok ? standin : null;
}
