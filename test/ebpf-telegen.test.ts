// The eBPF agent with `engine: telegen`, as Telegen 3.0.0 would take it. Every key of the rendered
// config file must be one Telegen reads, with the type it reads (test/reference/telegen-3.0.0: its
// loader ignores unknown keys, so a wrong one would silently do nothing); what Telegen then does with
// the file (where its eBPF spans and metrics go, whether they run at all) is modelled on its source;
// the pod must give Telegen its config file by the one flag it has, and the privileges, host mounts
// and API access it needs, and no more.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse, stringify } from 'yaml';
import { HELMS, ROOT, helmTemplate, parseManifests } from './harness/helm';
import { scenarios } from './harness/scenarios';

const CHART = path.join(ROOT, 'charts', 'ollyscale-otel');
const REFERENCE = path.join(ROOT, 'test', 'reference', 'telegen-3.0.0', 'config-keys.yaml');
const KEYS = parse(fs.readFileSync(REFERENCE, 'utf8'));
const IMAGE = 'ghcr.io/mirastacklabs-ai/telegen:3.0.0';

/** What Telegen's capability check asks for (internal/obi/os.go, kernels from 5.11), and NET_ADMIN with context propagation. */
const CAPABILITIES = ['BPF', 'CHECKPOINT_RESTORE', 'DAC_READ_SEARCH', 'NET_RAW', 'PERFMON', 'SYS_PTRACE'];

// ---- the vendored key list ------------------------------------------------------------------------

const isMap = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const strings = (x: unknown) => Object.values(x as object).every((s) => typeof s === 'string');

/** Leaf types of config-keys.yaml: what Telegen's loader accepts (README.md next to it). */
const LEAVES: Record<string, (v: unknown) => boolean> = {
  bool: (v) => typeof v === 'boolean',
  int: (v) => Number.isInteger(v),
  string: (v) => typeof v === 'string',
  duration: (v) => typeof v === 'string' && /^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$/.test(v),
  string_map: (v) => isMap(v) && strings(v),
  string_list: (v) => Array.isArray(v) && strings(v),
  ports: (v) => (typeof v === 'string' || Number.isInteger(v)) && /^\s*\d+\s*(-\s*\d+\s*)?(,\s*\d+\s*(-\s*\d+\s*)?)*$/.test(String(v)),
  glob: (v) => typeof v === 'string',
  glob_map: (v) => isMap(v) && strings(v),
  context_propagation: (v) => typeof v === 'string' && /^(all|disabled|(headers|http|tcp|ip)(,(headers|http|tcp|ip))*)$/.test(v),
  tc_backend: (v) => v === 'tc' || v === 'tcx' || v === 'auto',
};

/** Every way `value` (at `at`) differs from what Telegen reads, per the schema of config-keys.yaml. */
function problems(value: unknown, schema: unknown, at: string): string[] {
  if (schema === 'opaque') return [`${at}: a block config-keys.yaml does not detail (vendor its keys first)`];
  if (typeof schema === 'string') return LEAVES[schema](value) ? [] : [`${at}: ${JSON.stringify(value)} is not a ${schema}`];
  if (Array.isArray(schema)) return Array.isArray(value) ? value.flatMap((v, i) => problems(v, schema[0], `${at}[${i}]`)) : [`${at}: not a list`];
  if (!isMap(schema)) throw new Error(`config-keys.yaml: bad schema at ${at}`);
  if (!isMap(value)) return [`${at}: not a mapping`];
  const inline = schema.$inline as Record<string, unknown> | undefined;
  return Object.entries(value).flatMap(([k, v]) => {
    const s = k !== '$inline' && k in schema ? schema[k] : inline?.[k];
    return s === undefined ? [`${at}.${k}: not a key Telegen 3.0.0 reads`] : problems(v, s, `${at}.${k}`);
  });
}

// ---- what Telegen 3.0.0 does with a config file ---------------------------------------------------

