// Value shapes that several components share: pod scheduling, resources, images, env.
import { Field, JsonSchema, v } from './model';
import { kubernetesProperty, kubernetesSchema } from './kubernetes';

/** An image pinned by tag; `global.imageRegistry` replaces its registry. */
export const image = (what: string, repository: string, tag: string) => {
  const min = repository ? 1 : 0; // an empty default means "inherit"
  return v.object(`Image of ${what}.`, {
    repository: v.string({ description: 'Image repository.', default: repository, minLength: min }),
    tag: v.string({ description: 'Image tag, pinned (never `latest`).', default: tag, minLength: min, extra: { not: { const: 'latest' } } }),
  });
};

export const pullPolicy = (def = 'IfNotPresent') => v.string({ description: 'Image pull policy.', default: def, enum: ['Always', 'IfNotPresent', 'Never'] });

/**
 * Whether a default holds something. Helm deletes a key given as `null` before validating, so the
 * key renders as absent: the same as an empty default, but a default that holds something would be
 * silently dropped. Such keys are `notNull` (required): `null` fails the schema, naming the key.
 */
const holds = (d: unknown): boolean =>
  d !== undefined && !(Array.isArray(d) ? d.length === 0 : typeof d === 'object' && d !== null && Object.keys(d).length === 0);

// Kubernetes' own schemas (kubernetes.ts), of the pod and container fields the values feed.
const POD = 'io.k8s.api.core.v1.PodSpec';
const CONTAINER = 'io.k8s.api.core.v1.Container';

type Quantities = Record<string, string>;

/** A resource name (`cpu`, `memory`, `nvidia.com/gpu`). */
const RESOURCE_NAME = '^[a-zA-Z0-9./-]+$';

/**
 * Kubernetes container resources (its ResourceRequirements: requests and limits, maps of quantities,
 * nothing else), with a component's defaults. `claims` is left out: a claim names one of the pod's
 * `resourceClaims`, which the chart does not render, so the pod would be refused.
 */
export const containerResources = (
  description: string,
  def: { requests?: Quantities; limits?: Quantities },
  limitsDescription = 'Resource limits (cpu, memory).',
) => {
  const k8s = kubernetesProperty(CONTAINER, 'resources');
  const props = k8s.properties as Record<string, JsonSchema>;
  const omitted = Object.keys(props).filter((k) => !['requests', 'limits'].includes(k));
  if (omitted.join() !== 'claims')
    throw new Error(`common.ts: Kubernetes' ResourceRequirements has ${Object.keys(props).join(', ')}; the model has requests and limits`);
  const quantities = (key: 'requests' | 'limits', description: string, d?: Quantities) =>
    v.schema<Quantities>({ ...props[key], propertyNames: { pattern: RESOURCE_NAME } }, { description, ...(d && { default: d, notNull: holds(d) }) });
  return v.object(
    description,
    { requests: quantities('requests', 'Resource requests (cpu, memory).', def.requests), limits: quantities('limits', limitsDescription, def.limits) },
    { notNull: holds(def) },
  );
};

/** A collector's resources: `limits.memory` also drives GOMEMLIMIT and the memory limiter. */
export const resources = (what: string, requests: Quantities, limits: Quantities) =>
  containerResources(
    `Container resources of ${what}. \`limits.memory\` drives GOMEMLIMIT (80%) and the memory limiter.`,
    { requests, limits },
    'Resource limits; set `memory` so GOMEMLIMIT and the memory limiter can be derived.',
  );

export const stringMap = (description: string) => v.stringMap(description);

const ENV_NAME = '^[A-Za-z_][A-Za-z0-9_.-]*$';
/** The chart writes numbers and booleans as strings (CHART.envValue), so an env value may be any scalar. */
const ENV_VALUE = { type: ['string', 'number', 'boolean'] };

/**
 * Extra environment variables, in either of two shapes that render the same env list: a map
 * (name -> value, or name -> {valueFrom}), which merges across values files, or the Kubernetes list
 * (`[{name, value | valueFrom}]`, Kubernetes' EnvVar), the original chart's form. `valueFrom` is
 * Kubernetes' EnvVarSource in both. Without defaults the key is left out of values.yaml: a default
 * `{}` would make Helm warn when a user gives the list.
 */
