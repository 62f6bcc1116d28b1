// The soak's machine-speed peer (scripts/soak.mjs): a fixed piece of CPU work, timed about once a
// second beside the engine in the same run, so that each sample and each minute has a figure for
// how fast the machine ran then. It shares nothing with the engine (no code; with `node`, not even
// the browser), so an engine that slows down by itself (a leak, growing work) is not normalised
// away: only what slows both (a slower host, CPU taken by the hypervisor) is.
//
// The work: a 3x3 float32 convolution (multiply-adds) over a 256x256 image, in a single thread, in
// units of about `unitMs` (a fixed number of passes), `units` of them a probe (about `targetMs`),
// both set once at the start (after a 2-s warm-up, so every JIT tier is reached) and then fixed.
// A probe every 0.5-1.5 `periodMs` (a fixed pseudo-random sequence): by default 100 ms a second,
// 10% of one core, the same in every minute (25 ms, 2.5%, gave a speed that moved 5-10% between
// minutes of a steady machine; the noise falls as the probes' time grows). Each unit is timed: one
// that waited for a core (busy with the engine, or stolen by the hypervisor) is slow, so the
// fastest quarter of the units gives the speed of a core, apart from the engine's own load (on a
// 2-vCPU machine the probe shares the cores with the engine, so its wall time mostly measured where
// it fell among the engine's bursts).
//
// Where it runs (`place`): `node` (a worker_thread of the soak script) or `page` (the main thread of
// a blank tab in a headless Chromium of its own: a tab in the soak's browser would hide the soak's
// page, whose videos then stop presenting frames, and its CPU would count as the engine's; 4-ms
// units there, as a page that is not cross-origin isolated has a 0.1 ms clock); in `js` (a
// Float32Array loop) or `wasm` (the same loop in WebAssembly, as the engine's runtimes are).
import { Worker } from 'node:worker_threads';
import { launch } from '../lib/chromium.mjs';

/**
 * The probe loop, as source: run in a worker_thread or a browser tab, it calls `post({ reps, ... })`
 * once calibrated, then `post({ at, ms, units })` after each probe (`at`: Date.now(), `ms`: its
 * wall time, `units`: each unit's). Returns a stop function. Self-contained: no closure over this module.
 */
function probeLoop(kind, targetMs, unitMs, periodMs, post) {
  const N = 256;
  const W = [0.0625, 0.125, 0.0625, 0.125, 0.25, 0.125, 0.0625, 0.125, 0.0625];
  const fill = (a) => {
    for (let i = 0; i < a.length; i++) a[i] = ((i * 2654435761) % 1000) / 1000;
  };
  let run;
  if (kind === 'wasm') {
    // (func (param $reps i32) (local $r i32) (local $p i32)
    //   loop: p = 0; loop: out[p + 1028/4] = sum_k in[p + tap_k] * W[k]; p += 4 while p < LIMIT; r++ while r < reps)
    // in: bytes 0..262143, out: from 262144 (+ 1028, the centre tap).
    const leb = (n, signed) => {
      const out = [];
      for (;;) {
        const b = n & 0x7f;
        n >>= 7;
        const done = signed ? (n === 0 && !(b & 0x40)) || (n === -1 && b & 0x40) : n === 0;
        out.push(done ? b : b | 0x80);
        if (done) return out;
      }
    };
    const f32 = (x) => [...new Uint8Array(new Float32Array([x]).buffer)];
    const taps = [0, 4, 8, 1024, 1028, 1032, 2048, 2052, 2056];
    const body = [1, 2, 0x7f, 0x03, 0x40, 0x41, 0, 0x21, 2, 0x03, 0x40, 0x20, 2];
    taps.forEach((off, k) => {
      body.push(0x20, 2, 0x2a, 2, ...leb(off), 0x43, ...f32(W[k]), 0x94);
      if (k) body.push(0x92);
    });
    body.push(0x38, 2, ...leb(N * N * 4 + 1028));
    body.push(0x20, 2, 0x41, 4, 0x6a, 0x22, 2, 0x41, ...leb(N * N * 4 - 2056, true), 0x49, 0x0d, 0, 0x0b);
    body.push(0x20, 1, 0x41, 1, 0x6a, 0x22, 1, 0x20, 0, 0x48, 0x0d, 0, 0x0b, 0x0b);
    const section = (id, bytes) => [id, ...leb(bytes.length), ...bytes];
    const bytes = new Uint8Array([
      0, 0x61, 0x73, 0x6d, 1, 0, 0, 0,
      ...section(1, [1, 0x60, 1, 0x7f, 0]),
      ...section(3, [1, 0]),
      ...section(5, [1, 0, 9]),
      ...section(7, [2, 3, 0x72, 0x75, 0x6e, 0, 0, 3, 0x6d, 0x65, 0x6d, 2, 0]),
      ...section(10, [1, ...leb(body.length), ...body]),
    ]);
    const { exports } = new WebAssembly.Instance(new WebAssembly.Module(bytes));
    fill(new Float32Array(exports.mem.buffer, 0, N * N));
    run = (reps) => exports.run(reps);
  } else {
    const src = new Float32Array(N * N);
    const dst = new Float32Array(N * N);
    fill(src);
    run = (reps) => {
      for (let r = 0; r < reps; r++) {
        for (let p = 0; p < N * N - 2 * N - 2; p++) {
          dst[p + N + 1] =
            src[p] * W[0] + src[p + 1] * W[1] + src[p + 2] * W[2] +
            src[p + N] * W[3] + src[p + N + 1] * W[4] + src[p + N + 2] * W[5] +
            src[p + 2 * N] * W[6] + src[p + 2 * N + 1] * W[7] + src[p + 2 * N + 2] * W[8];
        }
      }
    };
  }
  // Warm-up (2 s of work: every JIT tier reached), then calibration on the fastest of 10 times 10
  // runs: a unit of work of about unitMs (`unitReps` runs), and `units` of them, about targetMs, a probe.
  const warmEnd = performance.now() + 2000;
  let n = 0;
  while (performance.now() < warmEnd) {
    run(1);
    n++;
  }
  let msPerRep = Infinity;
  for (let i = 0; i < 10; i++) {
    const t0 = performance.now();
    run(10);
    msPerRep = Math.min(msPerRep, (performance.now() - t0) / 10);
  }
  const unitReps = Math.max(1, Math.round(unitMs / msPerRep));
  const units = Math.max(1, Math.round(targetMs / (unitReps * msPerRep)));
  post({ reps: unitReps * units, unitReps, units, msPerRep, warmUpReps: n });
  let timer;
  let stopped = false;
  // The next probe after 0.5-1.5 periods (a fixed pseudo-random sequence): never in step with the
  // engine's own periodic work (the full search's pieces, in a cycle of frames of each video).
  let seed = 1;
  const next = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return periodMs * (0.5 + seed / 2147483648);
  };
  const probe = () => {
    if (stopped) return;
    const times = [];
    const start = performance.now();
    for (let u = 0, t = start; u < units; u++) {
      run(unitReps);
      const now = performance.now();
      times.push(now - t);
      t = now;
    }
    post({ at: Date.now(), ms: performance.now() - start, units: times });
    timer = setTimeout(probe, next());
  };
  timer = setTimeout(probe, next());
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

