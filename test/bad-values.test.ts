// Bad values: Helm must refuse them (schema or template `fail`), exit non-zero, and name the key.
// Helm 4 prints schema paths as `/a/b`, Helm 3.17 as `a.b`; both forms are accepted.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { stringify } from 'yaml';
import { HELMS, ROOT, helmTemplate } from './harness/helm';

interface Case {
  chart: string;
  what: string;
  values: Record<string, unknown>;
  /** Dotted key path the message must name. */
  key: string;
  /** Further words the message must contain (the offending key or value). */
  mentions?: string[];
  namespace?: string;
}

const cases: Case[] = [
  { chart: 'ollyscale-otel', what: 'wrong type', values: { gatewayCollector: { replicas: 'three' } }, key: 'gatewayCollector.replicas' },
  { chart: 'ollyscale-otel', what: 'negative replicas', values: { gatewayCollector: { replicas: -1 } }, key: 'gatewayCollector.replicas' },
  {
    chart: 'ollyscale-otel',
    what: 'unknown key at depth',
    values: { gatewayCollector: { tailSampling: { decisionWaitt: '5s' } } },
    key: 'gatewayCollector.tailSampling',
    mentions: ['decisionWaitt'],
  },
  { chart: 'ollyscale-otel', what: 'unknown component key', values: { agentCollector: { replicas: 2 } }, key: 'agentCollector', mentions: ['replicas'] },
  { chart: 'ollyscale-otel', what: 'unknown top-level key', values: { gateway: { enabled: false } }, key: '', mentions: ['gateway'] },
  { chart: 'ollyscale-otel', what: 'bad enum', values: { collectorImage: { pullPolicy: 'Sometimes' } }, key: 'collectorImage.pullPolicy' },
  {
    chart: 'ollyscale-otel',
    what: 'OTTL statement without a context (the collector would refuse it)',
    values: { gatewayCollector: { processing: { transform: { traceStatements: ['set(attributes["team"], "a")'] } } } },
    key: 'gatewayCollector.processing.transform.traceStatements',
  },
  {
    chart: 'ollyscale-otel',
    what: 'env map with an invalid variable name',
    values: { gatewayCollector: { env: { '1BAD': 'x' } } },
    key: 'gatewayCollector.env',
  },
  {
    chart: 'ollyscale-otel',
    what: 'env list entry without a name',
    values: { instrumentation: { python: { env: [{ value: 'x' }] } } },
    key: 'instrumentation.python.env',
  },
  { chart: 'ollyscale-otel', what: 'latest image tag', values: { collectorImage: { tag: 'latest' } }, key: 'collectorImage.tag' },
  {
    chart: 'ollyscale-otel',
    what: 'bad quantity',
    values: { gatewayCollector: { resources: { limits: { memory: '1 GB' } } } },
    key: 'gatewayCollector.resources.limits.memory',
  },
  {
    chart: 'ollyscale-otel',
    what: 'bad duration',
    values: { gatewayCollector: { tailSampling: { decisionWait: '10 seconds' } } },
    key: 'gatewayCollector.tailSampling.decisionWait',
  },
  {
    chart: 'ollyscale-otel',
    what: 'unknown destination type',
    values: { gatewayCollector: { destinations: { logs: { type: 'loki', endpoint: 'http://loki:3100' } } } },
    key: 'gatewayCollector.destinations.logs.type',
  },
  {
    chart: 'ollyscale-otel',
    what: 'destination without endpoint',
    values: { gatewayCollector: { destinations: { backup: { type: 'otlp' } } } },
    key: 'gatewayCollector.destinations.backup',
    mentions: ['endpoint'],
  },
  {
    chart: 'ollyscale-otel',
    what: 'signal a destination cannot carry',
    values: { gatewayCollector: { destinations: { prom: { type: 'prometheusremotewrite', endpoint: 'http://prom/api/v1/write', signals: ['traces'] } } } },
    key: 'gatewayCollector.destinations.prom.signals',
  },
  {
    chart: 'ollyscale-otel',
    what: 'bare * CORS origin',
    values: { browserCollector: { cors: { allowedOrigins: ['*'] } } },
    key: 'browserCollector.cors.allowedOrigins',
  },
  {
    chart: 'ollyscale-otel',
    what: 'HTTPRoute without parentRefs',
    values: { browserCollector: { httpRoute: { enabled: true } } },
    key: 'browserCollector.httpRoute.parentRefs',
  },
  {
    chart: 'ollyscale-otel',
    what: 'unknown sampling policy type',
    values: { gatewayCollector: { tailSampling: { policies: { odd: { type: 'sometimes' } } } } },
    key: 'gatewayCollector.tailSampling.policies.odd.type',
  },
  {
    chart: 'ollyscale-otel',
    what: 'every sampling policy disabled (template fail)',
    values: {
      gatewayCollector: {
        tailSampling: {
          policies: Object.fromEntries(
            ['errors', 'http-errors', 'http-errors-legacy-attribute', 'demo-services', 'non-ollyscale-services', 'ollyscale-baseline'].map((p) => [
              p,
              { enabled: false },
            ]),
          ),
        },
      },
    },
    key: 'gatewayCollector.tailSampling.policies',
    mentions: ['tailSampling.enabled: false'],
  },
  {
    chart: 'ollyscale-otel',
    what: 'config pipeline using an undefined exporter (template fail)',
    values: { gatewayCollector: { config: { service: { pipelines: { traces: { receivers: ['otlp'], exporters: ['otlp_grpc/nowhere'] } } } } } },
    key: 'gatewayCollector.config',
    mentions: ['otlp_grpc/nowhere'],
  },
  {
    chart: 'ollyscale-otel',
    what: 'extraProcessors id not defined under config.processors (template fail)',
    values: { gatewayCollector: { extraProcessors: { traces: ['attributes/pii'] } } },
    key: 'gatewayCollector.extraProcessors.traces',
    mentions: ['"attributes/pii" is not defined under gatewayCollector.config.processors'],
  },
  {
    chart: 'ollyscale-otel',
    what: 'extraProcessors id of a bad shape',
    values: { agentCollector: { extraProcessors: { logs: ['filter noisy'] } } },
    key: 'agentCollector.extraProcessors.logs',
  },
  {
    chart: 'ollyscale-otel',
    what: 'extraProcessors id the chart already puts in the pipeline (template fail)',
    values: { browserCollector: { extraProcessors: { metrics: ['batch'] } } },
    key: 'browserCollector.extraProcessors.metrics',
    mentions: ['"batch" is already in'],
  },
  {
    chart: 'ollyscale-otel',
    what: 'autoscaling min above max (template fail)',
    values: { gatewayCollector: { autoscaling: { enabled: true, minReplicas: 5, maxReplicas: 2 } } },
    key: 'gatewayCollector.autoscaling.minReplicas',
  },
  { chart: 'ollyscale-otel', what: 'bad component name', values: { agentCollector: { name: 'Agent_1' } }, key: 'agentCollector.name' },
  { chart: 'ollyscale-otel', what: 'bad eBPF engine', values: { ebpfAgent: { enabled: true, engine: 'bpftrace' } }, key: 'ebpfAgent.engine' },
  { chart: 'ollyscale-otel', what: 'bad sampler type', values: { instrumentation: { sampler: { type: 'sometimes' } } }, key: 'instrumentation.sampler.type' },
  {
    chart: 'ollyscale-otel',
    what: 'bad propagator',
    values: { instrumentation: { propagators: ['tracecontext', 'w3c'] } },
    key: 'instrumentation.propagators',
  },
  {
    chart: 'ollyscale-otel',
    what: 'ratio sampler without argument',
    values: { instrumentation: { sampler: { type: 'parentbased_traceidratio' } } },
    key: 'instrumentation.sampler',
    mentions: ['argument'],
  },
  {
    chart: 'ollyscale-otel',
    what: 'unknown language key',
    values: { instrumentation: { ruby: { image: { tag: '1' } } } },
    key: 'instrumentation',
    mentions: ['ruby'],
  },
  {
    chart: 'ollyscale-otel',
    what: 'no collector for the instrumentation to export to (template fail)',
    values: { agentCollector: { enabled: false }, gatewayCollector: { enabled: false } },
    key: 'instrumentation.exporter.endpoint',
  },
  { chart: 'otel-gateway', what: 'wrong type at the root', values: { replicas: '2' }, key: 'replicas' },
  { chart: 'otel-gateway', what: 'unknown root key', values: { agentCollector: { enabled: true } }, key: '', mentions: ['agentCollector'] },
  {
    chart: 'otel-gateway',
    what: 'extraProcessors id not defined under config.processors (template fail)',
    values: { extraProcessors: { metrics: ['transform/nosuch'] } },
    key: 'extraProcessors.metrics',
    mentions: ['"transform/nosuch" is not defined under config.processors'],
  },
  { chart: 'otel-gateway', what: 'extraProcessors id of a bad shape', values: { extraProcessors: { traces: ['/pii'] } }, key: 'extraProcessors.traces' },
  {
    chart: 'otel-gateway',
    what: 'no enabled destination (template fail)',
    values: { destinations: { ollyscale: { enabled: false } } },
    key: 'destinations',
    mentions: ['no enabled destination'],
  },
  {
    chart: 'ollyscale-otel',
    what: 'tenant naming an undefined destination (template fail)',
    values: { gatewayCollector: { tenancy: { enabled: true, tenants: { acme: { destinations: ['acme-backend'] } } } } },
    key: 'gatewayCollector.tenancy.tenants.acme.destinations',
    mentions: ['"acme-backend" is not defined under gatewayCollector.destinations'],
  },
  {
    chart: 'ollyscale-otel',
    what: 'default destination that is not defined (template fail)',
    values: { gatewayCollector: { tenancy: { enabled: true, tenants: { acme: { destinations: ['ollyscale'] } }, defaultDestinations: ['shared'] } } },
    key: 'gatewayCollector.tenancy.defaultDestinations',
    mentions: ['"shared"'],
  },
  {
    chart: 'ollyscale-otel',
    what: 'tenancy without a tenant (template fail)',
    values: { gatewayCollector: { tenancy: { enabled: true } } },
    key: 'gatewayCollector.tenancy.tenants',
    mentions: ['no enabled tenant'],
  },
  {
    chart: 'ollyscale-otel',
    what: 'tenant without destinations',
    values: { gatewayCollector: { tenancy: { enabled: true, tenants: { acme: {} } } } },
    key: 'gatewayCollector.tenancy.tenants.acme',
    mentions: ['destinations'],
  },
  {
    chart: 'ollyscale-otel',
    what: 'bad tenant header',
    values: { gatewayCollector: { tenancy: { header: 'X Tenant' } } },
    key: 'gatewayCollector.tenancy.header',
  },
  {
    chart: 'ollyscale-otel',
    what: 'Kafka buffer without brokers',
    values: { gatewayCollector: { kafka: { enabled: true } } },
    key: 'gatewayCollector.kafka.brokers',
  },
  {
    chart: 'ollyscale-otel',
    what: 'Kafka broker without a port',
    values: { gatewayCollector: { kafka: { enabled: true, brokers: ['kafka.example.com'] } } },
    key: 'gatewayCollector.kafka.brokers',
  },
  {
    chart: 'ollyscale-otel',
    what: 'Kafka buffer with tenancy (template fail)',
    values: {
      gatewayCollector: { kafka: { enabled: true, brokers: ['k:9092'] }, tenancy: { enabled: true, tenants: { a: { destinations: ['ollyscale'] } } } },
    },
    key: 'gatewayCollector.kafka',
    mentions: ['tenancy'],
  },
  {
    chart: 'otel-gateway',
    what: 'Kafka buffer with a persistent queue (template fail)',
    values: { kafka: { enabled: true, brokers: ['k:9092'] }, destinations: { ollyscale: { sendingQueue: { persistent: true } } } },
    key: 'destinations',
    mentions: ['sendingQueue.persistent', 'kafka.enabled'],
  },
  {
    chart: 'ollyscale-otel',
    what: 'persistent queue without the gateway (template fail)',
    values: { gatewayCollector: { enabled: false, destinations: { ollyscale: { sendingQueue: { persistent: true } } } } },
    key: 'gatewayCollector.destinations.ollyscale.sendingQueue.persistent',
    mentions: ['gatewayCollector.enabled'],
  },
  { chart: 'otel-gateway', what: 'bad persistence size', values: { persistence: { size: 'two gigs' } }, key: 'persistence.size' },
  {
    chart: 'ollyscale-otel',
    what: 'receiver TLS without its Secret',
    values: { gatewayCollector: { receivers: { tls: { enabled: true } } } },
    key: 'gatewayCollector.receivers.tls.secretName',
  },
  {
    chart: 'ollyscale-otel',
    what: 'receiver bearer token without its Secret',
    values: { gatewayCollector: { receivers: { auth: { bearerToken: { enabled: true } } } } },
    key: 'gatewayCollector.receivers.auth.bearerToken.secretName',
  },
  {
    chart: 'otel-gateway',
    what: 'headers on a Kafka destination',
    values: { destinations: { k: { type: 'kafka', endpoint: 'k:9092', headers: { a: 'b' } } } },
    key: 'destinations.k.headers',
  },
  { chart: 'otel-gateway', what: 'profiles.enabled not a boolean', values: { profiles: { enabled: 'yes please' } }, key: 'profiles.enabled' },
  // Helm deletes a key given as null before validating: the key is required, so null names it.
  {
    chart: 'ollyscale-otel',
    what: 'null pull policy (a scalar values.yaml holds)',
    values: { collectorImage: { pullPolicy: null } },
    key: 'collectorImage',
    mentions: ['pullPolicy'],
  },
  {
    chart: 'ollyscale-otel',
    what: 'null sampler type',
    values: { instrumentation: { sampler: { type: null } } },
    key: 'instrumentation.sampler',
    mentions: ['type'],
  },
  {
    chart: 'ollyscale-otel',
    what: 'null pod annotations (an empty map values.yaml holds)',
    values: { browserCollector: { podAnnotations: null } },
    key: 'browserCollector',
    mentions: ['podAnnotations'],
  },
  { chart: 'otel-gateway', what: 'null replicas at the root', values: { replicas: null }, key: '', mentions: ['replicas'] },
  {
    chart: 'ollyscale-otel',
    what: 'priorityClassName null',
    values: { gatewayCollector: { priorityClassName: null } },
    key: 'gatewayCollector',
    mentions: ['priorityClassName'],
  },
  {
    chart: 'ollyscale-otel',
    what: 'eBPF priorityClassName null',
    values: { ebpfAgent: { priorityClassName: null } },
    key: 'ebpfAgent',
    mentions: ['priorityClassName'],
  },
  { chart: 'otel-gateway', what: 'root priorityClassName null', values: { priorityClassName: null }, key: '', mentions: ['priorityClassName'] },
  { chart: 'ollyscale-otel', what: 'propagators null', values: { instrumentation: { propagators: null } }, key: 'instrumentation', mentions: ['propagators'] },
  {
    chart: 'ollyscale-otel',
    what: 'tolerationSeconds as a string',
    values: { agentCollector: { tolerations: [{ key: 'a', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: '30' }] } },
    key: 'agentCollector.tolerations.0.tolerationSeconds',
  },
  {
    chart: 'ollyscale-otel',
    what: 'tolerationSeconds without NoExecute',
    values: { gatewayCollector: { tolerations: [{ key: 'a', operator: 'Exists', effect: 'NoSchedule', tolerationSeconds: 30 }] } },
    key: 'gatewayCollector.tolerations.0.effect',
  },
  {
    chart: 'ollyscale-otel',
    what: 'bad toleration operator',
    values: { browserCollector: { tolerations: [{ key: 'a', operator: 'In' }] } },
    key: 'browserCollector.tolerations.0.operator',
  },
  {
    chart: 'ollyscale-otel',
    what: 'bad toleration effect',
    values: { ebpfAgent: { tolerations: [{ operator: 'Exists', effect: 'NoRun' }] } },
    key: 'ebpfAgent.tolerations.0.effect',
  },
  {
    chart: 'ollyscale-otel',
    what: 'toleration key not a string',
    values: { agentCollector: { tolerations: [{ key: 5, operator: 'Exists' }] } },
    key: 'agentCollector.tolerations.0.key',
  },
  {
    chart: 'ollyscale-otel',
    what: 'toleration value with Exists',
    values: { agentCollector: { tolerations: [{ key: 'a', operator: 'Exists', value: 'b' }] } },
    key: 'agentCollector.tolerations.0.value',
  },
  {
    chart: 'otel-gateway',
    what: 'unknown toleration field',
    values: { tolerations: [{ key: 'a', operater: 'Exists' }] },
    key: 'tolerations.0',
    mentions: ['operater'],
  },
  // Kubernetes-typed values: Kubernetes' own schemas (generator/values/kubernetes.ts), strict.
  {
    chart: 'ollyscale-otel',
    what: 'toleration without a key whose operator is not Exists',
    values: { browserCollector: { tolerations: [{ operator: 'Equal', effect: 'NoSchedule' }] } },
    key: 'browserCollector.tolerations.0.operator',
  },
  {
    chart: 'otel-gateway',
    what: 'toleration with tolerationSeconds as a string',
    values: { tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'otel', effect: 'NoExecute', tolerationSeconds: '60' }] },
    key: 'tolerations.0.tolerationSeconds',
  },
  {
    chart: 'ollyscale-otel',
    what: 'unknown affinity key',
    values: { agentCollector: { affinity: { nodeAfinity: {} } } },
    key: 'agentCollector.affinity',
    mentions: ['nodeAfinity'],
  },
  {
    chart: 'ollyscale-otel',
    what: 'unknown key deep inside affinity',
    values: {
      gatewayCollector: {
        affinity: {
          podAntiAffinity: {
            preferredDuringSchedulingIgnoredDuringExecution: [
              { weight: 100, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabel: { app: 'gateway' } } } },
            ],
          },
        },
      },
    },
    key: 'gatewayCollector.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution.0.podAffinityTerm.labelSelector',
    mentions: ['matchLabel'],
  },
  {
    chart: 'ollyscale-otel',
    what: 'bad node selector operator in affinity',
    values: {
      agentCollector: {
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/os', operator: 'Is', values: ['linux'] }] }],
            },
          },
        },
      },
    },
    key: 'agentCollector.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms.0.matchExpressions.0.operator',
  },
  {
    chart: 'ollyscale-otel',
    what: 'affinity without a required field',
    values: { agentCollector: { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: {} } } } },
    key: 'agentCollector.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution',
    mentions: ['nodeSelectorTerms'],
  },
  {
    chart: 'ollyscale-otel',
    what: 'affinity weight as a string',
    values: {
      browserCollector: {
        affinity: { podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: '100', podAffinityTerm: { topologyKey: 'zone' } }] } },
      },
    },
    key: 'browserCollector.affinity.podAffinity.preferredDuringSchedulingIgnoredDuringExecution.0.weight',
  },
  {
    chart: 'ollyscale-otel',
    what: 'nodeSelector with a non-string value',
    values: { browserCollector: { nodeSelector: { 'kubernetes.io/os': 'linux', gpu: true } } },
    key: 'browserCollector.nodeSelector.gpu',
  },
  {
    chart: 'ollyscale-otel',
    what: 'env list item with an unknown key in valueFrom',
    values: { gatewayCollector: { env: [{ name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'backend', keyy: 'token' } } }] } },
    key: 'gatewayCollector.env.0.valueFrom.secretKeyRef',
    mentions: ['keyy'],
  },
  {
    chart: 'ollyscale-otel',
    what: 'env map entry whose valueFrom lacks a required field',
    values: { gatewayCollector: { env: { TOKEN: { valueFrom: { secretKeyRef: { name: 'backend' } } } } } },
    key: 'gatewayCollector.env.TOKEN.valueFrom.secretKeyRef',
  },
  {
    chart: 'ollyscale-otel',
    what: 'instrumentation env list item with a mistyped fieldRef key',
    values: { instrumentation: { java: { env: [{ name: 'POD', valueFrom: { fieldRef: { fieldpath: 'metadata.name' } } }] } } },
    key: 'instrumentation.java.env.0.valueFrom.fieldRef',
    mentions: ['fieldpath'],
  },
  {
    chart: 'ollyscale-otel',
    what: 'securityContext typo',
    values: { ebpfAgent: { securityContext: { runAsUsr: 0 } } },
    key: 'ebpfAgent.securityContext',
    mentions: ['runAsUsr'],
  },
  {
    chart: 'ollyscale-otel',
    what: 'securityContext.privileged as a string',
    values: { ebpfAgent: { securityContext: { privileged: 'true' } } },
    key: 'ebpfAgent.securityContext.privileged',
  },
  {
    chart: 'ollyscale-otel',
    what: 'imagePullSecrets item typo',
    values: { global: { imagePullSecrets: [{ nam: 'regcred' }] } },
    key: 'global.imagePullSecrets.0',
    mentions: ['nam'],
  },
  {
    chart: 'otel-gateway',
    what: 'imagePullSecrets item with an empty name',
    values: { global: { imagePullSecrets: [{ name: '' }] } },
    key: 'global.imagePullSecrets.0.name',
  },
  {
    chart: 'ollyscale-otel',
    what: 'resources key typo',
    values: { gatewayCollector: { resources: { limit: { memory: '1Gi' } } } },
    key: 'gatewayCollector.resources',
    mentions: ['limit'],
  },
  {
    chart: 'ollyscale-otel',
    what: 'resources.claims (the pod renders no resourceClaims for it)',
    values: { agentCollector: { resources: { claims: [{ name: 'gpu' }] } } },
    key: 'agentCollector.resources',
    mentions: ['claims'],
  },
  // null for a key whose default holds something would drop the default: required, so null names it.
  {
    chart: 'ollyscale-otel',
    what: 'agent tolerations null',
    values: { agentCollector: { tolerations: null } },
    key: 'agentCollector',
    mentions: ['tolerations'],
  },
  {
    chart: 'ollyscale-otel',
    what: 'eBPF tolerations null',
    values: { ebpfAgent: { enabled: true, tolerations: null } },
    key: 'ebpfAgent',
    mentions: ['tolerations'],
  },
  { chart: 'ollyscale-otel', what: 'resources null', values: { gatewayCollector: { resources: null } }, key: 'gatewayCollector', mentions: ['resources'] },
  { chart: 'otel-gateway', what: 'resources.limits null', values: { resources: { limits: null } }, key: 'resources', mentions: ['limits'] },
  {
    chart: 'ollyscale-otel',
    what: 'env with defaults null',
    values: { instrumentation: { python: { env: null } } },
    key: 'instrumentation.python',
    mentions: ['env'],
  },
  { chart: 'otel-gateway', what: 'imagePullSecrets null', values: { global: { imagePullSecrets: null } }, key: 'global', mentions: ['imagePullSecrets'] },
  {
    chart: 'ollyscale-otel',
    what: 'null inside affinity',
    values: { agentCollector: { affinity: { nodeAffinity: null } } },
    key: 'agentCollector.affinity.nodeAffinity',
  },
];

/** `a.b.c` as Helm 4 (`/a/b/c`) or Helm 3 (`a.b.c`) prints it. */
function keyPattern(key: string): RegExp {
  const parts = key.split('.').map((p) => p.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&'));
  return new RegExp(parts.join('[./]'));
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bad-values-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe.each(cases)('$chart: $what', (c) => {
  test.each(HELMS)('refused by $name with a message naming the key', (helm) => {
    const file = path.join(tmp, `${c.chart}-${c.what.replace(/\W+/g, '-')}.yaml`);
    fs.writeFileSync(file, stringify(c.values));
    const r = helmTemplate(helm, path.join(ROOT, 'charts', c.chart), { valuesFiles: [file], namespace: c.namespace });
    expect(r.code).not.toBe(0);
    expect(r.stdout).toBe('');
    if (c.key) expect(r.stderr).toMatch(keyPattern(c.key));
    for (const m of c.mentions ?? []) expect(r.stderr).toContain(m);
  });
});
