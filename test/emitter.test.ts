// The Helm emitter: each form it writes, checked as text and by rendering with the real Helm,
// and each refusal.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { JsonPatch } from 'cdk8s';
import { ChartDefinition, substituteConstants, writeChart } from '../generator/emitter/chart-writer';
import { HelmChart, TemplateScope, TemplatedObject } from '../generator/emitter/helm-chart';
import { choose, cond, include, includeItems, optional, refs, release, when, whenItem } from '../generator/emitter/refs';
import { emitObject } from '../generator/emitter/template-emitter';
import { v } from '../generator/values/model';
import { HELMS, helmTemplate, parseManifests, runHelm } from './harness/helm';

const model = v.object('test values', {
  enabled: v.boolean({ description: 'on', default: true }),
  replicas: v.integer({ description: 'an integer', default: 1000000 }),
  name: v.string({ description: 'a string', default: 'yes' }),
  memory: v.quantity({ description: 'a quantity', default: '1Gi' }),
  labels: v.stringMap('a map', { team: 'a' }),
  selector: v.stringMap('an optional map'),
  feature: v.object('a feature', { enabled: v.boolean({ description: 'off', default: false }) }),
  argument: v.string({ description: 'an optional string', default: '' }),
  count: v.integer({ description: 'an optional integer' }),
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
  // Optional scalars, choices and conditional list items.
  new TemplatedObject(scope, 'pod', {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'forms' },
    spec: {
      hostname: optional(r.argument),
      priority: optional(r.count),
      dnsPolicy: choose(r.feature.enabled, 'ClusterFirstWithHostNet', 'ClusterFirst'),
      terminationGracePeriodSeconds: choose(cond.not(r.feature.enabled), r.replicas, 7),
      hostNetwork: choose(r.enabled, r.feature.enabled, false),
      subdomain: `sub-${choose(r.feature.enabled, r.name, release.namespace())}`,
      // A conditional key whose value is a literal object, holding refs and a conditional item.
      securityContext: when(r.feature.enabled, {
        runAsUser: r.replicas,
        sysctls: [whenItem(r.enabled, { name: 'a', value: r.name }), { name: 'b', value: 'c' }],
      }),
      containers: [
        {
          name: 'c',
          args: ['always', whenItem(r.feature.enabled, 'only-on'), whenItem(cond.not(r.feature.enabled), r.name), optional(r.argument)],
          env: [
            whenItem(r.feature.enabled, { name: 'FIRST', value: r.name, valueFrom: optional(r.labels) }),
            { name: 'ALWAYS', value: 'a' },
            whenItem(r.feature.enabled, { name: 'NESTED', list: ['x', whenItem(r.enabled, r.replicas)] }),
          ],
        },
      ],
    },
  });
}