/**
 * A running peer: `drain()` gives the probes since the last drain and their speeds, in probes per
 * second (each probe a fixed piece of work; higher is faster).
 */
export class Peer {
  constructor(name, drainRaw, stop, calibration) {
    this.name = name;
    this.drainRaw = drainRaw;
    this.stop = stop;
    this.calibration = calibration;
  }

  /**
   * Starts a peer of `kind` ('js' | 'wasm') in `place` ('node' | 'page'); resolves once it is warm
   * and calibrated.
   */
  static async start({ place = 'node', kind = 'wasm', targetMs = 100, periodMs = 1000, name = `${place}-${kind}` }) {
    if (place === 'node') {
      const code = `const { parentPort } = require('node:worker_threads');
        const stop = (${probeLoop})(${JSON.stringify(kind)}, ${targetMs}, 1, ${periodMs}, (m) => parentPort.postMessage(m));
        parentPort.on('message', () => { stop(); parentPort.close(); });`;
      const worker = new Worker(code, { eval: true });
      const probes = [];
      const calibration = await new Promise((resolve, reject) => {
        worker.once('error', reject);
        worker.on('message', (m) => (m.reps ? resolve(m) : probes.push(m)));
      });
      return new Peer(name, async () => probes.splice(0), async () => {
        worker.postMessage('stop');
        await worker.terminate();
      }, calibration);
    }
    const browser = await launch();
    const [page] = await browser.pages();
    const calibration = await page.evaluate(
      (src, k, target, period) =>
        new Promise((resolve) => {
          window.peerProbes = [];
          window.peerStop = new Function(`return ${src}`)()(k, target, 4, period, (m) => (m.reps ? resolve(m) : window.peerProbes.push(m)));
        }),
      String(probeLoop), kind, targetMs, periodMs,
    );
    return new Peer(name, () => page.evaluate(() => window.peerProbes.splice(0)), async () => {
      await page.evaluate(() => window.peerStop());
      await browser.close();
    }, calibration);
  }

  /**
   * The probes since the last call and their speeds (null if none): `coreSpeed`, that of a core
   * while the probe runs on it (its units' fastest quarter: a unit that waited for a core, busy
   * with the engine or stolen, is slower; the engine's own load is not the machine's speed), and
   * `wallSpeed`, over the probes' wall time, waits included.
   */
  async drain() {
    const probes = await this.drainRaw();
    const ms = probes.reduce((s, p) => s + p.ms, 0);
    const units = probes.flatMap((p) => p.units).sort((a, b) => a - b);
    const r = (x) => Math.round(x * 100) / 100;
    const q = (f) => (units.length ? r(1000 / (units[Math.floor(units.length * f)] * this.calibration.units)) : null);
    return {
      probes: probes.length,
      coreSpeed: q(0.25),
      wallSpeed: ms > 0 ? r((probes.length * 1000) / ms) : null,
    };
  }
}
