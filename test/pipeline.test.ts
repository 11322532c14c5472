// The default ollyscale-otel pipeline end to end, on loopback. The chart is rendered with
// test/fixtures/pipeline-values.yaml (defaults, plus a cluster name, an environment attribute, a
// transform statement per signal, CORS, three gateway replicas and a 3s tail-sampling decision wait
// instead of 10s, to keep the test quick),
// and its collectors run as real processes with the rendered configurations, changed only by the
// shims of harness/cluster-shims.ts (printed first): one agent, three gateway replicas behind the
// agent's load_balancing exporter, the browser collector, and a capture collector standing in for the
// destination. Telemetry is made and sent with the OpenTelemetry JS SDK.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { PipelineInstance, applyShims, describeShims, pipelineShims } from './harness/cluster-shims';
import { RenderedCollector, renderedCollectors } from './harness/collectors';
import { HELMS, ROOT, helmTemplate, parseManifests } from './harness/helm';
import { RUNTIMES } from './harness/scenarios';
import { runApp } from './harness/pipeline/app';
import { Capture, CapturedSpan, captureCollector, settledCapture } from './harness/pipeline/capture';
import { CollectorProcess } from './harness/pipeline/collector-process';
import { SentTrace, TracePlan } from './harness/pipeline/telemetry';
import { Topology, drawTopology } from './harness/pipeline/topology';

const CHART = path.join(ROOT, 'charts', 'ollyscale-otel');
const VALUES = path.join(ROOT, 'test', 'fixtures', 'pipeline-values.yaml');
const REPLICAS = 3;
const SPANS_PER_TRACE = 3;
const ALLOWED_ORIGIN = 'https://app.example.com';

// Successful ollyscale-* traces are kept by the 5% probabilistic policy alone: the number kept is
// binomial(2000, 0.05), mean 100, σ = √(2000·0.05·0.95) ≈ 9.75, accepted within ±4.5σ, 57..143
// (the exact binomial chance of falling outside is 1.3e-5: a false alarm once in about 76,000 runs).
const BASELINE = { n: 2000, p: 0.05, sigmas: 4.5 };
// Trace-ID balancing: the load_balancing exporter's ring (100 points per replica, placed by a CRC32
// of its address) gives each replica between 22% and 50% of trace IDs for the addresses this test
// draws (computed for 21,590 of them). At least 15% of ≈ 300 kept traces each leaves room for
// sampling noise (σ ≤ 2.9%).
const MIN_REPLICA_SHARE = 0.15;

const times = (n: number, plan: (i: number) => TracePlan) => Array.from({ length: n }, (_, i) => plan(i));

// gatewayCollector.processing.dropHealthChecks: spans whose path attribute matches the default
// pathPattern (^/(health|healthz|ready|readyz|livez)) are dropped before tail sampling.
const PATH_ATTRIBUTES = ['url.path', 'http.target', 'http.route'];
const HEALTH_PATHS = ['/health', '/healthz', '/ready', '/readyz', '/livez'];
const HEALTH_PATTERN = /^\/(health|healthz|ready|readyz|livez)/;
// Not at the start of the path: kept.
const OTHER_PATHS = ['/api/orders/42', '/api/healthz'];
const HEALTH_CHECK = 'health-check';
/** The path on every span, an ERROR and a 503 on the last: the errors and HTTP-errors policies would keep them if they got there. */
const withPath = (kind: string, attribute: string, path: string): TracePlan => ({
  kind,
  service: 'ollyscale-api',
  error: true,
  attributes: { 'http.response.status_code': 503 },
  spanAttributes: { [attribute]: path },
});
// gatewayCollector.processing.transform in the values file: one attribute set per signal.
const TRANSFORMED = 'e2e.transformed';

