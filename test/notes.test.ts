// NOTES.txt: the real endpoints and annotations for the namespace the chart went into, the
// warnings a user needs, and one deprecation line per original-chart key set.
//
// `helm template` does not render NOTES.txt and Helm 3's `install --dry-run=client` needs a
// cluster, so a copy of the chart renders the same NOTES text into a ConfigMap with the same
// engine; for Helm 4 a test checks that this equals what `helm install --dry-run=client` prints.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { HELMS, ROOT, helmTemplate, parseManifests, runHelm } from './harness/helm';
import { LANGUAGES } from '../generator/components/instrumentation';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'notes-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function notesChart(chart: string): string {
  const dir = path.join(tmp, chart);
  if (!fs.existsSync(dir)) {
    fs.cpSync(path.join(ROOT, 'charts', chart), dir, { recursive: true });
    const text = fs.readFileSync(path.join(dir, 'templates', 'NOTES.txt'), 'utf8');
    fs.rmSync(path.join(dir, 'templates', 'NOTES.txt'));
    fs.writeFileSync(path.join(dir, 'templates', '_notes-under-test.tpl'), `{{- define "notes-under-test" -}}\n${text}{{- end -}}\n`);
    fs.writeFileSync(
      path.join(dir, 'templates', 'notes-under-test.yaml'),
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: notes\ndata:\n  notes: {{ include "notes-under-test" . | quote }}\n',
    );
  }
  return dir;
}

function notes(helm: (typeof HELMS)[number], chart: string, namespace: string, args: string[] = []): string {
  const r = runHelm(helm, [
    'template',
    'ollyscale-otel',
    notesChart(chart),
    '--namespace',
    namespace,
    '--show-only',
    'templates/notes-under-test.yaml',
    ...args,
  ]);
  if (r.code !== 0) throw new Error(r.stderr);
  return parseManifests(r.stdout)[0].data.notes;
}

test('the NOTES rendered for these tests are what helm install prints', () => {
  const helm4 = HELMS.find((h) => h.name === 'helm4')!;
  const r = runHelm(helm4, ['install', 'ollyscale-otel', path.join(ROOT, 'charts', 'ollyscale-otel'), '--dry-run=client', '--namespace', 'otel-system']);
  expect(r.code).toBe(0);
  expect(r.stdout.slice(r.stdout.indexOf('NOTES:\n') + 'NOTES:\n'.length).trim()).toBe(notes(helm4, 'ollyscale-otel', 'otel-system').trim());
  expect(helmTemplate(helm4, path.join(ROOT, 'charts', 'ollyscale-otel')).code).toBe(0);
});

