#!/usr/bin/env node
// `npm run soak [-- --minutes N]`: the engine over time, in headless Chromium with the built
// engine (packages/core/dist; run `npm run build` first). A benchmark, not a test.
//
// Streams: four playing videos with faces (face-api's sample4.jpg and sample6.jpg, 4 faces each,
// and their mirror images, swaying on canvases through captureStream at 30 frames/s) analysed by
// one engine as four streams, round-robin, as fast as it goes, each new picture at most once; every
// --churn-s one video leaves or a new one joins (3 or 4 live, the same number of faces in each).
// Every --sample-s it samples the JS heap of the page and of each worker (CDP, after a forced GC),
// DOM nodes, live workers, frames analysed per second and errors, and what the engine did in those
// frames (`result.work`: faces, detector passes by kind of search, faces classified, finds the
// face verifier decided on; `timings`: ms per frame) and what the machine did (CPU of the browser,
// of other processes, stolen; /proc).
// Beside the engine, in the same run, a machine-speed peer (scripts/soak/peer.mjs): a fixed
// float32 convolution in WebAssembly, in a worker thread of this script (nothing shared with the
// engine), 100 ms in 1-ms units at random times about once a second (10% of one core). Its speed
// in a sample: that of a core while it runs (the fastest quarter of its units; a unit that waited
// for a core busy with the engine is left out) times the share of the CPU the hypervisor left
// (1 - steal). Writes bench-results/soak.json and prints the heap growth per minute after the first
// minute (least squares), each minute's frames per second against minute one, raw and per machine
// speed (frames/s divided by the peer's speed, against minute one's), the correlation of frames/s
// and of the engine's detector pass speed with the peer's speed over the samples, a table of each
// minute's work, the errors, and a verdict against the targets: heap growth < 1 MB/min, frames
// per second within +-10% of minute one, 0 errors. The frames/s per machine speed is a diagnostic,
// not judged: where raw frames/s moves, it tells the machine (the peer moved too) from the engine
// (the peer did not); the peer is noisy (5-20% between minutes of a steady machine).
//
// Lifecycle (--cycles N): N create()/dispose() cycles in each mode (main thread, worker, parallel)
// on a cross-origin isolated page and on one that is not: live workers after each dispose(),
// "too many WebGL contexts" warnings, and the page's heap after the last cycle against cycle 5.
//
//   --minutes N     length of the streams soak (default 10; 0 skips it)
//   --cycles N      create()/dispose() cycles per mode and page (default 0: none; the issue's check is 100)
//   --mode M        the streams soak's engine: parallel (default), worker or main
//   --threads N     WASM threads (default 2)
//   --sample-s S    seconds between samples (default 10)
//   --churn-s S     seconds between a video leaving or joining (default 15)
//   --peer P[,P]    the machine-speed peer: node-wasm (default), node-js (the same kernel in plain JS),
//                   page-wasm, page-js (on a blank tab of a Chromium of its own), each with :MS for
//                   its ms of work a probe (default 100); several are all sampled and compared, the
//                   first is the one printed per minute
//   --out FILE      JSON output (default bench-results/soak.json)
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EnginePage, TOO_MANY_CONTEXTS, launchBrowser, serveRepo, toMB } from './lib/engine-page.mjs';
import { Peer } from './soak/peer.mjs';
import { parseCli } from './lib/cli.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values: opt } = parseCli(import.meta.url, 'soak', {
  options: {
    minutes: { type: 'string', default: '10' },
    cycles: { type: 'string', default: '0' },
    mode: { type: 'string', default: 'parallel' },
    threads: { type: 'string', default: '2' },
    'sample-s': { type: 'string', default: '10' },
    'churn-s': { type: 'string', default: '15' },
    peer: { type: 'string', default: 'node-wasm' },
    out: { type: 'string', default: path.join(root, 'bench-results/soak.json') },
  },
});
const MODES = { main: { parallel: false }, worker: { worker: true }, parallel: { parallel: true } };
const minutes = Number(opt.minutes);
const cycles = Number(opt.cycles);
const numThreads = Number(opt.threads);
const sampleMs = Number(opt['sample-s']) * 1000;
const churnMs = Number(opt['churn-s']) * 1000;
const fail = (msg) => {
  console.error(`soak: ${msg}`);
  process.exit(1);
};
if (!(minutes >= 0) || !(cycles >= 0) || !(sampleMs > 0) || !(churnMs > 0)) fail('--minutes, --cycles >= 0; --sample-s, --churn-s > 0');
if (!MODES[opt.mode]) fail(`--mode must be one of ${Object.keys(MODES).join(', ')}`);
const peerNames = opt.peer.split(',');
if (!peerNames.every((p) => /^(node|page)-(js|wasm)(:\d+)?$/.test(p))) fail('--peer: node-wasm, node-js, page-wasm or page-js, each with an optional :MS (comma-separated; the first is the one printed per minute)');
if (!fs.existsSync(path.join(root, 'packages/core/dist/index.js'))) fail('no build: run `npm run build` first');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const round = (x, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
/** The sums of centred products of xs and ys: what a least-squares slope and Pearson's r are made of. */
function centredSums(xs, ys) {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i] - mx) * (ys[i] - my);
    sxx += (xs[i] - mx) ** 2;
    syy += (ys[i] - my) ** 2;
  }
  return { sxy, sxx, syy };
}
/** Least-squares slope of y over x. */
function slope(xs, ys) {
  const { sxy, sxx } = centredSums(xs, ys);
  return sxx ? sxy / sxx : 0;
}
/** Pearson's correlation of ys with xs (pairs where both are numbers); null under 3 pairs. */
function correlation(xs, ys) {
  const pairs = xs.map((x, i) => [x, ys[i]]).filter(([x, y]) => typeof x === 'number' && typeof y === 'number');
  if (pairs.length < 3) return null;
  const { sxy, sxx, syy } = centredSums(pairs.map((p) => p[0]), pairs.map((p) => p[1]));
  return sxx && syy ? round(sxy / Math.sqrt(sxx * syy), 3) : null;
}

