/**
 * Picks where the classifier runs and loads the matching onnxruntime-web build. The builds are
 * imported lazily and separately, so a WASM-only page never downloads the WebGPU runtime.
 */
import type * as Ort from 'onnxruntime-web';
import { EmotionDetectorError } from '../errors.js';
import type { Backend, ResolvedBackend } from '../types.js';

export type OrtModule = typeof Ort;

/** The few WebGPU members we read (lib.dom has no WebGPU types). */
interface GpuAdapterLike {
  isFallbackAdapter?: boolean;
  info?: { vendor?: string; architecture?: string; description?: string; device?: string; isFallbackAdapter?: boolean };
}
interface GpuLike {
  requestAdapter(opts?: { forceFallbackAdapter?: boolean; powerPreference?: string }): Promise<GpuAdapterLike | null>;
}

const ADAPTER_TIMEOUT_MS = 3_000;

async function requestAdapter(opts: { forceFallbackAdapter?: boolean } = {}): Promise<GpuAdapterLike | null> {
  const gpu = (globalThis.navigator as { gpu?: GpuLike } | undefined)?.gpu;
  if (!gpu) return null;
  // A broken GPU process can leave requestAdapter pending forever: bound it.
  const timeout = new Promise<null>((r) => setTimeout(() => r(null), ADAPTER_TIMEOUT_MS));
  return Promise.race([gpu.requestAdapter({ powerPreference: 'high-performance', ...opts }).catch(() => null), timeout]);
}

/** A software adapter (SwiftShader, or one flagged as fallback) is slower than WASM: not "real". */
export function isSoftwareAdapter(a: GpuAdapterLike): boolean {
  const info = a.info ?? {};
  if (a.isFallbackAdapter || info.isFallbackAdapter) return true;
  const text = `${info.vendor ?? ''} ${info.architecture ?? ''} ${info.description ?? ''} ${info.device ?? ''}`.toLowerCase();
  return text.includes('swiftshader') || (info.vendor === 'google' && /cpu|software/.test(text));
}

export interface BackendChoice {
  backend: ResolvedBackend;
  /** WASM threads; 1 without cross-origin isolation (no SharedArrayBuffer). */
  numThreads: number;
}

/** `auto`: WebGPU on a real adapter, else WASM. Forced `webgpu` accepts any adapter. */
export async function chooseBackend(requested: Backend = 'auto', numThreads?: number): Promise<BackendChoice> {
  const isolated = globalThis.crossOriginIsolated === true;
  const cores = globalThis.navigator?.hardwareConcurrency || 1;
  const wanted = numThreads !== undefined && Number.isFinite(numThreads) ? numThreads : Math.min(4, cores);
  const threads = isolated ? Math.max(1, Math.floor(wanted)) : 1;
  if (requested === 'wasm') return { backend: 'wasm', numThreads: threads };
  const adapter = (await requestAdapter()) ?? (requested === 'webgpu' ? await requestAdapter({ forceFallbackAdapter: true }) : null);
  if (requested === 'webgpu') {
    if (!adapter) throw new EmotionDetectorError('backend-unavailable', 'WebGPU was requested but this browser has no WebGPU adapter');
    return { backend: 'webgpu', numThreads: threads };
  }
  if (requested !== 'auto') throw new EmotionDetectorError('backend-unavailable', `Unknown backend "${String(requested)}"`);
  return { backend: adapter && !isSoftwareAdapter(adapter) ? 'webgpu' : 'wasm', numThreads: threads };
}

/** Loads the runtime build for `backend` and points it at our own WASM binary (no CDN). */
export async function loadOrt(backend: ResolvedBackend, wasmBinary: Uint8Array, numThreads: number): Promise<OrtModule> {
  let ort: OrtModule;
  try {
    ort = backend === 'webgpu' ? await import('onnxruntime-web/webgpu') : await import('onnxruntime-web/wasm');
  } catch (e) {
    throw new EmotionDetectorError('runtime-error', `Could not load onnxruntime-web (${backend}): ${String(e)}`, { cause: e });
  }
  // The env is per runtime instance and read once, at the first session: later values are ignored.
  ort.env.logLevel = 'error';
  ort.env.wasm.wasmBinary = wasmBinary;
  ort.env.wasm.numThreads = numThreads;
  ort.env.wasm.proxy = false;
  return ort;
}

/** Says which of the named input and output the session lacks (with the names it has), or undefined when it has both. */
export function missingIo(session: Pick<Ort.InferenceSession, 'inputNames' | 'outputNames'>, io: { input: string; output: string }): string | undefined {
  if (!session.inputNames.includes(io.input)) return `input "${io.input}" is not an input of the model (it has ${session.inputNames.join(', ')})`;
  if (!session.outputNames.includes(io.output)) return `output "${io.output}" is not an output of the model (it has ${session.outputNames.join(', ')})`;
  return undefined;
}

export async function createSession(ort: OrtModule, backend: ResolvedBackend, model: Uint8Array, url: string): Promise<Ort.InferenceSession> {
  try {
    return await ort.InferenceSession.create(model, {
      executionProviders: [backend],
      graphOptimizationLevel: 'all',
      // Errors only: at the default (warnings), the WebGPU session logs through console.error that
      // ORT keeps shape ops on the CPU ("Some nodes were not assigned to the preferred execution
      // providers"), which is by design. env.logLevel does not reach the session's own logger.
      logSeverityLevel: 3,
    });
  } catch (e) {
    const msg = String((e as Error)?.message ?? e);
    const code = /protobuf|parse|load model|invalid model/i.test(msg) ? 'invalid-model' : backend === 'webgpu' ? 'backend-unavailable' : 'runtime-error';
    throw new EmotionDetectorError(code, `Could not open ${url} on ${backend}: ${msg}`, { cause: e });
  }
}
