// One values model, many outputs: values.yaml, values.schema.json and the README table come from
// the same declarations; the schema is strict, draft-07 only, and the same for a component in
// every chart that uses it. Generation is deterministic.
import * as fs from 'fs';
import * as path from 'path';
import Ajv from 'ajv';
import { parse } from 'yaml';
import { CHARTS } from '../generator/charts';
import { generateChart } from '../generator/emitter/chart-writer';
import { ROOT } from './harness/helm';

const DRAFT7_KEYWORDS = new Set([
  '$schema',
  'propertyNames',
  'title',
  'description',
  'default',
  'type',
  'properties',
  'additionalProperties',
  'patternProperties',
  'required',
  'items',
  'enum',
  'const',
  'pattern',
  'minLength',
  'maxLength',
  'minimum',
  'maximum',
  'minItems',
  'maxItems',
  'uniqueItems',
  'anyOf',
  'allOf',
  'oneOf',
  'not',
  'if',
  'then',
  'else',
]);

/** Schema nodes with their JSON pointers: the values' own keys only, or (all) constraints too. */
function* nodes(s: any, all: boolean, at = ''): Generator<{ at: string; s: any }> {
  if (typeof s !== 'object' || s === null) return;
  yield { at, s };
  for (const k of ['properties', 'patternProperties']) for (const [name, sub] of Object.entries(s[k] ?? {})) yield* nodes(sub, all, `${at}/${k}/${name}`);
  for (const k of ['additionalProperties', 'items']) if (typeof s[k] === 'object') yield* nodes(s[k], all, `${at}/${k}`);
  if (!all) return;
  for (const k of ['not', 'if', 'then', 'else']) if (typeof s[k] === 'object') yield* nodes(s[k], all, `${at}/${k}`);
  for (const k of ['anyOf', 'allOf', 'oneOf']) for (const [i, sub] of (s[k] ?? []).entries()) yield* nodes(sub, all, `${at}/${k}/${i}`);
}

describe.each(CHARTS.map((c) => [c.name, c] as const))('%s', (_name, def) => {
  const { files, schema } = generateChart(def);
  const schemaJson = JSON.parse(schema);

  test('generation is deterministic (a second run gives the same bytes)', () => {
    const again = generateChart(def);
    expect([...again.files.entries()]).toEqual([...files.entries()]);
  });

  test('values.yaml is YAML 1.1 holding exactly the model defaults, and they pass the schema', () => {
    const values = parse(files.get('values.yaml')!, { version: '1.1' });
    expect(values).toEqual(JSON.parse(JSON.stringify(def.model.default)));
    const validate = new Ajv({ strict: false, allErrors: true }).compile(schemaJson);
    expect(validate(values) ? [] : validate.errors).toEqual([]);
  });

  test('every key is described in values.yaml and the schema', () => {
    for (const { at, s } of nodes(schemaJson, false)) {
      if (/\/(properties|patternProperties)\/[^/]+$/.test(at))
        expect({ at, description: typeof s.description === 'string' && s.description.length > 0 }).toEqual({ at, description: true });
    }
    expect(files.get('values.yaml')).toContain('# Image pull policy.');
  });

  test('the schema uses draft-07 keywords only, inline, and rejects unknown keys', () => {
    expect(schemaJson.$schema).toBe('http://json-schema.org/draft-07/schema#');
    for (const { at, s } of nodes(schemaJson, true)) {
      for (const k of Object.keys(s)) expect({ at, keyword: k, allowed: DRAFT7_KEYWORDS.has(k) }).toEqual({ at, keyword: k, allowed: true });
      expect(s.$ref).toBeUndefined();
    }
    for (const { at, s } of nodes(schemaJson, false)) {
      // Objects that declare properties say explicitly whether others are allowed (closed unless deliberately open).
      if (s.properties) expect({ at, decided: typeof s.additionalProperties === 'boolean' }).toEqual({ at, decided: true });
    }
  });

  test("the committed schema of this version equals the chart's", () => {
    const committed = path.join(ROOT, 'schemas', def.name, def.version, 'values.schema.json');
    expect(fs.readFileSync(committed, 'utf8')).toBe(schema);
  });
});

test('the gateway contributes the same schema to both charts (enabled aside)', () => {
  const schemaOf = (name: string) => JSON.parse(generateChart(CHARTS.find((c) => c.name === name)!).schema);
  const suite = schemaOf('ollyscale-otel').properties.gatewayCollector.properties;
  const standalone = schemaOf('otel-gateway').properties;
  const { enabled, ...gatewayKeys } = suite;
  expect(enabled.type).toBe('boolean');
  for (const [k, s] of Object.entries(gatewayKeys)) expect({ k, s: standalone[k] }).toEqual({ k, s });
});
