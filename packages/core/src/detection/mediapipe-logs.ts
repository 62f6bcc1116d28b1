/**
 * MediaPipe's WASM prints its C++ log lines through the console: on every load, an INFO line as
 * `console.error` ("INFO: Created TensorFlow Lite XNNPACK delegate for CPU.") and two glog
 * warnings as `console.warn` (GL error checking off; no feedback tensors), none of which is a
 * problem for the page. While a MediaPipe call runs, exactly those lines (matched in full) go to
 * `console.debug` instead, marked as MediaPipe's; everything else passes through untouched, and
 * the console is restored when the call returns.
 */
const ROUTED: readonly RegExp[] = [
  /^INFO: Created TensorFlow Lite XNNPACK delegate for CPU\.?$/,
  /^W\d{4} [\d:.]+ +\d+ gl_context\.cc:\d+\] OpenGL error checking is disabled$/,
  /^W\d{4} [\d:.]+ +\d+ inference_feedback_manager\.cc:\d+\] Feedback manager requires a model with a single signature inference\. Disabling support for feedback tensors\.$/,
];

/** Whether `args` (one console call's arguments) is one of MediaPipe's routine lines. */
export function isRoutineMediaPipeLog(args: readonly unknown[]): boolean {
  return args.length === 1 && typeof args[0] === 'string' && ROUTED.some((re) => re.test(args[0] as string));
}

type Level = 'error' | 'warn';
let depth = 0;
const originals: Partial<Record<Level, (...args: unknown[]) => void>> = {};

function install(): void {
  if (depth++ > 0) return;
  for (const level of ['error', 'warn'] as const) {
    const original = console[level];
    originals[level] = original;
    console[level] = (...args: unknown[]) => {
      if (isRoutineMediaPipeLog(args)) console.debug('[MediaPipe]', ...args);
      else original.apply(console, args);
    };
  }
}

function uninstall(): void {
  if (--depth > 0) return;
  for (const level of ['error', 'warn'] as const) {
    const original = originals[level];
    if (original) console[level] = original;
    delete originals[level];
  }
}

/** Runs a synchronous MediaPipe call with its routine log lines routed to `console.debug`. */
export function quietly<T>(fn: () => T): T {
  install();
  try {
    return fn();
  } finally {
    uninstall();
  }
}

/** The same for an asynchronous call (graph creation, new options): routed until it settles. */
export async function quietlyAsync<T>(fn: () => Promise<T>): Promise<T> {
  install();
  try {
    return await fn();
  } finally {
    uninstall();
  }
}