export const env = (what: string, def?: Record<string, string>) => {
  const envVar = (kubernetesProperty(CONTAINER, 'env') as { items: JsonSchema }).items;
  const p = envVar.properties as Record<string, JsonSchema>;
  return v.schema(
    {
      anyOf: [
        {
          type: 'object',
          propertyNames: { pattern: ENV_NAME },
          additionalProperties: {
            anyOf: [ENV_VALUE, { type: 'object', additionalProperties: false, required: ['valueFrom'], properties: { valueFrom: p.valueFrom } }],
          },
        },
        { type: 'array', items: { ...envVar, properties: { ...p, name: { ...p.name, pattern: ENV_NAME }, value: { ...p.value, ...ENV_VALUE } } } },
      ],
    },
    {
      description: `Extra environment variables of ${what}: a map name -> value or name -> {valueFrom} (merges across values files), or the Kubernetes list [{name, value or valueFrom}].`,
      ...(def && { default: def, notNull: holds(def) }),
    },
  );
};

/**
 * A Kubernetes Toleration, with what the API server checks beyond its OpenAPI: an empty `operator`
 * or `effect` is Go's zero value (Equal; every effect), `tolerationSeconds` only with `NoExecute`,
 * no `value` with `Exists`, `Exists` when there is no `key` (the OpenAPI says so in words).
 */
function toleration(): JsonSchema {
  const t = kubernetesSchema('io.k8s.api.core.v1.Toleration');
  const p = t.properties as Record<string, JsonSchema>;
  for (const k of ['operator', 'effect']) p[k] = { ...p[k], enum: ['', ...(p[k].enum as string[])] };
  return {
    ...t,
    allOf: [
      { if: { required: ['tolerationSeconds'] }, then: { required: ['effect'], properties: { effect: { const: 'NoExecute' } } } },
      { if: { required: ['operator'], properties: { operator: { const: 'Exists' } } }, then: { properties: { value: { const: '' } } } },
      {
        if: { not: { required: ['key'], properties: { key: { minLength: 1 } } } },
        then: { required: ['operator'], properties: { operator: { const: 'Exists' } } },
      },
    ],
  };
}

export const tolerations = (def: unknown[] = []) =>
  v.schema<unknown[]>(
    { ...kubernetesProperty(POD, 'tolerations'), items: toleration() },
    { description: 'Pod tolerations (a list replaces the default whole).', default: def, notNull: holds(def) },
  );

/** The usual pod scheduling keys (Kubernetes' own schemas). */
export function scheduling(what: string, tolerationsDefault: unknown[] = []) {
  return {
    nodeSelector: v.schema<Record<string, string>>(kubernetesProperty(POD, 'nodeSelector'), { description: `Node selector of ${what} pods.`, default: {} }),
    tolerations: tolerations(tolerationsDefault),
    affinity: v.schema(kubernetesProperty(POD, 'affinity'), { description: `Affinity of ${what} pods.`, default: {} }),
    priorityClassName: v.string({ description: `PriorityClass of ${what} pods (empty: none).`, default: '', notNull: true }),
  };
}

/** Topology spread constraints of a component's pods (Kubernetes' TopologySpreadConstraint list). */
export const topologySpreadConstraints = (description: string) =>
  v.schema<unknown[]>(kubernetesProperty(POD, 'topologySpreadConstraints'), { description, default: [] });

/**
 * Image pull secrets (Kubernetes' LocalObjectReference list), with a name required: the API allows
 * an empty one only for compatibility. `notNull`: a ServiceAccount would render `imagePullSecrets: null`.
 */
export const imagePullSecrets = (description: string) => {
  const s = kubernetesProperty(POD, 'imagePullSecrets');
  const item = s.items as JsonSchema;
  const name = (item.properties as Record<string, JsonSchema>).name;
  return v.schema<{ name: string }[]>(
    { ...s, items: { ...item, required: ['name'], properties: { ...(item.properties as object), name: { ...name, minLength: 1 } } } },
    { description, default: [], notNull: true },
  );
};

/** Properties of Kubernetes' container SecurityContext, each merged with the chart's (description, limits). */
export const securityContextProperties = (own: Record<string, JsonSchema>): Record<string, JsonSchema> => {
  const k8s = kubernetesSchema('io.k8s.api.core.v1.SecurityContext', { only: Object.keys(own) }).properties as Record<string, JsonSchema>;
  return Object.fromEntries(Object.entries(own).map(([k, s]) => [k, { ...k8s[k], ...s }]));
};

/** `enabled` of a component or feature. */
export const enabled = (what: string, def: boolean): Field<boolean> => v.boolean({ description: `Deploy ${what}.`, default: def });

/** A DNS-1123 label, used for names that become object names. */
export const DNS_LABEL = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';
/** A Kubernetes object name (DNS subdomain): Secrets, StorageClasses. */
export const OBJECT_NAME = '^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$';
