// Loads the engine's own preprocessing (packages/core/src/classification) into Node, so the
// evaluation measures the code that ships, not a re-implementation. The TypeScript sources are
// bundled on the fly with esbuild into a temporary ES module and imported.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const srcDir = path.join(root, 'packages/core/src');

let loaded;

/** The engine's preprocessing, model-card parsing and label list as one ES module (source text). */
export async function bundleCore(platform = 'node') {
  const { build } = await import('esbuild');
  const result = await build({
    stdin: {
      contents: [
        "export { toModelInput, softmax } from './classification/preprocess.ts';",
        "export { parseModelCard } from './model-card.ts';",
        "export { withMirrors } from './classification/flip-average.ts';",
        "export { EMOTIONS } from './types.ts';",
        "export { EmotionDetectorError } from './errors.ts';",
      ].join('\n'),
      resolveDir: srcDir,
      loader: 'ts',
      sourcefile: 'eval-core-entry.ts',
    },
    bundle: true,
    format: 'esm',
    platform,
    target: platform === 'node' ? 'node20' : 'es2022',
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0].text;
}

/**
 * @returns {Promise<{ toModelInput: Function, parseModelCard: Function, softmax: Function, withMirrors: Function,
 *   EMOTIONS: readonly string[], EmotionDetectorError: typeof Error }>}
 */
export function loadCore() {
  loaded ??= (async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'emotion-eval-')), 'core.mjs');
    fs.writeFileSync(file, await bundleCore('node'));
    try {
      return await import(pathToFileURL(file).href);
    } finally {
      fs.rmSync(path.dirname(file), { recursive: true, force: true });
    }
  })();
  return loaded;
}