async function lifecycle(browser, server, isolate) {
  const results = [];
  for (const [mode, options] of Object.entries(MODES)) {
    const page = await EnginePage.open(browser, server.url);
    const run = { isolated: await page.call('isolated'), mode, cycles, workersAfterDispose: [], heapMB: {}, tooManyContexts: 0, seconds: 0 };
    // What may stay: on an isolated page's main thread, ONNX Runtime's own thread pool (numThreads - 1
    // workers), which belongs to the page's runtime and is reused by the next detector; else nothing.
    const left = mode === 'main' && run.isolated ? numThreads - 1 : 0;
    const t0 = Date.now();
    for (let i = 1; i <= cycles; i++) {
      await page.call('create', { backend: 'wasm', numThreads, ...options });
      await page.call('dispose');
      // Terminated workers take a moment to go: the count once it is down to `left`, or after 5 s.
      run.workersAfterDispose.push(await page.waitForWorkers(left, 5_000));
      if (i === 5 || i === cycles || i % 25 === 0) run.heapMB[i] = toMB((await page.heap()).page);
      process.stdout.write(`\r  ${isolate ? 'isolated' : 'not isolated'}, ${mode}: cycle ${i}/${cycles}`);
    }
    run.seconds = Math.round((Date.now() - t0) / 1000);
    run.tooManyContexts = page.warnings.filter((w) => TOO_MANY_CONTEXTS.test(w)).length;
    await page.close();
    const heap5 = run.heapMB[5];
    const last = run.heapMB[cycles];
    run.maxWorkersAfterDispose = Math.max(...run.workersAfterDispose);
    run.expectedWorkersAfterDispose = left;
    run.heapGrowthMB = heap5 !== undefined && last !== undefined ? round(last - heap5) : null;
    console.log(
      `\r  ${isolate ? 'isolated' : 'not isolated'}, ${mode}: ${cycles} cycles in ${run.seconds} s; workers after dispose max ${run.maxWorkersAfterDispose} (expected ${left}); ` +
        `heap cycle 5 ${heap5} MB -> cycle ${cycles} ${last} MB; "too many WebGL contexts": ${run.tooManyContexts}`,
    );
    results.push(run);
  }
  return results;
}

