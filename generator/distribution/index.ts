// The OpenTelemetry Collector distribution the charts deploy: one release, and every component
// type the charts' generated configurations can use, with the Go module that provides it. The
// Collector Builder manifest of `make otelcol` is written from this list (builder-manifest.ts), so
// the collector the tests run holds exactly what the charts render.

/**
 * The collector release. The charts' default image is the contrib distribution at this tag, and
 * `make otelcol` builds every component at this release. 0.158.0 is the nearest release to 0.159.0
 * at which the Go module proxy serves the components the default install needs (at 0.159.0 it
 * refuses opampextension).
 */
export const COLLECTOR_RELEASE = {
  /** Core and contrib `v0.x` modules. */
  version: '0.158.0',
  /** Core's stable `v1.x` modules released together with `version`. */
  stableVersion: '1.64.0',
} as const;

export const COLLECTOR_IMAGE = { repository: 'otel/opentelemetry-collector-contrib', tag: COLLECTOR_RELEASE.version } as const;

export type ComponentKind = 'receiver' | 'processor' | 'exporter' | 'extension' | 'connector';

/** The configuration section (and builder manifest section) of each kind. */
export const SECTIONS: Record<ComponentKind, string> = {
  receiver: 'receivers',
  processor: 'processors',
  exporter: 'exporters',
  extension: 'extensions',
  connector: 'connectors',
};

export interface CollectorComponent {
  kind: ComponentKind;
  /** The canonical type name used in configurations (`load_balancing`, not the old `loadbalancing`). */
  type: string;
  /** The Go module; its version is COLLECTOR_RELEASE.version unless `version` says otherwise. */
  module: string;
  /** Only where the Go module proxy serves no release of this module at COLLECTOR_RELEASE.version. */
  version?: string;
}

const CORE = 'go.opentelemetry.io/collector';
const CONTRIB = 'github.com/open-telemetry/opentelemetry-collector-contrib';

const c = (kind: ComponentKind, type: string, module: string, version?: string): CollectorComponent => ({ kind, type, module, ...(version && { version }) });

/**
 * The routing connector (tenancy) is served by the Go module proxy at no release between v0.157.0
 * and v0.161.0 (v0.158.0 answers 403), so the tested collector carries its v0.157.0, the newest
 * served before the chart's release; it compiles against the 0.158 core unchanged, and its
 * configuration keys are those of 0.158. The contrib image the charts deploy has its own 0.158 copy.
 */
export const ROUTING_CONNECTOR_VERSION = '0.157.0';

/** Every component type the charts' generated configurations use. */
export const CHART_COMPONENTS: readonly CollectorComponent[] = [
  c('receiver', 'otlp', `${CORE}/receiver/otlpreceiver`),
  c('receiver', 'file_log', `${CONTRIB}/receiver/filelogreceiver`),
  c('receiver', 'host_metrics', `${CONTRIB}/receiver/hostmetricsreceiver`),
  c('receiver', 'kubelet_stats', `${CONTRIB}/receiver/kubeletstatsreceiver`),
  c('receiver', 'kafka', `${CONTRIB}/receiver/kafkareceiver`),
  c('processor', 'memory_limiter', `${CORE}/processor/memorylimiterprocessor`),
  c('processor', 'batch', `${CORE}/processor/batchprocessor`),
  c('processor', 'k8s_attributes', `${CONTRIB}/processor/k8sattributesprocessor`),
  c('processor', 'resource_detection', `${CONTRIB}/processor/resourcedetectionprocessor`),
  c('processor', 'resource', `${CONTRIB}/processor/resourceprocessor`),
  c('processor', 'filter', `${CONTRIB}/processor/filterprocessor`),
  c('processor', 'tail_sampling', `${CONTRIB}/processor/tailsamplingprocessor`),
  c('processor', 'transform', `${CONTRIB}/processor/transformprocessor`),
  c('exporter', 'otlp_grpc', `${CORE}/exporter/otlpexporter`),
  c('exporter', 'otlp_http', `${CORE}/exporter/otlphttpexporter`),
  c('exporter', 'debug', `${CORE}/exporter/debugexporter`),
  c('exporter', 'load_balancing', `${CONTRIB}/exporter/loadbalancingexporter`),
  c('exporter', 'prometheus_remote_write', `${CONTRIB}/exporter/prometheusremotewriteexporter`),
  c('exporter', 'kafka', `${CONTRIB}/exporter/kafkaexporter`),
  c('exporter', 'nop', `${CORE}/exporter/nopexporter`),
  c('extension', 'health_check', `${CONTRIB}/extension/healthcheckextension`),
  c('extension', 'opamp', `${CONTRIB}/extension/opampextension`),
  c('extension', 'file_storage', `${CONTRIB}/extension/storage/filestorage`),
  c('extension', 'bearertokenauth', `${CONTRIB}/extension/bearertokenauthextension`),
  c('extension', 'headers_setter', `${CONTRIB}/extension/headerssetterextension`),
  c('connector', 'routing', `${CONTRIB}/connector/routingconnector`, ROUTING_CONNECTOR_VERSION),
];
