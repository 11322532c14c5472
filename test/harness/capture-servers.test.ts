// The end-to-end destination pieces against the real collector: the Prometheus remote-write capture
// decodes what the prometheus_remote_write exporter sends, and the certificates of certs.ts are ones a
// collector serves, presents and checks (mutual TLS between an otlp_grpc exporter and an otlp receiver).
// Loopback 127.0.9.x only: other suites use 127.0.0.x–127.0.3.x at the same time.
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { compress } from 'snappyjs';
import { TlsFiles, clientCert, makeCa, serverCert } from './certs';
import { RenderedCollector } from './collectors';
import { CollectorProcess, sleep } from './pipeline/collector-process';
import { PrwCapture, startPrwCapture } from './pipeline/prw-capture';

const PRW_COLLECTOR = '127.0.9.1';
const PRW_CAPTURE = '127.0.9.2';
const TLS_SERVER = '127.0.9.3';
const TLS_SENDER = '127.0.9.4';

/** A port free on `host` now (the collector binds it a moment later; 127.0.9.x is this suite's alone). */
function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** A collector with a health check and no internal metrics (port 8888 would be shared by all). */
function collector(
  name: string,
  healthEndpoint: string,
  config: Record<string, unknown>,
  service: Record<string, unknown>,
  logLevel = 'info',
): RenderedCollector {
  return {
    name,
    config: {
      ...config,
      extensions: { health_check: { endpoint: healthEndpoint } },
      service: { ...service, extensions: ['health_check'], telemetry: { metrics: { level: 'none' }, logs: { level: logLevel } } },
    },
    featureGates: [],
    env: {},
  };
}

const str = (key: string, value: string) => ({ key, value: { stringValue: value } });

/** OTLP/JSON metrics: a gauge with two data points and a monotonic cumulative sum with one, at `timeMs`. */
function otlpMetrics(resource: Record<string, string>, prefix: string, timeMs: number) {
  const time = (BigInt(timeMs) * 1_000_000n).toString();
  const start = (BigInt(timeMs - 60_000) * 1_000_000n).toString();
  return {
    resourceMetrics: [
      {
        resource: { attributes: Object.entries(resource).map(([k, v]) => str(k, v)) },
        scopeMetrics: [
          {
            scope: { name: 'capture-servers.test' },
            metrics: [
              {
                name: `${prefix}_queue_depth`,
                gauge: {
                  dataPoints: [
                    { attributes: [str('queue', 'a')], timeUnixNano: time, asDouble: 3 },
                    { attributes: [str('queue', 'b')], timeUnixNano: time, asDouble: 5 },
                  ],
                },
              },
              {
                name: `${prefix}_requests`,
                // aggregationTemporality 2: cumulative, the only kind of monotonic sum remote write takes.
                sum: {
                  aggregationTemporality: 2,
                  isMonotonic: true,
                  dataPoints: [{ attributes: [str('route', '/x')], startTimeUnixNano: start, timeUnixNano: time, asInt: '42' }],
                },
              },
            ],
          },
        ],
      },
    ],
  };
}

/** POSTs OTLP/JSON to an OTLP/HTTP receiver; the status says whether its pipeline took it. */
async function postMetrics(endpoint: string, body: unknown): Promise<number> {
  const r = await fetch(`http://${endpoint}/v1/metrics`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  await r.arrayBuffer();
  return r.status;
}

/** Polls `done` every 100 ms until it holds or `timeoutMs` passes; returns whether it held. */
async function waitFor(done: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) return false;
    await sleep(100);
  }
  return true;
}

/** Complete lines of a file exporter's JSON output (one per export request). */
function jsonLines(file: string): any[] {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .slice(0, -1)
    .map((l) => JSON.parse(l));
}

const processes: CollectorProcess[] = [];
let dir: string;
let prw: PrwCapture | undefined;

/** A test body that prints every collector's output when it fails. */
function withLogs(fn: () => Promise<void>): () => Promise<void> {
  return async () => {
    try {
      await fn();
    } catch (e) {
      console.log(`collector output:\n${processes.map((p) => p.log()).join('\n')}`);
      throw e;
    }
  };
}

async function start(c: RenderedCollector): Promise<CollectorProcess> {
  const p = await CollectorProcess.start(c.name, c, dir);
  processes.push(p);
  return p;
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'capture-servers-'));
});

