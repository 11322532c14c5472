// Destinations and the gateway's receiver security, end to end on loopback. The ollyscale-otel chart
// is rendered with a gateway that serves its OTLP receivers over TLS, demands client certificates
// (mTLS) and a bearer token, and exports each signal to a different kind of backend: traces over
// OTLP/gRPC to a backend demanding mTLS and its own token, logs over OTLP/HTTP, metrics by Prometheus
// remote write. Two more trace destinations carry a wrong token and a client certificate from
// another CA: their backends must receive nothing. The agent forwards what the application's SDK
// sends, presenting what the gateway demands from the Secrets the chart mounts; clients without the
// certificate or the token are refused. Certificates are made by the test (harness/certs.ts).
import * as path from 'path';
import { makeCa, serverCert, clientCert } from './harness/certs';
import { sleep } from './harness/pipeline/collector-process';
import { runApp } from './harness/pipeline/app';
import { Answer, postJson, traceRequest } from './harness/pipeline/otlp-json';
import { PrwCapture, startPrwCapture } from './harness/pipeline/prw-capture';
import { LoopbackRun, agentAndGateway, otlpHttpBase } from './harness/pipeline/run';
import { SinkSpec, readSink, sinkCollector } from './harness/pipeline/sinks';
import { SentTrace } from './harness/pipeline/telemetry';
import { Capture } from './harness/pipeline/capture';

const TRACES = 20;
const SPANS_PER_TRACE = 3;
const METRIC = 'e2e.requests';
const LOG_BODY = 'e2e destinations log';
/** What the harness's env stand-ins make of a secretKeyRef (harness/collectors.ts): the token the gateway sends. */
const tokenOf = (secret: string, key = 'token') => `secret-${secret}-${key}`;