async function streams(browser, server) {
  const browserPid = browser.process()?.pid;
  const page = await EnginePage.open(browser, server.url);
  const started = await page.call('start', { backend: 'wasm', numThreads, ...MODES[opt.mode] }, 4);
  console.log(`streams: ${opt.mode} (${started.backend}${started.parallel ? ', model worker' : ''}), ${numThreads} threads, isolated ${await page.call('isolated')}, ${minutes} min`);
  // The machine-speed peers (scripts/soak/peer.mjs), warm and calibrated before the first sample.
  for (const name of peerNames) {
    const [place, kind, ms] = name.split(/[-:]/);
    const peer = await Peer.start({ name, place, kind, targetMs: ms && Number(ms) });
    peers.push(peer);
    console.log(`peer ${name}: ${peer.calibration.reps} kernel runs per probe (${round(peer.calibration.msPerRep * peer.calibration.reps, 1)} ms at calibration), one probe a second`);
  }
  for (const p of peers) await p.drain();
  const samples = [];
  const t0 = Date.now();
  let last = { t: 0, c: await page.call('counters'), cpu: cpuTimes(browserPid) };
  let nextChurn = churnMs;
  let leave = true;
  let nextSample = sampleMs;
  const end = minutes * 60_000;
  while (Date.now() - t0 < end) {
    const now = Date.now() - t0;
    const wait = Math.min(nextChurn, nextSample) - now;
    if (wait > 0) await sleep(wait);
    const t = Date.now() - t0;
    if (t >= nextChurn) {
      await page.call(leave ? 'leave' : 'join');
      leave = !leave;
      nextChurn += churnMs;
    }
    if (t >= nextSample) {
      const c = await page.call('counters');
      const at = (Date.now() - t0) / 1000;
      const cpu = cpuTimes(browserPid);
      const work = workBetween(last.c, c, at - last.t);
      const cpuShare = machineBetween(last.cpu, cpu);
      // A peer's speed: a core's speed (the kernel's) times the share of the CPU the hypervisor left.
      const peerSpeeds = [];
      for (const p of peers) {
        const d = await p.drain();
        peerSpeeds.push([p.name, { speed: d.coreSpeed === null ? null : round(d.coreSpeed * (1 - (cpuShare?.stealPct ?? 0) / 100)), ...d }]);
      }
      const machine = { ...cpuShare, peerSpeed: peerSpeeds[0][1].speed, peers: Object.fromEntries(peerSpeeds) };
      last = { t: at, c, cpu };
      const heap = await page.heap();
      const dom = await page.domCounters();
      const workers = (await page.workerTargets()).length;
      const sample = {
        t: round(at, 1),
        heapMB: { page: toMB(heap.page), workers: heap.workers.map((w) => ({ url: w.url.replace(/^https?:\/\/[^/]+/, ''), mb: w.used === null ? null : toMB(w.used) })), total: toMB(heap.total) },
        domNodes: dom.nodes,
        documents: dom.documents,
        listeners: dom.jsEventListeners,
        workers,
        streams: c.streams,
        scenes: c.scenes,
        ...work,
        machine,
        frames: c.frames,
        errors: c.errors,
        lastError: c.lastError || undefined,
      };
      samples.push(sample);
      console.log(
        `  ${String(Math.round(sample.t)).padStart(4)} s: heap ${sample.heapMB.total} MB (page ${sample.heapMB.page}), ${sample.domNodes} nodes, ${workers} workers, ` +
          `videos ${sample.scenes.join(',')} (${work.videoFps} drawn, ${work.videoShownFps} shown /s each), ${sample.fps} fps, ${sample.facesPerS} faces/s (${sample.facesPerFrame}/frame), ` +
          `${sample.passesPerFrame} passes/frame (frames: tiles ${work.searches.tiles}, frame ${work.searches.frame}, focus ${work.searches.focus}), ${work.classifiedPerFrame} classified/frame, ${work.verifiedPerFrame} verified/frame, waited ${Math.round(100 * work.waitShare)}%, ` +
          `${work.msPerFrame.total} ms/frame (detection ${work.msPerFrame.detection}, classification ${work.msPerFrame.classification}), ` +
          `${machine.browserPct !== undefined ? `CPU browser ${machine.browserPct}% other ${machine.otherPct}% steal ${machine.stealPct}%, ` : ''}` +
          `peer ${peerSpeeds.map(([n, s]) => `${n} ${s.speed}/s`).join(', ')}, ${sample.errors} errors`,
      );
      nextSample += sampleMs;
    }
  }
  await stopPeers();
  await page.call('stop');
  const workersAfterStop = await page.waitForWorkers(0, 10_000);
  const warnings = page.warnings.filter((w) => TOO_MANY_CONTEXTS.test(w)).length;
  await page.close();
  return { mode: opt.mode, numThreads, samples, workersAfterStop, tooManyContexts: warnings };
}

