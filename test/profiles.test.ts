// Profiles end to end on loopback, and what happens to a signal no destination takes. The
// ollyscale-otel chart is rendered with profiles.enabled and two destinations: one for profiles, one
// for traces; none takes logs or metrics. A profile sent to the agent over OTLP/HTTP reaches the
// profiles destination through the gateway (both run with the service.profilesSupport feature gate,
// as rendered); a log sent to the agent is refused there, at the edge, so no collector retries or
// reports export errors for it.
import * as path from 'path';
import { sleep } from './harness/pipeline/collector-process';
import { Answer, postJson, profileRequest, traceRequest } from './harness/pipeline/otlp-json';
import { LoopbackRun, agentAndGateway, otlpHttpBase } from './harness/pipeline/run';
import { readSink, readSinkProfiles, sinkCollector } from './harness/pipeline/sinks';

describe('profiles, and a signal no destination takes (ollyscale-otel, collectorRuntime operator)', () => {
  const run = new LoopbackRun('profiles');
  const answers: Record<string, Answer> = {};
  let profiles: { service: string | undefined }[] = [];
  let spans = 0;
  let gates: Record<string, string[]>;

  beforeAll(async () => {
    const sinkHost = run.host(100);
    const sinks = path.join(run.dir, 'sinks');
    const rendered = run.render(
      'ollyscale-otel',
      agentAndGateway(
        {
          destinations: {
            pyroscope: { type: 'otlp', endpoint: `${sinkHost}:4317`, signals: ['profiles'], tls: { insecure: true } },
            tempo: { type: 'otlphttp', endpoint: `http://${sinkHost}:4318`, signals: ['traces'] },
          },
        },
        { profiles: { enabled: true } },
      ),
    );
    gates = Object.fromEntries([...rendered].map(([name, c]) => [name, c.featureGates]));
    await run.start(
      'sinks',
      sinkCollector(
        [
          { name: 'pyroscope', endpoint: `${sinkHost}:4317`, protocol: 'grpc', signals: ['traces', 'logs', 'profiles'] },
          { name: 'tempo', endpoint: `${sinkHost}:4318`, protocol: 'http', signals: ['traces', 'logs', 'profiles'] },
        ],
        sinks,
        `${sinkHost}:13133`,
      ),
    );
    await run.startGateway();
    const agent = await run.startAgent();
    const base = otlpHttpBase(agent);
    answers.profile = await postJson(`${base}/v1development/profiles`, profileRequest('e2e-profiled'));
    answers.trace = await postJson(`${base}/v1/traces`, traceRequest('e2e-traced', 2).body);
    answers.log = await postJson(`${base}/v1/logs`, { resourceLogs: [{ scopeLogs: [{ logRecords: [{ body: { stringValue: 'nobody takes me' } }] }] }] });
    for (const deadline = Date.now() + 20_000; Date.now() < deadline && (profiles.length === 0 || spans === 0); await sleep(250)) {
      profiles = readSinkProfiles(sinks, 'pyroscope');
      spans = readSink(sinks, 'tempo').spans.length;
    }
    // Time for anything unexpected: a retry, a profile or a log in the wrong place.
    await sleep(2000);
    profiles = readSinkProfiles(sinks, 'pyroscope');
  }, 60_000);
  afterAll(() => run.stop());

  it('starts the agent and the gateway with the profiles feature gate', () => {
    expect(gates).toMatchObject({ agent: ['service.profilesSupport'], gateway: ['service.profilesSupport'] });
  });

  it('delivers a profile sent to the agent to the destination whose signals include profiles, and only there', () => {
    console.log(`answers: ${JSON.stringify(answers)}; pyroscope received ${profiles.length} profiles, tempo ${spans} spans`);
    try {
      expect(answers.profile).toMatchObject({ status: 200 });
      expect(profiles).toEqual([{ service: 'e2e-profiled' }]);
      expect(readSinkProfiles(path.join(run.dir, 'sinks'), 'tempo')).toEqual([]);
      expect(spans).toBe(2);
    } catch (e) {
      console.log(run.logs());
      throw e;
    }
  });

  it('refuses logs at the agent when no destination takes them, and no collector reports an export error', () => {
    // No logs pipeline: the OTLP receiver does not serve /v1/logs.
    expect(answers.log).toMatchObject({ status: 404 });
    for (const name of ['agent', 'gateway-0'])
      expect([name, run.find(name).log()]).not.toEqual([name, expect.stringMatching(/Exporting failed|export.*(failed|error)/i)]);
    for (const sink of ['pyroscope', 'tempo']) expect(readSink(path.join(run.dir, 'sinks'), sink).logs).toEqual([]);
  });
});