describe.each(HELMS)('ollyscale-otel NOTES.txt with $name', (helm) => {
  test("a default install into otel-system prints the seed README's endpoints and annotation", () => {
    const n = notes(helm, 'ollyscale-otel', 'otel-system');
    expect(n).toContain('gateway-collector.otel-system.svc.cluster.local:4317 (gRPC) or :4318 (HTTP)');
    expect(n).toContain('agent-collector.otel-system.svc.cluster.local:4318 (HTTP)');
    expect(n).toContain('ollyscale-browser-collector.otel-system.svc.cluster.local:4318 (HTTP)');
    expect(n).toContain('instrumentation.opentelemetry.io/inject-python: "otel-system/ollyscale-instrumentation"');
    // The languages come from the TypeScript model (@INSTRUMENTATION_ANNOTATIONS@), all of them, in order.
    expect(n.split('\n').filter((l) => l.includes('instrumentation.opentelemetry.io/inject-'))).toEqual(
      LANGUAGES.map((l) => `  instrumentation.opentelemetry.io/inject-${l.annotation}: "otel-system/ollyscale-instrumentation"`),
    );
    expect(n).toContain('kubectl get crd opentelemetrycollectors.opentelemetry.io');
    expect(n).toMatch(/WARNING: browserCollector\.cors\.allowedOrigins is empty/);
    expect(n).toMatch(/WARNING: browserCollector\.httpRoute\.enabled is false/);
    expect(n).not.toContain('DEPRECATED');
    expect(n).not.toContain('resources.limits.memory is not set');
  });

  test('another namespace changes every endpoint and annotation', () => {
    const n = notes(helm, 'ollyscale-otel', 'observability');
    expect(n).toContain('gateway-collector.observability.svc.cluster.local:4317');
    expect(n).toContain('instrumentation.opentelemetry.io/inject-java: "observability/ollyscale-instrumentation"');
    expect(n).not.toContain('otel-system');
  });

  test('disabled components are not listed; a gateway-less install says where telemetry goes', () => {
    const n = notes(helm, 'ollyscale-otel', 'otel-system', ['--set', 'gatewayCollector.enabled=false', '--set', 'browserCollector.enabled=false']);
    expect(n).not.toContain('gateway-collector.');
    expect(n).not.toContain('ollyscale-browser-collector');
    expect(n).toContain('The gateway is disabled: the agent and browser collectors export straight to these destinations');
    expect(n).toContain('ollyscale: otlp ollyscale-otlp-receiver.ollyscale.svc.cluster.local:4343');
  });

  test('a collector without a memory limit is warned about', () => {
    const n = notes(helm, 'ollyscale-otel', 'otel-system', ['--set', 'agentCollector.resources.limits.memory=null']);
    expect(n).toContain('WARNING: agentCollector.resources.limits.memory is not set');
    expect(n).not.toContain('WARNING: gatewayCollector.resources.limits.memory');
  });

  test('names every signal no destination takes, and none when all are taken', () => {
    expect(notes(helm, 'ollyscale-otel', 'otel-system')).not.toContain('WARNING: no enabled destination takes');
    const n = notes(helm, 'ollyscale-otel', 'otel-system', ['--set', 'gatewayCollector.destinations.ollyscale.signals={traces}']);
    expect(n.split('\n').filter((l) => l.startsWith('WARNING: no enabled destination takes'))).toEqual([
      'WARNING: no enabled destination takes metrics: the collectors run no metrics pipeline and',
      'WARNING: no enabled destination takes logs: the collectors run no logs pipeline and',
    ]);
  });

  test('the runtime decides what must be installed first', () => {
    const operator = notes(helm, 'ollyscale-otel', 'otel-system');
    expect(operator).toContain('kubectl get crd opentelemetrycollectors.opentelemetry.io instrumentations.opentelemetry.io');
    const native = notes(helm, 'ollyscale-otel', 'otel-system', ['--set', 'collectorRuntime=native']);
    expect(native).toContain("The collectors run as the chart's own DaemonSet and Deployments (collectorRuntime: native).");
    expect(native).toContain('The Instrumentation resource is still an OpenTelemetry Operator resource');
    expect(native).not.toContain('opentelemetrycollectors.opentelemetry.io');
    const bare = notes(helm, 'ollyscale-otel', 'otel-system', ['--set', 'collectorRuntime=native', '--set', 'instrumentation.enabled=false']);
    expect(bare).not.toContain('Operator');
  });

  test('warns when a processors list in config leaves out a processor the chart manages, and only then', () => {
    const warnings = (n: string) => n.split('\n').filter((l) => / leaves out /.test(l));
    expect(warnings(notes(helm, 'ollyscale-otel', 'otel-system'))).toEqual([]);
    // extraProcessors add to the chart's pipelines: nothing is left out.
    expect(warnings(notes(helm, 'ollyscale-otel', 'otel-system', ['-f', path.join(ROOT, 'examples', 'ollyscale-otel', 'extra-processors.yaml')]))).toEqual([]);
    // The original chart's gateway traces list: memory_limiter is put back first, tail_sampling is kept, the health-check filter is not.
    const legacy = notes(helm, 'ollyscale-otel', 'otel-system', ['-f', path.join(ROOT, 'examples', 'ollyscale-otel', 'legacy-original-chart.yaml')]);
    expect(warnings(legacy)).toEqual(['WARNING: gatewayCollector.config.service.pipelines.traces.processors leaves out filter/health-checks,']);
    expect(legacy).toContain('list them in\ngatewayCollector.extraProcessors.traces instead.');
    const n = notes(helm, 'ollyscale-otel', 'otel-system', ['--set', 'gatewayCollector.config.service.pipelines.traces.processors={batch}']);
    expect(warnings(n)).toEqual([
      'WARNING: gatewayCollector.config.service.pipelines.traces.processors leaves out filter/health-checks,',
      'WARNING: gatewayCollector.config.service.pipelines.traces.processors leaves out tail_sampling,',
    ]);
  });

  test('each original-chart key set prints one deprecation line', () => {
    const n = notes(helm, 'ollyscale-otel', 'otel-system', ['-f', path.join(ROOT, 'examples', 'ollyscale-otel', 'legacy-original-chart.yaml')]);
    for (const key of [
      'global.namespace',
      'global.ollyscaleNamespace',
      'otelTemplates.enabled',
      'otelTemplates.templates',
      'instrumentation.selfObservability',
    ]) {
      expect(n.split('\n').filter((l) => l.startsWith(`DEPRECATED: ${key} `))).toHaveLength(1);
    }
  });
});