/**
 * CPU time (seconds) of the whole machine (busy, and stolen by the hypervisor) and of the browser's
 * process tree (`pid` and its descendants), from /proc; null where there is none (not Linux).
 */
function cpuTimes(pid) {
  try {
    const tick = 100; // USER_HZ: 100 on every Linux build that matters
    const [, ...cpu] = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number);
    const [user, nice, system, idle, iowait, irq, softirq, steal = 0] = cpu;
    const procs = new Map();
    for (const d of fs.readdirSync('/proc')) {
      if (!/^\d+$/.test(d)) continue;
      try {
        const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
        const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        procs.set(Number(d), { ppid: Number(f[1]), cpu: Number(f[11]) + Number(f[12]) });
      } catch {
        // a process that ended meanwhile
      }
    }
    const ours = (p) => {
      for (let q = p; q > 1; q = procs.get(q)?.ppid ?? 0) if (q === pid) return true;
      return false;
    };
    let browser = 0;
    for (const [p, { cpu: t }] of procs) if (ours(p)) browser += t;
    return { busy: (user + nice + system + irq + softirq) / tick, idle: (idle + iowait) / tick, steal: steal / tick, browser: browser / tick };
  } catch {
    return null;
  }
}

/**
 * The machine between two cpuTimes() readings: the share of all cores used by the browser (the
 * engine, the page, the GPU process), by every other process, and stolen (percent).
 */
function machineBetween(a, b) {
  if (!a || !b) return null;
  const all = b.busy + b.idle + b.steal - (a.busy + a.idle + a.steal);
  if (!(all > 0)) return null;
  const pct = (x) => round((100 * x) / all, 1);
  const browser = b.browser - a.browser;
  return { browserPct: pct(browser), otherPct: pct(Math.max(0, b.busy - a.busy - browser)), stealPct: pct(b.steal - a.steal) };
}

/** The mean rate of the counts in `b` against `a` (by name) over `dt` s, of the names in both. */
function rate(a, b, dt) {
  const rates = Object.keys(b)
    .filter((k) => b[k] >= (a[k] ?? Infinity))
    .map((k) => (b[k] - a[k]) / dt);
  return rates.length ? round(rates.reduce((x, y) => x + y, 0) / rates.length, 1) : null;
}

/**
 * What the engine did between two counter readings `dt` seconds apart: frames and faces per second,
 * faces and detector passes per frame, frames per search kind, and ms per frame by stage (the
 * means of `result.timings`), overall and per video picture (scene).
 */
