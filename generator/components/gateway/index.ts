// The gateway collector: a Deployment-mode collector that receives from agents, browsers and
// applications, tail-samples traces and exports to the destinations. Also the whole of the
// `otel-gateway` chart, whose root values are this model.
import * as path from 'path';
import { Construct } from 'constructs';
import { RefTree, choose, cond } from '../../emitter/refs';
import { BooleanField, v } from '../../values/model';
import { OBJECT_NAME, resources, topologySpreadConstraints } from '../../values/common';
import { ComponentProps } from '../context';
import { Collector, collectorEndpoints, collectorProps, profilesGate } from '../collector';
import { RULES } from '../rbac';
import { DESTINATIONS, DESTINATION_TYPES, SIGNALS } from './destination-types';

const DURATION = '^([0-9]+(\\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$';
const POLICY_TYPES = [
  'always_sample',
  'latency',
  'numeric_attribute',
  'probabilistic',
  'status_code',
  'string_attribute',
  'trace_state',
  'rate_limiting',
  'bytes_limiting',
  'span_count',
  'boolean_attribute',
  'ottl_condition',
  'trace_flags',
  'and',
  'not',
  'drop',
  'composite',
];

/**
 * OTTL statements of one signal. The chart writes them as a flat list, from which the collector infers
 * each statement's context from its paths: a statement without a context-qualified path
 * (`attributes["x"]` instead of `span.attributes["x"]`) makes the collector refuse its configuration.
 */
function ottlStatements(signal: string, contexts: string[], example: string) {
  const paths = contexts.join('|');
  return v.list(
    v.string({
      description: `OTTL statement whose paths name their context (${contexts.map((c) => `\`${c}.\``).join(', ')}).`,
      pattern: `\\b(${paths})\\.`,
    }),
    { description: `Statements on ${signal}; each path names its context (e.g. \`${example}\`), from which the collector infers it.`, default: [] },
  );
}

