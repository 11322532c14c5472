// The Helm emitter: each form it writes, checked as text and by rendering with the real Helm,
// and each refusal.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { JsonPatch } from 'cdk8s';
import { ChartDefinition, writeChart } from '../generator/emitter/chart-writer';
import { HelmChart, TemplateScope, TemplatedObject } from '../generator/emitter/helm-chart';
import { cond, include, optional, refs, release, when } from '../generator/emitter/refs';
import { emitObject } from '../generator/emitter/template-emitter';
import { v } from '../generator/values/model';
import { LIBRARY_CONSTANTS } from '../generator/charts/constants';
import { HELMS, helmTemplate, parseManifests } from './harness/helm';

const model = v.object('test values', {
  enabled: v.boolean({ description: 'on', default: true }),
  replicas: v.integer({ description: 'an integer', default: 1000000 }),
  name: v.string({ description: 'a string', default: 'yes' }),
  memory: v.quantity({ description: 'a quantity', default: '1Gi' }),
  labels: v.stringMap('a map', { team: 'a' }),
  selector: v.stringMap('an optional map'),
  feature: v.object('a feature', { enabled: v.boolean({ description: 'off', default: false }) }),
});

function build(fill: (scope: TemplateScope, r: ReturnType<typeof refs<typeof model>>, chart: HelmChart) => void) {
  const chart = new HelmChart('emit-test');
  const scope = new TemplateScope(chart, 'scope', { file: 'test.yaml' });
  fill(scope, refs(model), chart);
  return chart;
}
const text = (chart: HelmChart) => chart.renderTemplates().get('test.yaml')!;

/** One object per form the emitter writes. */
function fillForms(scope: TemplateScope, r: ReturnType<typeof refs<typeof model>>) {
  new TemplatedObject(scope, 'cm', {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: `${r.name}-config`, namespace: release.namespace().token, annotations: optional(r.selector) },
    data: {
      replicas: r.replicas,
      name: r.name,
      memory: r.memory,
      flag: r.enabled,
      literal: 'a {{ b }} c',
      labels: r.labels,
      sel: optional(r.selector),
      gated: when(r.feature.enabled, r.name),
    },
  });
  new TemplatedObject(scope, 'gated', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'gated' }, when: cond.is(r.feature.enabled) });
}