function workBetween(a, b, dt) {
  const frames = b.frames - a.frames;
  const per = (x, n = frames) => (n ? round(x / n) : null);
  const byScene = {};
  for (const [scene, p] of Object.entries(b.byScene)) {
    const q = a.byScene[scene] ?? { frames: 0, faces: 0, passes: 0, totalMs: 0 };
    const n = p.frames - q.frames;
    if (n > 0) byScene[scene] = { frames: n, facesPerFrame: per(p.faces - q.faces, n), passesPerFrame: per(p.passes - q.passes, n), msPerFrame: per(p.totalMs - q.totalMs, n) };
  }
  return {
    fps: round(frames / dt),
    facesPerS: round((b.faces - a.faces) / dt),
    facesPerFrame: per(b.faces - a.faces),
    passesPerFrame: per(b.passes - a.passes),
    classifiedPerFrame: per(b.classified - a.classified),
    // The face verifier's crops (new small finds, near misses): work beside the passes that churn adds.
    verifiedPerFrame: per(b.verified - a.verified),
    /** Share of the time the loop waited, no video having a picture not yet analysed. */
    waitShare: round((b.waitMs - a.waitMs) / 1000 / dt, 3),
    /** Pictures drawn, and frames shown, per second by a video live throughout (means; 30 at most). */
    videoFps: rate(a.drawn, b.drawn, dt),
    videoShownFps: rate(a.shown, b.shown, dt),
    byKind: Object.fromEntries(
      Object.entries(b.byKind).map(([k, v]) => {
        const n = v.frames - a.byKind[k].frames;
        return [k, { frames: n, passesPerFrame: per(v.passes - a.byKind[k].passes, n), detectionMs: per(v.detectionMs - a.byKind[k].detectionMs, n), totalMs: per(v.totalMs - a.byKind[k].totalMs, n) }];
      }),
    ),
    searches: Object.fromEntries(Object.keys(b.searches).map((k) => [k, b.searches[k] - a.searches[k]])),
    msPerFrame: { detection: per(b.detectionMs - a.detectionMs), classification: per(b.classificationMs - a.classificationMs), total: per(b.totalMs - a.totalMs) },
    byScene,
  };
}

