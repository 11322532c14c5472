// Runs the helm-unittest suites (tests/*_test.yaml) of the given charts with every Helm in HELMS
// (HELM=/path/to/helm runs one chosen binary instead):
//   npx ts-node test/harness/unittest-cli.ts <chartDir>...
// Prints one line per test ("PASS helm4 suite › test", or "FAIL ..." followed by the reasons) and
// exits non-zero when any test fails or a chart has no suites.
import * as path from 'path';
import { HELMS } from './helm';
import { loadSuites, runSuite } from './unittest-runner';

function main(chartDirs: string[]): number {
  if (!chartDirs.length) {
    console.error('usage: ts-node test/harness/unittest-cli.ts <chartDir>...');
    return 2;
  }
  const counts = { PASS: 0, FAIL: 0, SKIP: 0 };
  for (const dir of chartDirs) {
    const chartDir = path.resolve(dir);
    console.log(`# ${chartDir}`);
    const suites = loadSuites(chartDir);
    if (!suites.length) {
      console.log(`FAIL ${chartDir}: no tests/*_test.yaml suites`);
      counts.FAIL++;
      continue;
    }
    for (const helm of HELMS) {
      for (const suite of suites) {
        for (const r of runSuite(helm, chartDir, suite)) {
          const status = r.skipped ? 'SKIP' : r.passed ? 'PASS' : 'FAIL';
          counts[status]++;
          console.log(`${status} ${helm.name} ${r.suite} › ${r.test}`);
          for (const f of r.failures) console.log(f.replace(/^/gm, '    '));
        }
      }
    }
  }
  console.log(`\n${counts.PASS} passed, ${counts.FAIL} failed, ${counts.SKIP} skipped`);
  return counts.FAIL ? 1 : 0;
}

process.exitCode = main(process.argv.slice(2));
