// The charts' `helm test` hook, run for real: its script (from the rendered Pod) with this machine's
// curl against the release's collectors running on loopback, the Service names pointed at their
// addresses. It passes when every collector takes a span, a metric and a log, and fails when one is
// not there.
import { spawnSync } from 'child_process';
import * as path from 'path';
import { HELMS, ROOT, helmTemplate, parseManifests } from './harness/helm';
import { LoopbackRun } from './harness/pipeline/run';

const run = new LoopbackRun('smoke-test');
afterAll(() => run.stop());

function hookScript(): string {
  const r = helmTemplate(HELMS[0], path.join(ROOT, 'charts', 'ollyscale-otel'), { showOnly: ['templates/smoke-test.yaml'] });
  const pod = parseManifests(r.stdout)[0];
  expect(pod.metadata.annotations['helm.sh/hook']).toBe('test');
  return pod.spec.containers[0].command[2];
}

test('the hook checks every collector is healthy and takes every signal, and passes only when each answers 200', async () => {
  const t = run.topology;
  run.render('ollyscale-otel', { gatewayCollector: { opamp: { enabled: false } } });
  await run.startGateway();
  await run.startAgent();
  const browser = await run.start('browser', run.render('ollyscale-otel', { gatewayCollector: { opamp: { enabled: false } } }).get('ollyscale-browser')!, {
    host: t.browser,
  });
  // Each collector's receivers and health Service are both its pod: here, its loopback address.
  const pods: Record<string, string> = { agent: t.agent, gateway: t.gateways[0], 'ollyscale-browser': t.browser };
  const hosts = Object.entries(pods).flatMap(([name, address]) =>
    ['collector', 'collector-extension'].map((service) => [`${name}-${service}.otel-system.svc.cluster.local`, address]),
  );
  const script = hosts.reduce((s, [name, address]) => s.split(name).join(address), hookScript());
  const sh = () => spawnSync('sh', ['-c', script], { encoding: 'utf8', timeout: 60_000 });

  const passed = sh();
  console.log(passed.stdout);
  expect(passed.status).toBe(0);
  expect(passed.stdout.match(/\/v1\/\w+: HTTP 200/g)).toHaveLength(9);
  expect(passed.stdout.match(/health: HTTP 200/g)).toHaveLength(3);

  await browser.stop();
  const failed = sh();
  expect(failed.status).not.toBe(0);
  expect(failed.stdout).not.toContain('every collector is healthy');
}, 90_000);

test('the hook checks the health of every collector of the release, the Kafka consumer included', () => {
  const r = helmTemplate(HELMS[0], path.join(ROOT, 'charts', 'ollyscale-otel'), {
    showOnly: ['templates/smoke-test.yaml'],
    set: { 'gatewayCollector.kafka.enabled': 'true', 'gatewayCollector.kafka.brokers[0]': 'kafka:9092' },
  });
  const script: string = parseManifests(r.stdout)[0].spec.containers[0].command[2];
  const checked = [...script.matchAll(/^health (\S+)$/gm)].map((m) => m[1]);
  expect(checked).toEqual(
    ['agent', 'gateway', 'gateway-kafka-consumer', 'ollyscale-browser'].map((n) => `${n}-collector-extension.otel-system.svc.cluster.local`),
  );
});
