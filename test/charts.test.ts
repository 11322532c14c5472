// Every chart, with its defaults and with every example: `helm lint --strict` and `helm template`
// under Helm 4 and Helm 3, identical output from both, every object valid against its schema
// (Kubernetes kinds, Operator CRDs with unknown fields as errors), every collector configuration
// valid against the otelcol-contrib 0.159.0 component list.
import { HELMS, helmTemplate, parseManifests, runHelm } from './harness/helm';
import { chartNames, scenarios } from './harness/scenarios';
import { validateObject } from './harness/validate-k8s';
import { validateCollectorConfig, validateConfigStrings } from './harness/validate-collector';

const charts = chartNames();

test('the suite has the charts of the product', () => {
  expect(charts).toEqual(expect.arrayContaining(['ollyscale-otel', 'otel-gateway']));
});

describe.each(charts)('chart %s', (chart) => {
  describe.each(scenarios(chart))('scenario $name', (s) => {
    const files = s.valuesFile ? [s.valuesFile] : [];

    test.each(HELMS)('helm lint --strict passes with $name', (helm) => {
      const r = runHelm(helm, ['lint', '--strict', s.chartDir, '--namespace', s.namespace, ...files.flatMap((f) => ['-f', f])]);
      expect(r.stdout + r.stderr).toMatch(/1 chart\(s\) linted, 0 chart\(s\) failed/);
      expect(r.code).toBe(0);
    });

    test('renders identically under every Helm, and every object and collector config is valid', () => {
      const outputs = HELMS.map((helm) => {
        const r = helmTemplate(helm, s.chartDir, { namespace: s.namespace, valuesFiles: files });
        if (r.code !== 0) throw new Error(`${helm.name} template failed:\n${r.stderr}`);
        return r.stdout;
      });
      for (const o of outputs.slice(1)) expect(o).toBe(outputs[0]);
      const docs = parseManifests(outputs[0]);
      expect(docs.length).toBeGreaterThan(0);
      const errors: string[] = [];
      // The original chart's sampling bug must not come back, and no role may read Secrets.
      expect(outputs[0]).not.toContain('invert_match');
      for (const doc of docs) {
        errors.push(...validateObject(doc));
        for (const rule of doc.rules ?? []) expect(rule.resources).not.toContain('secrets');
        expect(doc.metadata?.namespace ?? s.namespace).toBe(s.namespace);
        if (doc.kind === 'OpenTelemetryCollector') {
          const where = `${doc.kind}/${doc.metadata.name}: spec.config`;
          const v = validateCollectorConfig(doc.spec.config, { allowDeprecatedAliases: s.allowDeprecatedAliases });
          errors.push(...v.errors.map((e) => `${where}: ${e}`), ...validateConfigStrings(doc.spec.config).map((e) => `${where}: ${e}`));
        }
      }
      expect(errors).toEqual([]);
    });
  });
});
