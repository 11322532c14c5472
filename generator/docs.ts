// Documents derived from the model and the repository, never kept by hand: each chart's
// UPGRADING.md (every key of the original chart and what replaces it, the list form of env, and the
// schema changes of each version that may need values edited) and examples/README.md (which example
// for which need, from each example's own header comment).
import * as fs from 'fs';
import * as path from 'path';
import { RELEASES } from './charts/releases';
import { schemaBreaks } from './compatibility';
import { ChartDefinition, ROOT } from './emitter/chart-writer';
import { Field, JsonSchema, ObjectField } from './values/model';

interface Deprecation {
  key: string;
  instead: string;
}

/** Every field the model marks deprecated, with what its declaration says to do instead. */
function deprecatedFields(model: ObjectField): Deprecation[] {
  const out: Deprecation[] = [];
  const walk = (f: Field, p: string[]): void => {
    if (f.options.deprecated) out.push({ key: p.join('.'), instead: f.options.deprecated });
    if (f instanceof ObjectField) for (const [k, c] of Object.entries(f.props as Record<string, Field>)) walk(c, [...p, k]);
  };
  walk(model, []);
  return out;
}

/** The notes NOTES.txt prints for a chart's deprecated keys (its DEPRECATED_KEYS constant). */
function deprecationNotes(def: ChartDefinition): Map<string, string> {
  const keys = (def.constants?.DEPRECATED_KEYS ?? []) as { path: string[]; note: string }[];
  return new Map(keys.map((k) => [k.path.join('.'), k.note.replace('{namespace}', '<release namespace>')]));
}

const schemaAt = (chart: string, version: string): JsonSchema | undefined => {
  const file = path.join(ROOT, 'schemas', chart, version, 'values.schema.json');
  return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : undefined;
};

export function upgradingDoc(def: ChartDefinition, schema: JsonSchema): string {
  const notes = deprecationNotes(def);
  const rows = deprecatedFields(def.model).map((d) => `| \`${d.key}\` | ${notes.get(d.key) ?? d.instead} |`);
  const envPaths = ((def.constants?.ENV_PATHS ?? []) as string[][]).map((p) => `\`${p.join('.')}\``);
  const releases = RELEASES[def.name as keyof typeof RELEASES] ?? [];
  const versions = releases.slice(1).map((r, i) => {
    const before = schemaAt(def.name, releases[i].version);
    const after = r.version === def.version ? schema : schemaAt(def.name, r.version);
    const breaks = before && after ? schemaBreaks(before, after) : [];
    const lines = breaks.length ? breaks.map((b) => `- \`${b.path || '(root)'}\`: ${b.what}`) : ['- no schema change refuses values the previous version took'];
    return `### ${releases[i].version} → ${r.version}\n\n${lines.join('\n')}\n`;
  });
  return `# Upgrading ${def.name}

Generated from the values model (generator/docs.ts); do not edit.

## Keys of the original chart

Values files written for the original chart install unchanged. These keys are accepted; NOTES.txt
prints a line for each one that is set.

| key | what happens, and what to use instead |
| --- | --- |
${rows.join('\n')}

\`env\` (${envPaths.join(', ')}) takes the original chart's list form (\`[{name, value}]\`) as well as
a map (\`NAME: value\`); only the map merges across values files and \`--set\`, so NOTES.txt names each
\`env\` given as a list.

## Schema changes by version

What each version's values schema refuses or reads differently from the version before it (the
compatibility check in \`make test\` finds these and requires the version bump they need).

${versions.reverse().join('\n')}`;
}

/** examples/README.md: one line per example, from its header comment. */
export function examplesIndex(charts: ChartDefinition[]): string {
  const sections = charts.map((def) => {
    const dir = path.join(ROOT, 'examples', def.name);
    const files = fs.existsSync(dir)
      ? fs
          .readdirSync(dir)
          .filter((f) => f.endsWith('.yaml'))
          .sort()
      : [];
    const lines = files.map((f) => {
      const comment = fs
        .readFileSync(path.join(dir, f), 'utf8')
        .split('\n')
        .filter((l) => l.startsWith('# ') && !l.startsWith('# yaml-language-server') && !l.startsWith('# test:'))
        .map((l) => l.slice(2))
        .join(' ');
      const first = /^(.*?\.)(\s|$)/.exec(comment)?.[1] ?? comment;
      return `| [\`${f}\`](${def.name}/${f}) | ${first.replace(/\|/g, '\\|')} |`;
    });
    return `## ${def.name}\n\n| example | what it shows |\n| --- | --- |\n${lines.join('\n')}\n`;
  });
  return `# Examples

Generated from each example's header comment (generator/docs.ts); do not edit. Install one with
\`helm install <release> ./charts/<chart> -n otel-system --create-namespace -f examples/<chart>/<file>\`.
Their rendered manifests are in [rendered/](rendered/).

${sections.join('\n')}`;
}