describe('forms', () => {
  const t = text(build(fillForms));

  test('integers go through int64, strings are quoted, booleans are plain', () => {
    expect(t).toContain('replicas: {{ int64 .Values.replicas }}');
    expect(t).toContain('name: {{ .Values.name | quote }}');
    expect(t).toContain('memory: {{ .Values.memory | quote }}');
    expect(t).toContain('flag: {{ .Values.enabled }}');
  });
  test('a conditional key with an object value is a block under if, conditional items inside it too', () => {
    expect(t).toContain(
      '{{- if .Values.feature.enabled }}\n  securityContext:\n    runAsUser: {{ int64 .Values.replicas }}\n    sysctls:\n{{- if .Values.enabled }}\n      - name: a\n        value: {{ .Values.name | quote }}\n{{- end }}\n      - name: b\n        value: c\n{{- end }}',
    );
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
  test('optional scalars are wrapped in with, typed inside', () => {
    expect(t).toMatch(/{{- with \.Values\.argument }}\n {2}hostname: {{ \. \| quote }}\n{{- end }}/);
    expect(t).toMatch(/{{- with \.Values\.count }}\n {2}priority: {{ int64 \. }}\n{{- end }}/);
    expect(t).toMatch(/{{- with \.Values\.argument }}\n {8}- {{ \. \| quote }}\n{{- end }}/);
  });
  test('choices are a ternary, quoted for strings, typed for numbers and booleans, usable inside strings', () => {
    expect(t).toContain('dnsPolicy: {{ ternary "ClusterFirstWithHostNet" "ClusterFirst" .Values.feature.enabled | quote }}');
    expect(t).toContain('terminationGracePeriodSeconds: {{ ternary (int64 .Values.replicas) 7 (not .Values.feature.enabled) }}');
    expect(t).toContain('hostNetwork: {{ ternary .Values.feature.enabled false .Values.enabled }}');
    expect(t).toContain('subdomain: {{ print "sub-" (ternary .Values.name .Release.Namespace .Values.feature.enabled) | quote }}');
  });
  test('conditional list items are wrapped in if at the list indentation, nested ones too', () => {
    expect(t).toMatch(/{{- if \.Values\.feature\.enabled }}\n {8}- only-on\n{{- end }}/);
    expect(t).toMatch(/{{- if \(not \.Values\.feature\.enabled\) }}\n {8}- {{ \.Values\.name \| quote }}\n{{- end }}/);
    expect(t).toMatch(
      /{{- if \.Values\.feature\.enabled }}\n {8}- name: FIRST\n {10}value: {{ \.Values\.name \| quote }}\n{{- with \.Values\.labels }}\n {10}valueFrom:/,
    );
    expect(t).toMatch(/ {8}- list:\n {12}- x\n{{- if \.Values\.enabled }}\n {12}- {{ int64 \.Values\.replicas }}\n{{- end }}\n {10}name: NESTED\n{{- end }}/);
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
    test('defaults: empty optional scalars are omitted, choices take their else branch, conditional items are absent', () => {
      const r = helmTemplate(helm, chartDir, { namespace: 'ns1' });
      const pod = parseManifests(r.stdout).find((d) => d.kind === 'Pod');
      expect(pod.spec).toEqual({
        dnsPolicy: 'ClusterFirst',
        terminationGracePeriodSeconds: 1000000,
        hostNetwork: false,
        subdomain: 'sub-ns1',
        containers: [{ name: 'c', args: ['always', 'yes'], env: [{ name: 'ALWAYS', value: 'a' }] }],
      });
    });
    test('overrides: optional scalars appear typed, choices take their then branch, conditional items appear in place', () => {
      const r = helmTemplate(helm, chartDir, {
        set: { 'feature.enabled': 'true', argument: '0.25', count: '3', 'labels.zone': 'b' },
        valuesFiles: [],
      });
      expect(r.stderr).toBe('');
      const pod = parseManifests(r.stdout).find((d) => d.kind === 'Pod');
      expect(pod.spec).toEqual({
        hostname: '0.25',
        priority: 3,
        dnsPolicy: 'ClusterFirstWithHostNet',
        terminationGracePeriodSeconds: 7,
        hostNetwork: true,
        subdomain: 'sub-yes',
        securityContext: {
          runAsUser: 1000000,
          sysctls: [
            { name: 'a', value: 'yes' },
            { name: 'b', value: 'c' },
          ],
        },
        containers: [
          {
            name: 'c',
            args: ['always', 'only-on', '0.25'],
            env: [
              { name: 'FIRST', value: 'yes', valueFrom: { team: 'a', zone: 'b' } },
              { name: 'ALWAYS', value: 'a' },
              { name: 'NESTED', list: ['x', 1000000] },
            ],
          },
        ],
      });
    });
    test('overrides: optional and conditional parts appear, strings stay strings', () => {
      const r = helmTemplate(helm, chartDir, { set: { 'selector.zone': 'a', 'feature.enabled': 'true' }, valuesFiles: [] });
      const docs = parseManifests(r.stdout);
      expect(r.stderr).toBe('');
      expect(docs.map((d) => d.kind).sort()).toEqual(['ConfigMap', 'Pod', 'ServiceAccount']);
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
  test('an optional boolean (empty would drop false)', () => {
    expect(() => optional(r.enabled)).toThrow(/optional\(\.Values\.enabled\): a boolean cannot be optional/);
  });
  test('a choice between values of different types', () => {
    expect(() => choose(r.enabled, 'a', r.replicas)).toThrow(/choose\(\.Values\.enabled, \.\.\.\): both values must have one type, not string and number/);
  });
  test('a choice with a block', () => {
    expect(() => choose(r.enabled, r.labels, r.labels)).toThrow(/choose\(\.Values\.enabled, \.\.\.\): \.Values\.labels is not a scalar/);
    expect(() => choose(r.enabled, include('t.labels'), 'x')).toThrow(/include "t\.labels" is not a scalar/);
  });
  test('a choice on a value that is not a boolean', () => {
    expect(() => choose(r.name, 'a', 'b')).toThrow(/condition on \.Values\.name: a condition needs a boolean value/);
  });
  test('a conditional item that is not a list item', () => {
    expect(() => emitObject({ data: { x: whenItem(r.enabled, 'a') } }, where)).toThrow(
      /ConfigMap\/test: field data\.x: conditional item whenItem\(\.Values\.enabled, \.\.\.\) is not a list item/,
    );
  });
  test('a conditional key value used as a list item', () => {
    expect(() => emitObject({ data: [when(r.enabled, { a: 1 })] }, where)).toThrow(
      /ConfigMap\/test: field data\[0\]: conditional key value when\(\.Values\.enabled, \.\.\.\) used as a list item \(use whenItem\)/,
    );
  });
  test('template items outside a list', () => {
    expect(() => emitObject({ data: { x: includeItems('c.items') } }, where)).toThrow(
      /field data\.x: include "c\.items" prints list items and can only stand in a list/,
    );
  });
  test('a conditional item inside a string', () => {
    expect(() => emitObject({ x: `a-${whenItem(r.enabled, 'a')}` }, where)).toThrow(
      /field x: structural reference whenItem\(\.Values\.enabled, \.\.\.\) inside a string/,
    );
  });
  test('a list whose items are all conditional (it would render null)', () => {
    expect(() => emitObject({ items: [whenItem(r.enabled, 'a'), optional(r.argument)] }, where)).toThrow(
      /ConfigMap\/test: field items: every item of the list is conditional/,
    );
  });
  test('a conditional key as a list item points to whenItem', () => {
    expect(() => emitObject({ items: ['a', when(r.enabled, r.name)] }, where)).toThrow(
      /field items\[1\]: conditional .* cannot be a list item \(use whenItem\)/,
    );
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

describe('constants: declared once in TypeScript, injected into the templates', () => {
  const constants = {
    PORT: 4317,
    DIR: '/etc/x',
    TABLE: { otlp: { exporter: 'otlp_grpc', signals: ['traces', 'metrics'] }, tricky: { text: 'a "q" {{ not }} \\ }}' } },
    LANGS: ['python', 'java'],
  };
  test('scalars are written as is, in string literals too', () => {
    expect(substituteConstants('{{ printf ":@PORT@" }} @DIR@', 'f.tpl', constants)).toBe('{{ printf ":4317" }} /etc/x');
  });
  test('objects and arrays become fromJson / fromJsonArray of a JSON literal without template delimiters', () => {
    const out = substituteConstants('{{- $t := @TABLE@ -}}{{ range @LANGS@ }}{{ end }}', 'f.tpl', constants);
    expect(out).toContain('{{- $t := (fromJson "{\\"otlp\\":{\\"exporter\\":\\"otlp_grpc\\"');
    expect(out).toContain('{{ range (fromJsonArray "[\\"python\\",\\"java\\"]") }}');
    expect(out.replace(/^\{\{- \$t := /, '').replace(/ -\}\}\{\{ range .*$/, '')).not.toMatch(/\{\{|\}\}/);
  });
  test('an unknown constant fails with the file and the name', () => {
    expect(() => substituteConstants('{{ @NOPE@ }}', 'lib/x.tpl', constants)).toThrow(/^lib\/x\.tpl: unknown constant @NOPE@$/);
  });
  test('a structured constant outside an action or inside a string literal is refused', () => {
    expect(() => substituteConstants('text @TABLE@', 'n.txt', constants)).toThrow(
      /n\.txt: constant @TABLE@ is structured .* only be an operand inside a template action/,
    );
    expect(() => substituteConstants('{{ x }} @LANGS@', 'n.txt', constants)).toThrow(/constant @LANGS@ is structured/);
    expect(() => substituteConstants('{{ printf "@TABLE@" }}', 'n.txt', constants)).toThrow(/constant @TABLE@ is structured/);
  });

  describe.each(HELMS)('rendered by $name', (helm) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'const-'));
    fs.mkdirSync(path.join(dir, 'templates'));
    fs.writeFileSync(path.join(dir, 'Chart.yaml'), 'apiVersion: v2\nname: c\nversion: 0.0.1\n');
    const template = [
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata:',
      '  name: c',
      'data:',
      '  {{- $t := @TABLE@ }}',
      '  exporter: {{ (get $t "otlp").exporter | quote }}',
      '  signals: {{ join "," (get $t "otlp").signals | quote }}',
      '  tricky: {{ (get $t "tricky").text | quote }}',
      '  langs: {{ join "," @LANGS@ | quote }}',
      '  port: {{ printf ":@PORT@" | quote }}',
      '',
    ].join('\n');
    fs.writeFileSync(path.join(dir, 'templates', 'cm.yaml'), substituteConstants(template, 'cm.yaml', constants));
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
    test('the template reads the same table TypeScript declared', () => {
      const r = runHelm(helm, ['template', 'c', dir]);
      expect(r.stderr).toBe('');
      const [cm] = parseManifests(r.stdout);
      expect(cm.data).toEqual({ exporter: 'otlp_grpc', signals: 'traces,metrics', tricky: 'a "q" {{ not }} \\ }}', langs: 'python,java', port: ':4317' });
    });
  });
});

describe.each(HELMS)('template items spliced into a list, rendered by $name', (helm) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'items-'));
  fs.mkdirSync(path.join(dir, 'templates'));
  fs.writeFileSync(path.join(dir, 'Chart.yaml'), 'apiVersion: v2\nname: c\nversion: 0.0.1\n');
  fs.writeFileSync(path.join(dir, 'templates', '_helpers.tpl'), '{{- define "t.items" -}}{{ toYaml (.root.Values.extra | default list) }}{{- end -}}');
  const body = emitObject(
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { list: ['first', includeItems('t.items', { n: 1 })] } },
    'test',
  );
  fs.writeFileSync(path.join(dir, 'templates', 'cm.yaml'), body);
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('items a template prints follow the literal ones; none prints nothing', () => {
    const none = runHelm(helm, ['template', 'c', dir]);
    expect(none.stderr).toBe('');
    expect(parseManifests(none.stdout)[0].data.list).toEqual(['first']);
    const some = runHelm(helm, ['template', 'c', dir, '--set', 'extra[0].name=a', '--set', 'extra[1]=b']);
    expect(parseManifests(some.stdout)[0].data.list).toEqual(['first', { name: 'a' }, 'b']);
  });
});
