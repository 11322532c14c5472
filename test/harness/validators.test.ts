// Proves the validators catch what they must (and pass what is valid), so chart tests can rely on them.
import { validateObject } from './validate-k8s';
import { chartPolicyErrors, validateConfigStrings } from './validate-collector';

const clone = <T>(v: T): T => structuredClone(v);
const LABELS = { 'app.kubernetes.io/name': 'agent', 'app.kubernetes.io/instance': 'ollyscale-otel' };

const daemonSet = {
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  metadata: { name: 'ollyscale-otel-agent', namespace: 'otel-system', labels: LABELS },
  spec: {
    selector: { matchLabels: LABELS },
    updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } },
    template: {
      metadata: { labels: LABELS, annotations: { 'checksum/config': 'abc123' } },
      spec: {
        serviceAccountName: 'ollyscale-otel-agent',
        containers: [
          {
            name: 'otelcol',
            image: 'otel/opentelemetry-collector-contrib:0.158.0',
            args: ['--config=/conf/config.yaml'],
            ports: [{ name: 'otlp-grpc', containerPort: 4317, protocol: 'TCP' }],
            env: [{ name: 'K8S_NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }],
            resources: { limits: { cpu: '500m', memory: '512Mi' }, requests: { cpu: '100m', memory: '128Mi' } },
            livenessProbe: { httpGet: { path: '/', port: 13133 } },
            securityContext: { runAsNonRoot: true, readOnlyRootFilesystem: true },
            volumeMounts: [{ name: 'config', mountPath: '/conf', readOnly: true }],
          },
        ],
        volumes: [{ name: 'config', configMap: { name: 'ollyscale-otel-agent' } }],
        tolerations: [{ operator: 'Exists' }],
      },
    },
  },
};

const collectorConfig = {
  receivers: { otlp: { protocols: { grpc: { endpoint: '0.0.0.0:4317' }, http: { endpoint: '0.0.0.0:4318' } } } },
  processors: { memory_limiter: { check_interval: '1s', limit_percentage: 80 }, batch: {} },
  exporters: { otlp_grpc: { endpoint: 'gateway:4317', headers: { authorization: 'Bearer ${env:OTLP_TOKEN}' } } },
  extensions: { health_check: { endpoint: '0.0.0.0:13133' } },
  service: {
    extensions: ['health_check'],
    pipelines: { traces: { receivers: ['otlp'], processors: ['memory_limiter', 'batch'], exporters: ['otlp_grpc'] } },
  },
};

const collector = {
  apiVersion: 'opentelemetry.io/v1beta1',
  kind: 'OpenTelemetryCollector',
  metadata: { name: 'ollyscale-otel-gateway', namespace: 'otel-system', labels: LABELS },
  spec: {
    mode: 'deployment',
    replicas: 2,
    image: 'otel/opentelemetry-collector-contrib:0.158.0',
    resources: { limits: { memory: '1Gi' } },
    ports: [{ name: 'otlp-grpc', port: 4317, targetPort: 4317 }],
    config: collectorConfig,
  },
};

const instrumentation = {
  apiVersion: 'opentelemetry.io/v1alpha1',
  kind: 'Instrumentation',
  metadata: { name: 'ollyscale', namespace: 'apps' },
  spec: {
    exporter: { endpoint: 'http://ollyscale-otel-agent.otel-system:4318' },
    propagators: ['tracecontext', 'baggage'],
    sampler: { type: 'parentbased_traceidratio', argument: '0.25' },
    java: { resources: { limits: { memory: '256Mi' } }, env: [{ name: 'OTEL_LOGS_EXPORTER', value: 'otlp' }] },
  },
};

