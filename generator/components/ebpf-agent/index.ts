// The eBPF agent: a DaemonSet that instruments every Kubernetes workload of its node without code
// changes (OBI, or the Telegen agent) and exports to the node-local agent collector (OBI over
// OTLP/HTTP, Telegen over OTLP/gRPC), so its traces are load-balanced by trace ID like everything
// else. Its own ServiceAccount and the read-only RBAC of Kubernetes metadata decoration (never Secrets).
import * as path from 'path';
import { PORT_CONSTANTS } from '../collector';
import { Construct } from 'constructs';
import { TemplateScope, TemplatedObject } from '../../emitter/helm-chart';
import { IncludeArg, ValueRef, choose, cond, optional } from '../../emitter/refs';
import { JsonSchema, v } from '../../values/model';
import { containerResources, pullPolicy, scheduling, securityContextProperties } from '../../values/common';
import { ComponentProps } from '../context';
import { PolicyRule, RULES, ServiceAccountWithRbac } from '../rbac';

export const EBPF_ENGINES = ['obi', 'telegen'] as const;

/**
 * Pinned images. OBI v0.11.0 is the OBI release the contrib collector of this chart builds in
 * (otelcol-contrib manifest); Docker Hub tags carry the `v`. Telegen 3.0.0 is the image its own Helm
 * chart pins (deployments/helm/values.yaml; its release workflow tags `3.0.0` and `v3.0.0`), and the
 * release whose config format the chart writes (test/reference/telegen-3.0.0).
 */
export const EBPF_IMAGES = {
  obi: { repository: 'otel/ebpf-instrument', tag: 'v0.11.0' },
  telegen: { repository: 'ghcr.io/mirastacklabs-ai/telegen', tag: '3.0.0' },
} as const;

/**
 * Capabilities of the unprivileged container: what OBI's capability check asks for application
 * instrumentation on kernels from 5.11 (Telegen 3.0.0 runs the same check, internal/obi/os.go), and
 * NET_ADMIN for context propagation (traffic-control programs). Older kernels need SYS_ADMIN
 * (`privileged: true`).
 */
export const EBPF_CAPABILITIES = ['BPF', 'SYS_PTRACE', 'NET_RAW', 'CHECKPOINT_RESTORE', 'DAC_READ_SEARCH', 'PERFMON'];
export const EBPF_CONTEXT_PROPAGATION_CAPABILITIES = ['NET_ADMIN'];

/**
 * Telegen 3.0.0 hands OBI the config file's `ebpf.discovery` in place of OBI's own (pipeline.go,
 * buildOBIConfig), dropping OBI's defaults; the chart writes them back, so that Telegen, like OBI,
 * leaves alone applications that already export OTLP (the Instrumentation's SDKs: no duplicate
 * spans), system namespaces and other telemetry agents.
 */
export const TELEGEN_DISCOVERY_DEFAULTS = {
  exclude_otel_instrumented_services: true,
  // The OTLP/gRPC port applications export to (OBI's default, not a chart setting).
  default_otlp_grpc_port: 4317,
  min_process_age: '5s',
  default_exclude_instrument: [
    { exe_path: '{*telegen,*alloy,*ebpf-instrument,*otelcol,*otelcol-contrib,*otelcol-contrib[!/]*}' },
    {
      k8s_namespace:
        '{kube-system,kube-node-lease,local-path-storage,grafana-alloy,cert-manager,monitoring,gke-connect,gke-gmp-system,gke-managed-cim,gke-managed-filestorecsi,gke-managed-metrics-server,gke-managed-system,gke-system,gke-managed-volumepopulator,gatekeeper-system}',
    },
  ],
};

/**
 * Kubernetes API reads of metadata decoration, per engine. Telegen 3.0.0 watches pods, services and
 * nodes (internal/kube: informers, and a node list to find its own node) and nothing else with the
 * config the chart writes (kube_metrics, which would read Secrets among much else, is off).
 */
const EBPF_RULES = {
  obi: RULES.obi,
  telegen: [{ apiGroups: [''], resources: ['pods', 'services', 'nodes'], verbs: ['get', 'list', 'watch'] }],
} satisfies Record<(typeof EBPF_ENGINES)[number], PolicyRule[]>;

