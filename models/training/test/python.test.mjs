// The Python training code's unit tests (test_*.py here), one node:test case per Python test, so
// `npm test` counts them. Skipped with a message where /usr/bin/python3 cannot import torch:
// Python and PyTorch are only needed to re-train the model, not to build or test the SDK.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const python = process.env.PYTHON ?? '/usr/bin/python3';

// Exits with NO_TORCH where torch or onnx cannot be imported (the tests are then skipped); else
// runs every Python test and reports each as one JSON line: {"id", "ok", "detail"}.
const NO_TORCH = 77;
const RUNNER = `
import json, sys, unittest
try:
    import torch, onnx
except ImportError:
    sys.exit(${NO_TORCH})
class R(unittest.TextTestResult):
    def addSuccess(self, t): super().addSuccess(t); print(json.dumps({"id": t.id(), "ok": True}), flush=True)
    def addFailure(self, t, e): super().addFailure(t, e); print(json.dumps({"id": t.id(), "ok": False, "detail": self._exc_info_to_string(e, t)}), flush=True)
    def addError(self, t, e): super().addError(t, e); print(json.dumps({"id": t.id(), "ok": False, "detail": self._exc_info_to_string(e, t)}), flush=True)
suite = unittest.defaultTestLoader.discover(sys.argv[1], pattern="test_*.py")
if suite.countTestCases() == 0: sys.exit("no Python tests found")
unittest.TextTestRunner(stream=sys.stderr, resultclass=R, verbosity=0).run(suite)
`;

const r = spawnSync(python, ['-W', 'ignore', '-c', RUNNER, here], { encoding: 'utf8', timeout: 300_000 });
const skip = r.error?.code === 'ENOENT' || r.status === NO_TORCH
  ? `${python} cannot import torch and onnx (apt-get install python3-torch python3-onnx)` : false;
if (skip) console.log(`# training tests skipped: ${skip}`);
const results = [];
if (!skip) {
  for (const line of r.stdout.split('\n')) if (line.startsWith('{')) results.push(JSON.parse(line));
  test('python training tests: the runner loads and runs them', () => {
    assert.equal(r.error, undefined, String(r.error));
    assert.ok(results.length > 0, `no Python test ran: ${r.stderr.slice(-2000)}`);
  });
}
for (const { id, ok, detail } of results) {
  test(`python ${id.replace(/^test_training\./, '')}`, () => assert.ok(ok, detail));
}
if (skip) test('python training tests', { skip }, () => {});