/** Traces sent through the agent, each `kind` named after the default policy that should keep it. */
const AGENT_TRACES: TracePlan[] = [
  ...PATH_ATTRIBUTES.flatMap((a) => times(10, (i) => withPath(`${HEALTH_CHECK} ${a}`, a, HEALTH_PATHS[i % HEALTH_PATHS.length]))),
  ...times(12, (i) => withPath('other-paths', PATH_ATTRIBUTES[i % 3], OTHER_PATHS[Math.floor(i / 3) % 2])),
  ...times(40, () => ({ kind: 'errors', service: 'ollyscale-api', error: true })),
  // Integer attributes, as instrumentations set them; numeric_attribute compares numbers.
  ...times(40, () => ({ kind: 'http-errors', service: 'ollyscale-api', attributes: { 'http.response.status_code': 503 } })),
  ...times(40, () => ({ kind: 'http-errors-legacy-attribute', service: 'ollyscale-api', attributes: { 'http.status_code': 404 } })),
  ...times(45, (i) => ({ kind: 'demo-services', service: ['demo-frontend', 'otel-demo-cart', 'ai-agent-planner'][i % 3] })),
  ...times(40, () => ({ kind: 'non-ollyscale-services', service: 'checkout' })),
  // Below the HTTP error range on both attributes: only the baseline policy may keep these.
  ...times(BASELINE.n, (i) => ({
    kind: 'ollyscale-baseline',
    service: i % 2 ? 'ollyscale-api' : 'ollyscale-ui',
    attributes: { 'http.response.status_code': 200, 'http.status_code': 399 },
  })),
];
const BROWSER_TRACES: TracePlan[] = times(20, () => ({ kind: 'browser', service: 'web-frontend' }));
const METRIC = 'e2e.requests';
const LOG_BODY = 'e2e log record';