describe('forms', () => {
  const t = text(build(fillForms));

  test('integers go through int64, strings are quoted, booleans are plain', () => {
    expect(t).toContain('replicas: {{ int64 .Values.replicas }}');
    expect(t).toContain('name: {{ .Values.name | quote }}');
    expect(t).toContain('memory: {{ .Values.memory | quote }}');
    expect(t).toContain('flag: {{ .Values.enabled }}');
  });
  test('interpolated strings are printed and quoted', () => {
    expect(t).toContain('name: {{ print .Values.name "-config" | quote }}');
  });
  test('blocks go through toYaml | nindent at their depth', () => {
    expect(t).toContain('labels: {{- toYaml .Values.labels | nindent 4 }}');
  });
  test('optional blocks are wrapped in with, key included', () => {
    expect(t).toMatch(/{{- with \.Values\.selector }}\n {2}sel: {{- toYaml \. \| nindent 4 }}\n{{- end }}/);
    expect(t).toMatch(/{{- with \.Values\.selector }}\n {2}annotations: {{- toYaml \. \| nindent 4 }}\n{{- end }}/);
  });
  test('conditional keys and objects are wrapped in if', () => {
    expect(t).toMatch(/{{- if \.Values\.feature\.enabled }}\n {2}gated: {{ \.Values\.name \| quote }}\n{{- end }}/);
    expect(t).toMatch(/\n---\n{{- if \.Values\.feature\.enabled }}\napiVersion: v1\nkind: ServiceAccount/);
  });
  test('literal {{ is escaped', () => {
    expect(t).toContain('literal: {{ "a {{ b }} c" | quote }}');
  });

  describe.each(HELMS)('rendered by $name', (helm) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'emit-'));
    const def: ChartDefinition = {
      name: 'emit-test',
      version: '0.0.1',
      appVersion: '1',
      description: 'test',
      keywords: [],
      model,
      constants: LIBRARY_CONSTANTS,
      readme: () => '',
      compose: (c) => fillForms(new TemplateScope(c, 'scope', { file: 'test.yaml' }), refs(model)),
    };
    const chartDir = writeChart(def, dir);
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

    test('defaults: values keep their types and the literal survives', () => {
      const r = helmTemplate(helm, chartDir, { namespace: 'ns1' });
      expect(r.stderr).toBe('');
      const [cm] = parseManifests(r.stdout);
      expect(cm.metadata).toEqual({ name: 'yes-config', namespace: 'ns1' });
      expect(cm.data).toEqual({ replicas: 1000000, name: 'yes', memory: '1Gi', flag: true, literal: 'a {{ b }} c', labels: { team: 'a' } });
    });
    test('overrides: optional and conditional parts appear, strings stay strings', () => {
      const r = helmTemplate(helm, chartDir, { set: { 'selector.zone': 'a', 'feature.enabled': 'true' }, valuesFiles: [] });
      const docs = parseManifests(r.stdout);
      expect(r.stderr).toBe('');
      expect(docs.map((d) => d.kind).sort()).toEqual(['ConfigMap', 'ServiceAccount']);
      const cm = docs.find((d) => d.kind === 'ConfigMap');
      expect(cm.data.sel).toEqual({ zone: 'a' });
      expect(cm.metadata.annotations).toEqual({ zone: 'a' });
      expect(cm.data.gated).toBe('yes');
    });
  });
});

describe('refusals name the object and field', () => {
  const r = refs(model);
  const where = 'ConfigMap/test';
  test('a block inside a string', () => {
    expect(() => emitObject({ data: { x: `a-${r.labels}` } }, where)).toThrow(
      /ConfigMap\/test: field data\.x: structural reference \.Values\.labels inside a string/,
    );
  });
  test('a reference used as a key', () => {
    expect(() => emitObject({ data: { [`${r.name}`]: 'v' } }, where)).toThrow(/ConfigMap\/test: field data: reference used as a key/);
  });
  test('a block as a list item', () => {
    expect(() => emitObject({ items: [r.labels.token] }, where)).toThrow(/field items\[0\]: block \.Values\.labels cannot be a list item/);
  });
  test('an optional block as a list item', () => {
    expect(() => emitObject({ items: [optional(r.selector).token] }, where)).toThrow(/field items\[0\]: optional \.Values\.selector cannot be a list item/);
  });
  test('a block include used inside a string', () => {
    expect(() => emitObject({ x: `a${include('t.labels')}` }, where)).toThrow(/field x: structural reference include "t.labels" inside a string/);
  });
  test('a condition on a value that is not a boolean', () => {
    expect(() => cond.is(r.replicas)).toThrow(/condition on \.Values\.replicas: a condition needs a boolean value, not integer/);
  });
  test('an optional scalar', () => {
    expect(() => optional(r.name)).toThrow(/only blocks can be optional/);
  });
  test('a reference lost on the way (unused)', () => {
    const chart = build((scope, rr) => {
      const obj = new TemplatedObject(scope, 'lost', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'lost' }, data: { replicas: rr.replicas } });
      obj.addJsonPatch(JsonPatch.remove('/data'));
    });
    expect(() => chart.renderTemplates()).toThrow(/ConfigMap\/emit-test\/scope\/lost: unused reference \.Values\.replicas/);
  });
  test('an object outside any template file', () => {
    const chart = new HelmChart('x');
    new TemplatedObject(chart, 'stray', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'stray' } });
    expect(() => chart.renderTemplates()).toThrow(/x\/stray: object is outside any TemplateScope with a file/);
  });
});
