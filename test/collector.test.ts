// The real collector is the judge of our configurations: these prove the gate in charts.test.ts
// fires on overrides a user could write, with the collector's own message.
import * as path from 'path';
import { HELMS, ROOT, helmTemplate, parseManifests } from './harness/helm';
import { renderedCollectors } from './harness/collectors';
import { validate, withoutUnavailable } from './harness/otelcol';
import { refusedModules } from '../scripts/otelcol';
import { CHART_COMPONENTS } from '../generator/distribution';
import { DESTINATIONS } from '../generator/components/gateway/destination-types';

function gatewayWith(set: Record<string, string>) {
  const r = helmTemplate(HELMS[0], path.join(ROOT, 'charts', 'ollyscale-otel'), { set });
  if (r.code !== 0) throw new Error(r.stderr);
  return renderedCollectors(parseManifests(r.stdout)).find((c) => c.name === 'gateway')!;
}

describe('otelcol validate of a rendered gateway', () => {
  it('accepts the default configuration', () => {
    expect(validate(gatewayWith({}))).toMatchObject({ ok: true, notValidated: [] });
  });

  it.each([
    ['a misspelled key', { 'gatewayCollector.config.processors.batch.send_batch_sise': '10' }, /has invalid keys: send_batch_sise/],
    ['a value of the wrong type', { 'gatewayCollector.config.processors.batch.timeout': 'soon' }, /'timeout' time: invalid duration/],
    [
      'a component removed from the collector',
      { 'gatewayCollector.config.exporters.loki.endpoint': 'http://loki:3100', 'gatewayCollector.config.service.pipelines.logs.exporters[0]': 'loki' },
      /unknown type: "loki"/,
    ],
  ])("refuses %s with the collector's own message", (_what, set, message) => {
    const r = validate(gatewayWith(set));
    expect(r.ok).toBe(false);
    expect(r.message).toMatch(message);
  });
});

describe('components the build lacks', () => {
  it('are left out of a config with their pipeline entries, and reported', () => {
    const config = {
      receivers: { otlp: {}, kubelet_stats: {} },
      exporters: { debug: {} },
      service: { pipelines: { metrics: { receivers: ['otlp', 'kubelet_stats'], exporters: ['debug'] } } },
    };
    const { config: rest, removed } = withoutUnavailable(config);
    const lacking = removed.map((m) => m.id);
    // Only what this build really lacks is removed; the rest stays for the collector to check.
    expect(Object.keys(rest.receivers)).toEqual(['otlp', 'kubelet_stats'].filter((id) => !lacking.includes(id)));
    expect(rest.service.pipelines.metrics.receivers).toEqual(Object.keys(rest.receivers));
  });

  it("are recognised in the Go command's refusal, without the proxy address", () => {
    const out = [
      'go: github.com/open-telemetry/opentelemetry-collector-contrib/receiver/kubeletstatsreceiver@v0.158.0: reading https://proxy.example/github.com/open-telemetry/opentelemetry-collector-contrib/receiver/kubeletstatsreceiver/@v/v0.158.0.mod: 403 Forbidden',
      '\tserver response: This module version is not available.',
      'go: go.opentelemetry.io/collector/cmd/builder imports',
      '\tgithub.com/x/routingconnector: github.com/x/routingconnector@v0.158.0: reading https://proxy.example/github.com/x/routingconnector/@v/v0.158.0.zip: 410 Gone',
    ].join('\n');
    expect(refusedModules(out)).toEqual([
      {
        module: 'github.com/open-telemetry/opentelemetry-collector-contrib/receiver/kubeletstatsreceiver',
        version: 'v0.158.0',
        error: '403 Forbidden: This module version is not available.',
      },
      { module: 'github.com/x/routingconnector', version: 'v0.158.0', error: '410 Gone' },
    ]);
  });
});

test('every destination type exports through a component of the collector distribution', () => {
  const exporters = CHART_COMPONENTS.filter((c) => c.kind === 'exporter').map((c) => c.type);
  expect(
    Object.values(DESTINATIONS)
      .map((d) => d.exporter)
      .filter((e) => !exporters.includes(e)),
  ).toEqual([]);
});