interface Export {
  protocol: 'grpc' | 'http';
  /** gRPC: the host:port dialled; HTTP: the URL its traces exporter posts the eBPF spans to. */
  target: string;
  tls: boolean;
  ebpfTraces: boolean;
  ebpfMetrics: boolean;
}

/**
 * internal/exporters/otlp/otlp.go: gRPC wins over HTTP; the HTTP traces exporter posts to
 * `<scheme>://<endpoint><traces_path>/v1/traces`, https only with tls.enable and not insecure.
 * internal/pipeline/pipeline.go (buildOBIConfig): the eBPF traces and metrics run from the gRPC
 * endpoint, else only when ebpf.otel_{traces,metrics}_export.endpoint are set.
 */
function telegenExport(cfg: any): Export {
  const otlp = cfg.exports?.otlp ?? {};
  const tlsOn = otlp.tls?.enable === true;
  if (otlp.grpc?.enabled) {
    return { protocol: 'grpc', target: otlp.grpc.endpoint, tls: tlsOn && !otlp.grpc.insecure, ebpfTraces: true, ebpfMetrics: true };
  }
  if (!otlp.http?.enabled) throw new Error('exports.otlp: neither grpc nor http is enabled');
  const tls = tlsOn && !otlp.http.insecure;
  return {
    protocol: 'http',
    target: `${tls ? 'https' : 'http'}://${otlp.http.endpoint}${otlp.http.traces_path ?? ''}/v1/traces`,
    tls,
    ebpfTraces: !!cfg.ebpf?.otel_traces_export?.endpoint,
    ebpfMetrics: !!cfg.ebpf?.otel_metrics_export?.endpoint,
  };
}

// ---- rendering ------------------------------------------------------------------------------------

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ebpf-telegen-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** helm template with these values on top of the Telegen engine (a values file: --set splits commas). */
function render(values: object, o: { namespace?: string; runtime?: string } = {}) {
  const file = path.join(tmp, `values-${fs.readdirSync(tmp).length}.yaml`);
  fs.writeFileSync(file, stringify(merge({ collectorRuntime: o.runtime ?? 'operator', ebpfAgent: { enabled: true, engine: 'telegen' } }, values)));
  return helmTemplate(HELMS[0], CHART, { valuesFiles: [file], namespace: o.namespace });
}

function telegen(values: object = {}, o: { namespace?: string; runtime?: string } = {}) {
  const r = render(values, o);
  if (r.code !== 0) throw new Error(r.stderr);
  const docs = parseManifests(r.stdout);
  const ofAgent = docs.filter((d) => d.metadata?.labels?.['app.kubernetes.io/component'] === 'ebpf-agent');
  const ds = ofAgent.find((d) => d.kind === 'DaemonSet');
  const pod = ds.spec.template.spec;
  expect(pod.containers).toHaveLength(1);
  const container = pod.containers[0];
  // The file the flag names, read through the mount of the chart's ConfigMap.
  const args: string[] = container.args;
  const flag = args.find((a) => a.startsWith('--config='))!;
  const file = flag.slice('--config='.length);
  const mount = container.volumeMounts.find((m: any) => file.startsWith(`${m.mountPath}/`));
  const volume = pod.volumes.find((v: any) => v.name === mount.name);
  const cm = ofAgent.find((d) => d.kind === 'ConfigMap' && d.metadata.name === volume.configMap.name);
  const text: string = cm.data[file.slice(mount.mountPath.length + 1)];
  return { docs, ofAgent, ds, pod, container, args, mount, text, config: parse(text) };
}

function merge(a: any, b: any): any {
  for (const [k, v] of Object.entries(b)) a[k] = isMap(v) && isMap(a[k]) ? merge(a[k], v) : v;
  return a;
}

function renderError(values: object): string {
  const r = render(values);
  expect(r.code).not.toBe(0);
  return r.stderr;
}

// ---- the config file ------------------------------------------------------------------------------

