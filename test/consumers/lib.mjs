// Shared by the consumer tests (test/node/consumers.test.mjs, test/node/typings.test.mjs): pack
// both packages as npm would publish them, and install the tarballs into a copy of an app of
// test/consumers/ in a folder outside the repository (CONSUMERS_DIR, default
// <tmp>/emotion-detector-consumers: inside it, webpack and Vite would find the repository's own
// tsconfig.json and its path aliases to the sources). npm's own cache is shared by every install;
// an app's node_modules is kept between runs and brought up to date by `npm install`.
//
// Each app commits its package-lock.json, so what the test builds with (Vite, webpack, React,
// TypeScript and everything under them) changes only when a lock file does, not when one of them
// publishes a release. The lock names the SDK's own tarballs relatively (`file:../tarballs/...`)
// and without an `integrity`: with one, npm would install the copy of an earlier build from its
// cache. To move an app to newer versions: edit its package.json, run its test with
// UPDATE_CONSUMER_LOCKS=1 (the lock npm writes is copied back), review and commit the lock.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const appsDir = path.join(root, 'test/consumers');
export const workDir = process.env.CONSUMERS_DIR ? path.resolve(process.env.CONSUMERS_DIR) : path.join(os.tmpdir(), 'emotion-detector-consumers');
export const SAMPLE = path.join(root, 'node_modules/@vladmandic/face-api/demo/sample1.jpg');

/** Runs a command; resolves with its output, rejects with the output's tail when it fails. */
export function sh(cmd, args, { cwd = root, env = {}, timeoutMs = 600_000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`${cmd} ${args.join(' ')} (in ${path.relative(root, cwd) || '.'}) exited ${code ?? signal}:\n${out.slice(-4000)}`));
    });
  });
}

/** Starts a long-running command (a dev server); resolves once `ready` matches its output. */
export function start(cmd, args, { cwd, ready, timeoutMs = 120_000 }) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let out = '';
    const stop = () => {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`${cmd} ${args.join(' ')}: not ready after ${timeoutMs} ms:\n${out.slice(-3000)}`));
    }, timeoutMs);
    const onData = (d) => {
      out += d;
      // eslint-disable-next-line no-control-regex -- ANSI colour codes
      const m = ready.exec(out.replace(/\x1b\[[0-9;]*m/g, ''));
      if (m) {
        clearTimeout(timer);
        resolve({ match: m, stop, output: () => out });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('close', (code) => {
      clearTimeout(timer);
      reject(new Error(`${cmd} ${args.join(' ')} exited ${code}:\n${out.slice(-3000)}`));
    });
  });
}

/** `npm pack` of both packages (they must be built); resolves with { core, element } tarball paths. */
export async function packPackages() {
  for (const f of ['packages/core/dist/index.js', 'packages/element/dist/define.js']) {
    if (!fs.existsSync(path.join(root, f))) throw new Error(`${f} is missing: run \`npm run build\` first`);
  }
  const dest = path.join(workDir, 'tarballs');
  fs.rmSync(dest, { recursive: true, force: true });
  fs.mkdirSync(dest, { recursive: true });
  const out = await sh('npm', ['pack', '--json', '--pack-destination', dest, '-w', 'packages/core', '-w', 'packages/element']);
  const packed = JSON.parse(out.slice(out.indexOf('[')));
  const file = (name) => path.join(dest, packed.find((p) => p.name === name).filename);
  return { core: file('@emotion-detector/core'), element: file('@emotion-detector/element'), packed };
}

/**
 * Copies test/consumers/<app> to <workDir>/<app> (its node_modules kept), points
 * its @emotion-detector/* dependencies at the tarballs and runs `npm install`. Returns its folder.
 */
export async function installApp(app, tarballs) {
  const dir = path.join(workDir, app);
  fs.mkdirSync(dir, { recursive: true });
  for (const e of fs.readdirSync(dir)) if (e !== 'node_modules') fs.rmSync(path.join(dir, e), { recursive: true, force: true });
  fs.cpSync(path.join(appsDir, app), dir, { recursive: true });
  const pkgFile = path.join(dir, 'package.json');
  const pkg = JSON.parse(fs.readFileSync(pkgFile, 'utf8'));
  // Relative to the app's copy, so the committed lock file names the same path on every machine.
  const spec = (file) => `file:${path.relative(dir, file).split(path.sep).join('/')}`;
  for (const deps of [pkg.dependencies, pkg.devDependencies]) {
    for (const name of Object.keys(deps ?? {})) {
      if (name === '@emotion-detector/core') deps[name] = spec(tarballs.core);
      if (name === '@emotion-detector/element') deps[name] = spec(tarballs.element);
    }
  }
  fs.writeFileSync(pkgFile, JSON.stringify(pkg, null, 2));
  const lockFile = path.join(dir, 'package-lock.json');
  if (fs.existsSync(lockFile)) fs.writeFileSync(lockFile, JSON.stringify(withoutOwnIntegrity(JSON.parse(fs.readFileSync(lockFile, 'utf8'))), null, 2));
  // A fresh tarball of the same version: npm must take it, not the copy it installed last time.
  for (const name of ['core', 'element']) fs.rmSync(path.join(dir, 'node_modules/@emotion-detector', name), { recursive: true, force: true });
  await sh('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], { cwd: dir });
  if (process.env.UPDATE_CONSUMER_LOCKS) {
    const lock = withoutOwnIntegrity(JSON.parse(fs.readFileSync(lockFile, 'utf8')));
    fs.writeFileSync(path.join(appsDir, app, 'package-lock.json'), `${JSON.stringify(lock, null, 2)}\n`);
  }
  return dir;
}

/** The lock file without the integrity of the SDK's own tarballs (a new build has new bytes). */
function withoutOwnIntegrity(lock) {
  for (const [key, entry] of Object.entries(lock.packages ?? {})) {
    if (key.startsWith('node_modules/@emotion-detector/')) delete entry.integrity;
  }
  return lock;
}

/** A TCP port free on 127.0.0.1 now. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}