describe('validateObject: core kinds (kubernetes-models + unknown-field probe)', () => {
  it('accepts a valid DaemonSet', () => {
    expect(validateObject(daemonSet)).toEqual([]);
  });

  it('rejects a misspelled field', () => {
    const ds = clone(daemonSet) as any;
    ds.spec.template.spec.containerz = ds.spec.template.spec.containers;
    expect(validateObject(ds)).toEqual(['DaemonSet/ollyscale-otel-agent: spec.template.spec.containerz: unknown field']);
  });

  it('rejects a misspelled field deep inside a list', () => {
    const ds = clone(daemonSet) as any;
    ds.spec.template.spec.containers[0].volumeMounts[0].readonly = true;
    expect(validateObject(ds)).toEqual(['DaemonSet/ollyscale-otel-agent: spec.template.spec.containers[0].volumeMounts[0].readonly: unknown field']);
  });

  it('rejects a wrong type', () => {
    const ds = clone(daemonSet) as any;
    ds.spec.template.spec.containers[0].ports[0].containerPort = '4317';
    const errors = validateObject(ds);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/spec\.template\.spec\.containers\[0\]\.ports\[0\]\.containerPort: must be integer/);
  });

  it('accepts typed maps (labels, resources, ConfigMap data) without calling their keys unknown', () => {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', labels: LABELS }, data: { 'config.yaml': 'receivers: {}' } };
    expect(validateObject(cm)).toEqual([]);
  });

  it('checks names, Service names and label values', () => {
    const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name: '1-agent', labels: { app: 'bad value!' } }, spec: { ports: [{ port: 4317 }] } };
    const errors = validateObject(svc);
    expect(errors).toContain('Service/1-agent: Service name "1-agent" is not a DNS-1035 label of at most 63 characters');
    expect(errors).toContain('Service/1-agent: metadata.labels.app: invalid label value "bad value!"');
    expect(validateObject({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'Agent' } })).toEqual([
      'ServiceAccount/Agent: metadata.name "Agent" is not a DNS-1123 subdomain',
    ]);
  });

  it('flags signs of a broken Go template', () => {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg' }, data: { a: '<nil>', b: '%!s(int=3)' } };
    expect(validateObject(cm)).toHaveLength(2);
  });

  it('has no schema for unknown kinds', () => {
    expect(validateObject({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } })).toEqual([
      'Widget/w: no schema for example.com/v1/Widget',
    ]);
    // A sub-type of kubernetes-models is not a top-level kind.
    expect(validateObject({ apiVersion: 'v1', kind: 'Container', metadata: { name: 'c' } })).toEqual(['Container/c: no schema for v1/Container']);
  });
});

describe('validateObject: OpenTelemetry operator CRDs (strict openAPIV3Schema)', () => {
  it('accepts a valid OpenTelemetryCollector v1beta1', () => {
    expect(validateObject(collector)).toEqual([]);
  });

  it('rejects an unknown spec field', () => {
    const c = clone(collector) as any;
    c.spec.replica = 2;
    expect(validateObject(c)).toEqual(['OpenTelemetryCollector/ollyscale-otel-gateway: spec.replica: unknown field']);
  });

  it('rejects a bad mode', () => {
    const c = clone(collector) as any;
    c.spec.mode = 'Deployment';
    expect(validateObject(c)).toEqual([
      'OpenTelemetryCollector/ollyscale-otel-gateway: spec.mode: must be equal to one of the allowed values (["daemonset","deployment","sidecar","statefulset"])',
    ]);
  });

  it('accepts int-or-string and free-form component config, but not unknown pipeline keys', () => {
    const c = clone(collector) as any;
    c.spec.ports[0].targetPort = 'otlp-grpc';
    c.spec.config.receivers.otlp.anything = { goes: true };
    expect(validateObject(c)).toEqual([]);
    c.spec.config.service.pipelines.traces.procesors = [];
    expect(validateObject(c)).toEqual(['OpenTelemetryCollector/ollyscale-otel-gateway: spec.config.service.pipelines.traces.procesors: unknown field']);
  });

  it('requires metadata.name', () => {
    const c = clone(collector) as any;
    delete c.metadata.name;
    expect(validateObject(c)).toContain("OpenTelemetryCollector/<no name>: metadata: must have required property 'name'");
  });

  it('accepts a valid Instrumentation', () => {
    expect(validateObject(instrumentation)).toEqual([]);
  });

  it('rejects java.resourceRequirements (Java takes resources)', () => {
    const i = clone(instrumentation) as any;
    i.spec.java.resourceRequirements = i.spec.java.resources;
    delete i.spec.java.resources;
    expect(validateObject(i)).toEqual(['Instrumentation/ollyscale: spec.java.resourceRequirements: unknown field']);
  });

  it('rejects a bad sampler type', () => {
    const i = clone(instrumentation) as any;
    i.spec.sampler.type = 'ratio';
    expect(validateObject(i)).toHaveLength(1);
    expect(validateObject(i)[0]).toMatch(/spec\.sampler\.type: must be equal to one of the allowed values/);
  });
});

