// Finding and launching the system Chromium (never a downloaded one) with flags that work headless as root.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export function findChromium() {
  const candidates = [process.env.CHROME_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];
  const found = candidates.find((c) => c && fs.existsSync(c));
  if (!found) {
    throw new Error(
      'No Chromium found. Set CHROME_PATH to a Chrome/Chromium binary, or install one ' +
        '(Debian/Ubuntu: `sudo apt-get install -y chromium`).',
    );
  }
  return found;
}

/** Flags for headless Chromium here: no sandbox as root, no background traffic, WebGL via SwiftShader. */
export function chromiumArgs({ webgpu = false, extra = [] } = {}) {
  return [
    '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--enable-unsafe-swiftshader', '--use-angle=swiftshader',
    '--disable-dev-shm-usage', '--autoplay-policy=no-user-gesture-required',
    ...(webgpu ? ['--enable-unsafe-webgpu', '--enable-features=Vulkan'] : []),
    ...extra,
  ];
}

export function freshProfileDir(prefix = 'emotion-detector-') {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Launch with puppeteer-core. */
export async function launch({ headless = true, webgpu = false, args = [], ignoreDefaultArgs } = {}) {
  const { default: puppeteer } = await import('puppeteer-core');
  return puppeteer.launch({
    executablePath: findChromium(),
    headless,
    args: chromiumArgs({ webgpu, extra: [`--user-data-dir=${freshProfileDir()}`, ...args] }),
    ignoreDefaultArgs,
    protocolTimeout: 300_000,
  });
}
