// The `ollyscale-otel` chart: agent, gateway, browser collector, Instrumentation and eBPF agent,
// each toggled by `<component>.enabled`. Key names are the public values contract.
import * as path from 'path';
import { ChartDefinition } from '../emitter/chart-writer';
import { cond, refs } from '../emitter/refs';
import { ChartContext, DeprecatedKey, GLOBAL_DEPRECATED_KEYS, chartValues, checkDeprecatedKeys, envPaths } from '../components/context';
import { GatewayCollector, gatewayProps } from '../components/gateway';
import { AgentCollector, agentModel } from '../components/agent';
import { BrowserCollector, browserModel } from '../components/browser';
import { Instrumentation, LANGUAGES, instrumentationModel } from '../components/instrumentation';
import { EBPF_IMAGES, EbpfAgent, ebpfAgentModel } from '../components/ebpf-agent';
import { v } from '../values/model';
import { COLLECTOR_IMAGE, COLLECTOR_RELEASE } from '../distribution';
import { changelog, currentChanges, currentVersion } from './releases';
import { upgradingDoc } from '../docs';
import { readme } from './ollyscale-otel-readme';
import { SmokeTest, gatewayTargets } from '../components/smoke-test';
import { TEST_COMPONENT } from '../components/collector';

const LEGACY = 'accepted for values files of the original chart; no effect (NOTES.txt says so).';

/** The original chart's keys without effect (see GLOBAL_DEPRECATED_KEYS), listed in NOTES.txt. */
const DEPRECATED_KEYS: DeprecatedKey[] = [
  ...GLOBAL_DEPRECATED_KEYS,
  { path: ['otelTemplates', 'enabled'], ifSet: 'key', note: 'has no effect; the chart no longer renders otelTemplates.' },
  { path: ['otelTemplates', 'templates'], ifSet: 'key', note: 'has no effect; the chart no longer renders otelTemplates.' },
];
/** Components whose NOTES fragments print their own deprecation lines. */
const OWN_DEPRECATION_NOTES = ['instrumentation', 'ebpfAgent'];

const model = v.object('Values of the ollyscale-otel chart.', {
  ...chartValues,
  otelTemplates: v.object('Templates of the original chart.', {
    enabled: v.boolean({ description: 'Render the original chart\'s templates.', deprecated: LEGACY }),
    templates: v.freeform({ description: 'The original chart\'s templates.', deprecated: LEGACY }, 'any'),
  }),
  agentCollector: agentModel,
  gatewayCollector: v.object('The gateway collector (Deployment): tail sampling and destinations.', {
    enabled: v.boolean({ description: 'Deploy the gateway collector.', default: true }),
    ...gatewayProps,
  }),
  browserCollector: browserModel,
  instrumentation: instrumentationModel,
  ebpfAgent: ebpfAgentModel,
});

export const ollyscaleOtel: ChartDefinition = {
  name: 'ollyscale-otel',
  version: currentVersion('ollyscale-otel'),
  changelog: changelog('ollyscale-otel'),
  // No Operator and no backend: the collectors as the chart's own workloads, spans to the gateway's log.
  ciValues: {
    native: {
      collectorRuntime: 'native',
      instrumentation: { enabled: false },
      gatewayCollector: { opamp: { enabled: false }, destinations: { ollyscale: { enabled: false }, console: { type: 'debug' } } },
    },
  },
  upgrading: (schema) => upgradingDoc(ollyscaleOtel, schema),
  changes: currentChanges('ollyscale-otel'),
  images: [
    `${COLLECTOR_IMAGE.repository}:${COLLECTOR_IMAGE.tag}`,
    ...Object.values(EBPF_IMAGES).map((i) => `${i.repository}:${i.tag}`),
    ...LANGUAGES.map((l) => `${l.repository}:${l.tag}`),
  ],
  appVersion: COLLECTOR_RELEASE.version,
  description: 'OpenTelemetry collector infrastructure for OllyScale: node agent, gateway, browser (RUM) collector, auto-instrumentation and eBPF agent.',
  keywords: ['opentelemetry', 'collector', 'instrumentation', 'ebpf', 'ollyscale'],
  model,
  constants: { DEPRECATED_KEYS, ENV_PATHS: envPaths(model) },
  compose(chart) {
    checkDeprecatedKeys('ollyscale-otel', model, DEPRECATED_KEYS, OWN_DEPRECATION_NOTES);
    const r = refs(model);
    const ctx = new ChartContext(chart, r);
    const enabled = { agentEnabled: r.agentCollector.enabled, gatewayEnabled: r.gatewayCollector.enabled };
    const forward = { gateway: r.gatewayCollector, gatewayKey: 'gatewayCollector.' };
    const agent = new AgentCollector(chart, 'agent', { ctx, values: r.agentCollector, valuesKey: 'agentCollector.', when: cond.is(r.agentCollector.enabled), ...forward });
    const gateway = new GatewayCollector(chart, 'gateway', {
      ctx,
      values: r.gatewayCollector,
      valuesKey: 'gatewayCollector.',
      when: cond.is(r.gatewayCollector.enabled),
      // Under its NetworkPolicy the gateway takes OTLP from the chart's own senders (and extraIngress).
      senders: ['agent', 'browser', 'ebpf-agent', TEST_COMPONENT],
    });
    const browser = new BrowserCollector(chart, 'browser', { ctx, values: r.browserCollector, valuesKey: 'browserCollector.', when: cond.is(r.browserCollector.enabled), ...forward });
    new Instrumentation(chart, 'instrumentation', { ctx, values: r.instrumentation, valuesKey: 'instrumentation.', when: cond.is(r.instrumentation.enabled), ...enabled });
    new EbpfAgent(chart, 'ebpf-agent', { ctx, values: r.ebpfAgent, valuesKey: 'ebpfAgent.', when: cond.is(r.ebpfAgent.enabled), ...enabled });
    new SmokeTest(chart, 'smoke-test', {
      ctx,
      ...forward,
      targets: [
        { host: agent.endpoints.host, healthHost: agent.endpoints.extensionHost, enabled: [r.agentCollector.enabled] },
        ...gatewayTargets(gateway, r.gatewayCollector),
        { host: browser.endpoints.host, healthHost: browser.endpoints.extensionHost, enabled: [r.browserCollector.enabled] },
      ],
    });
  },
  notes: path.join(__dirname, 'notes', 'ollyscale-otel.txt'),
  readme,
};
