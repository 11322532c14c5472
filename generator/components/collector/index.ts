// The parts every collector component shares: the values every collector has, its Service
// names (the Operator's naming, derived once), and the collector itself, described once and rendered
// by the runtime `collectorRuntime` selects (operator.ts, native.ts).
import * as path from 'path';
import { LibraryConstant, TemplateScope, TemplatedObject } from '../../emitter/helm-chart';
import { Condition, IncludeArg, IncludeRef, RefTree, ValueRef, cond } from '../../emitter/refs';
import { ObjectField, v } from '../../values/model';
import { env, image as imageField, resources, scheduling } from '../../values/common';
import { kubernetesSchema } from '../../values/kubernetes';
import { ChartContext } from '../context';
import { PolicyRule, ServiceAccountWithRbac } from '../rbac';
import { Construct } from 'constructs';
import { CollectorDescription, Persistence, Scaling, collectorSecurity } from './description';
import { NativeCollector } from './native';
import { CONFIG_DIR, DEST_TLS_DIR, MOUNT_DIRS, PORT_CONSTANTS, collectorEndpoints } from './endpoints';
import { DESTINATIONS } from '../gateway/destination-types';
export { CONFIG_DIR, CONFIG_FILE, DEST_TLS_DIR, MOUNT_DIRS, PORTS, PORT_CONSTANTS, TEST_COMPONENT, collectorEndpoints } from './endpoints';
import { OperatorCollector } from './operator';

/** What every collector's config, env and volumes are computed with; native.tpl renders the native runtime. */
const TEMPLATES = ['collector.tpl', 'memory.tpl', 'merge.tpl', 'native.tpl', 'network-policy.tpl'];

/** A collector component id: `type` or `type/name`, as the collector parses it. */
export const PROCESSOR_ID = '^[a-zA-Z][0-9a-zA-Z_]{0,62}(/\\S+)?$';

function extraProcessorList(signal: 'traces' | 'metrics' | 'logs' | 'profiles') {
  const after = signal === 'traces' ? "the chart's own processors (in the gateway, after `tail_sampling`)" : "the chart's own processors";
  return v.list(v.string({ description: 'A processor id (`type` or `type/name`) defined under `config.processors`.', pattern: PROCESSOR_ID }), {
    description:
      `Processor ids defined under \`config.processors\`, added in this order to the ${signal} pipeline after ${after} and before \`batch\`; an undefined id fails the render.` +
      (signal === 'profiles' ? ' Applies once the chart renders profiles pipelines (none yet).' : ''),
    default: [],
    uniqueItems: true,
  });
}

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
      description: `Collector configuration deep-merged over the generated one (maps merge, lists replace, \`null\` removes a key). A pipeline that uses an undefined component is refused at render time. A pipeline's \`processors\` list given here replaces the chart's whole (NOTES.txt warns when it leaves out \`memory_limiter\`, \`tail_sampling\` or \`filter/health-checks\`); to add processors, use \`extraProcessors\`.`,
      default: {},
    }),
    networkPolicy: v.object(
      `A NetworkPolicy fencing the ${what}'s pods: ingress only on its receivers' ports (and on the health port from the release's \`helm test\` pod), egress only to DNS, the ports its exporters send to, and the API server or kubelet where a feature reads them.`,
      {
        enabled: v.boolean({ description: 'Render the NetworkPolicy.', default: false }),
        extraIngress: v.schema(
          { type: 'array', items: kubernetesSchema('io.k8s.api.networking.v1.NetworkPolicyIngressRule') },
          { description: 'Ingress rules appended (Kubernetes NetworkPolicyIngressRule; e.g. senders outside the chart).', default: [] },
        ),
        extraEgress: v.schema(
          { type: 'array', items: kubernetesSchema('io.k8s.api.networking.v1.NetworkPolicyEgressRule') },
          { description: 'Egress rules appended (Kubernetes NetworkPolicyEgressRule).', default: [] },
        ),
      },
    ),
    extraProcessors: v.object(
      `Processors added to the ${what}'s pipelines without removing the chart's own: ids defined under \`config.processors\`, inserted after every processor the chart puts in that pipeline (in the gateway's traces, after \`tail_sampling\`) and before \`batch\`. An undefined id is refused at render time. A pipeline whose \`processors\` list \`config.service.pipelines\` replaces keeps that list as given.`,
      {
        traces: extraProcessorList('traces'),
        metrics: extraProcessorList('metrics'),
        logs: extraProcessorList('logs'),
        profiles: extraProcessorList('profiles'),
      },
    ),
  };
}

