// What a destination of the gateway can be, declared once: the values model takes its enums from
// here and the templates get the same table as @DESTINATIONS@ (collector.tpl's
// "CHART.destinations" turns destinations into exporters with it at render time).

export const SIGNALS = ['traces', 'metrics', 'logs', 'profiles'] as const;
export type Signal = (typeof SIGNALS)[number];

/** Each destination type: the collector exporter type it becomes and the signals it can carry. */
export const DESTINATIONS = {
  otlp: { exporter: 'otlp_grpc', signals: SIGNALS },
  otlphttp: { exporter: 'otlp_http', signals: SIGNALS },
  prometheusremotewrite: { exporter: 'prometheus_remote_write', signals: ['metrics'] },
  kafka: { exporter: 'kafka', signals: SIGNALS },
  debug: { exporter: 'debug', signals: SIGNALS },
} as const satisfies Record<string, { exporter: string; signals: readonly Signal[] }>;

export type DestinationType = keyof typeof DESTINATIONS;
export const DESTINATION_TYPES = Object.keys(DESTINATIONS) as DestinationType[];
