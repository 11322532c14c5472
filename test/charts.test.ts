// Every chart, with its defaults and with every example: `helm lint --strict` and `helm template`
// under Helm 4 and Helm 3, identical output from both, every object valid against its schema
// (Kubernetes kinds, Operator CRDs with unknown fields as errors), and every collector's
// configuration accepted by the real collector's `validate`, started as its pod would start it.
import { CHART_COMPONENTS, SECTIONS } from '../generator/distribution';
import { HELMS, helmTemplate, parseManifests, runHelm } from './harness/helm';
import { RUNTIMES, Runtime, chartNames, scenarios, Scenario } from './harness/scenarios';
import { validateObject } from './harness/validate-k8s';
import { chartPolicyErrors, validateConfigStrings } from './harness/validate-collector';
import { RenderedCollector, renderedCollectors } from './harness/collectors';
import { binaryComponents, otelcol, validate, MissingComponent } from './harness/otelcol';
import { VALIDATE_SHIMS, describeShims } from './harness/cluster-shims';

const charts = chartNames();
const known = binaryComponents();
// Types whose module the build lacks are canonical by the distribution's list; the collector cannot confirm them.
for (const c of CHART_COMPONENTS) if (otelcol().unavailable.some((u) => u.module === c.module)) known.get(SECTIONS[c.kind])?.add(c.type);
const rendered = new Map<string, string>();

const options = (s: Scenario, runtime: Runtime) => ({
  namespace: s.namespace,
  valuesFiles: s.valuesFile ? [s.valuesFile] : [],
  set: { collectorRuntime: runtime },
});

/** `helm template` of a scenario with the first Helm (the others are compared against it below). */
function render(s: Scenario, runtime: Runtime): any[] {
  const key = `${s.chart}/${s.name}/${runtime}`;
  if (!rendered.has(key)) {
    const r = helmTemplate(HELMS[0], s.chartDir, options(s, runtime));
    if (r.code !== 0) throw new Error(`${HELMS[0].name} template failed:\n${r.stderr}`);
    rendered.set(key, r.stdout);
  }
  return parseManifests(rendered.get(key)!);
}

const validated: string[] = [];
const identical: string[] = [];
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
  const missing = CHART_COMPONENTS.filter((c) => !known.get(SECTIONS[c.kind])?.has(c.type) && !refused.has(c.module));
  expect(missing).toEqual([]);
});