function summarise(run) {
  const s = run.samples;
  const after = s.filter((x) => x.t >= 60);
  const growth = (pick) => (after.length >= 2 ? round(slope(after.map((x) => x.t / 60), after.map(pick))) : null);
  // A sample belongs to the minute of its due time (the n-th is due at n x --sample-s; taken a
  // moment later, as at 180.1 s, it is still the third minute's last).
  const minuteOf = (i) => Math.floor((i * sampleMs) / 60_000);
  const minuteCount = s.length ? minuteOf(s.length - 1) + 1 : 0;
  const perMinute = [];
  // Beside frames/s, the work in those frames (each a mean of the minute's samples, as frames/s):
  // frames differ in work (the faces, the full search every 500 ms of each video), and the machine
  // can be busy with other things.
  const workPerMinute = [];
  const mean = (xs, pick) => {
    const v = xs.map(pick).filter((x) => typeof x === 'number');
    return v.length ? round(v.reduce((a, b) => a + b, 0) / v.length) : null;
  };
  for (let m = 0; m < minuteCount; m++) {
    const inMinute = s.filter((_, i) => minuteOf(i) === m);
    if (!inMinute.length) continue;
    perMinute.push(mean(inMinute, (x) => x.fps));
    workPerMinute.push({
      fps: mean(inMinute, (x) => x.fps),
      facesPerS: mean(inMinute, (x) => x.facesPerS),
      passesPerS: mean(inMinute, (x) => x.passesPerFrame * x.fps),
      facesPerFrame: mean(inMinute, (x) => x.facesPerFrame),
      passesPerFrame: mean(inMinute, (x) => x.passesPerFrame),
      classifiedPerFrame: mean(inMinute, (x) => x.classifiedPerFrame),
      verifiedPerFrame: mean(inMinute, (x) => x.verifiedPerFrame),
      msPerFrame: mean(inMinute, (x) => x.msPerFrame.total),
      detectionMsPerPass: mean(inMinute, (x) => x.msPerFrame.detection / x.passesPerFrame),
      browserCpuPct: mean(inMinute, (x) => x.machine?.browserPct),
      otherCpuPct: mean(inMinute, (x) => x.machine?.otherPct),
      stealCpuPct: mean(inMinute, (x) => x.machine?.stealPct),
      peerSpeed: mean(inMinute, (x) => x.machine?.peerSpeed),
      peers: Object.fromEntries(
        peerNames.map((n) => [n, Object.fromEntries(['speed', 'coreSpeed', 'wallSpeed'].map((k) => [k, mean(inMinute, (x) => x.machine?.peers?.[n]?.[k])]))]),
      ),
    });
  }
  const ratios = perMinute.map((f) => round(f / perMinute[0], 3));
  // Frames/s per unit of machine speed (the peer's), against minute one's: what the engine did
  // with the machine it had. Where the peer has no figure, none.
  const perPeer = workPerMinute.map((w) => (w.fps !== null && w.peerSpeed ? w.fps / w.peerSpeed : null));
  const adjusted = perPeer.map((f) => (f !== null && perPeer[0] ? round(f / perPeer[0], 3) : null));
  // Over the samples: frames/s, and the speed of one detector pass (a fixed piece of the engine's
  // work: passes per second of detection time), against each peer's speed.
  const passSpeed = s.map((x) => (x.msPerFrame.detection && x.passesPerFrame ? (1000 * x.passesPerFrame) / x.msPerFrame.detection : null));
  const peerCorrelations = Object.fromEntries(
    peerNames.map((n) => {
      const speeds = s.map((x) => x.machine?.peers?.[n]?.speed);
      return [n, { fps: correlation(speeds, s.map((x) => x.fps)), detectionPassSpeed: correlation(speeds, passSpeed) }];
    }),
  );
  const errors = s.length ? s[s.length - 1].errors : 0;
  const heapGrowthMBPerMin = growth((x) => x.heapMB.total);
  const verdict = {
    heap: heapGrowthMBPerMin !== null && heapGrowthMBPerMin < 1,
    fps: ratios.every((r) => Math.abs(r - 1) <= 0.1),
    errors: errors === 0,
  };
  return {
    heapGrowthMBPerMin,
    pageHeapGrowthMBPerMin: growth((x) => x.heapMB.page),
    domNodesGrowthPerMin: growth((x) => x.domNodes),
    fpsPerMinute: perMinute,
    fpsAgainstMinuteOne: ratios,
    peer: peerNames[0],
    peerSpeedPerMinute: workPerMinute.map((w) => w.peerSpeed),
    fpsPerPeerAgainstMinuteOne: adjusted,
    fpsPeerCorrelation: peerCorrelations[peerNames[0]].fps,
    peerCorrelations,
    workPerMinute,
    errors,
    workersAfterStop: run.workersAfterStop,
    tooManyContexts: run.tooManyContexts,
    verdict: { ...verdict, fpsPerPeer: adjusted.every((r) => r !== null && Math.abs(r - 1) <= 0.1), pass: verdict.heap && verdict.fps && verdict.errors },
  };
}

