// The browser (RUM) collector: OTLP/HTTP with CORS for web pages, optionally exposed through a
// Gateway API HTTPRoute; forwards to the gateway like the agent.
import * as path from 'path';
import { Construct } from 'constructs';
import { TemplatedObject, TemplateScope } from '../../emitter/helm-chart';
import { cond } from '../../emitter/refs';
import { v } from '../../values/model';
import { Collector, PORTS, collectorEndpoints, collectorProps } from '../collector';
import { ForwarderProps, forwarding } from '../gateway';

/** Exact origins or wildcard forms the collector understands (`https://*.example.com`); never a bare `*`. */
const ORIGIN = '^https?://[^\\s/]+$';

export const browserModel = v.object('The browser (RUM) collector (Deployment, OTLP/HTTP only).', {
  enabled: v.boolean({ description: 'Deploy the browser collector. `false` renders nothing of it.', default: true }),
  ...collectorProps('browser collector', 'ollyscale-browser', { cpu: '100m', memory: '256Mi' }, { memory: '512Mi' }),
  replicas: v.integer({ description: 'Browser collector replicas.', default: 1, minimum: 0 }),
  cors: v.object('CORS of the OTLP/HTTP receiver; browsers refuse cross-origin exports without it.', {
    allowedOrigins: v.list(
      v.string({
        description: 'An origin: `https://app.example.com`, `https://*.example.com` (a bare `*` is refused: the collector does not support it).',
        pattern: ORIGIN,
      }),
      {
        description: 'Origins allowed to send telemetry.',
        default: [],
        uniqueItems: true,
      },
    ),
    allowedHeaders: v.list(v.string({ description: 'A header name.', minLength: 1 }), {
      description: 'Extra request headers allowed (beyond the CORS-safelisted ones).',
      default: [],
    }),
    maxAge: v.integer({ description: 'Seconds browsers may cache a preflight response.', default: 7200, minimum: 0 }),
  }),
  maxRequestBodyBytes: v.integer({ description: 'Largest request body accepted, in bytes; larger requests are refused.', default: 1048576, minimum: 1 }),
  httpRoute: v.object(
    "A Gateway API HTTPRoute to the browser collector's Service.",
    {
      enabled: v.boolean({ description: 'Render the HTTPRoute.', default: false }),
      parentRefs: v.freeform<unknown[]>(
        { description: 'Gateways the route attaches to (Gateway API parentRefs).', default: [], extra: { items: { type: 'object', required: ['name'] } } },
        'array',
      ),
      hostnames: v.list(v.string({ description: 'A hostname.', pattern: '^(\\*\\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$' }), {
        description: 'Hostnames of the route.',
        default: [],
      }),
      pathPrefix: v.string({ description: 'Path prefix routed to the collector.', default: '/v1/', pattern: '^/' }),
    },
    { extra: { if: { properties: { enabled: { const: true } }, required: ['enabled'] }, then: { properties: { parentRefs: { minItems: 1 } } } } },
  ),
});

export type BrowserProps = ForwarderProps<typeof browserModel>;

export class BrowserCollector extends Construct {
  readonly endpoints: ReturnType<typeof collectorEndpoints>;
  constructor(scope: Construct, id: string, p: BrowserProps) {
    super(scope, id);
    const r = p.values;
    const collector = new Collector(this, 'collector', {
      templates: { files: [path.join(__dirname, 'browser.tpl')] },
      ...p,
      ...forwarding(p),
      component: 'browser',
      // Browsers reach it through an ingress or gateway from anywhere.
      ingressPeers: 'anywhere',
      mode: 'deployment',
      file: 'browser.yaml',
      scaling: { replicas: r.replicas },
    });
    this.endpoints = collector.endpoints;
    const route = new TemplateScope(this, 'route', {
      file: 'browser-httproute.yaml',
      when: cond.and(...(p.when ? [p.when] : []), cond.is(r.httpRoute.enabled)),
    });
    new TemplatedObject(route, 'httproute', {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: p.ctx.meta(r.name.token, 'browser'),
      requiresServed: {
        message: `${p.valuesKey}httpRoute.enabled: the HTTPRoute is Gateway API's: install its CRDs (and a Gateway) first, or set ${p.valuesKey}httpRoute.enabled=false and route to the browser collector's Service another way`,
      },
      spec: {
        parentRefs: r.httpRoute.parentRefs,
        hostnames: r.httpRoute.hostnames,
        rules: [
          {
            matches: [{ path: { type: 'PathPrefix', value: r.httpRoute.pathPrefix } }],
            backendRefs: [{ name: this.endpoints.service.token, port: PORTS.otlpHttp }],
          },
        ],
      },
    });
  }
}
