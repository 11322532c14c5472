// The outputs derived from a values model: values.yaml (with every description as a comment),
// values.schema.json (draft-07, strict) and the README's values table.
import { Document, isMap, isScalar, YAMLMap } from 'yaml';
import { Field, JsonSchema, ObjectField, Props, walk } from './model';

export function valuesSchema(model: ObjectField<Props>, title: string): JsonSchema {
  return { $schema: 'http://json-schema.org/draft-07/schema#', title, ...model.schema() };
}

/** values.yaml: YAML 1.1 (Helm's dialect), each key preceded by its description. */
export function valuesYaml(model: ObjectField<Props>, header: string): string {
  const doc = new Document(model.default, { version: '1.1' });
  const annotate = (field: Field<any>, node: unknown) => {
    if (!(field instanceof ObjectField) || !isMap(node)) return;
    for (const pair of (node as YAMLMap).items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      const child = (field.props as Props)[key];
      if (!child) continue;
      if (isScalar(pair.key)) pair.key.commentBefore = ` ${child.description}`;
      annotate(child, pair.value);
    }
  };
  annotate(model, doc.contents);
  doc.commentBefore = header
    .split('\n')
    .map((l) => ` ${l}`)
    .join('\n');
  return doc.toString({ lineWidth: 0 });
}

function typeOf(s: JsonSchema): string {
  if (s.enum) return (s.enum as unknown[]).map((e) => `\`${e}\``).join(' \\| ');
  const t = s.type;
  return Array.isArray(t) ? t.join(' \\| ') : String(t ?? 'any');
}

/** A Markdown table of every key down to objects' leaves (maps and lists shown as one row). */
export function valuesTable(model: ObjectField<Props>): string {
  const rows = ['| Key | Type | Default | Description |', '| --- | --- | --- | --- |'];
  for (const { path, field } of walk(model)) {
    if (path.length === 0 || field instanceof ObjectField) continue;
    const s = field.schema();
    const def = field.default === undefined ? '' : `\`${JSON.stringify(field.default).replace(/\|/g, '\\|')}\``;
    const description = String(s.description);
    rows.push(
      `| \`${path.join('.')}\` | ${typeOf(s)} | ${def.length > 120 ? '(see values.yaml)' : def} | ${description.replace(/\|/g, '\\|').replace(/\n/g, ' ')} |`,
    );
  }
  return rows.join('\n');
}
