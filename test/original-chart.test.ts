// Users of the original ollyscale-otel 0.1.0 chart upgrade without editing their values: its own
// values.yaml (vendored in test/reference/) installs, in both runtimes, under both Helms.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse } from 'yaml';
import { HELMS, ROOT, helmTemplate, parseManifests, runHelm } from './harness/helm';
import { RUNTIMES } from './harness/scenarios';
import { validateObject } from './harness/validate-k8s';

const CHART = path.join(ROOT, 'charts', 'ollyscale-otel');
const ORIGINAL = path.join(__dirname, 'reference', 'original-chart-0.1.0', 'values.yaml');
const original = parse(fs.readFileSync(ORIGINAL, 'utf8'));

describe.each(HELMS)('the original chart values.yaml with $name', (helm) => {
  test('passes helm lint --strict', () => {
    const r = runHelm(helm, ['lint', '--strict', CHART, '-f', ORIGINAL]);
    expect(r.stdout + r.stderr).toMatch(/1 chart\(s\) linted, 0 chart\(s\) failed/);
  });

  test.each(RUNTIMES)('renders valid objects in the %s runtime, with its Python env list as given', (runtime) => {
    const r = helmTemplate(helm, CHART, { valuesFiles: [ORIGINAL], set: { collectorRuntime: runtime } });
    expect(r.code).toBe(0);
    const docs = parseManifests(r.stdout);
    expect(docs.flatMap((d) => validateObject(d))).toEqual([]);
    const instrumentation = docs.find((d) => d.kind === 'Instrumentation');
    expect(instrumentation.spec.python.env).toEqual(original.instrumentation.python.env);
  });
});

test('the Python defaults are the original chart six environment variables, with its values', () => {
  const r = helmTemplate(HELMS[0], CHART, {});
  const instrumentation = parseManifests(r.stdout).find((d) => d.kind === 'Instrumentation');
  const byName = (env: { name: string }[]) => [...env].sort((a, b) => a.name.localeCompare(b.name));
  expect(byName(instrumentation.spec.python.env)).toEqual(byName(original.instrumentation.python.env));
});

test.each(HELMS)('a collector env given as a map or as the Kubernetes list renders the same list with $name', (helm) => {
  const env = (values: string) => {
    const file = path.join(os.tmpdir(), `ollyscale-env-${process.pid}-${helm.name}.yaml`);
    fs.writeFileSync(file, values);
    try {
      const r = helmTemplate(helm, CHART, { valuesFiles: [file] });
      if (r.code !== 0) throw new Error(r.stderr);
      // Neither shape makes Helm warn (a default `{}` would: "cannot overwrite table with non table").
      expect(r.stderr).toBe('');
      return parseManifests(r.stdout).find((d) => d.kind === 'OpenTelemetryCollector' && d.metadata.name === 'gateway').spec.env;
    } finally {
      fs.rmSync(file);
    }
  };
  const asMap = env('gatewayCollector:\n  env:\n    A: "1"\n    B: {valueFrom: {fieldRef: {fieldPath: spec.nodeName}}}\n    NUM: 1000000\n');
  const asList = env(
    'gatewayCollector:\n  env:\n    - {name: A, value: "1"}\n    - {name: B, valueFrom: {fieldRef: {fieldPath: spec.nodeName}}}\n    - {name: NUM, value: 1000000}\n',
  );
  expect(asList).toEqual(asMap);
  expect(asMap).toEqual([
    { name: 'GOMEMLIMIT', value: '819MiB' },
    { name: 'A', value: '1' },
    { name: 'B', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
    { name: 'NUM', value: '1000000' },
  ]);
});
