// Writes a chart directory: Chart.yaml, values.yaml, values.schema.json, templates (objects,
// helper library, NOTES.txt), README.md, and the helm-unittest suites from test/unittest/<chart>.
import * as fs from 'fs';
import * as path from 'path';
import { stringify } from 'yaml';
import { ObjectField, Props } from '../values/model';
import { valuesSchema, valuesTable, valuesYaml } from '../values/outputs';
import { HelmChart, LibraryConstant } from './helm-chart';
import { YAML_OPTIONS } from './template-emitter';
import { checkTemplates } from './template-check';

export interface ChartDefinition {
  name: string;
  version: string;
  appVersion: string;
  description: string;
  keywords: string[];
  model: ObjectField<Props>;
  /** Adds the chart's component constructs. */
  compose(chart: HelmChart): void;
  /** Constants substituted for `@NAME@` in the helper library and NOTES.txt (see substituteConstants). */
  constants?: Record<string, LibraryConstant>;
  /** NOTES.txt (absolute path), composed from the components' notes templates. */
  notes?: string;
  /** README.md, given the generated values table. */
  readme(valuesTable: string): string;
  /** CHANGELOG.md. */
  changelog?: string;
  /** chart-testing's values files (ci/<name>-values.yaml): installs that need nothing outside the cluster. */
  ciValues?: Record<string, unknown>;
  /** UPGRADING.md, given the chart's values schema. */
  upgrading?(schema: Record<string, unknown>): string;
  /** What changed in this version, one line each (Artifact Hub's `artifacthub.io/changes`). */
  changes?: string[];
  /** Every image the chart can deploy, `repository:tag` (Artifact Hub's `artifacthub.io/images`). */
  images?: string[];
}

export const ROOT = path.resolve(__dirname, '..', '..');

/** A value declared once in TypeScript and used by the Go templates: a scalar, or a JSON-able object or array. */

/**
 * Replaces every `@NAME@` of a template text by its constant.
 *
 * - A string or number is written as is, so it can sit anywhere, in a Go string literal too
 *   (`":@OTLP_GRPC_PORT@"`).
 * - An object or array (a table both languages need) becomes a Go-template expression that rebuilds
 *   it at render time from a JSON literal: `(fromJson "{...}")`, `(fromJsonArray "[...]")`. It can
 *   stand wherever an operand can (`{{- $types := @DESTINATION_TYPES@ -}}`, `range $x := @LIST@`),
 *   so it is refused outside a template action and inside a string literal. JSON numbers come back
 *   as float64. `{{` and `}}` inside the literal are written with a `\u007b`/`\u007d` escape so that
 *   no text reader (ours included) takes them for delimiters.
 *
 * An unknown name fails with the file and the name.
 */