const destination = v.object(
  'A destination: an exporter of the gateway.',
  {
    enabled: v.boolean({ description: 'Export to this destination.', default: true }),
    type: v.string({
      description:
        'Exporter: `otlp` (gRPC), `otlphttp`, `prometheusremotewrite` (metrics only), `kafka` (topics `otlp_spans`, `otlp_metrics`, `otlp_logs`; traces keyed by trace ID), `debug` (collector log).',
      enum: DESTINATION_TYPES,
    }),
    endpoint: v.string({
      description:
        'Endpoint (`host:port` for otlp, a URL for otlphttp and prometheusremotewrite, comma-separated `host:port` brokers for kafka). Required except for `debug`.',
      minLength: 1,
    }),
    signals: v.list(v.string({ description: 'A signal.', enum: SIGNALS }), {
      description: 'Signals sent here (default traces, metrics, logs); checked against what the type can carry.',
      minItems: 1,
      uniqueItems: true,
    }),
    tls: v.object('TLS towards the destination.', {
      insecure: v.boolean({ description: 'Plain text, no TLS.' }),
      insecureSkipVerify: v.boolean({ description: 'TLS without verifying the server certificate.' }),
      secretName: v.string({
        description: 'Secret with `ca.crt` (and `tls.crt`/`tls.key` with clientCertificate), mounted into the collector.',
        pattern: OBJECT_NAME,
      }),
      clientCertificate: v.boolean({ description: 'Present `tls.crt`/`tls.key` from `secretName` as a client certificate (mTLS).' }),
    }),
    headers: v.stringMap('Extra headers sent with every request (no secrets: use `bearerToken`).'),
    bearerToken: v.object(
      'Bearer token from a Secret, sent as `Authorization: Bearer <token>`; the config only refers to it as an environment variable.',
      {
        secretName: v.string({ description: 'Secret holding the token.', minLength: 1 }),
        key: v.string({ description: 'Key of the token in the Secret.', default: 'token', minLength: 1 }),
      },
      { required: ['secretName'] },
    ),
    compression: v.string({ description: 'Compression (default gzip).', enum: ['gzip', 'zstd', 'none'] }),
    sendingQueue: v.object('The exporter sending queue.', {
      enabled: v.boolean({ description: 'Queue batches while the destination is slow or down.' }),
      queueSize: v.integer({ description: 'Queue size in batches.', minimum: 1 }),
      persistent: v.boolean({
        description:
          'Keep the queue on disk (`file_storage` extension) so a restart loses nothing accepted. The gateway then runs as a StatefulSet with one PersistentVolumeClaim per replica (`persistence`). Gateway destinations only.',
      }),
    }),
    retryOnFailure: v.object('Retries of failed exports.', {
      enabled: v.boolean({ description: 'Retry failed exports.' }),
      maxElapsedTime: v.string({ description: 'Give up after this long (Go duration, e.g. `300s`).', pattern: DURATION }),
    }),
  },
  {
    required: ['type'],
    extra: {
      allOf: [
        { if: { properties: { type: { not: { const: 'debug' } } } }, then: { required: ['endpoint'] } },
        // The endpoint's form per type (the collector refuses the others when it starts).
        ...Object.entries(DESTINATIONS)
          .filter(([, d]) => 'endpoint' in d)
          .map(([type, d]) => ({
            if: { properties: { type: { const: type } }, required: ['type'] },
            then: { properties: { endpoint: { pattern: (d as { endpoint: { pattern: string } }).endpoint.pattern } } },
          })),
        // Types that carry only some signals (the same table the templates check against).
        ...Object.entries(DESTINATIONS)
          .filter(([, d]) => d.signals.length < SIGNALS.length)
          .map(([type, d]) => ({
            if: { properties: { type: { const: type } }, required: ['type'] },
            then: { properties: { signals: { items: { enum: [...d.signals] } } } },
          })),
        {
          if: { properties: { type: { const: 'debug' } }, required: ['type'] },
          then: { properties: { compression: false, tls: false, headers: false, bearerToken: false } },
        },
        // Kafka speaks its own protocol: no HTTP headers or bearer tokens (SASL is left to `config`).
        { if: { properties: { type: { const: 'kafka' } }, required: ['type'] }, then: { properties: { headers: false, bearerToken: false } } },
      ],
    },
  },
);

const policy = v.freeform(
  {
    description: "A tail sampling policy in the collector's own syntax (`type` and its block), plus `enabled`.",
    extra: {
      required: ['type'],
      // The policy's own block (named after its type) follows the collector's syntax; `name` comes from the map key.
      additionalProperties: false,
      properties: {
        enabled: { type: 'boolean', description: 'Apply this policy.' },
        type: { type: 'string', enum: POLICY_TYPES, description: 'Policy type.' },
        ...Object.fromEntries(POLICY_TYPES.map((t) => [t, { type: 'object', description: `The \`${t}\` policy's settings, in the collector's syntax.` }])),
      },
    },
  },
  'object',
);

/** Default sampling: errors, HTTP >= 400, demo services and non-ollyscale services kept; 5% of the rest. */
export const DEFAULT_POLICIES = {
  errors: { type: 'status_code', status_code: { status_codes: ['ERROR'] } },
  'http-errors': { type: 'numeric_attribute', numeric_attribute: { key: 'http.response.status_code', min_value: 400, max_value: 599 } },
  'http-errors-legacy-attribute': { type: 'numeric_attribute', numeric_attribute: { key: 'http.status_code', min_value: 400, max_value: 599 } },
  'demo-services': {
    type: 'string_attribute',
    string_attribute: { key: 'service.name', values: ['demo-.*', 'otel-demo-.*', 'ai-agent.*'], enabled_regex_matching: true },
  },
  'non-ollyscale-services': {
    type: 'not',
    not: {
      not_sub_policy: {
        name: 'ollyscale-services',
        type: 'string_attribute',
        string_attribute: { key: 'service.name', values: ['ollyscale-.*'], enabled_regex_matching: true },
      },
    },
  },
  'ollyscale-baseline': { type: 'probabilistic', probabilistic: { sampling_percentage: 5 } },
};

