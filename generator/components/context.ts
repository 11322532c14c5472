// What every component of a chart shares: the chart, its top-level values, and the naming and
// labelling conventions (all derived here once, and rendered by the helper library).
import * as path from 'path';
import { HelmChart, TemplatedMetadata } from '../emitter/helm-chart';
import { Condition, IncludeArg, RefTree, ValueRef, optional, release } from '../emitter/refs';
import { Field, ObjectField, v } from '../values/model';
import { DNS_LABEL, imagePullSecrets, pullPolicy } from '../values/common';
import { COLLECTOR_IMAGE } from '../distribution';

const LEGACY = 'accepted for values files of the original chart; no effect (NOTES.txt says so).';

/**
 * Keys of the original chart that have no effect, with the NOTES.txt line each gets when it is set
 * (`ifSet: 'value'`: a non-empty value, `'key'`: the key present at all; `{namespace}` is the release
 * namespace). A chart passes its list to "CHART.deprecatedKeys" as @DEPRECATED_KEYS@, and
 * `checkDeprecatedKeys` makes generation fail unless the list names exactly its model's deprecated fields.
 */
export interface DeprecatedKey {
  path: string[];
  ifSet: 'value' | 'key';
  note: string;
}
export const GLOBAL_DEPRECATED_KEYS: DeprecatedKey[] = [
  { path: ['global', 'namespace'], ifSet: 'value', note: 'has no effect; the chart installs into the release namespace ("{namespace}").' },
  { path: ['global', 'ollyscaleNamespace'], ifSet: 'value', note: "has no effect; set the ollyscale destination's endpoint instead." },
];

/** Fails unless `keys` names exactly the deprecated fields of `model`, outside the components that print their own notes (`own`). */
export function checkDeprecatedKeys(chart: string, model: ObjectField, keys: DeprecatedKey[], own: string[] = []): void {
  const found: string[] = [];
  const walk = (f: Field, p: string[]): void => {
    if (f.options.deprecated) found.push(p.join('.'));
    if (f instanceof ObjectField && !own.includes(p[0])) for (const [k, c] of Object.entries(f.props as Record<string, Field>)) walk(c, [...p, k]);
  };
  walk(model, []);
  const listed = keys.map((d) => d.path.join('.'));
  if (found.sort().join() !== [...listed].sort().join())
    throw new Error(`${chart}: its deprecated keys (${listed.join(', ')}) must name the model's deprecated fields (${found.join(', ')})`);
}

/** The paths of every `env` key of a chart's model (NOTES.txt names those given as a list). */
export function envPaths(model: ObjectField): string[][] {
  const out: string[][] = [];
  const walk = (f: Field, p: string[]): void => {
    if (p[p.length - 1] === 'env') out.push(p);
    else if (f instanceof ObjectField) for (const [k, c] of Object.entries(f.props as Record<string, Field>)) walk(c, [...p, k]);
  };
  walk(model, []);
  return out;
}

/** Top-level values every chart of the suite has. */
export const chartValues = {
  global: v.object('Settings for every component of the chart.', {
    clusterName: v.string({ description: 'When set, every collector upserts the resource attribute `k8s.cluster.name`.', default: '' }),
    imageRegistry: v.string({
      description: 'When set, replaces the registry part of every image the chart deploys.',
      default: '',
      pattern: '^$|^[a-zA-Z0-9.-]+(:[0-9]+)?(/[a-zA-Z0-9._/-]+)?$',
    }),
    imagePullSecrets: imagePullSecrets(
      "Image pull secrets added to every pod the chart renders and to the ServiceAccounts it creates (the Operator runtime's collector pods get them through their ServiceAccount).",
    ),
    namespace: v.string({ description: 'Namespace of the original chart.', deprecated: LEGACY }),
    ollyscaleNamespace: v.string({ description: 'Namespace of the OllyScale backend in the original chart.', deprecated: LEGACY }),
  }),
  nameOverride: v.string({ description: 'Replaces the chart name in object names.', default: '', pattern: `^$|${DNS_LABEL}` }),
  fullnameOverride: v.string({ description: 'Replaces the release-and-chart full name in object names.', default: '', pattern: `^$|${DNS_LABEL}` }),
  collectorRuntime: v.string({
    description:
      'How collectors run. `operator`: OpenTelemetryCollector v1beta1 resources, managed by the OpenTelemetry Operator (install it first). `native`: the chart renders the ConfigMaps, DaemonSet/Deployments, Services (same names as the Operator gives them), HPA and PodDisruptionBudget itself, with the same collector configurations; no Operator needed except for the Instrumentation resource.',
    default: 'operator',
    enum: ['operator', 'native'],
  }),
  profiles: v.object('The profiles signal (alpha in the collector).', {
    enabled: v.boolean({
      description:
        'Add `profiles` pipelines (agent → gateway → destinations whose `signals` include `profiles`) and the collector feature gate `service.profilesSupport` they need.',
      default: false,
    }),
  }),
  commonLabels: v.stringMap('Labels added to every rendered object.'),
  commonAnnotations: v.stringMap('Annotations added to every rendered object.'),
  collectorImage: v.object('The collector image of every collector, unless a component sets its own `image`.', {
    repository: v.string({
      description: 'Collector image repository (the contrib distribution: the k8s distribution lacks Kafka and Prometheus remote write).',
      default: COLLECTOR_IMAGE.repository,
      minLength: 1,
    }),
    tag: v.string({
      description: 'Collector image tag, pinned (never `latest`).',
      default: COLLECTOR_IMAGE.tag,
      minLength: 1,
      extra: { not: { const: 'latest' } },
    }),
    pullPolicy: pullPolicy(),
  }),
};

export type ChartRefs = { [K in keyof typeof chartValues]: RefTree<(typeof chartValues)[K]> };

/** What every component construct is given: the chart, its values, and when it is rendered. */
export interface ComponentProps<M> {
  ctx: ChartContext;
  values: RefTree<M>;
  /** Path of the component's values with a trailing dot (`gatewayCollector.`), or '' at a chart's root; for messages. */
  valuesKey: string;
  when?: Condition;
}

export class ChartContext {
  constructor(
    readonly chart: HelmChart,
    readonly top: ChartRefs,
  ) {
    // Names and labels of every object, and the env shapes every component accepts.
    chart.useTemplates([path.join(__dirname, 'names.tpl'), path.join(__dirname, 'env.tpl')]);
  }

  /** Standard metadata of a namespaced (default) or cluster-scoped object of a component. */
  meta(name: string, component: string, clusterScoped = false): TemplatedMetadata {
    return {
      name,
      ...(clusterScoped ? {} : { namespace: release.namespace().token }),
      labels: this.chart.include('labels', { component }),
      annotations: optional(this.top.commonAnnotations),
    };
  }
  /** `<fullname>-<suffix>` */
  componentName(suffix: IncludeArg): string {
    return this.chart.includeScalar('componentName', { suffix }).token;
  }
  /** `<fullname>-<namespace>-<suffix>`, for ClusterRoles and ClusterRoleBindings. */
  clusterScopedName(suffix: IncludeArg): string {
    return this.chart.includeScalar('clusterScopedName', { suffix }).token;
  }
  /** The image of a collector: its own `image` when set, else `collectorImage`. */
  collectorImage(own: ValueRef): string {
    return this.chart.includeScalar('collectorImage', { image: own }).token;
  }
}
