// One values model, many outputs: values.yaml, values.schema.json and the README table come from
// the same declarations; the schema is strict, draft-07 only, and the same for a component in
// every chart that uses it. Generation is deterministic.
import * as fs from 'fs';
import * as path from 'path';
import Ajv from 'ajv';
import { parse } from 'yaml';
import { CHARTS } from '../generator/charts';
import { generateChart } from '../generator/emitter/chart-writer';
import { kubernetesProperty, kubernetesSchema } from '../generator/values/kubernetes';
import { QUANTITY_PATTERN } from '../generator/values/model';
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
  // `format: regex` only: both Helms check it (santhosh-tekuri/jsonschema and gojsonschema).
  'format',
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
    const validate = new Ajv({ strict: false, allErrors: true, formats: { regex: true } }).compile(schemaJson);
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

// ---- Kubernetes-typed values (generator/values/kubernetes.ts) ---------------------------------

/** The Kubernetes definitions the charts' values use, as kubernetes.ts builds them. */
const K8S_DEFINITIONS = ['Toleration', 'Affinity', 'EnvVar', 'ResourceRequirements', 'SecurityContext', 'TopologySpreadConstraint', 'LocalObjectReference'];

type Step = { prop: string } | 'item' | 'value';
/** Every property, list item and map value of a schema, with its path. */
function* schemaPaths(s: any, at: Step[] = []): Generator<{ at: Step[]; s: any }> {
  for (const [prop, sub] of Object.entries(s.properties ?? {})) {
    yield { at: [...at, { prop }], s: sub };
    yield* schemaPaths(sub, [...at, { prop }]);
  }
  if (typeof s.items === 'object') yield* schemaPaths(s.items, [...at, 'item']);
  if (typeof s.additionalProperties === 'object') {
    yield { at: [...at, 'value'], s: s.additionalProperties };
    yield* schemaPaths(s.additionalProperties, [...at, 'value']);
  }
}
/** A value holding `x` at `at`, and the JSON pointer of `x`. */
function placed(at: Step[], x: unknown): [unknown, string] {
  if (!at.length) return [x, ''];
  const [first, ...rest] = at;
  const [inner, ptr] = placed(rest, x);
  if (first === 'item') return [[inner], `/0${ptr}`];
  if (first === 'value') return [{ k: inner }, `/k${ptr}`];
  return [{ [first.prop]: inner }, `/${first.prop}${ptr}`];
}
const under = (ptr: string) => (e: { instancePath: string }) => e.instancePath === ptr || e.instancePath.startsWith(`${ptr}/`);

describe.each(K8S_DEFINITIONS)('Kubernetes %s as kubernetes.ts builds it', (kind) => {
  const schema = kubernetesSchema(`io.k8s.api.core.v1.${kind}`);
  const ours = new Ajv({ strict: false, allErrors: true, formats: { regex: true } }).compile(schema);
  // kubernetes-models' own validator of the definition (its package exports do not list _schemas/).
  const validatorFile = path.join(path.dirname(require.resolve('kubernetes-models/package.json')), '_schemas', `IoK8sApiCoreV1${kind}.js`);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const theirs: any = require(validatorFile).validate;

  test('accepts and refuses what kubernetes-models accepts and refuses, field by field', () => {
    const disagreements: string[] = [];
    for (const { at, s } of schemaPaths(schema)) {
      // The chart's quantities are strings or whole numbers (Helm reads YAML numbers as float64).
      const quantity = s.pattern === QUANTITY_PATTERN;
      const probes = ['x', 7, 0.5, true, {}, [], 2 ** 31, -(2 ** 31) - 1].filter((x) => !(quantity && typeof x === 'number' && (x < 0 || x % 1)));
      for (const x of probes) {
        const [data, ptr] = placed(at, x);
        ours(data);
        theirs(data);
        const a = (ours.errors ?? []).some(under(ptr));
        const b = (theirs.errors ?? []).some(under(ptr));
        if (a !== b) disagreements.push(`${ptr} = ${JSON.stringify(x)}: ours ${a ? 'refuses' : 'accepts'}, kubernetes-models ${b ? 'refuses' : 'accepts'}`);
      }
    }
    expect(disagreements).toEqual([]);
  });

  test('refuses unknown keys in every object, uses draft-07 keywords only and no $ref', () => {
    const objects = [{ at: [] as Step[], s: schema }, ...schemaPaths(schema)].filter(({ s }) => s.properties);
    expect(objects.length).toBeGreaterThan(0);
    for (const { at, s } of objects) {
      expect(s.additionalProperties).toBe(false);
      const [data, ptr] = placed(at, { unknownKey: 'x' });
      ours(data);
      expect({ ptr, refused: (ours.errors ?? []).some((e) => e.instancePath === ptr && e.keyword === 'additionalProperties') }).toEqual({ ptr, refused: true });
    }
    for (const { at, s } of nodes(schema, true))
      for (const k of Object.keys(s)) expect({ at, k, allowed: DRAFT7_KEYWORDS.has(k) }).toEqual({ at, k, allowed: true });
    expect(JSON.stringify(schema)).not.toContain('$ref');
  });
});

test('Kubernetes int-or-string fields take an integer or a string', () => {
  const validate = new Ajv({ strict: false }).compile(kubernetesSchema('io.k8s.api.core.v1.HTTPGetAction'));
  expect([8080, 'http', 1.5, true].map((port) => validate({ port }))).toEqual([true, true, false, false]);
});