export const DEFAULT_DESTINATIONS = {
  ollyscale: {
    enabled: true,
    type: 'otlp',
    endpoint: 'ollyscale-otlp-receiver.ollyscale.svc.cluster.local:4343',
    signals: ['traces', 'metrics', 'logs'],
    tls: { insecure: true },
  },
};

/** The gateway's values, without `enabled` (the `otel-gateway` chart has them at its root). */
export const gatewayProps = {
  ...collectorProps('gateway collector', 'gateway', { cpu: '200m', memory: '512Mi' }, { memory: '1Gi' }),
  replicas: v.integer({
    description: "Gateway replicas (ignored when autoscaling is on). Traces reach the right replica through the agents' trace-ID load balancing.",
    default: 1,
    minimum: 0,
  }),
  autoscaling: v.object("Horizontal autoscaling (the Operator's `spec.autoscaler`).", {
    enabled: v.boolean({ description: 'Scale the gateway on CPU/memory.', default: false }),
    minReplicas: v.integer({ description: 'Fewest replicas.', default: 2, minimum: 1 }),
    maxReplicas: v.integer({ description: 'Most replicas.', default: 10, minimum: 1 }),
    targetCPUUtilizationPercentage: v.integer({ description: 'Target average CPU utilisation.', default: 70, minimum: 1, maximum: 100 }),
    targetMemoryUtilizationPercentage: v.integer({ description: 'Target average memory utilisation (unset: CPU only).', minimum: 1, maximum: 100 }),
  }),
  spread: v.object('Spreading of the replicas over nodes, so that losing a node loses one replica.', {
    enabled: v.boolean({
      description:
        'Add a soft topology spread constraint over `kubernetes.io/hostname` (maxSkew 1, `ScheduleAnyway`: a cluster with fewer nodes than replicas still schedules them all).',
      default: true,
    }),
  }),
  topologySpreadConstraints: topologySpreadConstraints('Topology spread constraints added to the pods (e.g. across zones); `labelSelector` is yours to give.'),
  podDisruptionBudget: v.object(
    'Disruption budget. The Operator always creates one for a deployment-mode collector, so it is configured through the resource, never rendered beside it.',
    {
      enabled: v.boolean({ description: 'Set `spec.podDisruptionBudget`.', default: true }),
      maxUnavailable: v.integer({ description: 'Pods that may be unavailable during voluntary disruptions.', default: 1, minimum: 0 }),
    },
  ),
  presets: v.object('Features of the gateway.', {
    kubernetesAttributes: v.object('Kubernetes metadata for telemetry that applications send straight to the gateway.', {
      enabled: v.boolean({ description: 'Add the `k8s_attributes` processor and its read-only RBAC (pods, namespaces, replicasets).', default: true }),
    }),
  }),
  tailSampling: v.object('Tail sampling of traces (`tail_sampling` processor).', {
    enabled: v.boolean({ description: 'Sample traces after they complete, by policy.', default: true }),
    decisionWait: v.string({ description: "Time from a trace's first span to its sampling decision.", default: '10s', pattern: DURATION }),
    numTraces: v.integer({ description: 'Traces held in memory.', default: 50000, minimum: 1 }),
    expectedNewTracesPerSec: v.integer({ description: 'Expected new traces per second (sizes internal structures).', default: 100, minimum: 0 }),
    policies: v.map(policy, {
      description: 'Policies by name; a trace is kept when any enabled policy samples it. `enabled: false` switches a default policy off.',
      default: DEFAULT_POLICIES,
      example: {
        'slow-requests': { type: 'latency', latency: { threshold_ms: 2000 } },
        'ollyscale-baseline': { probabilistic: { sampling_percentage: 10 } },
        'demo-services': { enabled: false },
      },
    }),
  }),
  destinations: v.map(destination, {
    description: 'Where the gateway exports, by name. `enabled: false` switches one off.',
    default: DEFAULT_DESTINATIONS,
    example: {
      tempo: {
        type: 'otlp',
        endpoint: 'tempo-distributor.tracing.svc.cluster.local:4317',
        signals: ['traces'],
        tls: { secretName: 'tempo-ca' },
        bearerToken: { secretName: 'tempo-token', key: 'token' },
        sendingQueue: { queueSize: 10000, persistent: true },
      },
      mimir: { type: 'prometheusremotewrite', endpoint: 'http://mimir.metrics.svc.cluster.local:8080/api/v1/push', signals: ['metrics'] },
      loki: { type: 'otlphttp', endpoint: 'http://loki-gateway.logging.svc.cluster.local/otlp', signals: ['logs'] },
      ollyscale: { enabled: false },
    },
    keyPattern: '^[a-zA-Z0-9][a-zA-Z0-9_-]*$',
  }),
  persistence: v.object('Volumes of persistent sending queues (a destination with `sendingQueue.persistent`): one PersistentVolumeClaim per replica.', {
    size: v.quantity({ description: 'Size of each replica’s queue volume.', default: '2Gi' }),
    storageClassName: v.string({ description: 'StorageClass of the claims (unset: the cluster default).', pattern: OBJECT_NAME }),
    retainClaims: v.boolean({
      description:
        'Keep the claims, and what is still queued on them, when the StatefulSet goes (`helm uninstall`, or no destination needing a persistent queue any more); a reinstall under the same name sends it. `false`: they are deleted with it. Scaling down always keeps them.',
      default: true,
    }),
  }),
  receivers: v.object('Security of the OTLP receivers. The chart’s own agent and browser collectors present what they require.', {
    tls: v.object(
      'TLS from a `kubernetes.io/tls` Secret (`tls.crt`, `tls.key`, and `ca.crt`, which the chart’s own senders trust). Its certificate must name `<name>-collector.<namespace>.svc` (senders verify that name, also when they reach a replica by IP).',
      {
        enabled: v.boolean({ description: 'Serve the OTLP receivers over TLS.', default: false }),
        secretName: v.string({ description: 'The `kubernetes.io/tls` Secret (required when enabled).', default: '', pattern: `^$|${OBJECT_NAME}` }),
        clientAuth: v.boolean({
          description:
            'Require client certificates signed by the Secret’s `ca.crt` (mTLS). The chart’s own senders present the Secret’s `tls.crt`, so it must also allow client authentication.',
          default: false,
        }),
      },
      { extra: { if: { properties: { enabled: { const: true } }, required: ['enabled'] }, then: { properties: { secretName: { minLength: 1 } } } } },
    ),
    auth: v.object('Authentication of senders.', {
      bearerToken: v.object(
        'Require `Authorization: Bearer <token>` (the `bearertokenauth` extension reads the token from the mounted Secret).',
        {
          enabled: v.boolean({ description: 'Require the bearer token.', default: false }),
          secretName: v.string({ description: 'Secret holding the token (required when enabled).', default: '', pattern: `^$|${OBJECT_NAME}` }),
          key: v.string({ description: 'Key of the token in the Secret.', default: 'token', pattern: '^[-._a-zA-Z0-9]+$' }),
        },
        { extra: { if: { properties: { enabled: { const: true } }, required: ['enabled'] }, then: { properties: { secretName: { minLength: 1 } } } } },
      ),
    }),
  }),
  tenancy: v.object(
    'Routes each tenant’s telemetry, told by a request header, to its own destinations (the `routing` connector). Senders set the header; the chart’s agent and browser collectors pass it on.',
    {
      enabled: v.boolean({ description: 'Route by tenant.', default: false }),
      header: v.string({
        description: 'Request header (HTTP) or metadata key (gRPC) naming the tenant.',
        default: 'X-Tenant-ID',
        pattern: '^[A-Za-z0-9][-A-Za-z0-9_]*$',
      }),
      tenants: v.map(
        v.object(
          'A tenant: the header value is the map key.',
          {
            enabled: v.boolean({ description: 'Route this tenant (disabled: its telemetry is treated as unknown).', default: true }),
            destinations: v.list(v.string({ description: 'A destination name.', minLength: 1 }), {
              description: 'Names of `destinations` that receive this tenant’s telemetry (each signal goes to those that carry it).',
              minItems: 1,
              uniqueItems: true,
            }),
          },
          { required: ['destinations'] },
        ),
        {
          description: 'Tenants by header value.',
          default: {},
          keyPattern: '^[A-Za-z0-9][-A-Za-z0-9_.]*$',
          example: {
            acme: { destinations: ['acme-backend'] },
            globex: { destinations: ['globex-traces', 'globex-metrics'] },
            initech: { enabled: false, destinations: ['acme-backend'] },
          },
        },
      ),
      defaultDestinations: v.list(v.string({ description: 'A destination name.', minLength: 1 }), {
        description: 'Destinations of telemetry with no or an unknown tenant; empty: such telemetry is dropped.',
        default: [],
        uniqueItems: true,
      }),
    },
  ),
  kafka: v.object(
    'A Kafka buffer: the gateway writes every signal to Kafka, and a `<name>-kafka-consumer` collector reads it, tail-samples, processes and exports to the destinations.',
    {
      enabled: v.boolean({ description: 'Buffer through Kafka.', default: false }),
      brokers: v.list(v.string({ description: 'A broker, `host:port`.', pattern: '^[^\\s:]+:[0-9]+$' }), {
        description: 'Kafka brokers (required when enabled).',
        default: [],
      }),
      topics: v.object('Topics per signal.', {
        traces: v.string({ description: 'Topic of traces (partitioned by trace ID).', default: 'otlp_spans', pattern: '^[a-zA-Z0-9._-]+$' }),
        metrics: v.string({ description: 'Topic of metrics.', default: 'otlp_metrics', pattern: '^[a-zA-Z0-9._-]+$' }),
        logs: v.string({ description: 'Topic of logs.', default: 'otlp_logs', pattern: '^[a-zA-Z0-9._-]+$' }),
      }),
      encoding: v.string({ description: 'Encoding of the messages.', default: 'otlp_proto', enum: ['otlp_proto', 'otlp_json'] }),
      consumer: v.object('The consumer collector.', {
        replicas: v.integer({ description: 'Consumer replicas (at most the partitions of a topic do work).', default: 2, minimum: 1 }),
        resources: resources('the Kafka consumer', { cpu: '200m', memory: '512Mi' }, { memory: '1Gi' }),
      }),
    },
    { extra: { if: { properties: { enabled: { const: true } }, required: ['enabled'] }, then: { properties: { brokers: { minItems: 1 } } } } },
  ),
  processing: v.object('Processing of every signal.', {
    dropHealthChecks: v.object('Drops spans of health-check requests before sampling.', {
      enabled: v.boolean({ description: 'Drop health-check spans.', default: true }),
      pathPattern: v.string({
        description: 'Regular expression on `url.path`, `http.target` and `http.route`.',
        default: '^/(health|healthz|ready|readyz|livez)',
        minLength: 1,
        extra: { format: 'regex' },
      }),
    }),
    resourceAttributes: v.stringMap('Resource attributes upserted on every signal (e.g. `environment: production`).'),
    transform: v.object('`transform` processor statements (OTTL), e.g. `set(span.attributes["team"], "a")`.', {
      traceStatements: ottlStatements('traces', ['resource', 'scope', 'span', 'spanevent'], 'span.attributes'),
      metricStatements: ottlStatements('metrics', ['resource', 'scope', 'metric', 'datapoint'], 'datapoint.attributes'),
      logStatements: ottlStatements('logs', ['resource', 'scope', 'log'], 'log.attributes'),
    }),
  }),
  opamp: v.object('The OpAMP extension, reporting to an OpAMP server.', {
    enabled: v.boolean({ description: 'Add the OpAMP extension.', default: true }),
    endpoint: v.string({
      description: 'OpAMP server WebSocket endpoint.',
      default: 'ws://ollyscale-opamp-server.ollyscale.svc.cluster.local:4320/v1/opamp',
      pattern: '^wss?://.+',
    }),
  }),
};

