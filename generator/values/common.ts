// Value shapes that several components share: pod scheduling, resources, images, env.
import { Field, JsonSchema, v } from './model';

/** An image pinned by tag; `global.imageRegistry` replaces its registry. */
export const image = (what: string, repository: string, tag: string) => {
  const min = repository ? 1 : 0; // an empty default means "inherit"
  return v.object(`Image of ${what}.`, {
    repository: v.string({ description: 'Image repository.', default: repository, minLength: min }),
    tag: v.string({ description: 'Image tag, pinned (never `latest`).', default: tag, minLength: min, extra: { not: { const: 'latest' } } }),
  });
};

export const pullPolicy = (def = 'IfNotPresent') => v.string({ description: 'Image pull policy.', default: def, enum: ['Always', 'IfNotPresent', 'Never'] });

const quantityMap = (description: string) => v.map(v.quantity({ description: 'Quantity.' }), { description, keyPattern: '^[a-zA-Z0-9./-]+$' });

type Quantities = Record<string, string>;

/** Kubernetes container resources (requests and limits), with a component's defaults. */
export const containerResources = (
  description: string,
  def: { requests?: Quantities; limits?: Quantities },
  limitsDescription = 'Resource limits (cpu, memory).',
) => v.object(description, { requests: quantityMap('Resource requests (cpu, memory).'), limits: quantityMap(limitsDescription) }, { default: def });

/** A collector's resources: `limits.memory` also drives GOMEMLIMIT and the memory limiter. */
export const resources = (what: string, requests: Quantities, limits: Quantities) =>
  containerResources(
    `Container resources of ${what}. \`limits.memory\` drives GOMEMLIMIT (80%) and the memory limiter.`,
    { requests, limits },
    'Resource limits; set `memory` so GOMEMLIMIT and the memory limiter can be derived.',
  );

export const stringMap = (description: string) => v.stringMap(description);

const ENV_NAME = '^[A-Za-z_][A-Za-z0-9_.-]*$';
const ENV_VALUE = { type: ['string', 'number', 'boolean'] };
const VALUE_FROM = { type: 'object', description: 'A Kubernetes EnvVarSource (secretKeyRef, configMapKeyRef, fieldRef, resourceFieldRef).' };

/**
 * Extra environment variables, in either of two shapes that render the same env list: a map
 * (name -> value, or name -> {valueFrom}), which merges across values files, or the Kubernetes list
 * (`[{name, value | valueFrom}]`), the original chart's form. Without defaults the key is left out of
 * values.yaml: a default `{}` would make Helm warn when a user gives the list.
 */
export const env = (what: string, def?: Record<string, string>) =>
  v.freeform(
    {
      description: `Extra environment variables of ${what}: a map name -> value or name -> {valueFrom} (merges across values files), or the Kubernetes list [{name, value or valueFrom}].`,
      ...(def && { default: def }),
      extra: {
        anyOf: [
          {
            type: 'object',
            propertyNames: { pattern: ENV_NAME },
            additionalProperties: {
              anyOf: [ENV_VALUE, { type: 'object', additionalProperties: false, required: ['valueFrom'], properties: { valueFrom: VALUE_FROM } }],
            },
          },
          {
            type: 'array',
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['name'],
              properties: { name: { type: 'string', pattern: ENV_NAME }, value: ENV_VALUE, valueFrom: VALUE_FROM },
            },
          },
        ],
      },
    },
    'any',
  );

/**
 * A Kubernetes Toleration, checked as the API server checks it: field types (a `tolerationSeconds`
 * of `"30"` would otherwise render an object the API server rejects), the operator and effect enums,
 * `tolerationSeconds` only with `NoExecute`, no `value` with `Exists`.
 */
const TOLERATION: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    key: { type: 'string', description: 'Taint key (empty with `Exists`: every taint).' },
    operator: { type: 'string', enum: ['Exists', 'Equal'], description: 'Exists or Equal (the default).' },
    value: { type: 'string', description: 'Taint value (Equal only).' },
    effect: { type: 'string', enum: ['', 'NoSchedule', 'PreferNoSchedule', 'NoExecute'], description: 'Taint effect (empty: every effect).' },
    tolerationSeconds: { type: 'integer', description: 'How long a NoExecute taint is tolerated.' },
  },
  allOf: [
    { if: { required: ['tolerationSeconds'] }, then: { required: ['effect'], properties: { effect: { const: 'NoExecute' } } } },
    { if: { required: ['operator'], properties: { operator: { const: 'Exists' } } }, then: { properties: { value: { const: '' } } } },
  ],
};

export const tolerations = (def: unknown[] = []) =>
  v.freeform<unknown[]>({ description: 'Pod tolerations (a list replaces the default whole).', default: def, extra: { items: TOLERATION } }, 'array');

/** The usual pod scheduling keys. */
export function scheduling(what: string, tolerationsDefault: unknown[] = []) {
  return {
    nodeSelector: v.stringMap(`Node selector of ${what} pods.`),
    tolerations: tolerations(tolerationsDefault),
    affinity: v.freeform({ description: `Affinity of ${what} pods.`, default: {} }),
    priorityClassName: v.string({ description: `PriorityClass of ${what} pods (empty: none).`, default: '', notNull: true }),
  };
}

/** `enabled` of a component or feature. */
export const enabled = (what: string, def: boolean): Field<boolean> => v.boolean({ description: `Deploy ${what}.`, default: def });

/** A DNS-1123 label, used for names that become object names. */
export const DNS_LABEL = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';
/** A Kubernetes object name (DNS subdomain): Secrets, StorageClasses. */
export const OBJECT_NAME = '^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$';
