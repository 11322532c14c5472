// The OpenTelemetry Operator's Instrumentation resource: how the Operator injects auto-instrumentation
// into annotated workloads, and where the injected SDKs export (the node-local agent by default).
import * as path from 'path';
import { Construct } from 'constructs';
import { TemplateScope, TemplatedObject } from '../../emitter/helm-chart';
import { IncludeArg, ValueRef, optional } from '../../emitter/refs';
import { v } from '../../values/model';
import { containerResources, env, image } from '../../values/common';
import { ComponentProps } from '../context';
import { PORTS, PORT_CONSTANTS } from '../collector';

/** The CRD's enums (opentelemetry.io_instrumentations.yaml, operator 0.158.0). */
export const PROPAGATORS = ['tracecontext', 'baggage', 'b3', 'b3multi', 'jaeger', 'xray', 'ottrace', 'none'] as const;
export const SAMPLERS = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
  'jaeger_remote',
  'xray',
] as const;
/** A ratio between 0 and 1, as the ratio samplers' `argument` string. */
const RATIO = '^(0(\\.[0-9]+)?|1(\\.0+)?|\\.[0-9]+)$';

const OPERATOR_IMAGES = 'ghcr.io/open-telemetry/opentelemetry-operator';

interface Language {
  /** Values key and CRD field. */
  key: 'python' | 'java' | 'nodejs' | 'dotnet' | 'go' | 'apacheHttpd' | 'nginx';
  title: string;
  /** Appended to the language block's description. */
  note?: string;
  /** `instrumentation.opentelemetry.io/inject-<annotation>`. */
  annotation: string;
  repository: string;
  /** Pinned to the Operator 0.158.0 defaults (versions.txt), except Python (the original chart's tag). */
  tag: string;
  /** The CRD calls the container resources `resources` for Java, `resourceRequirements` for the others. */
  resourcesField: 'resources' | 'resourceRequirements';
  /** Web server modules export with the OTLP/gRPC C++ exporter only, configured by this directive. */
  endpointDirective?: string;
  env?: Record<string, string>;
  requests?: Record<string, string>;
  limits?: Record<string, string>;
}

export const LANGUAGES: Language[] = [
  {
    key: 'python',
    title: 'Python',
    annotation: 'python',
    repository: `${OPERATOR_IMAGES}/autoinstrumentation-python`,
    tag: '0.60b1',
    resourcesField: 'resourceRequirements',
    // Python's auto-instrumentation ships only the OTLP/HTTP exporters (port 4318).
    // The original chart's six, with its values, so its users see no change.
    env: {
      OTEL_PYTHON_LOGGING_AUTO_INSTRUMENTATION_ENABLED: 'true',
      OTEL_PYTHON_LOGGING_INJECTION_ENABLED: 'true',
      OTEL_PYTHON_LOG_LEVEL: 'INFO',
      OTEL_PYTHON_LOG_CORRELATION: 'true',
      OTEL_INSTRUMENTATION_HTTP_CAPTURE_HEADERS_SERVER_REQUEST: 'content-.*,x-.*',
      OTEL_INSTRUMENTATION_HTTP_CAPTURE_HEADERS_SERVER_RESPONSE: 'content-.*,x-.*',
    },
    requests: { cpu: '50m', memory: '64Mi' },
    limits: { cpu: '500m', memory: '128Mi' },
  },
  { key: 'java', title: 'Java', annotation: 'java', repository: `${OPERATOR_IMAGES}/autoinstrumentation-java`, tag: '2.30.0', resourcesField: 'resources' },
  {
    key: 'nodejs',
    title: 'Node.js',
    annotation: 'nodejs',
    repository: `${OPERATOR_IMAGES}/autoinstrumentation-nodejs`,
    tag: '0.78.0',
    resourcesField: 'resourceRequirements',
  },
  {
    key: 'dotnet',
    title: '.NET',
    annotation: 'dotnet',
    repository: `${OPERATOR_IMAGES}/autoinstrumentation-dotnet`,
    tag: '1.16.0',
    resourcesField: 'resourceRequirements',
  },
  // The Operator's Go default lives in the Go instrumentation project's registry, not the Operator's.
  {
    key: 'go',
    title: 'Go',
    note: ' The Operator injects Go only when started with `--enable-go-instrumentation`.',
    annotation: 'go',
    repository: 'ghcr.io/open-telemetry/opentelemetry-go-instrumentation/autoinstrumentation-go',
    tag: 'v0.24.0',
    resourcesField: 'resourceRequirements',
  },
  {
    key: 'apacheHttpd',
    title: 'Apache HTTPD',
    annotation: 'apache-httpd',
    repository: `${OPERATOR_IMAGES}/autoinstrumentation-apache-httpd`,
    tag: '1.0.4',
    resourcesField: 'resourceRequirements',
    endpointDirective: 'ApacheModuleOtelExporterEndpoint',
  },
  // The Operator instruments nginx with the Apache HTTPD image (versions.txt).
  {
    key: 'nginx',
    title: 'Nginx',
    annotation: 'nginx',
    repository: `${OPERATOR_IMAGES}/autoinstrumentation-apache-httpd`,
    tag: '1.0.4',
    resourcesField: 'resourceRequirements',
    endpointDirective: 'NginxModuleOtelExporterEndpoint',
  },
];

