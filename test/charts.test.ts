// Every chart, with its defaults and with every example: `helm lint --strict` and `helm template`
// under Helm 4 and Helm 3, identical output from both, every object valid against its schema
// (Kubernetes kinds, Operator CRDs with unknown fields as errors), and every collector's
// configuration accepted by the real collector's `validate`, started as its pod would start it.
import { CHART_COMPONENTS } from '../generator/distribution';
import { HELMS, helmTemplate, parseManifests, runHelm } from './harness/helm';
import { chartNames, scenarios, Scenario } from './harness/scenarios';
import { validateObject } from './harness/validate-k8s';
import { chartPolicyErrors, validateConfigStrings } from './harness/validate-collector';
import { renderedCollectors } from './harness/collectors';
import { binaryComponents, otelcol, validate, MissingComponent } from './harness/otelcol';
import { VALIDATE_SHIMS, describeShims } from './harness/cluster-shims';

const charts = chartNames();
const known = binaryComponents();
// Types whose module the build lacks are canonical by the distribution's list; the collector cannot confirm them.
for (const c of CHART_COMPONENTS) if (otelcol().unavailable.some((u) => u.module === c.module)) known.get(`${c.kind}s`)?.add(c.type);
const rendered = new Map<string, string>();

/** `helm template` of a scenario with the first Helm (the others are compared against it below). */
function render(s: Scenario): any[] {
  const key = `${s.chart}/${s.name}`;
  if (!rendered.has(key)) {
    const r = helmTemplate(HELMS[0], s.chartDir, { namespace: s.namespace, valuesFiles: s.valuesFile ? [s.valuesFile] : [] });
    if (r.code !== 0) throw new Error(`${HELMS[0].name} template failed:\n${r.stderr}`);
    rendered.set(key, r.stdout);
  }
  return parseManifests(rendered.get(key)!);
}

const validated: string[] = [];
const notValidated: { where: string; missing: MissingComponent[] }[] = [];

beforeAll(() => {
  console.log(
    `Collector configurations are validated by ${otelcol().bin} (${otelcol().source}), with these changes for running outside a cluster:\n${describeShims(VALIDATE_SHIMS)}`,
  );
});

afterAll(() => {
  const lines = notValidated.flatMap((n) => n.missing.map((m) => `  ${n.where}: ${m.section}.${m.id} left out — ${m.module}: ${m.why}`));
  console.log(
    `${validated.length} collector configurations validated by the real collector (${validated.join(', ')}).${lines.length ? `\nNOT validated (the build lacks the module):\n${lines.join('\n')}` : ''}`,
  );
});

test('the suite has the charts of the product', () => {
  expect(charts).toEqual(expect.arrayContaining(['ollyscale-otel', 'otel-gateway']));
});

test('the collector holds every component type the charts render, except modules the proxy refused', () => {
  const refused = new Set(otelcol().unavailable.map((u) => u.module));
  const missing = CHART_COMPONENTS.filter((c) => !known.get(`${c.kind}s`)?.has(c.type) && !refused.has(c.module));
  expect(missing).toEqual([]);
});

describe.each(charts)('chart %s', (chart) => {
  describe.each(scenarios(chart))('scenario $name', (s) => {
    const files = s.valuesFile ? [s.valuesFile] : [];

    test.each(HELMS)('helm lint --strict passes with $name', (helm) => {
      const r = runHelm(helm, ['lint', '--strict', s.chartDir, '--namespace', s.namespace, ...files.flatMap((f) => ['-f', f])]);
      expect(r.stdout + r.stderr).toMatch(/1 chart\(s\) linted, 0 chart\(s\) failed/);
      expect(r.code).toBe(0);
    });

    test('renders identically under every Helm, and every object is valid', () => {
      const first = render(s);
      for (const helm of HELMS.slice(1)) {
        const r = helmTemplate(helm, s.chartDir, { namespace: s.namespace, valuesFiles: files });
        if (r.code !== 0) throw new Error(`${helm.name} template failed:\n${r.stderr}`);
        expect(r.stdout).toBe(rendered.get(`${s.chart}/${s.name}`));
      }
      expect(first.length).toBeGreaterThan(0);
      const errors: string[] = [];
      // The original chart's sampling bug must not come back, and no role may read Secrets.
      expect(rendered.get(`${s.chart}/${s.name}`)).not.toContain('invert_match');
      for (const doc of first) {
        errors.push(...validateObject(doc));
        for (const rule of doc.rules ?? []) expect(rule.resources).not.toContain('secrets');
        expect(doc.metadata?.namespace ?? s.namespace).toBe(s.namespace);
      }
      expect(errors).toEqual([]);
    });

    test('the real collector accepts every collector configuration', () => {
      const collectors = renderedCollectors(render(s));
      const failures: string[] = [];
      for (const c of collectors) {
        const where = `${s.chart}/${s.name}: collector ${c.name}`;
        const policy = [...chartPolicyErrors(c.config, { known, allowDeprecatedAliases: s.allowDeprecatedAliases }), ...validateConfigStrings(c.config)];
        const r = validate(c);
        if (!r.ok) failures.push(`${where}: the collector refuses its configuration:\n${r.message}`);
        failures.push(...policy.map((e) => `${where}: ${e}`));
        validated.push(`${s.chart}/${s.name}/${c.name}`);
        if (r.notValidated.length) notValidated.push({ where, missing: r.notValidated });
        // The charts' own configurations use only the component types the distribution lists.
        if (!s.allowDeprecatedAliases)
          for (const [section, ids] of Object.entries<any>(c.config))
            if (section !== 'service')
              for (const id of Object.keys(ids ?? {}))
                if (!CHART_COMPONENTS.some((d) => `${d.kind}s` === section && d.type === id.split('/')[0]))
                  failures.push(`${where}: ${section}.${id} is not in generator/distribution's component list`);
      }
      expect(failures).toEqual([]);
    });
  });
});
