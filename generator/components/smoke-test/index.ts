// The chart's `helm test` hook: a Pod that checks every collector's health endpoint and posts a span,
// a metric and a log record over OTLP/HTTP to every receiving collector of the release, and fails
// unless each is healthy and accepts them (smoke-test.tpl has the script).
import * as path from 'path';
import { Construct } from 'constructs';
import { TemplatedObject, TemplateScope } from '../../emitter/helm-chart';
import { IncludeRef, ValueRef, release } from '../../emitter/refs';
import { PORT_CONSTANTS, TEST_COMPONENT } from '../collector';
import { ChartContext } from '../context';
import { GatewayCollector, GatewayRefs } from '../gateway';

/** The curl image the test runs, pinned; its user is `curl_user` (100). */
export const SMOKE_TEST_IMAGE = { repository: 'curlimages/curl', tag: '8.11.1' };
const SMOKE_TEST_UID = 100;

export interface SmokeTarget {
  /** The collector's receivers' in-cluster host (its `<component>.host` definition); none: it receives nothing over the network. */
  host?: IncludeRef;
  /** Its health Service's host (`<component>.extensionHost`). */
  healthHost: IncludeRef;
  /** The values that must all be true for it to run (none: always there). */
  enabled: ValueRef[];
  /** The `receivers` values of a collector that may demand TLS or a token (the gateway). */
  receivers?: ValueRef;
}

/** The gateway and, with the Kafka buffer, its consumer (health only: it receives nothing). */
export function gatewayTargets(gateway: GatewayCollector, r: GatewayRefs & { enabled: ValueRef }): SmokeTarget[] {
  return [
    { host: gateway.endpoints.host, healthHost: gateway.endpoints.extensionHost, enabled: [r.enabled], receivers: r.receivers.$ },
    { healthHost: gateway.consumerEndpoints.extensionHost, enabled: [r.enabled, r.kafka.enabled] },
  ];
}

export interface SmokeTestProps {
  ctx: ChartContext;
  gateway: GatewayRefs;
  gatewayKey: string;
  targets: SmokeTarget[];
}

export class SmokeTest extends Construct {
  constructor(scope: Construct, id: string, p: SmokeTestProps) {
    super(scope, id);
    const c = p.ctx.chart;
    const targets = p.targets.map((t) => ({
      host: t.host?.name ?? null,
      healthHost: t.healthHost.name,
      enabled: t.enabled.map((e) => e.path),
      receivers: t.receivers?.path ?? null,
    }));
    c.useTemplates([path.join(__dirname, 'smoke-test.tpl')], { ...PORT_CONSTANTS, SMOKE_TARGETS: targets, SMOKE_TEST_IMAGE });
    const scopeOfFile = new TemplateScope(this, 'file', { file: 'smoke-test.yaml' });
    const uid = SMOKE_TEST_UID;
    new TemplatedObject(scopeOfFile, 'pod', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: p.ctx.componentName(TEST_COMPONENT),
        namespace: release.namespace().token,
        labels: c.include('labels', { component: TEST_COMPONENT }),
        annotations: c.include('smokeTest.annotations'),
      },
      spec: {
        restartPolicy: 'Never',
        automountServiceAccountToken: false,
        imagePullSecrets: p.ctx.top.global.imagePullSecrets,
        securityContext: { runAsNonRoot: true, runAsUser: uid, runAsGroup: uid, seccompProfile: { type: 'RuntimeDefault' } },
        containers: [
          {
            name: 'smoke-test',
            image: c.includeScalar('smokeTest.image').token,
            command: ['sh', '-c', c.includeScalar('smokeTest.script', { gateway: p.gateway.$, gatewayKey: p.gatewayKey })],
            resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { memory: '32Mi' } },
            securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
          },
        ],
      },
    });
  }
}