/** The shared `env` shape (a map or the Kubernetes list), with the language's own defaults. */
function languageEnv(l: Language) {
  return env(`the ${l.title} auto-instrumentation (rendered as the CRD's env list)`, l.env);
}

function languageModel(l: Language) {
  return v.object(
    `${l.title} auto-instrumentation (CRD field \`${l.key}\`; pods opt in with \`instrumentation.opentelemetry.io/inject-${l.annotation}\`).${l.note ?? ''}`,
    {
      image: image(`the ${l.title} auto-instrumentation (init container)`, l.repository, l.tag),
      env: languageEnv(l),
      resources: containerResources(
        `Resources of the ${l.title} init container (rendered as the CRD's \`${l.resourcesField}\`); empty: the Operator's defaults.`,
        {
          ...(l.requests && { requests: l.requests }),
          ...(l.limits && { limits: l.limits }),
        },
      ),
    },
  );
}

const languageProps = Object.fromEntries(LANGUAGES.map((l) => [l.key, languageModel(l)])) as Record<Language['key'], ReturnType<typeof languageModel>>;

export const instrumentationModel = v.object('The OpenTelemetry Operator Instrumentation resource (auto-instrumentation).', {
  enabled: v.boolean({ description: 'Deploy the Instrumentation resource.', default: true }),
  name: v.string({
    description: 'Name of the Instrumentation; workloads refer to it as `<release namespace>/<name>`.',
    default: 'ollyscale-instrumentation',
    pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$',
    maxLength: 63,
  }),
  exporter: v.object('Where the injected SDKs export.', {
    endpoint: v.string({
      description: `OTLP/HTTP endpoint of the SDKs (they are told \`OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf\`). Empty: the node-local agent \`http://<agent>-collector.<namespace>.svc.cluster.local:${PORTS.otlpHttp}\`, or the gateway when the agent is disabled, and the gRPC-only Apache HTTPD and Nginx modules get the same host on ${PORTS.otlpGrpc}; an explicit endpoint is given to every language as is.`,
      default: '',
      pattern: '^$|^https?://[^\\s]+$',
    }),
  }),
  propagators: v.list(v.string({ description: 'A propagator.', enum: PROPAGATORS }), {
    description: 'Context propagators of the SDKs.',
    default: ['tracecontext', 'baggage'],
    minItems: 1,
    uniqueItems: true,
    notNull: true,
  }),
  sampler: v.object(
    'Head sampler of the SDKs.',
    {
      type: v.string({ description: 'Sampler type.', default: 'parentbased_always_on', enum: SAMPLERS }),
      argument: v.string({ description: 'Sampler argument: a ratio between 0 and 1, required by `traceidratio` and `parentbased_traceidratio`.', default: '' }),
    },
    {
      extra: {
        if: { properties: { type: { enum: ['traceidratio', 'parentbased_traceidratio'] } }, required: ['type'] },
        then: { required: ['argument'], properties: { argument: { pattern: RATIO } } },
      },
    },
  ),
  resource: v.object('Resource attributes the SDKs add.', {
    addK8sUIDAttributes: v.boolean({ description: "Add `k8s.pod.uid` and the owners' UIDs.", default: true }),
    attributes: v.stringMap("Extra resource attributes (the CRD's `resource.resourceAttributes`)."),
  }),
  ...languageProps,
  selfObservability: v.freeform({ description: 'Key of the original chart, accepted for compatibility.', deprecated: 'no effect.' }, 'any'),
});

