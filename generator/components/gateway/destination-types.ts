// What a destination of the gateway can be, declared once: the values model takes its enums from
// here and the templates get the same table as @DESTINATIONS@ (collector.tpl's
// "CHART.destinations" turns destinations into exporters with it at render time).

export const SIGNALS = ['traces', 'metrics', 'logs', 'profiles'] as const;
export type Signal = (typeof SIGNALS)[number];

/** A host name, an IPv4 address or a bracketed IPv6 address. */
const HOST = '(\\[[0-9A-Fa-f:.]+\\]|[^\\s/:,\\[\\]]+)';
/** `host:port`, optionally behind a gRPC target scheme (`dns:///`). */
const HOST_PORT = `^([a-z][a-z0-9+.-]*:///?)?${HOST}:[0-9]{1,5}$`;
const URL = `^https?://${HOST}(:[0-9]{1,5})?(/\\S*)?$`;

/** Each destination type: the collector exporter type it becomes, the signals it can carry, the form of its endpoint. */
export const DESTINATIONS = {
  otlp: { exporter: 'otlp_grpc', signals: SIGNALS, endpoint: { pattern: HOST_PORT } },
  otlphttp: { exporter: 'otlp_http', signals: SIGNALS, endpoint: { pattern: URL } },
  prometheusremotewrite: { exporter: 'prometheus_remote_write', signals: ['metrics'], endpoint: { pattern: URL } },
  kafka: { exporter: 'kafka', signals: SIGNALS, endpoint: { pattern: `^${HOST}:[0-9]{1,5}(,${HOST}:[0-9]{1,5})*$` } },
  debug: { exporter: 'debug', signals: SIGNALS },
} as const satisfies Record<string, { exporter: string; signals: readonly Signal[]; endpoint?: { pattern: string } }>;

export type DestinationType = keyof typeof DESTINATIONS;
export const DESTINATION_TYPES = Object.keys(DESTINATIONS) as DestinationType[];
