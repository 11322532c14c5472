// The outputs derived from a values model: values.yaml (with every description as a comment),
// values.schema.json (draft-07, strict) and the README's values table.
import { Document, isMap, isScalar, stringify as stringifyYaml, YAMLMap } from 'yaml';
import { Field, JsonSchema, MapField, ObjectField, Props, walk } from './model';

export function valuesSchema(model: ObjectField<Props>, title: string): JsonSchema {
  const schema = model.schema();
  requireHeld(model, schema);
  return { $schema: 'http://json-schema.org/draft-07/schema#', title, ...schema };
}

/**
 * Every key values.yaml holds (a field with a default, along objects from the root; not inside map
 * entries or list items, which users write whole) is required. Helm deletes a key given as `null`
 * before validating, so without this a `null` would fall back to nothing and render a broken or
 * empty field; with it, the schema refuses the `null` and names the key, under both Helms.
 */
function requireHeld(field: ObjectField<Props>, schema: JsonSchema): void {
  const props = schema.properties as Record<string, JsonSchema>;
  const held = Object.entries(field.props as Props)
    .filter(([, f]) => f.default !== undefined)
    .map(([k]) => k);
  const required = [...new Set([...((schema.required as string[]) ?? []), ...held])];
  if (required.length) schema.required = required;
  for (const [k, f] of Object.entries(field.props as Props)) if (f instanceof ObjectField) requireHeld(f, props[k]);
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

/** A row of the values table. */
function row(path: string[], field: Field<any>): string {
  const s = field.schema();
  const def = field.default === undefined ? '' : `\`${JSON.stringify(field.default).replace(/\|/g, '\\|')}\``;
  const description = String(s.description);
  return `| \`${path.join('.')}\` | ${typeOf(s)} | ${def.length > 120 ? '(see values.yaml)' : def} | ${description.replace(/\|/g, '\\|').replace(/\n/g, ' ')} |`;
}

/**
 * A Markdown table of every key down to objects' leaves; a map of objects (destinations, tenants)
 * also gets a row per key of its entries, under `<name>`; then each such map's example entries.
 */
export function valuesTable(model: ObjectField<Props>): string {
  const rows = ['| Key | Type | Default | Description |', '| --- | --- | --- | --- |'];
  const examples: string[] = [];
  const visit = (field: Field<any>, path: string[]) => {
    for (const { path: p, field: f } of walk(field, path)) {
      if (p.length === 0 || f instanceof ObjectField) continue;
      rows.push(row(p, f));
      if (f instanceof MapField) {
        if (f.entry instanceof ObjectField) visit(f.entry, [...p, '<name>']);
        if (f.example) examples.push(`\`${p.join('.')}\`:\n\n\`\`\`yaml\n${stringifyYaml(nest(p, f.example), { lineWidth: 0 })}\`\`\``);
      }
    }
  };
  visit(model, []);
  return [rows.join('\n'), ...(examples.length ? ['', '### Map entries, by example', '', examples.join('\n\n')] : [])].join('\n');
}

/** `{a: {b: value}}` for the path [a, b]. */
const nest = (path: string[], value: unknown): unknown => path.reduceRight((acc, k) => ({ [k]: acc }), value);