export interface InstrumentationProps extends ComponentProps<typeof instrumentationModel> {
  agentEnabled: ValueRef;
  gatewayEnabled: ValueRef;
}

export class Instrumentation extends TemplateScope {
  constructor(scope: Construct, id: string, p: InstrumentationProps) {
    super(scope, id, { file: 'instrumentation.yaml', when: p.when });
    // The `inject-<annotation>` of each language, in model order, for the NOTES lines.
    p.ctx.chart.useTemplates([path.join(__dirname, 'instrumentation.tpl')], {
      ...PORT_CONSTANTS,
      INSTRUMENTATION_ANNOTATIONS: LANGUAGES.map((l) => l.annotation),
    });
    const { ctx, values: r } = p;
    const c = ctx.chart;
    const endpoint = (grpc: boolean) =>
      c.includeScalar('otlpEndpoint', {
        override: r.exporter.endpoint,
        agentEnabled: p.agentEnabled,
        gatewayEnabled: p.gatewayEnabled,
        key: `${p.valuesKey}exporter.endpoint`,
        grpc,
      });
    const language = (l: Language) => {
      const args: Record<string, IncludeArg> = { values: r[l.key].$, resourcesField: l.resourcesField };
      if (l.endpointDirective) Object.assign(args, { endpointDirective: l.endpointDirective, endpoint: endpoint(true) });
      return c.include('instrumentation.language', args);
    };
    // NOTES.txt includes "<chart>.instrumentation.notes" with the root context; bind the text to these values.
    c.defineString('instrumentation.notes', [
      c.includeScalar('instrumentation.notesText', { values: r.$, key: p.valuesKey, agentEnabled: p.agentEnabled, gatewayEnabled: p.gatewayEnabled }),
    ]);
    new TemplatedObject(this, 'instrumentation', {
      apiVersion: 'opentelemetry.io/v1alpha1',
      kind: 'Instrumentation',
      metadata: ctx.meta(r.name.token, 'instrumentation'),
      requiresServed: {
        message: `${p.valuesKey}enabled: the Instrumentation resource is served by the OpenTelemetry Operator: install the Operator first, or set ${p.valuesKey}enabled=false`,
      },
      spec: {
        exporter: { endpoint: endpoint(false) },
        // The endpoint is OTLP/HTTP: SDKs whose default is gRPC (older Node.js images) must not guess.
        env: [{ name: 'OTEL_EXPORTER_OTLP_PROTOCOL', value: 'http/protobuf' }],
        propagators: r.propagators,
        // The argument only when given (the CRD wants a string).
        sampler: { type: r.sampler.type, argument: optional(r.sampler.argument) },
        resource: { addK8sUIDAttributes: r.resource.addK8sUIDAttributes, resourceAttributes: optional(r.resource.attributes) },
        ...Object.fromEntries(LANGUAGES.map((l) => [l.key, language(l)])),
      },
    });
  }
}