const SCENARIOS: { name: string; values: object; namespace?: string; want: Export }[] = [
  {
    name: 'defaults: OTLP/gRPC to the node-local agent',
    values: {},
    want: { protocol: 'grpc', target: 'agent-collector.otel-system.svc.cluster.local:4317', tls: false, ebpfTraces: true, ebpfMetrics: true },
  },
  {
    name: 'another release namespace',
    values: {},
    namespace: 'observability',
    want: { protocol: 'grpc', target: 'agent-collector.observability.svc.cluster.local:4317', tls: false, ebpfTraces: true, ebpfMetrics: true },
  },
  {
    name: 'the agent disabled: the gateway',
    values: { agentCollector: { enabled: false } },
    want: { protocol: 'grpc', target: 'gateway-collector.otel-system.svc.cluster.local:4317', tls: false, ebpfTraces: true, ebpfMetrics: true },
  },
  {
    name: 'context propagation, open ports, service and cluster name',
    values: {
      global: { clusterName: 'prod-eu' },
      ebpfAgent: { contextPropagation: { enabled: true }, openPorts: '80,8000-8999', config: { serviceName: 'shop' } },
    },
    want: { protocol: 'grpc', target: 'agent-collector.otel-system.svc.cluster.local:4317', tls: false, ebpfTraces: true, ebpfMetrics: true },
  },
  {
    name: 'an explicit gRPC endpoint',
    values: { ebpfAgent: { config: { otlpEndpoint: 'http://collector.example.com:4317' } } },
    want: { protocol: 'grpc', target: 'collector.example.com:4317', tls: false, ebpfTraces: true, ebpfMetrics: true },
  },
  {
    name: 'an explicit OTLP/HTTP endpoint',
    values: { ebpfAgent: { config: { otlpEndpoint: 'http://collector.example.com:4318' } } },
    want: { protocol: 'http', target: 'http://collector.example.com:4318/v1/traces', tls: false, ebpfTraces: true, ebpfMetrics: true },
  },
  {
    name: 'an explicit https endpoint',
    values: { ebpfAgent: { config: { otlpEndpoint: 'https://otlp.example.com:443/' } } },
    want: { protocol: 'http', target: 'https://otlp.example.com:443/v1/traces', tls: true, ebpfTraces: true, ebpfMetrics: true },
  },
];

describe.each(SCENARIOS)('Telegen config file: $name', ({ values, namespace, want }) => {
  const t = () => telegen(values, { namespace });

  test('has only keys Telegen 3.0.0 reads, with the types it reads', () => {
    expect(problems(t().config, KEYS, 'config')).toEqual([]);
  });

  test('exports the eBPF spans and metrics where the chart means them to go, to host:port', () => {
    const got = telegenExport(t().config);
    expect(got).toEqual(want);
    if (got.protocol === 'grpc') expect(got.target).toMatch(/^[a-z0-9.-]+:[0-9]+$/);
  });

  test('holds no "$" (Telegen expands $NAME in the whole file)', () => {
    expect(t().text).not.toContain('$');
  });
});

// The examples that run Telegen, as the users who copy them would install them.
const EXAMPLES = scenarios('ollyscale-otel').filter((s) => s.valuesFile && parse(fs.readFileSync(s.valuesFile, 'utf8'))?.ebpfAgent?.engine === 'telegen');

describe('Telegen examples', () => {
  test('there is one', () => {
    expect(EXAMPLES.length).toBeGreaterThan(0);
  });
  test.each(EXAMPLES.map((s) => [s.name, s] as const))('%s: only keys Telegen 3.0.0 reads, exporting its eBPF signals over exports.otlp', (_, s) => {
    const r = helmTemplate(HELMS[0], CHART, { valuesFiles: [s.valuesFile!], namespace: s.namespace });
    expect(r.stderr).toBe('');
    const cm = parseManifests(r.stdout).find((d) => d.kind === 'ConfigMap' && d.metadata.labels?.['app.kubernetes.io/component'] === 'ebpf-agent');
    const config = parse(cm.data['config.yaml']);
    expect(problems(config, KEYS, 'config')).toEqual([]);
    expect(telegenExport(config)).toMatchObject({ ebpfTraces: true, ebpfMetrics: true });
  });
});

