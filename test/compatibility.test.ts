// The compatibility check: each chart's values schema and the renders of its last released version's
// scenarios (frozen in test/releases/<chart>/<version>/) against the current chart. A change that
// refuses or changes existing values is breaking, and needs a new minor version before 1.0 (major
// after); the report names each change. A deliberate breaking change shows that the check catches it.
import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { RELEASES } from '../generator/charts/releases';
import { Break, compatibility, formatReport, schemaBreaks } from '../generator/compatibility';
import { HELMS, ROOT, helmTemplate } from './harness/helm';
import { RELEASES_DIR } from '../scripts/golden';

type Chart = keyof typeof RELEASES;
const CHARTS = Object.keys(RELEASES) as Chart[];
const schemaOf = (chart: string, version: string) => JSON.parse(fs.readFileSync(path.join(ROOT, 'schemas', chart, version, 'values.schema.json'), 'utf8'));
const versions = (chart: Chart) => RELEASES[chart].map((r) => r.version);
const lastReleased = (chart: Chart) => versions(chart)[versions(chart).length - 2];
const current = (chart: Chart) => versions(chart)[versions(chart).length - 1];

/** Labels that carry the chart's version, which changes with every release by design. */
const VERSION_LABELS = ['helm.sh/chart', 'app.kubernetes.io/version'];
function objects(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const d of parseAllDocuments(text)
    .map((x) => x.toJS())
    .filter(Boolean)) {
    const scrub = (o: any) => {
      if (!o || typeof o !== 'object') return;
      if (o.labels) for (const l of VERSION_LABELS) delete o.labels[l];
      if (o.matchLabels) for (const l of VERSION_LABELS) delete o.matchLabels[l];
      Object.values(o).forEach(scrub);
    };
    scrub(d);
    out.set(`${d.kind}/${d.metadata?.name}`, JSON.stringify(d));
  }
  return out;
}

/** What the current chart renders differently for values a released version rendered. */
export function renderBreaks(scenario: string, before: string, after: string): Break[] {
  const [a, b] = [objects(before), objects(after)];
  const out: Break[] = [];
  for (const [id, text] of a) {
    if (!b.has(id)) out.push({ path: `(rendered ${scenario})`, what: `${id} no longer rendered` });
    else if (b.get(id) !== text) out.push({ path: `(rendered ${scenario})`, what: `${id} changed` });
  }
  for (const id of b.keys()) if (!a.has(id)) out.push({ path: `(rendered ${scenario})`, what: `${id} newly rendered` });
  return out;
}

/** Renders a frozen scenario's values with the current chart: its breaks, or the refusal. */
function rerender(chart: Chart, version: string, scenario: string): Break[] {
  const dir = path.join(RELEASES_DIR, chart, version);
  const valuesFile = path.join(dir, 'values', `${scenario}.yaml`);
  const namespace = /^# test: .*namespace=(\S+)/m.exec(fs.readFileSync(valuesFile, 'utf8'))?.[1] ?? 'otel-system';
  const r = helmTemplate(HELMS[0], path.join(ROOT, 'charts', chart), { namespace, valuesFiles: [valuesFile] });
  if (r.code !== 0) return [{ path: `(rendered ${scenario})`, what: `refused: ${r.stderr.trim().split('\n')[0]}` }];
  return renderBreaks(scenario, fs.readFileSync(path.join(dir, 'rendered', `${scenario}.yaml`), 'utf8'), r.stdout);
}

/** Render breaks of several scenarios, one line per change with the scenarios it shows in. */
function merged(breaks: Break[]): Break[] {
  const by = new Map<string, string[]>();
  for (const b of breaks) by.set(b.what, [...(by.get(b.what) ?? []), b.path.replace(/^\(rendered (.*)\)$/, '$1')]);
  return [...by].map(([what, scenarios]) => ({ path: `(rendered: ${scenarios.join(', ')})`, what }));
}

describe.each(CHARTS)('%s against its last released version', (chart) => {
  test('every version listed keeps its schema, and the last released one its frozen scenarios', () => {
    for (const v of versions(chart)) expect(fs.existsSync(path.join(ROOT, 'schemas', chart, v, 'values.schema.json'))).toBe(true);
    expect(fs.readdirSync(path.join(RELEASES_DIR, chart, lastReleased(chart), 'rendered')).length).toBeGreaterThan(0);
  });

  test('breaking changes since the last released version come with the version bump they need', () => {
    const released = lastReleased(chart);
    const scenarios = fs.readdirSync(path.join(RELEASES_DIR, chart, released, 'values')).map((f) => f.replace(/\.yaml$/, ''));
    const breaks = [
      ...schemaBreaks(schemaOf(chart, released), schemaOf(chart, current(chart))),
      ...merged(scenarios.flatMap((s) => rerender(chart, released, s))),
    ];
    const report = compatibility(chart, released, current(chart), breaks);
    console.log(formatReport(report));
    expect(report.ok).toBe(true);
  });
});

describe('a deliberate breaking change', () => {
  const chart: Chart = 'ollyscale-otel';
  const now = current(chart);
  const schema = schemaOf(chart, now);
  const broken = structuredClone(schema);
  delete broken.properties.gatewayCollector.properties.replicas;
  broken.properties.collectorRuntime.enum = ['operator'];

  test('is found in the schema, named, and refused without a new minor version', () => {
    const breaks = schemaBreaks(schema, broken);
    expect(breaks).toEqual(
      expect.arrayContaining([
        { path: 'gatewayCollector.replicas', what: 'removed' },
        { path: 'collectorRuntime', what: 'enum value(s) removed: "native"' },
      ]),
    );
    const [major, minor, patch] = now.split('.').map(Number);
    const same = compatibility(chart, now, now, breaks);
    const patched = compatibility(chart, now, `${major}.${minor}.${patch + 1}`, breaks);
    const bumped = compatibility(chart, now, `${major}.${minor + 1}.0`, breaks);
    console.log(formatReport(patched));
    expect([same.ok, patched.ok, bumped.ok]).toEqual([false, false, true]);
    expect(formatReport(patched)).toContain(`NOT allowed: ${major}.${minor}.${patch + 1} must be a new minor version`);
    expect(formatReport(patched)).toContain('gatewayCollector.replicas: removed');
  });

  test('is found in the rendered output of existing values when a default changes, and reverted leaves none', () => {
    const chartDir = path.join(ROOT, 'charts', chart);
    const before = helmTemplate(HELMS[0], chartDir).stdout;
    const changedDefault = helmTemplate(HELMS[0], chartDir, { set: { 'gatewayCollector.tailSampling.decisionWait': '30s' } }).stdout;
    expect(renderBreaks('defaults', before, changedDefault)).toEqual([{ path: '(rendered defaults)', what: 'OpenTelemetryCollector/gateway changed' }]);
    expect(renderBreaks('defaults', before, helmTemplate(HELMS[0], chartDir).stdout)).toEqual([]);
  });
});
