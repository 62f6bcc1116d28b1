/**
 * Every option of the detector is checked here, once: its type, unit and range, and its default.
 * `create()` and `setOptions()` both go through these rules; nothing below re-checks them.
 */
import { EmotionDetectorError } from './errors.js';
import type { Backend, EmotionDetectorOptions, RuntimeOptions } from './types.js';

/** The runtime options with every default filled in. */
export type RuntimeSettings = Required<RuntimeOptions>;

interface NumberRule {
  kind: 'number';
  unit: string;
  min: number;
  max: number;
  /** The bounds themselves are out of range. */
  open?: boolean;
  integer?: boolean;
}
interface BooleanRule {
  kind: 'boolean';
}
/** true or false, or one of `also` (levels beyond on and off). */
interface LevelRule {
  kind: 'level';
  also: readonly string[];
}
type Rule = NumberRule | BooleanRule | LevelRule;

/** The rules of the runtime options, with their defaults. */
export const RUNTIME_OPTIONS: { readonly [K in keyof RuntimeSettings]: Rule & { default: RuntimeSettings[K] } } = {
  maxFaces: { kind: 'number', unit: 'faces', min: 1, max: 64, integer: true, default: 8 },
  minFaceConfidence: { kind: 'number', unit: 'detector confidence', min: 0, max: 1, open: true, default: 0.5 },
  smoothing: { kind: 'number', unit: 'ms (half-life)', min: 0, max: 10_000, default: 300 },
  smallFaces: { kind: 'level', also: ['tiny'], default: true },
  flipAverage: { kind: 'level', also: ['stills'], default: 'stills' },
  trackingMemory: { kind: 'number', unit: 'ms', min: 0, max: 60_000, default: 500 },
};

const NUM_THREADS: NumberRule = { kind: 'number', unit: 'threads', min: 1, max: 64, integer: true };
const DETECT_TIMEOUT: NumberRule & { default: number } = { kind: 'number', unit: 'ms', min: 100, max: 600_000, default: 15_000 };
const BACKENDS: readonly Backend[] = ['auto', 'webgpu', 'wasm'];
/** Options of create() that need a new runtime: setOptions() names them instead of ignoring them. */
const CREATE_ONLY = ['backend', 'assetsBase', 'model', 'faceModel', 'worker', 'parallel', 'numThreads', 'detectTimeoutMs', 'onProgress', 'signal'] as const;

function invalid(name: string, expected: string, value: unknown): never {
  const got = typeof value === 'string' ? JSON.stringify(value) : String(value);
  throw new EmotionDetectorError('invalid-option', `Invalid option ${name}: expected ${expected}, got ${got}`);
}

function describe(rule: NumberRule): string {
  const range = rule.open ? `between ${rule.min} and ${rule.max} (exclusive)` : `from ${rule.min} to ${rule.max}`;
  return `${rule.integer ? 'an integer' : 'a number'} ${range}, in ${rule.unit}`;
}

function check(name: string, rule: Rule, value: unknown): void {
  if (rule.kind === 'boolean') {
    if (typeof value !== 'boolean') invalid(name, 'true or false', value);
    return;
  }
  if (rule.kind === 'level') {
    if (typeof value !== 'boolean' && !rule.also.includes(value as string)) invalid(name, `true or false, or ${rule.also.map((v) => `"${v}"`).join(', ')}`, value);
    return;
  }
  const ok =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (!rule.integer || Number.isInteger(value)) &&
    (rule.open ? value > rule.min && value < rule.max : value >= rule.min && value <= rule.max);
  if (!ok) invalid(name, describe(rule), value);
}

/**
 * `changes` checked and applied over `current` (default: the defaults). Throws 'invalid-option'
 * for a value out of range, an unknown option, or one that only `create()` takes.
 */
export function resolveRuntimeOptions(changes: RuntimeOptions, current?: RuntimeSettings): RuntimeSettings {
  if (changes === null || typeof changes !== 'object') invalid('options', 'an object', changes);
  const out = { ...(current ?? defaultSettings()) } as Record<string, unknown>;
  for (const [name, value] of Object.entries(changes)) {
    if (value === undefined) continue;
    const rule = (RUNTIME_OPTIONS as Record<string, Rule | undefined>)[name];
    if (!rule) {
      const why = (CREATE_ONLY as readonly string[]).includes(name)
        ? `${name} needs a new runtime: create another EmotionDetector`
        : `unknown option ${name}`;
      throw new EmotionDetectorError('invalid-option', `Invalid option ${name}: ${why}`);
    }
    check(name, rule, value);
    out[name] = value;
  }
  return out as RuntimeSettings;
}

function defaultSettings(): RuntimeSettings {
  const out: Record<string, unknown> = {};
  for (const [name, rule] of Object.entries(RUNTIME_OPTIONS)) out[name] = rule.default;
  return out as RuntimeSettings;
}

/** What create() needs to know beyond the runtime settings. */
export interface CreateSettings {
  runtime: RuntimeSettings;
  backend: Backend;
  /** undefined: the default, min(4, hardwareConcurrency). */
  numThreads: number | undefined;
  worker: boolean;
  /** Requested and possible: two or more cores and Web Workers. */
  parallel: boolean;
  /** The bound of one detect() from its turn, in ms. */
  detectTimeoutMs: number;
}

/** Checks every option of create() and fills the defaults. Throws 'invalid-option'. */
export function createSettings(options: EmotionDetectorOptions): CreateSettings {
  const { backend = 'auto', numThreads, worker = false, parallel, detectTimeoutMs = DETECT_TIMEOUT.default, maxFaces, minFaceConfidence, smoothing, smallFaces, flipAverage, trackingMemory } = options;
  const runtime = resolveRuntimeOptions({ maxFaces, minFaceConfidence, smoothing, smallFaces, flipAverage, trackingMemory });
  if (!BACKENDS.includes(backend)) invalid('backend', `one of ${BACKENDS.map((b) => `'${b}'`).join(', ')}`, backend);
  if (numThreads !== undefined) check('numThreads', NUM_THREADS, numThreads);
  if (typeof worker !== 'boolean') invalid('worker', 'true or false', worker);
  if (parallel !== undefined && typeof parallel !== 'boolean') invalid('parallel', 'true or false', parallel);
  check('detectTimeoutMs', DETECT_TIMEOUT, detectTimeoutMs);
  // A second thread only helps where there is a core for it.
  const cores = globalThis.navigator?.hardwareConcurrency || 1;
  return { runtime, backend, numThreads, worker, parallel: (parallel ?? true) && cores >= 2 && typeof Worker === 'function', detectTimeoutMs };
}
