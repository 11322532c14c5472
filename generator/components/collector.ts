// The parts every collector component shares: the values every collector has, its Service
// names (the Operator's naming, derived once), and the OpenTelemetryCollector resource.
import { TemplateScope, TemplatedObject } from '../emitter/helm-chart';
import { Condition, IncludeArg, IncludeRef, RefTree, ValueRef, optional, release } from '../emitter/refs';
import { ObjectField, v } from '../values/model';
import { env, image as imageField, resources, scheduling } from '../values/common';
import { ChartContext } from './context';
import { PolicyRule, ServiceAccountWithRbac } from './rbac';
import { Construct } from 'constructs';

export const PORTS = { otlpGrpc: 4317, otlpHttp: 4318, health: 13133 } as const;
/** Where destination TLS Secrets are mounted in collector containers. */
export const DEST_TLS_DIR = '/etc/otelcol/destinations';

/** Values every collector component has. */
export function collectorProps(what: string, name: string, req: Record<string, string>, lim: Record<string, string>, tolerationsDefault: unknown[] = []) {
  return {
    name: v.string({
      description: `Name of the ${what}'s OpenTelemetryCollector; its Services are \`<name>-collector\` and \`<name>-collector-headless\`.`,
      default: name,
      pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$',
      maxLength: 42,
    }),
    image: imageField(`the ${what} (empty repository: \`collectorImage\`)`, '', ''),
    resources: resources(`the ${what}`, req, lim),
    podAnnotations: v.stringMap(`Annotations of the ${what}'s pods.`),
    podLabels: v.stringMap(`Labels of the ${what}'s pods.`),
    ...scheduling(`the ${what}`, tolerationsDefault),
    env: env(`the ${what}`),
    config: v.freeform({
      description: `Collector configuration deep-merged over the generated one (maps merge, lists replace, \`null\` removes a key). A pipeline that uses an undefined component is refused at render time.`,
      default: {},
    }),
  };
}

/** Service names and in-cluster hosts of a collector named by `name` (the Operator's convention). */
export function collectorEndpoints(ctx: ChartContext, component: string, name: ValueRef) {
  const ns = release.namespace();
  return {
    service: ctx.chart.defineString(`${component}.service`, [name, '-collector']),
    host: ctx.chart.defineString(`${component}.host`, [name, '-collector.', ns, '.svc.cluster.local']),
    headlessHost: ctx.chart.defineString(`${component}.headlessHost`, [name, '-collector-headless.', ns, '.svc.cluster.local']),
  };
}

type CollectorRefs = RefTree<ObjectField<ReturnType<typeof collectorProps>>>;

export interface CollectorProps {
  ctx: ChartContext;
  /** `gateway`, `agent`, `browser`: selects the config template and labels. */
  component: string;
  values: CollectorRefs;
  /** The values path of the component, for messages (`gatewayCollector`, or `` at a chart's root). */
  valuesKey: string;
  mode: 'deployment' | 'daemonset';
  file: string;
  when?: Condition;
  /** Extra arguments of the config and env templates (e.g. the gateway's values for forwarders). */
  configArgs?: Record<string, IncludeArg>;
  /** Extra spec fields (replicas, scaling, ...). */
  spec?: Record<string, unknown>;
  grants?: { feature: string; rules: PolicyRule[]; when?: Condition }[];
  /** Destinations whose Secrets the collector mounts (the gateway's, or a forwarder's fallback). */
  destinations?: ValueRef;
  /** For forwarders: while this holds, the destinations are the gateway's and not mounted here. */
  viaGateway?: ValueRef;
  /** Component templates printing extra env entries, volumes and volume mounts (YAML lists). */
  extraEnv?: IncludeRef;
  extraVolumes?: IncludeRef;
  extraVolumeMounts?: IncludeRef;
}

/** A collector: its ServiceAccount and RBAC, and an OpenTelemetryCollector v1beta1. */
export class Collector extends TemplateScope {
  constructor(scope: Construct, id: string, p: CollectorProps) {
    super(scope, id, { file: p.file, when: p.when });
    const { ctx, values: r } = p;
    const sa = new ServiceAccountWithRbac(this, 'rbac', { ctx, component: p.component, suffix: r.name, grants: p.grants });
    const c = ctx.chart;
    const destinationArgs: Record<string, IncludeArg> = {
      ...(p.destinations && { destinations: p.destinations }),
      ...(p.viaGateway && { viaGateway: p.viaGateway }),
    };
    new TemplatedObject(this, 'collector', {
      apiVersion: 'opentelemetry.io/v1beta1',
      kind: 'OpenTelemetryCollector',
      metadata: { ...ctx.meta(r.name.token, p.component), labels: c.include('labels', { component: p.component, extra: r.podLabels }) },
      spec: {
        mode: p.mode,
        image: ctx.collectorImage(r.image.$),
        imagePullPolicy: ctx.top.collectorImage.pullPolicy,
        serviceAccount: sa.name,
        resources: r.resources.$,
        env: c.include('collector.env', { values: r.$, ...destinationArgs, ...(p.extraEnv && { extra: p.extraEnv }) }),
        volumes: c.include('collector.volumes', { part: 'volumes', ...destinationArgs, ...(p.extraVolumes && { extra: p.extraVolumes }) }),
        volumeMounts: c.include('collector.volumes', { part: 'volumeMounts', ...destinationArgs, ...(p.extraVolumeMounts && { extra: p.extraVolumeMounts }) }),
        podAnnotations: r.podAnnotations,
        nodeSelector: optional(r.nodeSelector),
        tolerations: optional(r.tolerations),
        affinity: optional(r.affinity),
        priorityClassName: r.priorityClassName,
        config: c.include('collector.config', { component: p.component, values: r.$, key: p.valuesKey, ...p.configArgs }),
        ...p.spec,
      },
    });
  }
}