describe('Telegen config file', () => {
  test('the key check has teeth: it refuses what Telegen would silently ignore', () => {
    // Telegen's own documentation and example config use these; its loader reads none of them.
    expect(problems({ otlp: { endpoint: 'c:4317' } }, KEYS, 'config')).toEqual(['config.otlp: not a key Telegen 3.0.0 reads']);
    expect(problems({ exports: { otlp: { http: { metrics_path: '/v1/metrics' } } } }, KEYS, 'config')).toEqual([
      'config.exports.otlp.http.metrics_path: not a key Telegen 3.0.0 reads',
    ]);
    expect(problems({ exports: { otlp: { grpc: { enabled: 'true' } } } }, KEYS, 'config')).toEqual(['config.exports.otlp.grpc.enabled: "true" is not a bool']);
    expect(problems({ ebpf: { discovery: { instrument: [{ k8s_namespaces: 'x' }] } } }, KEYS, 'config')).toEqual([
      'config.ebpf.discovery.instrument[0].k8s_namespaces: not a key Telegen 3.0.0 reads',
    ]);
  });

  test('instruments every Kubernetes workload but this release, system namespaces and apps that already export OTLP', () => {
    const d = telegen().config.ebpf.discovery;
    expect(d.instrument).toEqual([{ k8s_namespace: '*' }]);
    expect(d.exclude_instrument).toEqual(
      expect.arrayContaining([
        { k8s_namespace: 'otel-system', k8s_pod_labels: { 'app.kubernetes.io/name': 'ollyscale-otel', 'app.kubernetes.io/instance': 'ollyscale-otel' } },
      ]),
    );
    // Telegen hands OBI this block in place of OBI's own, so OBI's defaults must be in it.
    expect(d.exclude_otel_instrumented_services).toBe(true);
    expect(d.default_exclude_instrument).toEqual(expect.arrayContaining([{ k8s_namespace: expect.stringContaining('kube-system') }]));
  });

  test('names the services and the cluster, and propagates context, through the keys Telegen reads', () => {
    const c = telegen(SCENARIOS[3].values).config;
    expect(c.ebpf.discovery.instrument).toEqual([{ open_ports: '80,8000-8999', name: 'shop' }]);
    expect(c.kubernetes).toEqual({ enable: true, cluster_name: 'prod-eu' });
    expect(c.ebpf.tracer).toEqual({ context_propagation: 'all' });
  });

  test('keeps kube_metrics off (it would read the whole cluster, Secrets included)', () => {
    expect(telegen().config.kube_metrics).toEqual({ enabled: false, auto_detect: false });
  });

  test('refuses an endpoint with a path, and a "$" Telegen would expand, naming the key', () => {
    expect(renderError({ ebpfAgent: { config: { otlpEndpoint: 'http://collector.example.com:4318/otlp' } } })).toMatch(
      /ebpfAgent\.config\.otlpEndpoint: .*path/,
    );
    expect(renderError({ ebpfAgent: { config: { serviceName: 'shop-$HOME' } } })).toMatch(/ebpfAgent\.config\.serviceName: Telegen expands/);
    expect(renderError({ global: { clusterName: 'a$b' } })).toMatch(/global\.clusterName: Telegen expands/);
  });
});

// ---- the pod --------------------------------------------------------------------------------------