export function substituteConstants(text: string, file: string, constants: Record<string, LibraryConstant>): string {
  return text.replace(/@([A-Z_]+)@/g, (m, name: string, offset: number) => {
    if (!(name in constants)) throw new Error(`${file}: unknown constant ${m}`);
    const c = constants[name];
    if (typeof c === 'string' || typeof c === 'number') return String(c);
    const before = text.slice(0, offset);
    const open = before.lastIndexOf('{{');
    const inString = (before.slice(open).match(/(?<!\\)"/g) ?? []).length % 2 === 1;
    if (open < 0 || open < before.lastIndexOf('}}') || inString)
      throw new Error(`${file}: constant ${m} is structured (object or array) and can only be an operand inside a template action`);
    const literal = JSON.stringify(JSON.stringify(c)).replace(/\{\{/g, '{\\u007b').replace(/\}\}/g, '}\\u007d');
    return `(${Array.isArray(c) ? 'fromJsonArray' : 'fromJson'} ${literal})`;
  });
}

/** A template file (a component's helpers, or NOTES.txt), specialised for one chart; `file` is absolute. */
function specialise(def: ChartDefinition, constants: Record<string, LibraryConstant>, file: string): { file: string; text: string } {
  const rel = path.relative(ROOT, file);
  const text = fs.readFileSync(file, 'utf8').replace(/"CHART\./g, `"${def.name}.`);
  return { file: rel, text: substituteConstants(text, rel, constants) };
}

/** Chart.yaml annotations: ours, and Artifact Hub's (license, links, images, changes). */
function artifactHub(def: ChartDefinition): Record<string, string> {
  const list = (items: unknown[]) => stringify(items, YAML_OPTIONS);
  return {
    'generated-by': 'generator/ (do not edit: run `make charts`)',
    'artifacthub.io/license': 'AGPL-3.0-only',
    'artifacthub.io/links': list([
      { name: 'OpenTelemetry Operator (needed by collectorRuntime: operator)', url: 'https://github.com/open-telemetry/opentelemetry-operator' },
      { name: 'OpenTelemetry Collector', url: 'https://opentelemetry.io/docs/collector/' },
    ]),
    ...(def.images && { 'artifacthub.io/images': list(def.images.map((image) => ({ name: image.replace(/^.*\//, '').replace(/:.*$/, ''), image }))) }),
    ...(def.changes && { 'artifacthub.io/changes': list(def.changes) }),
  };
}

export interface GeneratedChart {
  /** Relative path under the chart directory -> content. */
  files: Map<string, string>;
  schema: string;
}

export function generateChart(def: ChartDefinition): GeneratedChart {
  const chart = new HelmChart(def.name);
  def.compose(chart);
  const files = new Map<string, string>();
  files.set(
    'Chart.yaml',
    stringify(
      {
        apiVersion: 'v2',
        name: def.name,
        description: def.description,
        type: 'application',
        version: def.version,
        appVersion: def.appVersion,
        kubeVersion: '>=1.24.0-0',
        keywords: def.keywords,
        annotations: artifactHub(def),
      },
      YAML_OPTIONS,
    ),
  );
  files.set(
    'values.yaml',
    valuesYaml(
      def.model,
      `Default values of the ${def.name} chart.\nGenerated from the TypeScript values model; values.schema.json is generated from the same model.`,
    ),
  );
  const schema = `${JSON.stringify(valuesSchema(def.model, `Values of the ${def.name} chart ${def.version}`), null, 2)}\n`;
  files.set('values.schema.json', schema);
  files.set('.helmignore', ['# Not part of the packaged chart', 'tests/', 'ci/', '.git/', '*.orig', '*~', ''].join('\n'));
  for (const [name, values] of Object.entries(def.ciValues ?? {}))
    files.set(`ci/${name}-values.yaml`, `# chart-testing (ct install): ${name}. Generated; do not edit.\n${stringify(values, YAML_OPTIONS)}`);
  const templates = [...chart.renderTemplates()].map(([file, text]) => ({ file: `templates/${file}`, text }));
  // The components' constants, and the chart's own (the chart's win: it composes them).
  const constants = { ...chart.constants, ...def.constants };
  if (def.notes) templates.push({ file: 'templates/NOTES.txt', text: specialise(def, constants, def.notes).text });
  const helpers = chart.helperFiles.map((f) => specialise(def, constants, f));
  helpers.push({ file: 'generator definitions (defineString)', text: chart.definitions.join('\n') });
  const checked = checkTemplates(templates, helpers, def.model);
  if (checked.errors.length) throw new Error(`chart ${def.name}: ${checked.errors.length} template problem(s):\n  ${checked.errors.join('\n  ')}`);
  files.set('templates/_helpers.tpl', [`{{/* Generated by generator/emitter (do not edit). */}}`, checked.helpers, ''].join('\n\n'));
  for (const t of templates) files.set(t.file, t.text);
  files.set('README.md', def.readme(valuesTable(def.model)));
  if (def.changelog) files.set('CHANGELOG.md', def.changelog);
  if (def.upgrading) files.set('UPGRADING.md', def.upgrading(JSON.parse(schema)));
  const suites = path.join(ROOT, 'test', 'unittest', def.name);
  if (fs.existsSync(suites)) {
    for (const f of fs
      .readdirSync(suites)
      .filter((n) => n.endsWith('_test.yaml'))
      .sort())
      files.set(`tests/${f}`, fs.readFileSync(path.join(suites, f), 'utf8'));
  }
  return { files, schema };
}

/** Writes the chart to charts/<name>/ (replacing it whole) and its schema to schemas/<name>/<version>/. */
export function writeChart(def: ChartDefinition, root = ROOT): string {
  const { files, schema } = generateChart(def);
  const dir = path.join(root, 'charts', def.name);
  fs.rmSync(dir, { recursive: true, force: true });
  for (const [rel, text] of files) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  const schemaDir = path.join(root, 'schemas', def.name, def.version);
  fs.mkdirSync(schemaDir, { recursive: true });
  fs.writeFileSync(path.join(schemaDir, 'values.schema.json'), schema);
  return dir;
}