// Both runtimes render the same configurations (charts.test.ts); each is run for real here.
describe.each(RUNTIMES)('collectorRuntime %s', (runtime) => {
  const processes: CollectorProcess[] = [];
  let dir: string;
  let sent: SentTrace[];
  let capture: Capture;
  /** Captured spans by trace ID. */
  const byTrace = new Map<string, CapturedSpan[]>();

  const find = (name: string) => processes.find((p) => p.name === name)!;
  const otlpHttp = (p: CollectorProcess) => `http://${p.config.receivers.otlp.protocols.http.endpoint}`;
  const ofKind = (kind: string) => sent.filter((t) => t.plan.kind === kind);
  const kept = (traces: SentTrace[]) => traces.filter((t) => byTrace.has(t.traceId));

  let logsPrinted = false;
  /** A test body that prints every collector's output (once) when it fails. */
  function withLogs(fn: () => Promise<void> | void): () => Promise<void> {
    return async () => {
      try {
        await fn();
      } catch (e) {
        if (!logsPrinted) console.log(`collector output:\n${processes.map((p) => p.log()).join('\n')}`);
        logsPrinted = true;
        throw e;
      }
    };
  }

  /** Starts each collector; every one that started is in `processes` (so afterAll stops it) before any error is thrown. */
  async function startAll(topology: Topology, starts: [string, RenderedCollector, PipelineInstance | null][]): Promise<void> {
    const results = await Promise.allSettled(
      starts.map(([name, c, at]) => CollectorProcess.start(name, at ? applyShims(pipelineShims(topology, at), c) : c, dir)),
    );
    for (const r of results) if (r.status === 'fulfilled') processes.push(r.value);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  // Every wait below is bounded so that a failure is reported, with the collectors' output, before
  // Jest's 120 s: readiness 15 s per stage (3 stages), the application 30 s, the capture 30 s.
  beforeAll(
    withLogs(async () => {
      const r = helmTemplate(HELMS[0], CHART, { namespace: 'otel-system', valuesFiles: [VALUES], set: { collectorRuntime: runtime } });
      if (r.code !== 0) throw new Error(`helm template failed:\n${r.stderr}`);
      const docs = parseManifests(r.stdout);
      const gatewayWorkload = runtime === 'operator' ? ['OpenTelemetryCollector', 'gateway'] : ['Deployment', 'gateway-collector'];
      expect(docs.find((d) => d.kind === gatewayWorkload[0] && d.metadata.name === gatewayWorkload[1])?.spec.replicas).toBe(REPLICAS);
      const rendered = new Map(renderedCollectors(docs).map((c) => [c.name, c]));
      const [agent, gateway, browser] = ['agent', 'gateway', 'ollyscale-browser'].map((n) => rendered.get(n)!);

      const topology = drawTopology(REPLICAS);
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ollyscale-otel-pipeline-'));
      // The list is the same for every process (each applies to the collectors it concerns).
      console.log(
        `Changes to the rendered configurations (test/harness/cluster-shims.ts):\n${describeShims(pipelineShims(topology, { host: topology.gateways[0], replica: 0 }))}`,
      );

      // Downstream first, so nothing is sent to a collector that is not there yet.
      await startAll(topology, [['capture', captureCollector(topology, dir), null]]);
      await startAll(
        topology,
        topology.gateways.map((host, replica) => [`gateway-${replica}`, gateway, { host, replica }]),
      );
      await startAll(topology, [
        ['agent', agent, { host: topology.agent }],
        ['browser', browser, { host: topology.browser }],
      ]);

      const started = Date.now();
      // Rounds 500 ms apart: more than the agent's batch timeout (batch: {} is 200 ms).
      const options = { spansPerTrace: SPANS_PER_TRACE, requestSize: 200, roundGapMs: 500 };
      const [agentSent, browserSent] = await runApp([
        { kind: 'traces', url: `${otlpHttp(find('agent'))}/v1/traces`, plans: AGENT_TRACES, options },
        { kind: 'traces', url: `${otlpHttp(find('browser'))}/v1/traces`, plans: BROWSER_TRACES, options },
        { kind: 'metric', base: otlpHttp(find('agent')), service: 'e2e-metrics', name: METRIC },
        { kind: 'log', base: otlpHttp(find('agent')), service: 'e2e-logs', body: LOG_BODY },
      ]);
      sent = [...agentSent, ...browserSent];
      console.log(`sent ${sent.length} traces of ${SPANS_PER_TRACE} spans, a metric and a log record in ${Date.now() - started} ms`);

      // What must arrive: every trace a deterministic policy keeps (health checks must not), the metric and the log record.
      const mustKeep = sent.filter((t) => t.plan.kind !== 'ollyscale-baseline' && !t.plan.kind.startsWith(HEALTH_CHECK)).map((t) => t.traceId);
      const settled = await settledCapture(dir, REPLICAS, (c) => {
        const counts = new Map<string, number>();
        for (const s of c.spans) counts.set(s.traceId, (counts.get(s.traceId) ?? 0) + 1);
        return (
          mustKeep.every((id) => counts.get(id) === SPANS_PER_TRACE) &&
          c.metrics.some((m) => m.name === METRIC) &&
          c.logs.some((l) => l.body?.stringValue === LOG_BODY)
        );
      });
      capture = settled.capture;
      for (const s of capture.spans) byTrace.set(s.traceId, [...(byTrace.get(s.traceId) ?? []), s]);
      console.log(
        `capture ${settled.complete ? 'complete and settled' : 'INCOMPLETE'} ${settled.waitedMs} ms after sending: ${capture.spans.length} spans of ${byTrace.size} traces, ${capture.metrics.length} metrics, ${capture.logs.length} log records`,
      );
    }),
  );

  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop()));
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it(
    'answers on the health endpoint (health_check, 13133) of every collector process',
    withLogs(async () => {
      const statuses = Object.fromEntries(await Promise.all(processes.map(async (p) => [`${p.name} ${p.healthUrl}`, await p.health()] as const)));
      console.log(`health: ${JSON.stringify(statuses, null, 1)}`);
      expect(processes.map((p) => p.name).sort()).toEqual(['agent', 'browser', 'capture', 'gateway-0', 'gateway-1', 'gateway-2']);
      expect(Object.entries(statuses).filter(([, status]) => status !== 200)).toEqual([]);
    }),
  );

  it(
    'sends all the spans of a trace to one gateway replica, and spreads traces over all of them',
    withLogs(() => {
      const traces = [...byTrace.values()];
      const split = traces.filter((spans) => new Set(spans.map((s) => s.replica)).size > 1).length;
      const incomplete = traces.filter((spans) => new Set(spans.map((s) => s.spanId)).size !== SPANS_PER_TRACE || spans.length !== SPANS_PER_TRACE).length;
      const fromAgent = kept(sent.filter((t) => t.plan.kind !== 'browser'));
      const perReplica = [...Array(REPLICAS).keys()].map((r) => fromAgent.filter((t) => byTrace.get(t.traceId)![0].replica === r).length);
      const shares = perReplica.map((n) => n / fromAgent.length);
      console.log(
        `balancing: ${traces.length} kept traces, ${split} split over replicas, ${incomplete} without exactly their ${SPANS_PER_TRACE} spans; ` +
          `agent traces per replica ${perReplica.join(' / ')} of ${fromAgent.length} (${shares.map((s) => `${(100 * s).toFixed(1)}%`).join(' / ')}; bound ≥ ${100 * MIN_REPLICA_SHARE}% each)`,
      );
      expect(split).toBe(0);
      expect(incomplete).toBe(0);
      for (const share of shares) expect(share).toBeGreaterThanOrEqual(MIN_REPLICA_SHARE);
    }),
  );

  it(
    'keeps every trace the default policies sample: errors, HTTP errors under both attributes, demo and non-ollyscale services',
    withLogs(() => {
      const kinds = ['errors', 'http-errors', 'http-errors-legacy-attribute', 'demo-services', 'non-ollyscale-services'];
      console.log(`policies: ${kinds.map((k) => `${k} ${kept(ofKind(k)).length}/${ofKind(k).length}`).join(', ')}`);
      for (const k of kinds) expect([k, kept(ofKind(k)).length]).toEqual([k, ofKind(k).length]);
      // The status codes arrived as integers, the type numeric_attribute matches.
      const attribute = (kind: string, key: string) =>
        new Set(
          kept(ofKind(kind)).flatMap((t) =>
            byTrace
              .get(t.traceId)!
              .filter((s) => key in s.attributes)
              .map((s) => JSON.stringify(s.attributes[key])),
          ),
        );
      expect([...attribute('http-errors', 'http.response.status_code')]).toEqual([JSON.stringify({ intValue: '503' })]);
      expect([...attribute('http-errors-legacy-attribute', 'http.status_code')]).toEqual([JSON.stringify({ intValue: '404' })]);
    }),
  );

  it(
    'keeps successful ollyscale-* traces at 5%, and nothing of the others',
    withLogs(() => {
      const baseline = ofKind('ollyscale-baseline');
      const n = kept(baseline).length;
      const mean = BASELINE.n * BASELINE.p;
      const sigma = Math.sqrt(BASELINE.n * BASELINE.p * (1 - BASELINE.p));
      const [low, high] = [Math.ceil(mean - BASELINE.sigmas * sigma), Math.floor(mean + BASELINE.sigmas * sigma)];
      const sentIds = new Set(sent.map((t) => t.traceId));
      const unknown = [...byTrace.keys()].filter((id) => !sentIds.has(id)).length;
      const keptSpans = kept(sent).length * SPANS_PER_TRACE;
      console.log(
        `baseline: kept ${n} of ${BASELINE.n} (${((100 * n) / BASELINE.n).toFixed(2)}%; expected ${mean} ± ${BASELINE.sigmas}σ, σ = ${sigma.toFixed(2)}: ${low}..${high}); ` +
          `${BASELINE.n - n} dropped; captured spans ${capture.spans.length} = kept traces × ${SPANS_PER_TRACE} = ${keptSpans}; spans of traces never sent: ${unknown}`,
      );
      expect(n).toBeGreaterThanOrEqual(low);
      expect(n).toBeLessThanOrEqual(high);
      // Nothing of a dropped trace arrived: every captured span belongs to a kept trace, which has all its spans.
      expect(capture.spans.length).toBe(keptSpans);
      expect(unknown).toBe(0);
    }),
  );

  it(
    "delivers metrics, logs and traces sent through the agent with the chart's resource attributes",
    withLogs(() => {
      const metric = capture.metrics.find((m) => m.name === METRIC);
      const log = capture.logs.find((l) => l.body?.stringValue === LOG_BODY);
      const span = capture.spans.find((s) => s.resource['service.name']?.stringValue === 'checkout');
      console.log(
        `metric ${METRIC} resource: ${JSON.stringify(metric?.resource)}\nlog resource: ${JSON.stringify(log?.resource)}\nspan resource: ${JSON.stringify(span?.resource)}`,
      );
      for (const [what, resource, service] of [
        ['metric', metric?.resource, 'e2e-metrics'],
        ['log', log?.resource, 'e2e-logs'],
        ['span', span?.resource, 'checkout'],
      ] as const) {
        expect([what, resource]).toEqual([
          what,
          expect.objectContaining({
            'service.name': { stringValue: service },
            'k8s.cluster.name': { stringValue: 'e2e' }, // global.clusterName, upserted by agent and gateway
            environment: { stringValue: 'e2e' }, // gatewayCollector.processing.resourceAttributes
            'host.name': { stringValue: expect.stringMatching(/.+/) }, // the agent's resource_detection (system)
            'os.type': { stringValue: 'linux' },
          }),
        ]);
        expect(resource).not.toHaveProperty(['telemetry.source']);
      }
    }),
  );

  it(
    'drops health-check spans under url.path, http.target and http.route before sampling, and keeps other paths',
    withLogs(() => {
      const healthKinds = PATH_ATTRIBUTES.map((a) => `${HEALTH_CHECK} ${a}`);
      const arrived = (kind: string) => ofKind(kind).reduce((n, t) => n + (byTrace.get(t.traceId)?.length ?? 0), 0);
      // Whatever trace it belongs to: a captured span with a health-check path under any of the three attributes.
      const healthSpans = capture.spans.filter((s) => PATH_ATTRIBUTES.some((a) => HEALTH_PATTERN.test(s.attributes[a]?.stringValue ?? ''))).length;
      const others = ofKind('other-paths');
      console.log(
        `health checks: ${healthKinds.map((k) => `${k} ${arrived(k)} of ${ofKind(k).length * SPANS_PER_TRACE} spans arrived`).join(', ')}; ` +
          `captured spans with a health-check path: ${healthSpans}; other paths (${OTHER_PATHS.join(', ')}) kept ${kept(others).length}/${others.length} traces, ${arrived('other-paths')} spans`,
      );
      for (const k of healthKinds) expect([k, arrived(k)]).toEqual([k, 0]);
      expect(healthSpans).toBe(0);
      expect(kept(others).length).toBe(others.length);
      expect(arrived('other-paths')).toBe(others.length * SPANS_PER_TRACE);
    }),
  );

  it(
    'applies the transform statements to every span, metric data point and log record',
    withLogs(() => {
      const yes = (a: Record<string, unknown>) => JSON.stringify(a[TRANSFORMED]) === JSON.stringify({ stringValue: 'yes' });
      const points = capture.metrics.flatMap((m) => m.dataPoints);
      const counts = {
        spans: [capture.spans.filter((s) => yes(s.attributes)).length, capture.spans.length],
        'metric data points': [points.filter(yes).length, points.length],
        'log records': [capture.logs.filter((l) => yes(l.attributes)).length, capture.logs.length],
      };
      console.log(
        `transform: ${Object.entries(counts)
          .map(([what, [n, of]]) => `${what} with ${TRANSFORMED}=yes ${n}/${of}`)
          .join(', ')}`,
      );
      for (const [what, [n, of]] of Object.entries(counts)) {
        expect([what, of > 0]).toEqual([what, true]);
        expect([what, n]).toEqual([what, of]);
      }
      expect(capture.metrics.find((m) => m.name === METRIC)?.dataPoints).toEqual([expect.objectContaining({ [TRANSFORMED]: { stringValue: 'yes' } })]);
    }),
  );

  /**
   * A valid OTLP ExportTraceServiceRequest of exactly `size` bytes: no spans, only an unknown
   * length-delimited field 15, which protobuf parsers skip.
   */
  function paddedTraceRequest(size: number): Uint8Array {
    const varint = (n: number) => {
      const out: number[] = [];
      for (; n > 0x7f; n >>>= 7) out.push((n & 0x7f) | 0x80);
      return [...out, n];
    };
    let payload = size - 2;
    while (1 + varint(payload).length + payload > size) payload--;
    return Uint8Array.from([(15 << 3) | 2, ...varint(payload), ...new Uint8Array(payload)]);
  }

  describe('browser collector', () => {
    const preflight = (origin: string) =>
      fetch(`${otlpHttp(find('browser'))}/v1/traces`, {
        method: 'OPTIONS',
        headers: { Origin: origin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type' },
      });

    it(
      'answers a CORS preflight from the allowed origin, and not from another',
      withLogs(async () => {
        const [allowed, other] = await Promise.all([preflight(ALLOWED_ORIGIN), preflight('https://evil.example.org')]);
        const allowOrigin = (r: Response) => r.headers.get('access-control-allow-origin');
        console.log(
          `CORS preflight: ${ALLOWED_ORIGIN} → ${allowed.status}, Access-Control-Allow-Origin ${allowOrigin(allowed)}; https://evil.example.org → ${other.status}, ${allowOrigin(other)}`,
        );
        expect(allowed.status).toBe(204);
        expect(allowOrigin(allowed)).toBe(ALLOWED_ORIGIN);
        expect(allowOrigin(other)).toBeNull();
      }),
    );

    it(
      'accepts a request body of maxRequestBodyBytes and refuses one a byte larger',
      withLogs(async () => {
        const max = find('browser').config.receivers.otlp.protocols.http.max_request_body_size;
        expect(max).toBe(65536); // browserCollector.maxRequestBodyBytes in the values file
        const post = async (size: number) => {
          const r = await fetch(`${otlpHttp(find('browser'))}/v1/traces`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/x-protobuf', Origin: ALLOWED_ORIGIN },
            body: paddedTraceRequest(size),
          });
          return { status: r.status, body: (await r.text()).slice(0, 200) };
        };
        const [atMax, over] = await Promise.all([post(max), post(max + 1)]);
        console.log(`request body of ${max} bytes → ${atMax.status}; of ${max + 1} bytes → ${over.status} ${over.body}`);
        expect(atMax.status).toBe(200);
        // The collector's HTTP server answers 400 (not 413) when the body limit is reached.
        expect(over).toEqual({ status: 400, body: expect.stringContaining('request body too large') });
      }),
    );

    it(
      'delivers its telemetry with telemetry.source=browser',
      withLogs(() => {
        const browser = ofKind('browser');
        const resources = kept(browser).flatMap((t) => byTrace.get(t.traceId)!.map((s) => s.resource));
        console.log(`browser traces kept ${kept(browser).length}/${browser.length}, resource: ${JSON.stringify(resources[0])}`);
        expect(kept(browser).length).toBe(browser.length);
        for (const r of resources)
          expect(r).toMatchObject({
            'telemetry.source': { stringValue: 'browser' },
            'k8s.cluster.name': { stringValue: 'e2e' },
            environment: { stringValue: 'e2e' },
          });
      }),
    );
  });
});
