// Runs the helm-unittest suites of every generated chart (charts/*/tests/*_test.yaml) with every
// Helm binary, one jest test per helm-unittest test. The same files run unchanged with
// `helm unittest`; see test/harness/unittest-runner.ts for how they are evaluated.
import * as fs from 'fs';
import * as path from 'path';
import { HELMS, ROOT } from './harness/helm';
import { loadSuites, runTest, skipReason } from './harness/unittest-runner';

const CHARTS = path.join(ROOT, 'charts');

// charts/ is generated (possibly while this runs): no folder, or no chart with tests/, is not an error.
const chartDirs = fs.existsSync(CHARTS)
  ? fs
      .readdirSync(CHARTS, { withFileTypes: true })
      .filter((e) => e.isDirectory() && fs.existsSync(path.join(CHARTS, e.name, 'Chart.yaml')) && fs.existsSync(path.join(CHARTS, e.name, 'tests')))
      .map((e) => path.join(CHARTS, e.name))
      .sort()
  : [];

if (!chartDirs.length) {
  test('no chart under charts/ has helm-unittest suites yet', () => {
    expect(chartDirs).toEqual([]);
  });
}

for (const chartDir of chartDirs) {
  const suites = loadSuites(chartDir);
  describe(path.relative(ROOT, chartDir), () => {
    if (!suites.length) {
      test('has tests/*_test.yaml suites', () => {
        throw new Error(`${chartDir}/tests has no *_test.yaml suite`);
      });
    }
    for (const helm of HELMS) {
      describe(helm.name, () => {
        for (const suite of suites) {
          describe(`${suite.name} (${path.basename(suite.file)})`, () => {
            if (suite.loadError) {
              const error = suite.loadError;
              test('loads', () => {
                throw new Error(error);
              });
            }
            suite.tests.forEach((t, i) => {
              const run = skipReason(suite, i) === undefined ? test : test.skip;
              run(t.name, () => {
                const r = runTest(helm, chartDir, suite, i);
                if (!r.passed) throw new Error(r.failures.join('\n\n'));
              });
            });
          });
        }
      });
    }
  });
}