/** Ports as OBI and Telegen parse them: `80`, `8000-8999`, `80,443,8000-8999`. */
const PORTS = '^$|^[0-9]+(-[0-9]+)?(,[0-9]+(-[0-9]+)?)*$';
const ENDPOINT = '^$|^(https?://)?[^\\s/]+(:[0-9]+)?(/[^\\s]*)?$';

/** A key of the original chart: strict in the schema, absent from values.yaml. */
const legacy = (description: string, deprecated: string, props: Record<string, JsonSchema>) =>
  v.freeform({ description, deprecated, extra: { additionalProperties: false, properties: props } }, 'object');

export const ebpfAgentModel = v.object('The eBPF agent (DaemonSet): zero-code traces and RED metrics of every workload on each node.', {
  enabled: v.boolean({ description: 'Deploy the eBPF agent.', default: false }),
  engine: v.string({
    description:
      '`obi`: OpenTelemetry eBPF Instrumentation, exporting OTLP/HTTP; `telegen`: the Telegen agent (3.0.0), configured through its own config file, exporting OTLP/gRPC.',
    default: 'obi',
    enum: EBPF_ENGINES,
  }),
  image: v.object(
    `Image of the eBPF agent. Empty repository or tag: the engine's pinned image (obi: \`${EBPF_IMAGES.obi.repository}:${EBPF_IMAGES.obi.tag}\`, telegen: \`${EBPF_IMAGES.telegen.repository}:${EBPF_IMAGES.telegen.tag}\`).`,
    {
      repository: v.string({ description: "Image repository (empty: the engine's).", default: '' }),
      tag: v.string({ description: "Image tag, pinned (never `latest`; empty: the engine's).", default: '', extra: { not: { const: 'latest' } } }),
      pullPolicy: pullPolicy(),
    },
  ),
  privileged: v.boolean({
    description: '`false`: root with only the capabilities eBPF instrumentation needs and `drop: [ALL]`; `true`: a privileged container.',
    default: false,
  }),
  contextPropagation: v.object('Trace-context propagation between instrumented services (writes `traceparent` into their traffic).', {
    enabled: v.boolean({ description: 'Propagate context: adds NET_ADMIN, host networking and the `/sys/kernel/tracing` host mount.', default: false }),
  }),
  openPorts: v.string({
    description:
      "Instrument only processes listening on these ports (`80,443,8000-8999`; OBI `OTEL_EBPF_OPEN_PORT`). Empty: every Kubernetes workload except the chart's collectors and the agent itself.",
    default: '',
    pattern: PORTS,
  }),
  resources: containerResources('Container resources of the eBPF agent.', { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '512Mi' } }),
  podAnnotations: v.stringMap('Annotations of the eBPF agent pods.'),
  // It exports to the node-local agent collector, so it runs where the agent runs (tainted nodes too).
  ...scheduling('the eBPF agent', [{ operator: 'Exists', effect: 'NoSchedule' }]),
  podSecurityContext: legacy('Pod security of the original chart; only `hostPID` is accepted.', 'no effect: the agent always runs with `hostPID: true`.', {
    hostPID: v.boolean({ description: 'Share the host PID namespace.' }).schema(),
  }),
  securityContext: legacy(
    'Container security of the original chart.',
    'use `privileged`; `privileged: true` means `privileged: true`, `runAsUser` and `readOnlyRootFilesystem` are applied as given.',
    // Kubernetes' SecurityContext fields the agent applies; the API server takes user IDs from 0.
    securityContextProperties({
      privileged: { description: 'Run privileged (same as `privileged: true`).' },
      runAsUser: { description: 'User ID of the container (eBPF needs 0).', minimum: 0 },
      readOnlyRootFilesystem: { description: 'Mount the root filesystem read-only.' },
    }),
  ),
  config: legacy(
    'Agent settings of the original chart.',
    'use `openPorts`; `otlpEndpoint` overrides the computed endpoint, `serviceName` names the instrumented services.',
    {
      otlpEndpoint: v
        .string({
          description: 'OTLP endpoint; overrides the node-local agent (a `:4317` endpoint is used as OTLP/gRPC; Telegen takes no path after host:port).',
          pattern: ENDPOINT,
        })
        .schema(),
      // The original chart may have held a bare port number.
      openPorts: { ...v.string({ description: 'Same as `openPorts` (which wins when both are set).', pattern: PORTS }).schema(), type: ['string', 'integer'] },
      serviceName: v
        .string({ description: 'Service name of everything the agent instruments (OBI: `OTEL_SERVICE_NAME`; Telegen: the `name` of its discovery entry).' })
        .schema(),
    },
  ),
});