test('Kubernetes int32 fields are bounded to int32, int64 fields to about int64', () => {
  const props = kubernetesSchema('io.k8s.api.core.v1.TopologySpreadConstraint').properties as any;
  expect(props.maxSkew).toMatchObject({ type: 'integer', minimum: -(2 ** 31), maximum: 2 ** 31 - 1 });
  const toleration = kubernetesSchema('io.k8s.api.core.v1.Toleration').properties as any;
  expect(toleration.tolerationSeconds.type).toBe('integer');
  expect(toleration.tolerationSeconds.maximum).toBe(2 ** 63);
});

test('a definition kubernetes-models does not ship, or a property it lacks, fails generation', () => {
  expect(() => kubernetesSchema('io.k8s.api.core.v1.NoSuchKind')).toThrow(/no declaration of io.k8s.api.core.v1.NoSuchKind/);
  expect(() => kubernetesProperty('io.k8s.api.core.v1.PodSpec', 'tolerashuns')).toThrow(/has no property tolerashuns/);
});

describe.each(CHARTS.map((c) => [c.name, c] as const))('%s: Kubernetes-typed values', (_name, def) => {
  const schemaJson = JSON.parse(generateChart(def).schema);
  const validate = new Ajv({ strict: false, allErrors: true, formats: { regex: true } }).compile(schemaJson);
  const prefix = def.name === 'ollyscale-otel' ? ['gatewayCollector'] : [];
  const at = (values: Record<string, unknown>) => (prefix.length ? { [prefix[0]]: values } : values);
  const defaults = def.model.default as Record<string, any>;
  const withValues = (values: Record<string, unknown>) => {
    const out = structuredClone(defaults);
    const target = prefix.length ? out[prefix[0]] : out;
    Object.assign(target, prefix.length ? values[prefix[0]] : values);
    return out;
  };

  test('real Kubernetes values pass the schema, and kubernetes-models agrees they are valid', () => {
    const affinity = {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/os', operator: 'In', values: ['linux'] }] }],
        },
        preferredDuringSchedulingIgnoredDuringExecution: [
          { weight: 50, preference: { matchFields: [{ key: 'metadata.name', operator: 'NotIn', values: ['n1'] }] } },
        ],
      },
      podAntiAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          {
            weight: 100,
            podAffinityTerm: {
              topologyKey: 'kubernetes.io/hostname',
              labelSelector: { matchLabels: { app: 'gateway' } },
              matchLabelKeys: ['pod-template-hash'],
            },
          },
        ],
      },
    };
    const tolerations = [
      { key: 'dedicated', operator: 'Equal', value: 'otel', effect: 'NoExecute', tolerationSeconds: 60 },
      { operator: 'Exists', effect: 'NoSchedule' },
    ];
    const env = [
      { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      { name: 'MEM', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
      { name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'backend', key: 'token', optional: true } } },
      { name: 'PLAIN', value: 'x' },
    ];
    const values = withValues(
      at({
        affinity,
        tolerations,
        env,
        nodeSelector: { 'kubernetes.io/os': 'linux' },
        resources: { requests: { cpu: '250m', memory: '1Gi' }, limits: { memory: '2Gi' } },
      }),
    );
    values.global.imagePullSecrets = [{ name: 'regcred' }];
    expect(validate(values) ? [] : validate.errors).toEqual([]);
    // The same objects are valid Kubernetes.
    const { Pod } = require('kubernetes-models/v1/Pod'); // eslint-disable-line @typescript-eslint/no-require-imports
    const pod = new Pod({
      metadata: { name: 'p' },
      spec: {
        affinity,
        tolerations,
        nodeSelector: { 'kubernetes.io/os': 'linux' },
        imagePullSecrets: [{ name: 'regcred' }],
        containers: [{ name: 'c', env, resources: { requests: { cpu: '250m', memory: '1Gi' }, limits: { memory: '2Gi' } } }],
      },
    });
    expect(() => pod.validate()).not.toThrow();
  });

  test("Kubernetes-typed keys whose default holds something are required (Helm drops a null key's default)", () => {
    const kubernetesKeys = [
      'tolerations',
      'affinity',
      'nodeSelector',
      'topologySpreadConstraints',
      'resources',
      'requests',
      'limits',
      'env',
      'imagePullSecrets',
    ];
    const holds = (d: unknown) => d !== undefined && (Array.isArray(d) ? d.length > 0 : typeof d !== 'object' || d === null || Object.keys(d).length > 0);
    const found: string[] = [];
    const visit = (s: any, d: any, path: string[]) => {
      for (const [k, sub] of Object.entries<any>(s.properties ?? {})) {
        const childDefault = d?.[k];
        if (kubernetesKeys.includes(k) && holds(childDefault)) {
          found.push([...path, k].join('.'));
          expect({ key: [...path, k].join('.'), required: (s.required ?? []).includes(k) }).toEqual({ key: [...path, k].join('.'), required: true });
        }
        if (sub.type === 'object' && sub.properties) visit(sub, childDefault, [...path, k]);
      }
    };
    visit(schemaJson, defaults, []);
    expect(found).toEqual(
      expect.arrayContaining(
        def.name === 'ollyscale-otel'
          ? [
              'agentCollector.tolerations',
              'ebpfAgent.tolerations',
              'gatewayCollector.resources',
              'gatewayCollector.resources.limits',
              'instrumentation.python.env',
            ]
          : ['resources', 'resources.requests'],
      ),
    );
  });
});
