// Documents derived from the model: the README's map examples are values the chart takes, the
// examples index names every example, and UPGRADING.md names every deprecated key.
import Ajv from 'ajv';
import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { CHARTS } from '../generator/charts';
import { Field, MapField, ObjectField } from '../generator/values/model';
import { ROOT } from './harness/helm';

/** Every map of the model with README examples, and its values path. */
function mapExamples(model: ObjectField): { path: string[]; example: Record<string, unknown> }[] {
  const out: { path: string[]; example: Record<string, unknown> }[] = [];
  const walk = (f: Field, p: string[]): void => {
    if (f instanceof MapField && f.example) out.push({ path: p, example: f.example });
    if (f instanceof ObjectField) for (const [k, c] of Object.entries(f.props as Record<string, Field>)) walk(c, [...p, k]);
  };
  walk(model, []);
  return out;
}

/** Helm's merge of a values file over the defaults: maps merge key by key, anything else replaces. */
function merge(base: any, over: any): any {
  if (!base || typeof base !== 'object' || Array.isArray(base) || !over || typeof over !== 'object' || Array.isArray(over)) return over;
  const out = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = merge(base[k], v);
  return out;
}

/** The defaults with a values file holding `value` at `p` merged over them. */
const withValue = (defaults: any, p: string[], value: unknown) =>
  merge(
    defaults,
    p.reduceRight((acc: unknown, k) => ({ [k]: acc }), value),
  );

describe.each(CHARTS)('$name', (def) => {
  const dir = path.join(ROOT, 'charts', def.name);
  const schema = JSON.parse(fs.readFileSync(path.join(dir, 'values.schema.json'), 'utf8'));
  const defaults = parse(fs.readFileSync(path.join(dir, 'values.yaml'), 'utf8'));

  test('the README shows map entries by example, and each example is valid values', () => {
    const examples = mapExamples(def.model);
    expect(examples.length).toBeGreaterThan(0);
    const readme = fs.readFileSync(path.join(dir, 'README.md'), 'utf8');
    const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);
    for (const e of examples) {
      expect(readme).toContain(`\`${e.path.join('.')}\`:\n\n\`\`\`yaml`);
      expect([e.path.join('.'), validate(withValue(defaults, e.path, e.example)), validate.errors]).toEqual([e.path.join('.'), true, null]);
    }
  });

  test('UPGRADING.md names every deprecated key of the model', () => {
    const text = fs.readFileSync(path.join(dir, 'UPGRADING.md'), 'utf8');
    const deprecated: string[] = [];
    const walk = (f: Field, p: string[]): void => {
      if (f.options.deprecated) deprecated.push(p.join('.'));
      if (f instanceof ObjectField) for (const [k, c] of Object.entries(f.props as Record<string, Field>)) walk(c, [...p, k]);
    };
    walk(def.model, []);
    expect(deprecated.length).toBeGreaterThan(0);
    for (const k of deprecated) expect(text).toContain(`| \`${k}\` |`);
  });
});

test('the examples index lists every example', () => {
  const index = fs.readFileSync(path.join(ROOT, 'examples', 'README.md'), 'utf8');
  for (const def of CHARTS)
    for (const f of fs.readdirSync(path.join(ROOT, 'examples', def.name)).filter((n) => n.endsWith('.yaml'))) expect(index).toContain(`(${def.name}/${f})`);
});
