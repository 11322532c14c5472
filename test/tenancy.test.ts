// Tenancy end to end on loopback: the gateway's routing connector sends each tenant's telemetry,
// told by the X-Tenant-ID request header, only to that tenant's destinations. Three tenants and an
// unknown one send through the agent (which passes the header on) and straight to the gateway; a
// switched-off tenant counts as unknown. Unknown tenants go to defaultDestinations, or, without
// them, nowhere. Every destination is a sink of its own (harness/pipeline/sinks.ts).
import * as path from 'path';
import { runApp } from './harness/pipeline/app';
import { sleep } from './harness/pipeline/collector-process';
import { postJson, traceRequest } from './harness/pipeline/otlp-json';
import { LoopbackRun, agentAndGateway, otlpHttpBase } from './harness/pipeline/run';
import { SinkSpec, readSink, sinkCollector } from './harness/pipeline/sinks';
import { CapturedSpan } from './harness/pipeline/capture';

const SPANS_PER_TRACE = 2;
const TRACES = 5;
const HEADER = 'X-Tenant-ID';
const TENANTS = ['acme', 'globex', 'umbrella'];

/** Who sends: a tenant header value (or none) and the service name that marks its spans. */
const SENDERS = [...TENANTS, 'initech', 'nobody-knows', undefined];
const serviceOf = (tenant: string | undefined, via: string) => `${tenant ?? 'no-tenant'}-via-${via}`;

/** Spans per sink, by the sender service that made them. */
type Received = Record<string, Record<string, number>>;

async function runTenancy(run: LoopbackRun, defaultDestinations: string[]): Promise<Received> {
  const sinkHost = run.host(100);
  const sinkNames = [...TENANTS, 'shared'];
  const specs: SinkSpec[] = sinkNames.map((name, i) => ({ name, endpoint: `${sinkHost}:${4400 + i}`, protocol: 'grpc', signals: ['traces'] }));
  const destinations = Object.fromEntries(specs.map((s) => [s.name, { type: 'otlp', endpoint: s.endpoint, signals: ['traces'], tls: { insecure: true } }]));
  run.render(
    'ollyscale-otel',
    agentAndGateway({
      destinations,
      tenancy: {
        enabled: true,
        header: HEADER,
        tenants: {
          ...Object.fromEntries(TENANTS.map((t) => [t, { destinations: [t] }])),
          initech: { enabled: false, destinations: ['acme'] },
        },
        defaultDestinations,
      },
    }),
  );
  const sinks = path.join(run.dir, 'sinks');
  await run.start('sinks', sinkCollector(specs, sinks, `${sinkHost}:13133`));
  const gateway = await run.startGateway();
  const agent = await run.startAgent();

  const headers = (tenant?: string): Record<string, string> => (tenant ? { [HEADER]: tenant } : {});
  const options = (tenant?: string) => ({ spansPerTrace: SPANS_PER_TRACE, requestSize: 10, roundGapMs: 250, headers: headers(tenant) });
  await runApp(
    SENDERS.map((tenant) => ({
      kind: 'traces' as const,
      url: `${otlpHttpBase(agent)}/v1/traces`,
      plans: Array.from({ length: TRACES }, () => ({ kind: 'tenant', service: serviceOf(tenant, 'agent') })),
      options: options(tenant),
    })),
  );
  for (const tenant of SENDERS) {
    const answer = await postJson(`${otlpHttpBase(gateway)}/v1/traces`, traceRequest(serviceOf(tenant, 'gateway'), SPANS_PER_TRACE).body, {
      headers: headers(tenant),
    });
    expect(answer).toMatchObject({ status: 200 });
  }

  // Until nothing more arrives for 2 s (bounded at 20 s).
  const read = (): Received =>
    Object.fromEntries(sinkNames.map((n) => [n, countBy(readSink(sinks, n).spans, (s) => String(s.resource['service.name']?.stringValue))]));
  let last = '';
  let quietSince = Date.now();
  for (const deadline = Date.now() + 20_000; Date.now() < deadline && Date.now() - quietSince < 2000; await sleep(250)) {
    const now = JSON.stringify(read());
    if (now !== last) [last, quietSince] = [now, Date.now()];
  }
  return read();
}

function countBy(spans: CapturedSpan[], key: (s: CapturedSpan) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of spans) out[key(s)] = (out[key(s)] ?? 0) + 1;
  return out;
}

/** What a sink must hold: the spans of these senders, through the agent (TRACES traces) and directly (one). */
function expected(senders: (string | undefined)[]): Record<string, number> {
  return Object.fromEntries(
    senders.flatMap((t) => [[serviceOf(t, 'agent'), TRACES * SPANS_PER_TRACE] as const, [serviceOf(t, 'gateway'), SPANS_PER_TRACE] as const]),
  );
}

describe.each([
  { defaults: ['shared'], unknown: 'go to defaultDestinations' },
  { defaults: [], unknown: 'are dropped without defaultDestinations' },
])('tenancy (ollyscale-otel, collectorRuntime operator): unknown tenants $unknown', ({ defaults }) => {
  const run = new LoopbackRun('tenancy');
  let received: Received;

  beforeAll(async () => {
    received = await runTenancy(run, defaults);
    console.log(`spans per destination, by sender: ${JSON.stringify(received, null, 1)}`);
  }, 60_000);
  afterAll(() => run.stop());

  it.each(TENANTS)("tenant %s's spans, through the agent and direct, reach only its own destination", (tenant) => {
    try {
      expect(received[tenant]).toEqual(expected([tenant]));
    } catch (e) {
      console.log(run.logs());
      throw e;
    }
  });

  it('spans of a switched-off, an unknown or no tenant reach the default destinations only, or nowhere', () => {
    expect(received.shared).toEqual(defaults.length ? expected(['initech', 'nobody-knows', undefined]) : {});
  });
});
