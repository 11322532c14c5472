// Runs the helm-unittest suites of every generated chart (charts/*/tests/*_test.yaml) with every
// Helm binary, one jest test per helm-unittest test. The same files run unchanged with
// `helm unittest`; see test/harness/unittest-runner.ts for how they are evaluated.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { HELMS, ROOT } from './harness/helm';
import { loadSuites, runTest, skipReason } from './harness/unittest-runner';

const CHARTS = path.join(ROOT, 'charts');

// Every chart must carry suites.
const chartDirs = fs
  .readdirSync(CHARTS, { withFileTypes: true })
  .filter((e) => e.isDirectory() && fs.existsSync(path.join(CHARTS, e.name, 'Chart.yaml')))
  .map((e) => path.join(CHARTS, e.name))
  .sort();

/** The real plugin, when the user's Helm has it: then it runs the suites instead of our runner. */
function pluginHelm(): string | undefined {
  const bin = process.env.HELM ?? 'helm';
  const r = spawnSync(bin, ['plugin', 'list'], { encoding: 'utf8' });
  return r.status === 0 && /^unittest\s/m.test(r.stdout) ? bin : undefined;
}
const plugin = pluginHelm();

if (plugin) {
  test.each(chartDirs)('helm unittest %s (the real plugin)', (chartDir) => {
    const r = spawnSync(plugin, ['unittest', chartDir], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${r.stdout}\n${r.stderr}`);
  });
}

for (const chartDir of plugin ? [] : chartDirs) {
  const suites = loadSuites(chartDir);
  describe(path.relative(ROOT, chartDir), () => {
    test('has tests/*_test.yaml suites', () => {
      expect(suites.length).toBeGreaterThan(0);
    });
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