afterAll(async () => {
  await Promise.all(processes.map((p) => p.stop()));
  await prw?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('Prometheus remote-write capture', () => {
  beforeAll(async () => {
    prw = await startPrwCapture(PRW_CAPTURE, await freePort(PRW_CAPTURE));
  });

  it('answers 400 to a body that is not snappy, 415 to another encoding, 204 to an empty WriteRequest', async () => {
    const post = (body: Uint8Array, encoding = 'snappy') =>
      fetch(prw!.url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-protobuf', 'Content-Encoding': encoding },
        body,
        signal: AbortSignal.timeout(5000),
      }).then((r) => r.status);
    const before = prw!.requests;
    expect(await post(Buffer.from('not snappy at all'))).toBe(400);
    expect(await post(Buffer.from('{}'), 'gzip')).toBe(415);
    expect(await post(compress(new Uint8Array(0)))).toBe(204);
    expect(prw!.requests - before).toBe(1);
  });

  it(
    'receives from the prometheus_remote_write exporter the series and samples sent to the collector over OTLP',
    withLogs(async () => {
      const otlpEndpoint = `${PRW_COLLECTOR}:${await freePort(PRW_COLLECTOR)}`;
      const c = collector(
        'prw-sender',
        `${PRW_COLLECTOR}:${await freePort(PRW_COLLECTOR)}`,
        {
          receivers: { otlp: { protocols: { http: { endpoint: otlpEndpoint } } } },
          exporters: {
            prometheus_remote_write: {
              endpoint: prw!.url,
              tls: { insecure: true },
              // Resource attributes as labels, so the test sees them arrive; no target_info series.
              resource_to_telemetry_conversion: { enabled: true },
              target_info: { enabled: false },
            },
          },
        },
        { pipelines: { metrics: { receivers: ['otlp'], exporters: ['prometheus_remote_write'] } } },
      );
      await start(c);
      const rejectedBefore = prw!.rejected;

      const resource = { 'service.name': 'e2e-prw', 'e2e.run': 'capture-servers' };
      const t0 = Date.now();
      // Two exports a second apart: each series gets two samples, over two write requests.
      for (const t of [t0 - 1000, t0]) expect(await postMetrics(otlpEndpoint, otlpMetrics(resource, 'e2e', t))).toBe(200);
      const arrived = await waitFor(() => prw!.sampleCount() >= 6, 15_000);
      await sleep(500); // anything more would come now
      const series = prw!.series().sort((a, b) => JSON.stringify(a.labels).localeCompare(JSON.stringify(b.labels)));
      console.log(`PRW capture: ${prw!.requests} write requests, ${series.length} series, ${prw!.sampleCount()} samples:\n${JSON.stringify(series, null, 1)}`);

      expect(arrived).toBe(true);
      expect(prw!.metricNames()).toEqual(new Set(['e2e_queue_depth', 'e2e_requests_total']));
      // job: service.name, as the exporter names it; the rest of the resource as converted labels.
      const common = { job: 'e2e-prw', service_name: 'e2e-prw', e2e_run: 'capture-servers', otel_scope_name: 'capture-servers.test' };
      const expected = [
        { labels: { __name__: 'e2e_queue_depth', queue: 'a' }, samples: 2 },
        { labels: { __name__: 'e2e_queue_depth', queue: 'b' }, samples: 2 },
        { labels: { __name__: 'e2e_requests_total', route: '/x' }, samples: 2 },
      ];
      expect(series).toEqual(expected.map((e) => ({ labels: expect.objectContaining({ ...common, ...e.labels }), samples: e.samples })));
      expect(prw!.sampleCount()).toBe(6);
      expect(prw!.rejected).toBe(rejectedBefore); // nothing of the collector's refused
    }),
  );
});

describe('certificates from certs.ts with the collector (mutual TLS over OTLP/gRPC)', () => {
  /** One sender pipeline per case: its own OTLP/HTTP receiver and otlp_grpc exporter. */
  const CASES = ['trusted-client', 'no-client-cert', 'client-of-other-ca', 'server-not-trusted'] as const;
  type Case = (typeof CASES)[number];
  const receiverOf = new Map<Case, string>();
  const received = () => path.join(dir, 'tls-received.jsonl');
  /** The metrics the TLS server's file exporter wrote whose resource has `e2e.case` = `c`. */
  const receivedFrom = (c: Case): any[] =>
    jsonLines(received())
      .flatMap((req) => req.resourceMetrics ?? [])
      .filter((r: any) => r.resource.attributes.some((a: any) => a.key === 'e2e.case' && a.value.stringValue === c))
      .flatMap((r: any) => (r.scopeMetrics ?? []).flatMap((sm: any) => sm.metrics ?? []));

  beforeAll(
    withLogs(async () => {
      const started = Date.now();
      const ca = makeCa(path.join(dir, 'ca'));
      const otherCa = makeCa(path.join(dir, 'other-ca'), 'other-ca');
      const server = serverCert(ca, path.join(dir, 'server'), [TLS_SERVER, 'localhost']);
      const client = clientCert(ca, path.join(dir, 'client'), 'e2e-sender');
      const rogue = clientCert(otherCa, path.join(dir, 'rogue'), 'e2e-sender');
      console.log(`made 2 CAs, a server and 2 client certificates in ${Date.now() - started} ms`);

      const grpcEndpoint = `${TLS_SERVER}:${await freePort(TLS_SERVER)}`;
      await start(
        collector(
          'tls-server',
          `${TLS_SERVER}:${await freePort(TLS_SERVER)}`,
          {
            receivers: {
              otlp: {
                protocols: { grpc: { endpoint: grpcEndpoint, tls: { cert_file: server.tlsCrt, key_file: server.tlsKey, client_ca_file: server.caCrt } } },
              },
            },
            exporters: { file: { path: received(), format: 'json', flush_interval: '100ms' } },
          },
          { pipelines: { metrics: { receivers: ['otlp'], exporters: ['file'] } } },
          // gRPC's server logs a refused handshake at info level, which the collector passes on only at debug.
          'debug',
        ),
      );

      // No queue and no retries: the exporter's verdict is the answer to the OTLP/HTTP POST.
      const exporter = (tls: Record<string, string>) => ({
        endpoint: grpcEndpoint,
        tls,
        sending_queue: { enabled: false },
        retry_on_failure: { enabled: false },
        timeout: '5s',
      });
      const withClient = (files: TlsFiles) => ({ ca_file: server.caCrt, cert_file: files.tlsCrt, key_file: files.tlsKey });
      const tlsOf: Record<Case, Record<string, string>> = {
        'trusted-client': withClient(client),
        'no-client-cert': { ca_file: server.caCrt },
        'client-of-other-ca': withClient(rogue),
        // The right client certificate, but the server's is checked against the other CA.
        'server-not-trusted': { ...withClient(client), ca_file: otherCa.crt },
      };
      const receivers: Record<string, unknown> = {};
      const exporters: Record<string, unknown> = {};
      const pipelines: Record<string, unknown> = {};
      for (const c of CASES) {
        receiverOf.set(c, `${TLS_SENDER}:${await freePort(TLS_SENDER)}`);
        receivers[`otlp/${c}`] = { protocols: { http: { endpoint: receiverOf.get(c) } } };
        exporters[`otlp_grpc/${c}`] = exporter(tlsOf[c]);
        pipelines[`metrics/${c}`] = { receivers: [`otlp/${c}`], exporters: [`otlp_grpc/${c}`] };
      }
      await start(collector('tls-sender', `${TLS_SENDER}:${await freePort(TLS_SENDER)}`, { receivers, exporters }, { pipelines }));
    }),
  );

  const send = (c: Case) => postMetrics(receiverOf.get(c)!, otlpMetrics({ 'service.name': 'e2e-tls', 'e2e.case': c }, 'tls', Date.now()));

  it(
    'delivers with a client certificate of the CA the server requires',
    withLogs(async () => {
      expect(await send('trusted-client')).toBe(200);
      expect(await waitFor(() => receivedFrom('trusted-client').length > 0, 10_000)).toBe(true);
      const metrics = receivedFrom('trusted-client');
      expect(metrics.map((m) => m.name).sort()).toEqual(['tls_queue_depth', 'tls_requests']);
      expect(metrics.flatMap((m) => (m.gauge ?? m.sum).dataPoints).length).toBe(3);
    }),
  );

  // Who refuses, and how it says so: the TLS server (gRPC logs its failed handshakes) for a client
  // certificate that is missing or not of its CA, the sender for a server certificate it cannot verify.
  // (The exporter's own error is less telling: under TLS 1.3 the client may learn of the refusal only as
  // a "broken pipe" on its first write.)
  const REFUSALS: [Case, string, string][] = [
    ['no-client-cert', 'tls-server', "tls: client didn't provide a certificate"],
    ['client-of-other-ca', 'tls-server', 'failed: tls: failed to verify certificate: x509: certificate signed by unknown authority'],
    ['server-not-trusted', 'tls-sender', 'authentication handshake failed: tls: failed to verify certificate: x509: certificate signed by unknown authority'],
  ];
  it.each(REFUSALS)('refuses %s (%s: "%s"), and nothing of it arrives', (c, refuser, reason) =>
    withLogs(async () => {
      const status = await send(c);
      console.log(`${c}: the sender's OTLP/HTTP receiver answered ${status}`);
      expect(status).toBeGreaterThanOrEqual(400);
      // The log comes through a pipe, a moment after the HTTP answer.
      const log = () => processes.find((p) => p.name === refuser)!.log();
      expect(await waitFor(() => log().includes(reason), 5000)).toBe(true);
      await sleep(300); // thrice the file exporter's flush interval
      expect(receivedFrom(c)).toEqual([]);
    })(),
  );
});