describe.each(HELMS)('otel-gateway NOTES.txt with $name', (helm) => {
  test('prints its endpoints in the release namespace and the destinations', () => {
    const n = notes(helm, 'otel-gateway', 'telemetry', ['-f', path.join(ROOT, 'examples', 'otel-gateway', 'multi-destination.yaml')]);
    expect(n).toContain('gRPC: gateway-collector.telemetry.svc.cluster.local:4317');
    expect(n).toContain('gateway-collector-headless.telemetry.svc.cluster.local');
    expect(n).toContain('vendor: otlphttp https://otlp.vendor.example.com (traces, metrics)');
    expect(n).toContain('console: debug  (logs)');
  });
  test('names the Operator only in the operator runtime', () => {
    expect(notes(helm, 'otel-gateway', 'telemetry')).toContain('kubectl get crd opentelemetrycollectors.opentelemetry.io');
    expect(notes(helm, 'otel-gateway', 'telemetry', ['--set', 'collectorRuntime=native'])).not.toContain('Operator');
  });
  test('warns when a processors list in config leaves out a processor the chart manages, naming root keys', () => {
    const n = notes(helm, 'otel-gateway', 'telemetry', [
      '--set',
      'config.processors.memory_limiter=null',
      '--set',
      'config.service.pipelines.traces.processors={tail_sampling,batch}',
      '--set',
      'config.service.pipelines.metrics.processors={batch}',
      '--set',
      'config.service.pipelines.logs.processors={batch}',
    ]);
    expect(n.split('\n').filter((l) => / leaves out /.test(l))).toEqual([
      'WARNING: config.service.pipelines.logs.processors leaves out memory_limiter, which the',
      'WARNING: config.service.pipelines.metrics.processors leaves out memory_limiter, which the',
      'WARNING: config.service.pipelines.traces.processors leaves out memory_limiter, which the',
      'WARNING: config.service.pipelines.traces.processors leaves out filter/health-checks, which the',
    ]);
    expect(n).toContain('extraProcessors.traces instead.');
  });
  test('warns about a missing memory limit', () => {
    const n = notes(helm, 'otel-gateway', 'telemetry', ['-f', path.join(ROOT, 'examples', 'otel-gateway', 'no-sampling.yaml')]);
    expect(n).toContain('WARNING: resources.limits.memory is not set');
  });
});

describe.each(HELMS)('NOTES of the production pipelines ($name)', (helm) => {
  const example = (chart: string, name: string) => ['-f', path.join(ROOT, 'examples', chart, `${name}.yaml`)];

  test('tenancy: each tenant with its destinations, and where unknown tenants go', () => {
    const text = notes(helm, 'ollyscale-otel', 'otel-system', example('ollyscale-otel', 'multi-tenant'));
    expect(text).toContain('Tenancy: telemetry is routed by the request header "X-Tenant-ID"');
    expect(text).toContain('globex -> globex-backend, globex-metrics');
    expect(text).toContain('initech -> (disabled: treated as unknown)');
    expect(text).toContain('unknown or no tenant -> ollyscale');
  });

  test('the Kafka buffer, its consumer and the persistent queue', () => {
    const kafka = notes(helm, 'otel-gateway', 'otel-system', example('otel-gateway', 'kafka-buffer'));
    expect(kafka).toContain('The collector "gateway-kafka-consumer" (3 replica(s), consumer group "gateway-kafka-consumer")');
    const queue = notes(helm, 'otel-gateway', 'otel-system', example('otel-gateway', 'persistent-queue'));
    expect(queue).toContain('the gateway runs as a StatefulSet with one PersistentVolumeClaim per replica\n(5Gi)');
    expect(queue).toContain('kubectl delete pvc -n otel-system');
  });

  test('receiver security, and profiles no destination takes', () => {
    const text = notes(helm, 'ollyscale-otel', 'otel-system', [...example('ollyscale-otel', 'gateway-tls-auth'), '--set', 'profiles.enabled=true']);
    expect(text).toContain('require TLS (Secret "gateway-tls", with client certificates signed by its ca.crt) and a bearer token (Secret "gateway-token"');
    expect(text).toContain('WARNING: no enabled destination takes profiles');
  });

  test('nothing about tenancy when the gateway is disabled', () => {
    const text = notes(helm, 'ollyscale-otel', 'otel-system', [...example('ollyscale-otel', 'multi-tenant'), '--set', 'gatewayCollector.enabled=false']);
    expect(text).not.toContain('Tenancy:');
  });
});

describe.each(HELMS)("the original chart's forms in NOTES ($name)", (helm) => {
  test('one line per env given as a list, none for a map', () => {
    const text = notes(helm, 'ollyscale-otel', 'otel-system', [
      '--set',
      'gatewayCollector.env[0].name=A',
      '--set',
      'gatewayCollector.env[0].value=b',
      '--set',
      'instrumentation.java.env.B=c',
    ]);
    expect(text).toContain("DEPRECATED: gatewayCollector.env is a list, the original chart's form");
    expect(text).not.toContain('instrumentation.java.env is a list');
    expect(text.match(/is a list, the original chart's form/g)).toHaveLength(1);
  });

  test('otel-gateway: its legacy global keys and a list env, and nothing deployed when disabled', () => {
    const text = notes(helm, 'otel-gateway', 'edge', [
      '--set',
      'global.namespace=old',
      '--set',
      'env[0].name=A',
      '--set',
      'env[0].value=b',
      '--set',
      'enabled=false',
    ]);
    expect(text).toContain('The gateway is disabled (enabled: false): nothing is deployed.');
    expect(text).toContain('DEPRECATED: global.namespace has no effect; the chart installs into the release namespace ("edge").');
    expect(text).toContain('DEPRECATED: env is a list');
  });
});