const out = { date: new Date().toISOString(), options: { minutes, cycles, mode: opt.mode, numThreads, sampleS: sampleMs / 1000, churnS: churnMs / 1000, peers: peerNames }, lifecycle: [], streams: null, summary: null };
const browser = await launchBrowser();
const servers = [];
/** The running machine-speed peers (streams()), stopped when it ends or fails. */
const peers = [];
const stopPeers = async () => {
  for (const p of peers.splice(0)) await p.stop().catch(() => undefined);
};
try {
  if (cycles > 0) {
    for (const isolate of [true, false]) {
      const server = await serveRepo({ isolate });
      servers.push(server);
      console.log(`lifecycle: ${cycles} create()/dispose() cycles per mode, ${isolate ? '' : 'not '}cross-origin isolated`);
      out.lifecycle.push(...(await lifecycle(browser, server, isolate)));
    }
    // The README's table (markdown).
    console.log('\n| Page | Mode | Cycles | Heap, cycle 5 -> last (MB) | Workers after dispose (max; expected) | "Too many WebGL contexts" | Time (s) |');
    console.log('|---|---|---:|---|---|---:|---:|');
    for (const r of out.lifecycle) {
      console.log(`| ${r.isolated ? 'isolated' : 'not isolated'} | ${r.mode} | ${r.cycles} | ${r.heapMB[5]} -> ${r.heapMB[r.cycles]} (${r.heapGrowthMB >= 0 ? '+' : ''}${r.heapGrowthMB}) | ${r.maxWorkersAfterDispose}; ${r.expectedWorkersAfterDispose} | ${r.tooManyContexts} | ${r.seconds} |`);
    }
  }
  if (minutes > 0) {
    const server = await serveRepo({ isolate: true });
    servers.push(server);
    out.streams = await streams(browser, server);
    out.summary = summarise(out.streams);
    const sum = out.summary;
    console.log(`\nheap growth after minute one: ${sum.heapGrowthMBPerMin} MB/min (page ${sum.pageHeapGrowthMBPerMin} MB/min; target < 1)`);
    console.log(`DOM nodes: ${sum.domNodesGrowthPerMin} per minute`);
    console.log(`frames/s per minute: ${sum.fpsPerMinute.join(', ')}`);
    console.log(`machine speed (peer ${sum.peer}, probes/s) per minute: ${sum.peerSpeedPerMinute.join(', ')}`);
    console.log(`frames/s against minute one:                   ${sum.fpsAgainstMinuteOne.map((r) => `${r}x`).join(', ')} (target within +-10%)`);
    console.log(`frames/s per machine speed against minute one: ${sum.fpsPerPeerAgainstMinuteOne.map((r) => `${r}x`).join(', ')} (diagnostic, not judged)`);
    for (const [n, r] of Object.entries(sum.peerCorrelations)) console.log(`correlation over the samples with peer ${n}'s speed: frames/s r = ${r.fps}, detector pass speed r = ${r.detectionPassSpeed}`);
    const others = peerNames.slice(1);
    // The separator row follows the header's columns, so a new column is named once.
    const columns = ['minute', 'frames/s', 'faces/s', 'detector passes/s', 'faces/frame', 'passes/frame', 'classified/frame', 'verified/frame', 'ms/frame', 'detection ms/pass', 'CPU browser %', 'CPU other %', 'CPU stolen %', `peer ${sum.peer} /s`, ...others.map((n) => `${n} /s`)];
    console.log(`\nper minute (means of its samples):\n| ${columns.join(' | ')} |`);
    console.log(`|${columns.map(() => '---:|').join('')}`);
    sum.workPerMinute.forEach((w, i) =>
      console.log(
        `| ${i + 1} | ${w.fps} | ${w.facesPerS} | ${w.passesPerS} | ${w.facesPerFrame} | ${w.passesPerFrame} | ${w.classifiedPerFrame} | ${w.verifiedPerFrame} | ${w.msPerFrame} | ${w.detectionMsPerPass} | ${w.browserCpuPct ?? '-'} | ${w.otherCpuPct ?? '-'} | ${w.stealCpuPct ?? '-'} | ${w.peerSpeed ?? '-'} |` +
          others.map((n) => ` ${w.peers[n].speed ?? '-'} |`).join(''),
      ),
    );
    console.log('');
    console.log(`errors: ${sum.errors} (target 0); workers after stop: ${sum.workersAfterStop}; "too many WebGL contexts": ${sum.tooManyContexts}`);
    // Heap growth is fitted over the samples after minute one: a shorter run has none to judge.
    const heap = sum.heapGrowthMBPerMin === null ? 'not measured: --minutes 2 or more' : sum.verdict.heap ? 'ok' : 'over';
    console.log(
      `verdict: ${sum.verdict.pass ? 'PASS' : 'FAIL'} (heap ${heap}, fps ${sum.verdict.fps ? 'ok' : 'off'}, errors ${sum.verdict.errors ? 'ok' : 'some'}; ` +
        `fps per machine speed, not judged: ${sum.verdict.fpsPerPeer ? 'within' : 'outside'} +-10%)`,
    );
  }
} finally {
  await stopPeers();
  await browser.close();
  for (const s of servers) await s.close();
  fs.mkdirSync(path.dirname(opt.out), { recursive: true });
  fs.writeFileSync(opt.out, JSON.stringify(out, null, 2));
  console.log(`wrote ${path.relative(process.cwd(), opt.out)}`);
}
