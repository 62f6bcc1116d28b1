// Shared by the engine's browser tests (pipeline, classifier, errors, worker, backend, the placed-face tests).
import { expect } from '@open-wc/testing';
import { EmotionDetectorError } from '../../src/errors.js';
import type { Box, EmotionScores, Face } from '../../src/types.js';
import type { EmotionDetector } from '../../src/emotion-detector.js';
import { EMOTIONS } from '../../src/types.js';
import { resolveRuntimeOptions, type RuntimeSettings } from '../../src/options.js';
import type { LoadedAssets } from '../../src/assets/load.js';
import type { PipelineInit } from '../../src/host/init.js';

/** What a pipeline is built from, with the default settings (WASM, one thread, no worker of its own). */
export function pipelineInit(assets: LoadedAssets, over: Partial<Omit<PipelineInit, 'settings'>> & { settings?: Partial<RuntimeSettings> } = {}): PipelineInit {
  const { settings, ...rest } = over;
  return { ...assets, settings: resolveRuntimeOptions(settings ?? {}), parallel: false, backend: 'wasm', numThreads: 1, ...rest };
}

/** The built assets folder, as a user would serve it. */
export const ASSETS = '/packages/core/dist/assets/';
/**
 * The emotion model under test: the default one named by the built assets' index.json.
 * (undefined = let the engine discover it, exactly as users get it.)
 */
export const MODEL: string | undefined = undefined;
export const photo = (n: number): string => `/node_modules/@vladmandic/face-api/demo/sample${n}.jpg`;

export async function loadImage(url: string, crossOrigin?: string): Promise<HTMLImageElement> {
  const img = new Image();
  if (crossOrigin !== undefined) img.crossOrigin = crossOrigin;
  img.src = url;
  await img.decode();
  return img;
}

/** A face of a sample photo: the photo, and the face's box in it. */
export interface SampleFace {
  img: HTMLImageElement;
  box: Box;
}

/** Every face of the six sample photos (22 people) as `detector` finds them at the photo's own size, each with its photo. */
export async function sampleFaces(detector: EmotionDetector): Promise<SampleFace[]> {
  const faces: SampleFace[] = [];
  for (let n = 1; n <= 6; n++) {
    const img = await loadImage(photo(n));
    for (const f of (await detector.detect(img)).faces) faces.push({ img, box: f.box });
  }
  expect(faces.length, "the sample photos' people found").to.be.at.least(20);
  return faces;
}

export async function expectError(p: Promise<unknown> | (() => unknown), code: string, message?: RegExp): Promise<EmotionDetectorError> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    expect(e, String(e)).to.be.instanceOf(EmotionDetectorError);
    expect((e as EmotionDetectorError).code, (e as Error).message).to.equal(code);
    if (message) expect((e as Error).message).to.match(message);
    return e as EmotionDetectorError;
  }
  return expect.fail(`expected an EmotionDetectorError "${code}"`);
}

export function maxDiff(a: EmotionScores, b: EmotionScores): number {
  return Math.max(...EMOTIONS.map((e) => Math.abs(a[e] - b[e])));
}

export function expectDistribution(s: EmotionScores): void {
  const sum = EMOTIONS.reduce((t, e) => t + s[e], 0);
  expect(sum).to.be.closeTo(1, 1e-4);
  for (const e of EMOTIONS) expect(s[e]).to.be.within(0, 1);
}

/** Pairs each face of `a` with the face of `b` whose box centre is nearest. */
export function pairFaces(a: Face[], b: Face[]): Array<[Face, Face]> {
  const c = (f: Face) => [f.box.x + f.box.width / 2, f.box.y + f.box.height / 2] as const;
  return a.map((f) => {
    const [x, y] = c(f);
    const best = [...b].sort((p, q) => Math.hypot(c(p)[0] - x, c(p)[1] - y) - Math.hypot(c(q)[0] - x, c(q)[1] - y))[0]!;
    return [f, best];
  });
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Empties the engine's asset cache so a test sees a first start. */
export async function clearAssetCache(): Promise<void> {
  await caches.delete('emotion-detector-v1');
}