describe('validateObject: HTTPRoute (structural)', () => {
  const route = {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name: 'otlp-http' },
    spec: {
      parentRefs: [{ name: 'public', namespace: 'gateway' }],
      hostnames: ['otel.example.com'],
      rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/v1' } }], backendRefs: [{ name: 'ollyscale-otel-gateway', port: 4318 }] }],
    },
  };

  it('accepts a valid route', () => {
    expect(validateObject(route)).toEqual([]);
  });

  it('rejects a bad backend name, a string port and an unknown field', () => {
    const r = clone(route) as any;
    r.spec.rules[0].backendRefs[0] = { name: 'Gateway_Svc', port: '4318', wieght: 1 };
    const errors = validateObject(r).join('\n');
    expect(errors).toMatch(/backendRefs\[0\]\.name: "Gateway_Svc" is not a DNS-1035 label/);
    expect(errors).toMatch(/backendRefs\[0\]\.port: must be integer/);
    expect(errors).toMatch(/backendRefs\[0\]\.wieght: unknown field/);
  });
});

describe('chartPolicyErrors', () => {
  const known = new Map([
    ['receivers', new Set(['otlp'])],
    ['processors', new Set(['memory_limiter', 'batch', 'k8s_attributes'])],
    ['exporters', new Set(['otlp_grpc'])],
    ['extensions', new Set(['health_check'])],
  ]);

  it('accepts a config that follows the policies', () => {
    expect(chartPolicyErrors(collectorConfig, { known })).toEqual([]);
  });

  it('refuses deprecated aliases unless the scenario allows them', () => {
    const c = clone(collectorConfig) as any;
    c.exporters = { 'otlp/gateway': c.exporters.otlp_grpc };
    c.processors.k8sattributes = {};
    c.service.pipelines.traces = { receivers: ['otlp'], processors: ['memory_limiter', 'k8sattributes', 'batch'], exporters: ['otlp/gateway'] };
    expect(chartPolicyErrors(c, { known })).toEqual([
      'processors.k8sattributes: "k8sattributes" is not a canonical processor type of this collector (a deprecated alias, or a component it lacks)',
      'exporters.otlp/gateway: "otlp" is not a canonical exporter type of this collector (a deprecated alias, or a component it lacks)',
    ]);
    expect(chartPolicyErrors(c, { known, allowDeprecatedAliases: true })).toEqual([]);
  });

  it('requires memory_limiter to be the first processor of every pipeline fed from outside', () => {
    const c = clone(collectorConfig) as any;
    c.service.pipelines.traces.processors = ['batch', 'memory_limiter'];
    c.service.pipelines.metrics = { receivers: ['otlp'], processors: ['batch'], exporters: ['otlp_grpc'] };
    c.connectors = { forward: {} };
    c.service.pipelines['logs/after'] = { receivers: ['forward'], processors: ['batch'], exporters: ['otlp_grpc'] };
    expect(chartPolicyErrors(c, { known })).toEqual([
      'service.pipelines.traces: memory_limiter must be the first processor, found at position 2',
      'service.pipelines.metrics: memory_limiter must be the first processor',
    ]);
  });
});

describe('validateConfigStrings', () => {
  it('accepts secret references', () => {
    expect(validateConfigStrings(collectorConfig)).toEqual([]);
    expect(
      validateConfigStrings({ extensions: { bearertokenauth: { token: '${env:TOKEN}' }, basicauth: { client_auth: { password: '${file:/secrets/pw}' } } } }),
    ).toEqual([]);
  });

  it('reports an inline token', () => {
    expect(validateConfigStrings({ extensions: { bearertokenauth: { token: 's3cr3t' } } })).toEqual([
      'extensions.bearertokenauth.token: inline secret; reference it as ${env:NAME} or ${file:/path} instead',
    ]);
    expect(validateConfigStrings({ exporters: { otlp_http: { headers: { Authorization: 'Bearer abc' } } } })).toHaveLength(1);
  });

  it('reports broken templating', () => {
    expect(validateConfigStrings({ exporters: { otlp_grpc: { endpoint: '{{ .Values.endpoint }}', tls: { ca_file: '<nil>' } } } })).toHaveLength(2);
  });
});