export interface EbpfAgentProps extends ComponentProps<typeof ebpfAgentModel> {
  agentEnabled: ValueRef;
  gatewayEnabled: ValueRef;
}

/** Where the ConfigMap is mounted; both engines read `config.yaml` from here. */
export const EBPF_CONFIG_DIR = '/etc/ebpf-agent';
export const EBPF_CONFIG_FILE = 'config.yaml';

export class EbpfAgent extends TemplateScope {
  constructor(scope: Construct, id: string, p: EbpfAgentProps) {
    super(scope, id, { file: 'ebpf-agent.yaml', when: p.when });
    p.ctx.chart.useTemplates([path.join(__dirname, 'ebpf-agent.tpl')], {
      ...PORT_CONSTANTS,
      EBPF_CAPABILITIES,
      EBPF_CONTEXT_PROPAGATION_CAPABILITIES,
      TELEGEN_DISCOVERY_DEFAULTS,
    });
    const { ctx, values: r } = p;
    const c = ctx.chart;
    const component = 'ebpf-agent';
    const name = ctx.componentName(component);
    const sa = new ServiceAccountWithRbac(this, 'rbac', {
      ctx,
      component,
      suffix: component,
      grants: [
        { feature: 'metadata', rules: EBPF_RULES.obi, when: cond.eq(r.engine, 'obi') },
        { feature: 'telegen-metadata', rules: EBPF_RULES.telegen, when: cond.eq(r.engine, 'telegen') },
      ],
    });
    // Every helper resolves the effective settings (new keys, legacy keys, computed endpoint) the same way.
    const args: Record<string, IncludeArg> = {
      values: r.$,
      key: p.valuesKey,
      agentEnabled: p.agentEnabled,
      gatewayEnabled: p.gatewayEnabled,
      name: c.includeScalar('componentName', { suffix: component }),
      configDir: EBPF_CONFIG_DIR,
      configFile: EBPF_CONFIG_FILE,
      obiRepository: EBPF_IMAGES.obi.repository,
      obiTag: EBPF_IMAGES.obi.tag,
      telegenRepository: EBPF_IMAGES.telegen.repository,
      telegenTag: EBPF_IMAGES.telegen.tag,
    };
    // NOTES.txt includes "<chart>.ebpf.notes" with the root context; bind the text to these values.
    c.defineString('ebpf.notes', [c.includeScalar('ebpf.notesText', args)]);
    new TemplatedObject(this, 'config', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: ctx.meta(name, component),
      data: c.include('ebpf.configData', args),
    });
    new TemplatedObject(this, 'daemonset', {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: ctx.meta(name, component),
      spec: {
        selector: { matchLabels: c.include('selectorLabels', { component }) },
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } },
        template: {
          metadata: { labels: c.include('labels', { component }), annotations: c.include('ebpf.podAnnotations', args) },
          spec: {
            serviceAccountName: sa.name,
            // Also on the ServiceAccount; explicit here, as on every pod the chart renders.
            imagePullSecrets: optional(ctx.top.global.imagePullSecrets),
            // Discovering and instrumenting other containers' processes needs the host PID namespace.
            hostPID: true,
            hostNetwork: r.contextPropagation.enabled,
            // With host networking the pod still resolves cluster Services.
            dnsPolicy: choose(r.contextPropagation.enabled, 'ClusterFirstWithHostNet', 'ClusterFirst'),
            priorityClassName: r.priorityClassName,
            containers: [
              {
                name: component,
                image: c.includeScalar('ebpf.image', args),
                imagePullPolicy: r.image.pullPolicy,
                // Both engines take their config file by flag. Telegen has no other setting (it reads no
                // OTLP variables) and exits on any other flag, its own chart's `--mode=agent` included.
                args: [`--config=${EBPF_CONFIG_DIR}/${EBPF_CONFIG_FILE}`],
                env: c.include('ebpf.env', args),
                resources: r.resources.$,
                securityContext: c.include('ebpf.securityContext', args),
                volumeMounts: c.include('ebpf.volumes', { ...args, part: 'volumeMounts' }),
              },
            ],
            volumes: c.include('ebpf.volumes', { ...args, part: 'volumes' }),
            nodeSelector: optional(r.nodeSelector),
            tolerations: optional(r.tolerations),
            affinity: optional(r.affinity),
          },
        },
      },
    });
  }
}
