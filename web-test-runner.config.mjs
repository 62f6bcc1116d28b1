// @web/test-runner: TypeScript tests in real headless Chromium (the system one, never a download),
// served with cross-origin isolation so ONNX Runtime's WASM threads work.
import path from 'node:path';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { chromeLauncher } from '@web/test-runner-chrome';
import { findChromium, chromiumArgs, freshProfileDir } from './scripts/lib/chromium.mjs';
import { ISOLATION_HEADERS } from './scripts/lib/static-server.mjs';
import { countingReporter } from './test/support/counting-reporter.mjs';
import { testServerCommands, testServerMiddleware } from './test/support/test-server.mjs';
import { defaultReporter } from '@web/test-runner';

const fakeCamera = path.resolve('test/artifacts/fake-camera.y4m');

export default {
  rootDir: '.',
  files: ['packages/*/test/**/*.test.ts', 'test/browser/**/*.test.ts'],
  nodeResolve: { exportConditions: ['browser', 'production'] },
  concurrency: 1,
  concurrentBrowsers: 1,
  browserStartTimeout: 120_000,
  testsStartTimeout: 180_000,
  testsFinishTimeout: 900_000,
  testFramework: { config: { timeout: 120_000, ui: 'bdd' } },
  plugins: [esbuildPlugin({ ts: true, target: 'es2022', tsconfig: 'tsconfig.json' }), testServerCommands()],
  middleware: [
    function isolate(ctx, next) {
      for (const [k, v] of Object.entries(ISOLATION_HEADERS)) ctx.set(k, v);
      // `?corp=cross-origin` lets another origin embed the file without CORS (a tainted frame).
      if (ctx.query.corp === 'cross-origin') ctx.set('Cross-Origin-Resource-Policy', 'cross-origin');
      return next();
    },
    // Server commands of the loading tests: unreachable files, request log, a CSP (see the file).
    testServerMiddleware,
  ],
  browsers: [
    chromeLauncher({
      launchOptions: {
        executablePath: findChromium(),
        headless: true,
        protocolTimeout: 600_000,
        args: chromiumArgs({
          webgpu: true,
          extra: [
            `--user-data-dir=${freshProfileDir()}`,
            '--use-fake-device-for-media-stream',
            '--use-fake-ui-for-media-stream',
            `--use-file-for-fake-video-capture=${fakeCamera}`,
          ],
        }),
      },
    }),
  ],
  reporters: [defaultReporter({ reportTestResults: true, reportTestProgress: false }), countingReporter(process.env.WTR_SUMMARY ?? 'test/artifacts/wtr-summary.json')],
};
