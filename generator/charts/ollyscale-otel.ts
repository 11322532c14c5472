// The `ollyscale-otel` chart: agent, gateway, browser collector, Instrumentation and eBPF agent,
// each toggled by `<component>.enabled`. Key names are the public values contract.
import * as path from 'path';
import { ChartDefinition } from '../emitter/chart-writer';
import { cond, refs } from '../emitter/refs';
import { ChartContext, chartValues } from '../components/context';
import { GatewayCollector, gatewayProps } from '../components/gateway';
import { AgentCollector, agentModel } from '../components/agent';
import { BrowserCollector, browserModel } from '../components/browser';
import { Instrumentation, instrumentationModel } from '../components/instrumentation';
import { EbpfAgent, ebpfAgentModel } from '../components/ebpf-agent';
import { Field, ObjectField, v } from '../values/model';
import { COLLECTOR_RELEASE } from '../distribution';
import { readme } from './ollyscale-otel-readme';

const LEGACY = 'accepted for values files of the original chart; no effect (NOTES.txt says so).';

/**
 * The original chart's keys that have no effect, with the NOTES.txt line each gets when it is set
 * (`ifSet: 'value'`: a non-empty value, `'key'`: the key present at all; `{namespace}` is the release
 * namespace). NOTES.txt ranges over this list (@DEPRECATED_KEYS@); generation fails unless it names
 * exactly the deprecated fields of the model outside the components that print their own
 * (instrumentation, ebpfAgent).
 */
const DEPRECATED_KEYS = [
  { path: ['global', 'namespace'], ifSet: 'value', note: 'has no effect; the chart installs into the release namespace ("{namespace}").' },
  { path: ['global', 'ollyscaleNamespace'], ifSet: 'value', note: 'has no effect; set gatewayCollector.destinations.ollyscale.endpoint instead.' },
  { path: ['otelTemplates', 'enabled'], ifSet: 'key', note: 'has no effect; the chart no longer renders otelTemplates.' },
  { path: ['otelTemplates', 'templates'], ifSet: 'key', note: 'has no effect; the chart no longer renders otelTemplates.' },
];
const OWN_DEPRECATION_NOTES = ['instrumentation', 'ebpfAgent'];

function checkDeprecatedKeys(model: ObjectField): void {
  const found: string[] = [];
  const walk = (f: Field, p: string[]): void => {
    if (f.options.deprecated) found.push(p.join('.'));
    if (f instanceof ObjectField && !OWN_DEPRECATION_NOTES.includes(p[0]))
      for (const [k, c] of Object.entries(f.props as Record<string, Field>)) walk(c, [...p, k]);
  };
  walk(model, []);
  const listed = DEPRECATED_KEYS.map((d) => d.path.join('.'));
  if (found.sort().join() !== [...listed].sort().join())
    throw new Error(`ollyscale-otel: DEPRECATED_KEYS (${listed.join(', ')}) must name the model's deprecated fields (${found.join(', ')})`);
}

const model = v.object('Values of the ollyscale-otel chart.', {
  ...chartValues,
  global: v.object(chartValues.global.description, {
    ...chartValues.global.props,
    namespace: v.string({ description: 'Namespace of the original chart.', deprecated: LEGACY }),
    ollyscaleNamespace: v.string({ description: 'Namespace of the OllyScale backend in the original chart.', deprecated: LEGACY }),
  }),
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
  version: '0.2.0',
  appVersion: COLLECTOR_RELEASE.version,
  description: 'OpenTelemetry collector infrastructure for OllyScale: node agent, gateway, browser (RUM) collector, auto-instrumentation and eBPF agent.',
  keywords: ['opentelemetry', 'collector', 'instrumentation', 'ebpf', 'ollyscale'],
  model,
  constants: { DEPRECATED_KEYS },
  compose(chart) {
    checkDeprecatedKeys(model);
    const r = refs(model);
    const ctx = new ChartContext(chart, r);
    const enabled = { agentEnabled: r.agentCollector.enabled, gatewayEnabled: r.gatewayCollector.enabled };
    const forward = { gateway: r.gatewayCollector, gatewayKey: 'gatewayCollector.' };
    new AgentCollector(chart, 'agent', { ctx, values: r.agentCollector, valuesKey: 'agentCollector.', when: cond.is(r.agentCollector.enabled), ...forward });
    new GatewayCollector(chart, 'gateway', { ctx, values: r.gatewayCollector, valuesKey: 'gatewayCollector.', when: cond.is(r.gatewayCollector.enabled) });
    new BrowserCollector(chart, 'browser', { ctx, values: r.browserCollector, valuesKey: 'browserCollector.', when: cond.is(r.browserCollector.enabled), ...forward });
    new Instrumentation(chart, 'instrumentation', { ctx, values: r.instrumentation, valuesKey: 'instrumentation.', when: cond.is(r.instrumentation.enabled), ...enabled });
    new EbpfAgent(chart, 'ebpf-agent', { ctx, values: r.ebpfAgent, valuesKey: 'ebpfAgent.', when: cond.is(r.ebpfAgent.enabled), ...enabled });
  },
  notes: path.join(__dirname, 'notes', 'ollyscale-otel.txt'),
  readme,
};
