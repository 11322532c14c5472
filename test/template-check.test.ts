// The generator's template checks: each fires, naming the file and the name, and a chart ships only
// the helpers its templates reach.
import { checkTemplates, definitions } from '../generator/emitter/template-check';
import { v } from '../generator/values/model';
import { HelmChart } from '../generator/emitter/helm-chart';

const model = v.object('Test values.', {
  gateway: v.object('Gateway.', { name: v.string({ description: 'Name.', default: 'gateway' }), labels: v.stringMap('Labels.') }),
  config: v.freeform({ description: 'Free-form.', default: {} }),
});

const helpers = [
  {
    file: 'library/names.tpl',
    text: [
      '{{/* The gateway Service. */}}',
      '{{- define "c.gateway.service" -}}',
      '{{- if .Values.gateway.name }}{{ .Values.gateway.name }}{{ else }}gw{{ end -}}-collector',
      '{{- end -}}',
      '',
      '{{/* Nothing includes this one. */}}',
      '{{- define "c.unused" -}}{{ include "c.missing" . }}{{ .Values.nowhere }}{{- end -}}',
      '',
      '{{- define "c.agent.config" -}}{{ toYaml .Values.config.any.depth }}{{- end -}}',
    ].join('\n'),
  },
];

describe('checkTemplates', () => {
  it('keeps exactly the helpers the templates reach, with their comments', () => {
    const r = checkTemplates(
      [{ file: 'templates/svc.yaml', text: 'name: {{ include "c.gateway.service" . }}\nlabels: {{ toYaml .Values.gateway.labels.team }}' }],
      helpers,
      model,
    );
    expect(r.errors).toEqual([]);
    expect(r.helpers).toContain('{{/* The gateway Service. */}}\n{{- define "c.gateway.service" -}}');
    expect(r.helpers).not.toContain('c.unused');
    expect(r.helpers).not.toContain('c.agent.config');
  });

  it('follows a computed include to every template it can name', () => {
    const r = checkTemplates([{ file: 'templates/x.yaml', text: '{{ include (printf "c.%s.config" .component) . }}' }], helpers, model);
    expect(r.errors).toEqual([]);
    expect(r.helpers).toContain('c.agent.config');
  });

  it('reports an include of a template the chart does not define, naming file and name', () => {
    const r = checkTemplates([{ file: 'templates/x.yaml', text: '{{ include "c.unused" . }}\n{{ include (printf "c.%s.host" .x) . }}' }], helpers, model);
    expect(r.errors).toEqual([
      'templates/x.yaml: includes a template matching /^c\\.[^.]+\\.host$/, which this chart does not define',
      'library/names.tpl (define "c.unused"): includes "c.missing", which this chart does not define',
      'library/names.tpl (define "c.unused"): reads .Values.nowhere, which is not in the chart\'s values model',
    ]);
  });

  it('reports a .Values path the model lacks, and accepts any path below a map or free-form value', () => {
    const r = checkTemplates(
      [{ file: 'templates/x.yaml', text: '{{ .Values.gateway.nmae }} {{ .root.Values.gateway.labels.a.b }} {{ $.Values.config.x.y }}' }],
      helpers,
      model,
    );
    expect(r.errors).toEqual(["templates/x.yaml: reads .Values.gateway.nmae, which is not in the chart's values model"]);
  });
});

describe('definitions', () => {
  it('refuses helper text outside a define block', () => {
    expect(() => definitions('{{ if .Values.x }}y{{ end }}', 'library/bad.tpl')).toThrow(
      'library/bad.tpl: only define blocks may stand at the top level of a helper file, found {{ if .Values.x }}',
    );
  });

  it('nests if, range and with inside a define', () => {
    const text =
      '{{- define "a" -}}{{ range .x }}{{ with .y }}{{ if . }}1{{ else if .z }}2{{ end }}{{ end }}{{ end }}{{- end -}}\n{{- define "b" -}}b{{- end -}}';
    expect(definitions(text, 'f').map((d) => d.name)).toEqual(['a', 'b']);
  });
});

describe('HelmChart.useTemplates', () => {
  it('collects the constants components register, and refuses one registered with two values', () => {
    const chart = new HelmChart('c');
    chart.useTemplates(['/x/a.tpl'], { PORT: 4317, TABLE: { a: 1 } });
    chart.useTemplates(['/x/b.tpl', '/x/a.tpl'], { PORT: 4317 });
    expect(chart.helperFiles).toEqual(['/x/a.tpl', '/x/b.tpl']);
    expect(chart.constants).toEqual({ PORT: 4317, TABLE: { a: 1 } });
    expect(() => chart.useTemplates([], { PORT: 4318 })).toThrow('constant @PORT@ registered with two values: 4317 and 4318');
  });
});