/** The gate `profiles` pipelines need (alpha in this release), while `profiles.enabled`. */
export const profilesGate = (ctx: ChartContext) => ({ gate: 'service.profilesSupport', when: cond.is(ctx.top.profiles.enabled) });

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
  /** The component's own template files (its config template) and the constants they read. */
  templates?: { files: string[]; constants?: Record<string, LibraryConstant> };
  /** Deployment mode: replicas, autoscaling and disruption budget. */
  scaling?: Scaling;
  /** Deployment mode: the pods' topologySpreadConstraints (a template's YAML list). */
  topologySpread?: IncludeRef;
  /** Deployment mode: while it holds, a StatefulSet with a claim per replica. */
  persistence?: Persistence;
  /** A feature gate the collector starts with while its condition holds. */
  featureGate?: { gate: string; when: Condition };
  /** A collector that shares another's values: its own name and resources instead of the values'. */
  name?: IncludeRef;
  resources?: ValueRef;
  /** false: no Services (a collector that receives nothing over the network). */
  services?: boolean;
  /** Who may reach its receivers under its NetworkPolicy: "anywhere", "cluster", or this release's components (comma-separated). */
  ingressPeers?: string;
  /** While this holds the collector runs as root (see `collectorSecurity`); otherwise never. */
  runsAsRoot?: Condition | ValueRef;
  grants?: { feature: string; rules: PolicyRule[]; when?: Condition }[];
  /** Destinations whose Secrets the collector mounts (the gateway's, or a forwarder's fallback). */
  destinations?: ValueRef;
  /** For forwarders: while this holds, the destinations are the gateway's and not mounted here. */
  viaGateway?: ValueRef;
  /** For forwarders: the gateway's `receivers` values, whose Secrets they mount to present them. */
  gatewayReceivers?: ValueRef;
  /** The component's own env entries (literals; `whenItem` for conditional ones), before the collector-wide ones. */
  env?: unknown[];
  /** Component templates printing extra volumes and volume mounts (YAML lists). */
  extraVolumes?: IncludeRef;
  extraVolumeMounts?: IncludeRef;
}

/** A collector: its ServiceAccount and RBAC, and its workload in the chosen runtime. */
export class Collector extends TemplateScope {
  /** Its Service names and hosts (also defined as templates other components include). */
  readonly endpoints: ReturnType<typeof collectorEndpoints>;
  constructor(scope: Construct, id: string, p: CollectorProps) {
    super(scope, id, { file: p.file, when: p.when });
    p.ctx.chart.useTemplates(
      [...TEMPLATES.map((f) => path.join(__dirname, f)), ...(p.templates?.files ?? [])],
      // DESTINATIONS: destination type -> { exporter, signals }, read by "CHART.destinations" through fromJson.
      { ...PORT_CONSTANTS, ...MOUNT_DIRS, DEST_TLS_DIR, CONFIG_DIR, DESTINATIONS, ...p.templates?.constants },
    );
    const { ctx, values: r } = p;
    const name = p.name ?? r.name;
    const resources = p.resources ?? r.resources.$;
    this.endpoints = collectorEndpoints(ctx, p.component, name);
    const sa = new ServiceAccountWithRbac(this, 'rbac', { ctx, component: p.component, suffix: name, grants: p.grants });
    const c = ctx.chart;
    const destinationArgs: Record<string, IncludeArg> = {
      ...(p.destinations && { destinations: p.destinations }),
      ...(p.viaGateway && { viaGateway: p.viaGateway }),
      ...(p.gatewayReceivers && { gatewayReceivers: p.gatewayReceivers }),
    };
    const envArgs = { values: r.$, resources, ...destinationArgs };
    const volumes = (part: string, extra?: IncludeRef) => c.include('collector.volumes', { part, ...destinationArgs, ...(extra && { extra }) });
    const d: CollectorDescription = {
      ctx,
      component: p.component,
      name,
      mode: p.mode,
      serviceAccount: sa.name,
      image: ctx.collectorImage(r.image.$),
      imagePullPolicy: ctx.top.collectorImage.pullPolicy,
      resources,
      podAnnotations: r.podAnnotations,
      podLabels: r.podLabels,
      scheduling: {
        nodeSelector: r.nodeSelector,
        tolerations: r.tolerations,
        affinity: r.affinity,
        priorityClassName: r.priorityClassName,
        topologySpread: p.topologySpread,
      },
      security: collectorSecurity(p.runsAsRoot),
      env: p.env ? [...p.env, c.includeItems('collector.env', envArgs)] : c.include('collector.env', envArgs),
      volumes: volumes('volumes', p.extraVolumes),
      volumeMounts: volumes('volumeMounts', p.extraVolumeMounts),
      configArgs: { component: p.component, values: r.$, key: p.valuesKey, ...p.configArgs },
      services: p.services ?? true,
      scaling: p.scaling,
      persistence: p.persistence,
      featureGate: p.featureGate,
    };
    new TemplatedObject(this, 'network-policy', {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: ctx.meta(this.endpoints.service.token, p.component),
      when: cond.is(r.networkPolicy.enabled),
      spec: c.include('collector.networkPolicy', { ...d.configArgs, peers: p.ingressPeers ?? 'cluster' }),
    });
    const runtime = ctx.top.collectorRuntime;
    new OperatorCollector(this, 'operator', d, cond.eq(runtime, 'operator'));
    new NativeCollector(this, 'native', d, cond.eq(runtime, 'native'));
  }
}
