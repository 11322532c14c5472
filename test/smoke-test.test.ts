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

test('the hook posts every signal to every collector and passes only when each answers 200', async () => {
  const t = run.topology;
  run.render('ollyscale-otel', { gatewayCollector: { opamp: { enabled: false } } });
  await run.startGateway();
  await run.startAgent();
  const browser = await run.start('browser', run.render('ollyscale-otel', { gatewayCollector: { opamp: { enabled: false } } }).get('ollyscale-browser')!, {
    host: t.browser,
  });
  const hosts: Record<string, string> = {
    'agent-collector.otel-system.svc.cluster.local': t.agent,
    'gateway-collector.otel-system.svc.cluster.local': t.gateways[0],
    'ollyscale-browser-collector.otel-system.svc.cluster.local': t.browser,
  };
  const script = Object.entries(hosts).reduce((s, [name, address]) => s.split(name).join(address), hookScript());
  const sh = () => spawnSync('sh', ['-c', script], { encoding: 'utf8', timeout: 60_000 });

  const passed = sh();
  console.log(passed.stdout);
  expect(passed.status).toBe(0);
  expect(passed.stdout.match(/HTTP 200/g)).toHaveLength(9);

  await browser.stop();
  const failed = sh();
  expect(failed.status).not.toBe(0);
  expect(failed.stdout).not.toContain('every collector took what it was sent');
}, 90_000);