describe.each(charts)('chart %s', (chart) => {
  describe.each(scenarios(chart))('scenario $name', (s) => {
    const files = s.valuesFile ? [s.valuesFile] : [];

    describe.each(RUNTIMES)('collectorRuntime %s', (runtime) => {
      const where = `${s.chart}/${s.name} (${runtime})`;

      test.each(HELMS)('helm lint --strict passes with $name', (helm) => {
        const r = runHelm(helm, [
          'lint',
          '--strict',
          s.chartDir,
          '--namespace',
          s.namespace,
          '--set',
          `collectorRuntime=${runtime}`,
          ...files.flatMap((f) => ['-f', f]),
        ]);
        expect(r.stdout + r.stderr).toMatch(/1 chart\(s\) linted, 0 chart\(s\) failed/);
        expect(r.code).toBe(0);
      });

      test('renders identically under every Helm, and every object is valid', () => {
        const first = render(s, runtime);
        const text = rendered.get(`${s.chart}/${s.name}/${runtime}`)!;
        for (const helm of HELMS.slice(1)) {
          const r = helmTemplate(helm, s.chartDir, options(s, runtime));
          if (r.code !== 0) throw new Error(`${helm.name} template failed:\n${r.stderr}`);
          expect(r.stdout).toBe(text);
        }
        expect(first.length).toBeGreaterThan(0);
        const errors: string[] = [];
        // The original chart's sampling bug must not come back, and no role may read Secrets.
        expect(text).not.toContain('invert_match');
        for (const doc of first) {
          errors.push(...validateObject(doc));
          for (const rule of doc.rules ?? []) expect(rule.resources).not.toContain('secrets');
          expect(doc.metadata?.namespace ?? s.namespace).toBe(s.namespace);
        }
        expect(errors).toEqual([]);
      });

      test('the real collector accepts every collector configuration', () => {
        const collectors = renderedCollectors(render(s, runtime));
        const failures: string[] = [];
        for (const c of collectors) {
          const at = `${where}: collector ${c.name}`;
          const policy = [...chartPolicyErrors(c.config, { known, allowDeprecatedAliases: s.allowDeprecatedAliases }), ...validateConfigStrings(c.config)];
          const r = validate(c);
          if (!r.ok) failures.push(`${at}: the collector refuses its configuration:\n${r.message}`);
          failures.push(...policy.map((e) => `${at}: ${e}`));
          validated.push(`${s.chart}/${s.name}/${runtime}/${c.name}`);
          if (r.notValidated.length) notValidated.push({ where: at, missing: r.notValidated });
          // The charts' own configurations use only the component types the distribution lists.
          if (!s.allowDeprecatedAliases)
            for (const [section, ids] of Object.entries<any>(c.config))
              if (section !== 'service')
                for (const id of Object.keys(ids ?? {}))
                  if (!CHART_COMPONENTS.some((d) => SECTIONS[d.kind] === section && d.type === id.split('/')[0]))
                    failures.push(`${at}: ${section}.${id} is not in generator/distribution's component list`);
        }
        expect(failures).toEqual([]);
      });
    });

    test('nothing is forwarded to the gateway for a signal it exports nowhere', () => {
      const collectors = renderedCollectors(render(s, 'operator'));
      // A forwarder names the gateway by its Services: `<name>-collector[-headless].<namespace>...`.
      const gatewayOf = (c: RenderedCollector) => {
        const e = c.config.exporters ?? {};
        const host: string | undefined = e['otlp_grpc/gateway']?.endpoint ?? e['load_balancing/gateway']?.resolver?.dns?.hostname;
        return host && /^(.+?)-collector(-headless)?\./.exec(host)?.[1];
      };
      const missing = collectors.flatMap((c) => {
        const gateway = collectors.find((g) => g.name === gatewayOf(c));
        const exported = new Set(Object.keys(gateway?.config.service.pipelines ?? {}).map((p) => p.split('/')[0]));
        return Object.entries<any>(c.config.service.pipelines)
          .filter(([name, p]) => p.exporters.some((e: string) => e.endsWith('/gateway')) && !exported.has(name.split('/')[0]))
          .map(([name]) => `${c.name} forwards ${name} to ${gatewayOf(c) ?? 'no known gateway'}, which exports no ${name}`);
      });
      expect(missing).toEqual([]);
    });

    test('both runtimes run the same collectors, with identical configurations, behind the same Service names', () => {
      const [operator, native] = RUNTIMES.map((rt) => render(s, rt));
      const configs = (docs: any[]) => Object.fromEntries(renderedCollectors(docs).map((c) => [c.name, c.config]));
      expect(configs(native)).toEqual(configs(operator));
      expect(Object.keys(configs(operator)).length).toBeGreaterThan(0);
      // The Operator creates `<name>-collector` and `<name>-collector-headless` for collector `<name>`
      // when its receivers listen on a port (the Kafka consumer's do not), and `<name>-collector-extension`
      // when the health_check extension has an endpoint; the native runtime renders the same.
      const listens = (config: any) => JSON.stringify(config.receivers ?? {}).includes('"endpoint"');
      const collectors = operator.filter((d) => d.kind === 'OpenTelemetryCollector');
      const expected = [
        ...collectors.filter((d) => listens(d.spec.config)).flatMap((d) => [`${d.metadata.name}-collector`, `${d.metadata.name}-collector-headless`]),
        ...collectors.filter((d) => d.spec.config.extensions?.health_check?.endpoint).map((d) => `${d.metadata.name}-collector-extension`),
      ];
      const services = native.filter((d) => d.kind === 'Service').map((d) => d.metadata.name);
      expect(services.sort()).toEqual(expected.sort());
      identical.push(`${s.chart}/${s.name}`);
    });
  });
});
