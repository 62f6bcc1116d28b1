// A wtr reporter that counts passed/failed tests (a session that failed to load counts as one
// failure) and writes them to a JSON file for scripts/test.mjs to add up.
import fs from 'node:fs';
import path from 'node:path';

function count(suite, acc) {
  for (const t of suite?.tests ?? []) {
    if (t.skipped) acc.skipped++;
    else if (t.passed) acc.passed++;
    else acc.failed++;
  }
  for (const s of suite?.suites ?? []) count(s, acc);
  return acc;
}

export function countingReporter(file) {
  return {
    onTestRunFinished({ sessions }) {
      const acc = { passed: 0, failed: 0, skipped: 0, files: sessions.length };
      for (const s of sessions) {
        const failedBefore = acc.failed;
        count(s.testResults, acc);
        // A file that failed without a failing test (load error, uncaught error, timeout) is one failure.
        if (!s.passed && acc.failed === failedBefore) acc.failed++;
      }
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, JSON.stringify(acc));
    },
  };
}