describe('Telegen DaemonSet', () => {
  test('gives the config file by --config and nothing else, read-only, from the ConfigMap', () => {
    const t = telegen();
    expect(t.args).toEqual([expect.stringMatching(/^--config=\/.+/)]);
    expect(t.mount.readOnly).toBe(true);
    // Telegen reads no OTLP settings from the environment.
    expect(t.container.env ?? []).toEqual([]);
    expect(t.container.image).toBe(IMAGE);
  });

  test('rolls the pods when the config file changes', () => {
    const a = telegen().ds.spec.template.metadata.annotations['checksum/config'];
    const b = telegen({ ebpfAgent: { openPorts: '8080' } }).ds.spec.template.metadata.annotations['checksum/config'];
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(b).not.toBe(a);
  });

  test('runs as root with exactly the eBPF capabilities, drop ALL, a read-only root filesystem, in the host PID namespace', () => {
    const { pod, container } = telegen();
    const sc = container.securityContext;
    expect(sc.runAsUser).toBe(0);
    expect(sc.privileged).toBeUndefined();
    expect(sc.capabilities.drop).toEqual(['ALL']);
    expect([...sc.capabilities.add].sort()).toEqual(CAPABILITIES);
    expect(sc.readOnlyRootFilesystem).toBe(true);
    expect(pod.hostPID).toBe(true);
    expect(pod.hostNetwork).toBe(false);
  });

  test('adds NET_ADMIN, host networking and tracefs for context propagation only', () => {
    const { pod, container } = telegen({ ebpfAgent: { contextPropagation: { enabled: true } } });
    expect([...container.securityContext.capabilities.add].sort()).toEqual([...CAPABILITIES, 'NET_ADMIN'].sort());
    expect(pod.hostNetwork).toBe(true);
    expect(pod.dnsPolicy).toBe('ClusterFirstWithHostNet');
    expect(pod.volumes.map((v: any) => v.hostPath?.path).filter(Boolean)).toEqual(['/sys/fs/cgroup', '/sys/kernel/tracing']);
  });

  test('mounts one host path by default, the cgroup hierarchy, read-only', () => {
    const { pod, container } = telegen();
    const hostPaths = pod.volumes.filter((v: any) => v.hostPath);
    expect(hostPaths.map((v: any) => v.hostPath.path)).toEqual(['/sys/fs/cgroup']);
    for (const v of hostPaths) expect(container.volumeMounts.find((m: any) => m.name === v.name).readOnly).toBe(true);
    // Nothing writable at all: Telegen writes nothing with this config.
    expect(container.volumeMounts.every((m: any) => m.readOnly)).toBe(true);
  });

  test('runs privileged only when asked', () => {
    const sc = telegen({ ebpfAgent: { privileged: true } }).container.securityContext;
    expect(sc.privileged).toBe(true);
    expect(sc.capabilities).toBeUndefined();
  });

  test('takes global.imageRegistry and global.imagePullSecrets', () => {
    const t = telegen({ global: { imageRegistry: 'registry.example.com', imagePullSecrets: [{ name: 'regcred' }] } });
    expect(t.container.image).toBe('registry.example.com/mirastacklabs-ai/telegen:3.0.0');
    expect(t.pod.imagePullSecrets).toEqual([{ name: 'regcred' }]);
  });

  test('reads pods, services and nodes from the API (its service account token is mounted), never Secrets', () => {
    const t = telegen();
    expect(t.pod.automountServiceAccountToken).not.toBe(false);
    const roles = t.ofAgent.filter((d) => d.kind === 'ClusterRole' || d.kind === 'Role');
    expect(roles).toHaveLength(1);
    expect(roles[0].rules).toEqual([{ apiGroups: [''], resources: ['pods', 'services', 'nodes'], verbs: ['get', 'list', 'watch'] }]);
    const binding = t.ofAgent.find((d) => d.kind === 'ClusterRoleBinding');
    expect(binding.roleRef.name).toBe(roles[0].metadata.name);
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: t.pod.serviceAccountName, namespace: 'otel-system' }]);
  });

  test("sends to the agent collector's node-local Service, on its OTLP/gRPC port", () => {
    const t = telegen({}, { runtime: 'native' });
    const [host, port] = telegenExport(t.config).target.split(':');
    const [name, namespace] = host.split('.');
    const svc = t.docs.find((d) => d.kind === 'Service' && d.metadata.name === name);
    expect(svc.metadata.namespace).toBe(namespace);
    expect(svc.spec.internalTrafficPolicy).toBe('Local');
    expect(svc.spec.ports.map((p: any) => p.port)).toContain(Number(port));
  });
});
