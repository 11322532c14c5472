// The persistent sending queue end to end on loopback (otel-gateway chart): the destination is down,
// the gateway accepts N spans, is killed with SIGKILL (as an OOM kill or a lost node ends a pod; no
// flush), and restarted on the same storage folder, as the StatefulSet's pod is on its claim. Then the
// destination comes up, and every accepted span arrives. The exporter's queue persists batches only
// once they leave the batch processor (200 ms), and tail sampling holds traces in memory for its
// decision wait, so the test sends with tail sampling off and waits a second before the kill.
import * as path from 'path';
import { sleep } from './harness/pipeline/collector-process';
import { postJson, traceRequest } from './harness/pipeline/otlp-json';
import { LoopbackRun, otlpHttpBase } from './harness/pipeline/run';
import { readSink, sinkCollector } from './harness/pipeline/sinks';

const TRACES = 50;
const SPANS_PER_TRACE = 4;

describe('persistent sending queue (otel-gateway, collectorRuntime operator)', () => {
  const run = new LoopbackRun('persistent-queue');
  const sent: string[] = [];
  let arrived: Map<string, number>;
  let elapsedMs: number;

  beforeAll(async () => {
    const sinkHost = run.host(100);
    const endpoint = `${sinkHost}:4317`;
    run.render('otel-gateway', {
      tailSampling: { enabled: false },
      opamp: { enabled: false },
      destinations: { ollyscale: { endpoint, sendingQueue: { persistent: true }, retryOnFailure: { maxElapsedTime: '0s' } } },
    });
    const gateway = await run.startGateway();
    for (let i = 0; i < TRACES; i++) {
      const t = traceRequest('e2e-queue', SPANS_PER_TRACE);
      const answer = await postJson(`${otlpHttpBase(gateway)}/v1/traces`, t.body);
      if (!('status' in answer) || answer.status !== 200) throw new Error(`the gateway refused a trace: ${JSON.stringify(answer)}`);
      sent.push(t.traceId);
    }
    await sleep(1000);
    await gateway.kill();
    // The same address and storage folder: the StatefulSet's pod comes back on its claim.
    await run.startGateway();
    const started = Date.now();
    const sinks = path.join(run.dir, 'sinks');
    await run.start('sinks', sinkCollector([{ name: 'destination', endpoint, protocol: 'grpc', signals: ['traces'] }], sinks, `${sinkHost}:13133`));
    // Until every span arrived and 2 s passed without more (bounded at 45 s: the retry backoff grows to 30 s).
    let count = -1;
    let quietSince = Date.now();
    for (const deadline = Date.now() + 45_000; Date.now() < deadline; await sleep(250)) {
      const spans = readSink(sinks, 'destination').spans;
      if (spans.length !== count) [count, quietSince] = [spans.length, Date.now()];
      arrived = new Map();
      for (const s of spans) arrived.set(s.traceId, (arrived.get(s.traceId) ?? 0) + 1);
      if (count >= TRACES * SPANS_PER_TRACE && Date.now() - quietSince > 2000) break;
    }
    elapsedMs = Date.now() - started;
  }, 90_000);
  afterAll(() => run.stop());

  it('delivers every span accepted before a SIGKILL once the destination is up, and none twice', () => {
    const spans = [...arrived.values()].reduce((a, b) => a + b, 0);
    const duplicated = [...arrived.values()].filter((n) => n > SPANS_PER_TRACE).length;
    console.log(
      `persistent queue: sent ${sent.length * SPANS_PER_TRACE} spans (${sent.length} traces), killed the gateway, restarted it; ` +
        `${spans} spans of ${arrived.size} traces arrived within ${elapsedMs} ms of the restart; ${duplicated} traces with more spans than sent`,
    );
    try {
      expect(sent.filter((id) => arrived.get(id) !== SPANS_PER_TRACE)).toEqual([]);
      expect(spans).toBe(sent.length * SPANS_PER_TRACE);
    } catch (e) {
      console.log(run.logs());
      throw e;
    }
  });
});
