// The Kafka buffer end to end on loopback (otel-gateway chart): a real Apache Kafka broker in KRaft
// mode (harness/kafka/broker.ts, from Maven Central), the rendered gateway writing every signal to
// it, and two replicas of the rendered <gateway>-kafka-consumer collector reading the topics in one
// consumer group, tail-sampling and exporting to the destination. A second gateway without Kafka,
// rendered from the same values but `kafka.enabled: false`, samples the same kinds of traces: both
// must keep and drop the same ones. Every trace must sit in one partition of the traces topic.
import * as path from 'path';
import { KafkaBroker, startKafka } from './harness/kafka/broker';
import { runApp } from './harness/pipeline/app';
import { sleep } from './harness/pipeline/collector-process';
import { LoopbackRun, otlpHttpBase } from './harness/pipeline/run';
import { readSink, sinkCollector } from './harness/pipeline/sinks';
import { SentTrace, TracePlan } from './harness/pipeline/telemetry';

const PARTITIONS = 4;
const SPANS_PER_TRACE = 3;
const times = (n: number, plan: TracePlan) => Array.from({ length: n }, () => plan);
/** Kinds named after the default policy that keeps them; `ollyscale-success` is kept by none (the 5% baseline is off here). */
const PLANS: TracePlan[] = [
  ...times(15, { kind: 'errors', service: 'ollyscale-api', error: true }),
  ...times(15, { kind: 'non-ollyscale-services', service: 'checkout' }),
  ...times(30, { kind: 'ollyscale-success', service: 'ollyscale-api' }),
];

describe('Kafka buffer (otel-gateway, collectorRuntime operator)', () => {
  const run = new LoopbackRun('kafka');
  let kafka: KafkaBroker;
  const sent: Record<string, SentTrace[]> = {};
  const kept: Record<string, Map<string, number>> = {};
  let keys: Map<number, (string | null)[]>;

  const values = (kafkaEnabled: boolean, brokers: string[], endpoint: string) => ({
    opamp: { enabled: false },
    tailSampling: { decisionWait: '2s', policies: { 'ollyscale-baseline': { enabled: false } } },
    destinations: { ollyscale: { endpoint } },
    kafka: { enabled: kafkaEnabled, brokers, consumer: { replicas: 2 } },
  });

  beforeAll(async () => {
    const sinkHost = run.host(100);
    const sinks = path.join(run.dir, 'sinks');
    kafka = await startKafka({ host: run.host(90), dir: path.join(run.dir, 'kafka') });
    await kafka.createTopic('otlp_spans', PARTITIONS);
    await Promise.all(['otlp_metrics', 'otlp_logs'].map((t) => kafka.createTopic(t, 1)));
    await run.start(
      'sinks',
      sinkCollector(
        [
          { name: 'via-kafka', endpoint: `${sinkHost}:4317`, protocol: 'grpc', signals: ['traces'] },
          { name: 'direct', endpoint: `${sinkHost}:4327`, protocol: 'grpc', signals: ['traces'] },
        ],
        sinks,
        `${sinkHost}:13133`,
      ),
    );

    const buffered = run.render('otel-gateway', values(true, [kafka.bootstrap], `${sinkHost}:4317`));
    const consumer = buffered.get('gateway-kafka-consumer')!;
    await Promise.all([0, 1].map((i) => run.start(`kafka-consumer-${i}`, consumer, { host: run.host(60 + i) })));
    const viaKafka = await run.startGateway(0);
    const plain = run.render('otel-gateway', values(false, [], `${sinkHost}:4327`));
    const direct = await run.start('gateway-direct', plain.get('gateway')!, { host: run.host(70) });

    const options = { spansPerTrace: SPANS_PER_TRACE, requestSize: 20, roundGapMs: 300 };
    [sent['via-kafka'], sent.direct] = await runApp([
      { kind: 'traces', url: `${otlpHttpBase(viaKafka)}/v1/traces`, plans: PLANS, options },
      { kind: 'traces', url: `${otlpHttpBase(direct)}/v1/traces`, plans: PLANS, options },
    ]);
    // The decision wait (2 s) after each trace's first span, the consumers' fetch and the exports: until quiet for 3 s, at most 45 s.
    let last = '';
    let quietSince = Date.now();
    for (const deadline = Date.now() + 45_000; Date.now() < deadline && Date.now() - quietSince < 3000; await sleep(250)) {
      for (const name of ['via-kafka', 'direct']) {
        kept[name] = new Map();
        for (const s of readSink(sinks, name).spans) kept[name].set(s.traceId, (kept[name].get(s.traceId) ?? 0) + 1);
      }
      const now = `${kept['via-kafka'].size}/${kept.direct.size}`;
      if (now !== last) [last, quietSince] = [now, Date.now()];
    }
    keys = await kafka.keysByPartition('otlp_spans');
  }, 150_000);

  afterAll(async () => {
    await run.stop();
    await kafka?.stop();
  });

  const byKind = (name: string) => {
    const out: Record<string, string> = {};
    for (const kind of new Set(PLANS.map((p) => p.kind))) {
      const traces = sent[name].filter((t) => t.plan.kind === kind);
      out[kind] =
        `${traces.filter((t) => kept[name].get(t.traceId) === SPANS_PER_TRACE).length}/${traces.length} whole, ${traces.filter((t) => kept[name].has(t.traceId) && kept[name].get(t.traceId) !== SPANS_PER_TRACE).length} partial`;
    }
    return out;
  };

  it('samples the traces that went through Kafka as the gateway without Kafka samples them', () => {
    const results = { 'via-kafka': byKind('via-kafka'), direct: byKind('direct') };
    console.log(`kept per kind: ${JSON.stringify(results, null, 1)}`);
    try {
      expect(results['via-kafka']).toEqual(results.direct);
      expect(results.direct).toEqual({
        errors: '15/15 whole, 0 partial',
        'non-ollyscale-services': '15/15 whole, 0 partial',
        'ollyscale-success': '0/30 whole, 0 partial',
      });
    } catch (e) {
      console.log(`${run.logs()}\n${kafka.log()}`);
      throw e;
    }
  });

  it('puts every span of a trace in one partition of the traces topic, keyed by its trace ID', () => {
    const partitionsOf = new Map<string, Set<number>>();
    for (const [partition, ks] of keys) for (const k of ks) if (k) partitionsOf.set(k, (partitionsOf.get(k) ?? new Set()).add(partition));
    const ids = sent['via-kafka'].map((t) => t.traceId);
    console.log(
      `otlp_spans: ${[...keys].map(([p, ks]) => `partition ${p}: ${ks.length} records`).join(', ')}; ${ids.filter((id) => partitionsOf.has(id)).length}/${ids.length} traces sent found by key`,
    );
    expect(ids.filter((id) => partitionsOf.get(id)?.size !== 1)).toEqual([]);
    expect([...keys.values()].filter((ks) => ks.length > 0).length).toBeGreaterThan(1);
  });
});