export const gatewayModel = v.object('The gateway collector.', gatewayProps);
export type GatewayRefs = RefTree<typeof gatewayModel>;

export interface GatewayProps extends ComponentProps<typeof gatewayModel> {
  /** The chart's components that send to the gateway (their pods may reach it under its NetworkPolicy); none: any pod of the cluster. */
  senders?: string[];
}

/** Collectors that forward to the gateway (or, without it, to its destinations). */
export interface ForwarderProps<M> extends ComponentProps<M> {
  gateway: GatewayRefs & { enabled: RefTree<BooleanField> };
  gatewayKey: string;
}

/** What a forwarder's collector needs: the gateway's values for its config, and the destinations (with their Secrets) for when the gateway is off. */
export function forwarding(p: ForwarderProps<unknown>) {
  return {
    configArgs: { gateway: p.gateway.$, gatewayKey: p.gatewayKey },
    destinations: p.gateway.destinations,
    viaGateway: p.gateway.enabled,
    gatewayReceivers: p.gateway.receivers.$,
  };
}

export class GatewayCollector extends Construct {
  readonly endpoints: ReturnType<typeof collectorEndpoints>;
  /** The Kafka consumer's (it has only the health Service). */
  readonly consumerEndpoints: ReturnType<typeof collectorEndpoints>;
  constructor(scope: Construct, id: string, p: GatewayProps) {
    super(scope, id);
    const r = p.values;
    const c = p.ctx.chart;
    const collector = new Collector(this, 'collector', {
      templates: { files: [path.join(__dirname, 'gateway.tpl')] },
      ...p,
      component: 'gateway',
      mode: 'deployment',
      file: 'gateway.yaml',
      destinations: r.destinations,
      grants: [{ feature: 'k8sattributes', rules: RULES.kubernetesAttributes, when: cond.is(r.presets.kubernetesAttributes.enabled) }],
      scaling: { replicas: r.replicas, autoscaling: r.autoscaling, disruptionBudget: r.podDisruptionBudget },
      topologySpread: c.include('collector.spread', { values: r.$, component: 'gateway' }),
      persistence: {
        when: c.holds('gateway.persistent', r.$),
        claims: c.include('gateway.queueClaims', { values: r.persistence.$ }),
        retention: { whenDeleted: choose(r.persistence.retainClaims, 'Retain', 'Delete'), whenScaled: 'Retain' },
      },
      featureGate: profilesGate(p.ctx),
      ingressPeers: p.senders?.join(',') ?? 'cluster',
      extraVolumes: c.include('gateway.volumes', { values: r.$, part: 'volumes' }),
      extraVolumeMounts: c.include('gateway.volumes', { values: r.$, part: 'volumeMounts' }),
    });
    this.endpoints = collector.endpoints;
    // With the Kafka buffer: the collector that reads it, samples, processes and exports (gateway.tpl).
    const consumer = new Collector(this, 'kafka-consumer', {
      templates: { files: [path.join(__dirname, 'gateway.tpl')] },
      ...p,
      when: p.when ? cond.and(p.when, r.kafka.enabled) : cond.is(r.kafka.enabled),
      component: 'kafka-consumer',
      mode: 'deployment',
      file: 'kafka-consumer.yaml',
      name: c.includeScalar('join', { a: r.name, b: 'kafka-consumer' }),
      resources: r.kafka.consumer.resources.$,
      destinations: r.destinations,
      scaling: { replicas: r.kafka.consumer.replicas },
      topologySpread: c.include('collector.spread', { values: r.$, component: 'kafka-consumer' }),
      services: false,
    });
    this.consumerEndpoints = consumer.endpoints;
  }
}
