// The README's quick start, run as written where no cluster is needed: its `helm install` with the
// real Helms (rendered, and installed with --dry-run for the NOTES it promises), and the first span of
// step 4, posted as written to the gateway rendered by that install and running on loopback, where it
// must reach the debug destination. test/cluster.test.ts runs the kubectl and Helm steps against the
// test API server.
import { HELMS, runHelm } from './harness/helm';
import { sleep } from './harness/pipeline/collector-process';
import { postJson } from './harness/pipeline/otlp-json';
import { LoopbackRun } from './harness/pipeline/run';
import { QUICK_START, QUICK_START_COMMANDS as commands, argsOf, quickStartCommand } from './harness/quick-start';

const install = quickStartCommand('helm install ');
const curl = commands.find((c) => c.includes(' curl '))!;

/** `helm install` arguments as Helm takes them (the README's line has no quoting). */
const installArgs = argsOf(install).slice(1);
/** The install's --set flags. */
const sets = Object.fromEntries(installArgs.flatMap((a, i) => (installArgs[i - 1] === '--set' ? [a.split('=') as [string, string]] : [])));

test('the quick start has its five steps: the check for the Operator, install, verify, a first span, uninstall', () => {
  expect(commands).toEqual(
    expect.arrayContaining([
      expect.stringMatching(/^kubectl get crd opentelemetrycollectors\.opentelemetry\.io/),
      expect.stringMatching(/^helm install ollyscale-otel \.\/charts\/ollyscale-otel -n otel-system --create-namespace/),
      'helm status ollyscale-otel -n otel-system',
      expect.stringMatching(/^kubectl run otlp-first-span/),
      'helm uninstall ollyscale-otel -n otel-system',
    ]),
  );
});

test.each(HELMS)("the install renders with $name, from the repository's root as written", (helm) => {
  const r = runHelm(helm, ['template', ...installArgs.filter((a) => a !== '--create-namespace')]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
});

test('installing prints the NOTES lines step 3 points at', () => {
  const r = runHelm(HELMS[0], ['install', ...installArgs, '--dry-run=client']);
  expect(r.code).toBe(0);
  expect(r.stdout).toContain('Gateway collector (recommended): gateway-collector.otel-system.svc.cluster.local:4317 (gRPC) or :4318 (HTTP)');
  expect(r.stdout).toContain('  console: debug');
  expect(QUICK_START).toContain('Gateway collector (recommended):\n   gateway-collector.otel-system.svc.cluster.local:4317 (gRPC) or :4318 (HTTP)');
});

describe('the first span of step 4', () => {
  const run = new LoopbackRun('quick-start');
  afterAll(() => run.stop());

  test('is accepted by the installed gateway and reaches its debug destination', async () => {
    const url = /(http:\/\/\S+)/.exec(curl)![1];
    const body = JSON.parse(/-d '([^']+)'/.exec(curl)![1]);
    expect(url).toBe('http://gateway-collector.otel-system.svc.cluster.local:4318/v1/traces');
    run.render('ollyscale-otel', {}, sets.collectorRuntime, sets);
    const gateway = await run.startGateway();
    const answer = await postJson(`http://${run.topology.gateways[0]}:4318${new URL(url).pathname}`, body);
    expect(answer).toMatchObject({ status: 200 });
    // The default decision wait is 10 s.
    const seen = /Traces\s.*"resource spans": 1, "spans": 1/;
    for (const deadline = Date.now() + 25_000; Date.now() < deadline && !seen.test(gateway.log());) await sleep(250);
    expect(gateway.log()).toMatch(seen);
  }, 40_000);
});
