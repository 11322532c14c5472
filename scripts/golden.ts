// `make golden`: every example of every chart (and its defaults) rendered with Helm 4 into
// examples/rendered/<chart>/<example>.yaml, committed so that a reviewer sees what a change does to
// the manifests; test/golden.test.ts fails when they differ from a fresh render.
//
// `make golden RELEASE=1` also freezes the current version of each chart whose version has no frozen
// copy yet: test/releases/<chart>/<version>/ gets the values files and their renders, which the
// compatibility check (test/compatibility.test.ts) renders again with later versions, and the chart
// itself as `helm package` writes it, which the API-server suite (test/cluster.test.ts) installs and
// then upgrades to the current chart.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { HELMS, ROOT, helmTemplate } from '../test/harness/helm';
import { chartNames, scenarios } from '../test/harness/scenarios';

export const GOLDEN_DIR = path.join(ROOT, 'examples', 'rendered');
export const RELEASES_DIR = path.join(ROOT, 'test', 'releases');

/** One scenario's manifests as `helm template` prints them (operator runtime, the scenario's namespace). */
export function renderScenario(chartDir: string, valuesFile: string | undefined, namespace: string): string {
  const r = helmTemplate(HELMS[0], chartDir, { namespace, valuesFiles: valuesFile ? [valuesFile] : [] });
  if (r.code !== 0) throw new Error(`helm template ${path.basename(chartDir)} ${valuesFile ?? '(defaults)'} failed:\n${r.stderr}`);
  return r.stdout;
}

/** The golden renders of a chart's current scenarios: name → manifests. */
export function goldenRenders(chart: string): Map<string, string> {
  return new Map(scenarios(chart).map((s) => [s.name, renderScenario(s.chartDir, s.valuesFile, s.namespace)]));
}

function writeGolden(): void {
  fs.rmSync(GOLDEN_DIR, { recursive: true, force: true });
  for (const chart of chartNames()) {
    fs.mkdirSync(path.join(GOLDEN_DIR, chart), { recursive: true });
    for (const [name, text] of goldenRenders(chart)) fs.writeFileSync(path.join(GOLDEN_DIR, chart, `${name}.yaml`), text);
    console.log(`rendered ${chart}: ${scenarios(chart).length} scenarios into examples/rendered/${chart}/`);
  }
}

function chartVersion(chart: string): string {
  return /^version: (\S+)$/m.exec(fs.readFileSync(path.join(ROOT, 'charts', chart, 'Chart.yaml'), 'utf8'))![1];
}

/** Freezes each chart's current scenarios (values and renders) under test/releases/<chart>/<version>/. */
function freeze(): void {
  for (const chart of chartNames()) {
    const dir = path.join(RELEASES_DIR, chart, chartVersion(chart));
    if (fs.existsSync(dir)) continue;
    fs.mkdirSync(path.join(dir, 'values'), { recursive: true });
    fs.mkdirSync(path.join(dir, 'rendered'), { recursive: true });
    for (const s of scenarios(chart)) {
      fs.writeFileSync(path.join(dir, 'values', `${s.name}.yaml`), s.valuesFile ? fs.readFileSync(s.valuesFile, 'utf8') : '{}\n');
      fs.writeFileSync(path.join(dir, 'rendered', `${s.name}.yaml`), renderScenario(s.chartDir, s.valuesFile, s.namespace));
    }
    const pkg = spawnSync(HELMS[0].bin, ['package', path.join(ROOT, 'charts', chart), '-d', dir], { encoding: 'utf8' });
    if (pkg.status !== 0) throw new Error(`helm package ${chart} failed:\n${pkg.stderr}`);
    console.log(`froze ${chart} ${path.basename(dir)}: ${scenarios(chart).length} scenarios and the packaged chart in ${path.relative(ROOT, dir)}/`);
  }
}

if (require.main === module) {
  writeGolden();
  if (process.env.RELEASE) freeze();
}