describe('destinations and receiver security (ollyscale-otel, collectorRuntime operator)', () => {
  const run = new LoopbackRun('destinations');
  let prw: PrwCapture;
  let sent: SentTrace[];
  const direct: Record<string, Answer> = {};
  let directTraceId: string;
  const sinks: Record<string, Capture> = {};

  beforeAll(async () => {
    const t = run.topology;
    const [gatewayHost, sinkHost, badHost] = [t.gateways[0], run.host(100), run.host(101)];
    const certs = path.join(run.dir, 'certs');
    // The gateway's Secret: a certificate for the Service name its senders verify, usable as a client certificate too.
    const gatewayCa = makeCa(path.join(certs, 'gateway-ca'));
    const gatewayTls = serverCert(gatewayCa, path.join(certs, 'gateway'), [gatewayHost, 'gateway-collector.otel-system.svc'], true);
    run.secret('gateway-tls', { 'ca.crt': gatewayTls.caCrt, 'tls.crt': gatewayTls.tlsCrt, 'tls.key': gatewayTls.tlsKey });
    run.secret('gateway-token', { token: run.file('gateway-token', 'gateway-secret-token') });
    // The backend's CA, its server certificate and the client certificate the gateway presents.
    const backendCa = makeCa(path.join(certs, 'backend-ca'));
    const backendServer = serverCert(backendCa, path.join(certs, 'backend'), [sinkHost, badHost]);
    const backendClient = clientCert(backendCa, path.join(certs, 'backend-client'), 'gateway');
    run.secret('backend-mtls', { 'ca.crt': backendCa.crt, 'tls.crt': backendClient.tlsCrt, 'tls.key': backendClient.tlsKey });
    const strangerClient = clientCert(makeCa(path.join(certs, 'stranger-ca')), path.join(certs, 'stranger'), 'stranger');
    run.secret('stranger-mtls', { 'ca.crt': backendCa.crt, 'tls.crt': strangerClient.tlsCrt, 'tls.key': strangerClient.tlsKey });

    const mtls = { certFile: backendServer.tlsCrt, keyFile: backendServer.tlsKey, clientCaFile: backendCa.crt };
    const specs: SinkSpec[] = [
      {
        name: 'traces-grpc',
        endpoint: `${sinkHost}:4317`,
        protocol: 'grpc',
        signals: ['traces', 'metrics', 'logs'],
        tls: mtls,
        token: tokenOf('backend-token'),
      },
      { name: 'logs-http', endpoint: `${sinkHost}:4318`, protocol: 'http', signals: ['traces', 'metrics', 'logs'] },
      { name: 'wrong-token', endpoint: `${badHost}:4317`, protocol: 'grpc', signals: ['traces'], tls: mtls, token: tokenOf('backend-token') },
      { name: 'wrong-cert', endpoint: `${badHost}:4327`, protocol: 'grpc', signals: ['traces'], tls: mtls, token: tokenOf('backend-token') },
    ];
    prw = await startPrwCapture(sinkHost, 0);
    const retry = { retryOnFailure: { enabled: false } };
    run.render(
      'ollyscale-otel',
      agentAndGateway({
        receivers: {
          tls: { enabled: true, secretName: 'gateway-tls', clientAuth: true },
          auth: { bearerToken: { enabled: true, secretName: 'gateway-token' } },
        },
        destinations: {
          'traces-grpc': {
            type: 'otlp',
            endpoint: `${sinkHost}:4317`,
            signals: ['traces'],
            tls: { secretName: 'backend-mtls', clientCertificate: true },
            bearerToken: { secretName: 'backend-token' },
          },
          'logs-http': { type: 'otlphttp', endpoint: `http://${sinkHost}:4318`, signals: ['logs'] },
          'metrics-prw': { type: 'prometheusremotewrite', endpoint: prw.url, signals: ['metrics'] },
          'wrong-token': {
            type: 'otlp',
            endpoint: `${badHost}:4317`,
            signals: ['traces'],
            tls: { secretName: 'backend-mtls', clientCertificate: true },
            bearerToken: { secretName: 'other-token' },
            ...retry,
          },
          'wrong-cert': {
            type: 'otlp',
            endpoint: `${badHost}:4327`,
            signals: ['traces'],
            tls: { secretName: 'stranger-mtls', clientCertificate: true },
            bearerToken: { secretName: 'backend-token' },
            ...retry,
          },
        },
      }),
    );
    await run.start('sinks', sinkCollector(specs, path.join(run.dir, 'sinks'), `${sinkHost}:13133`));
    const gateway = await run.startGateway();
    const agent = await run.startAgent();

    const options = { spansPerTrace: SPANS_PER_TRACE, requestSize: 20, roundGapMs: 300 };
    const base = otlpHttpBase(agent);
    [sent] = await runApp([
      { kind: 'traces', url: `${base}/v1/traces`, plans: Array.from({ length: TRACES }, () => ({ kind: 'agent', service: 'e2e-destinations' })), options },
      { kind: 'metric', base, service: 'e2e-destinations', name: METRIC },
      { kind: 'log', base, service: 'e2e-destinations', body: LOG_BODY },
    ]);

    // Straight to the gateway's OTLP/HTTP receiver, as an application would.
    const url = `${otlpHttpBase(gateway)}/v1/traces`;
    const ca = gatewayTls.caCrt;
    const bearer = { Authorization: 'Bearer gateway-secret-token' };
    const trace = traceRequest('e2e-direct', 2);
    directTraceId = trace.traceId;
    direct['no client certificate'] = await postJson(url, trace.body, { tls: { ca }, headers: bearer });
    const stranger = { ca, cert: strangerClient.tlsCrt, key: strangerClient.tlsKey };
    direct['a client certificate of another CA'] = await postJson(url, trace.body, { tls: stranger, headers: bearer });
    const good = { ca, cert: gatewayTls.tlsCrt, key: gatewayTls.tlsKey };
    direct['no bearer token'] = await postJson(url, trace.body, { tls: good });
    direct['a wrong bearer token'] = await postJson(url, trace.body, { tls: good, headers: { Authorization: 'Bearer guess' } });
    direct['certificate and token'] = await postJson(url, trace.body, { tls: good, headers: bearer });

    // Until every expected span, the log and the metric arrived, and then 2 s more for anything unexpected.
    const deadline = Date.now() + 30_000;
    const read = () => specs.forEach((s) => (sinks[s.name] = readSink(path.join(run.dir, 'sinks'), s.name)));
    for (;;) {
      read();
      const done = sinks['traces-grpc'].spans.length >= TRACES * SPANS_PER_TRACE + 2 && sinks['logs-http'].logs.length > 0 && prw.sampleCount() > 0;
      if (done || Date.now() > deadline) break;
      await sleep(250);
    }
    await sleep(2000);
    read();
  }, 90_000);

  afterAll(async () => {
    await prw?.close();
    await run.stop();
  });

  const withLogs = (fn: () => void) => () => {
    try {
      fn();
    } catch (e) {
      console.log(run.logs());
      throw e;
    }
  };

  it(
    'delivers the traces forwarded by the agent, over mTLS with the bearer token, to the OTLP/gRPC backend only',
    withLogs(() => {
      const got = sinks['traces-grpc'];
      const ids = new Set(got.spans.map((s) => s.traceId));
      console.log(
        `traces-grpc: ${got.spans.length} spans of ${ids.size} traces (sent ${sent.length * SPANS_PER_TRACE} spans through the agent and 2 directly), ${got.metrics.length} metrics, ${got.logs.length} logs`,
      );
      expect(sent.filter((t) => !ids.has(t.traceId))).toEqual([]);
      expect(got.spans.length).toBe(TRACES * SPANS_PER_TRACE + 2);
      expect([got.metrics.length, got.logs.length]).toEqual([0, 0]);
    }),
  );

  it(
    'delivers the log over OTLP/HTTP to the logs destination only',
    withLogs(() => {
      const got = sinks['logs-http'];
      console.log(`logs-http: ${got.logs.length} logs, ${got.spans.length} spans, ${got.metrics.length} metrics`);
      expect(got.logs.map((l) => l.body?.stringValue)).toEqual([LOG_BODY]);
      expect([got.spans.length, got.metrics.length]).toEqual([0, 0]);
    }),
  );

  it(
    'delivers the metric by Prometheus remote write to the metrics destination only',
    withLogs(() => {
      const series = prw.series();
      console.log(`metrics-prw: ${prw.requests} write requests, ${series.length} series, ${prw.sampleCount()} samples: ${[...prw.metricNames()].join(', ')}`);
      const ours = series.filter((s) => s.labels.__name__.startsWith('e2e_requests'));
      expect(ours).toHaveLength(1);
      expect(ours[0].labels).toMatchObject({ job: 'e2e-destinations' });
      expect(ours[0].samples).toBeGreaterThanOrEqual(1);
    }),
  );

  it(
    'sends nothing to a backend whose token or client certificate is wrong',
    withLogs(() => {
      const [token, cert] = [sinks['wrong-token'], sinks['wrong-cert']];
      const gatewayLog = run.find('gateway-0').log();
      console.log(`wrong-token: ${token.spans.length} spans; wrong-cert: ${cert.spans.length} spans`);
      expect([token.spans.length, cert.spans.length]).toEqual([0, 0]);
      // Each was tried and refused (not merely left out of the configuration).
      expect(gatewayLog).toMatch(/otlp_grpc\/wrong-token[\s\S]*Unauthenticated/);
      expect(gatewayLog).toMatch(/otlp_grpc\/wrong-cert[\s\S]*(certificate|tls)/);
    }),
  );

  it(
    "refuses clients without the gateway's client certificate or bearer token, and accepts one with both",
    withLogs(() => {
      console.log(`direct clients: ${JSON.stringify(direct)}`);
      const status = (a: Answer) => ('status' in a ? a.status : a.error);
      expect('error' in direct['no client certificate']).toBe(true);
      expect('error' in direct['a client certificate of another CA']).toBe(true);
      expect(status(direct['no bearer token'])).toBe(401);
      expect(status(direct['a wrong bearer token'])).toBe(401);
      expect(status(direct['certificate and token'])).toBe(200);
      expect(sinks['traces-grpc'].spans.filter((s) => s.traceId === directTraceId)).toHaveLength(2);
    }),
  );
});
