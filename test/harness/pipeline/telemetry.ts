// Telemetry made and sent with the OpenTelemetry JS SDK and its OTLP/HTTP (protobuf) exporters, as an
// instrumented application would send it.
import { Attributes, ROOT_CONTEXT, Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { ExportResultCode } from '@opentelemetry/core';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { sleep } from './collector-process';

export interface TracePlan {
  /** What the test expects of it (`errors`, `baseline`...). */
  kind: string;
  service: string;
  /** Set on the trace's last span, not its root: a policy must look at every span of the trace. */
  attributes?: Attributes;
  /** Set on every span of the trace. */
  spanAttributes?: Attributes;
  /** The last span's status is ERROR. */
  error?: boolean;
}

export interface SentTrace {
  traceId: string;
  plan: TracePlan;
}

export interface SendOptions {
  spansPerTrace: number;
  /** Spans per export request. */
  requestSize: number;
  /** Pause between rounds: longer than the agent's batch timeout, so rounds leave it in different batches. */
  roundGapMs: number;
  /** Extra request headers (a tenant header, say). */
  headers?: Record<string, string>;
}

function shuffled<T>(items: T[]): T[] {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

function exportSpans(exporter: OTLPTraceExporter, spans: ReadableSpan[]): Promise<void> {
  return new Promise((resolve, reject) =>
    exporter.export(spans, (r) => (r.code === ExportResultCode.SUCCESS ? resolve() : reject(r.error ?? new Error('trace export failed')))),
  );
}

/**
 * Makes each planned trace (a chain of `spansPerTrace` spans) and sends it to `url` (…/v1/traces) in
 * rounds: round k holds the k-th span of every trace, shuffled and cut into requests. So no request
 * holds two spans of one trace, and only routing by trace ID can bring a trace's spans together.
 */
export async function sendTraces(url: string, plans: TracePlan[], o: SendOptions): Promise<SentTrace[]> {
  const recorder = new InMemorySpanExporter();
  const providers = new Map<string, BasicTracerProvider>();
  const tracer = (service: string) => {
    if (!providers.has(service))
      providers.set(
        service,
        new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': service }), spanProcessors: [new SimpleSpanProcessor(recorder)] }),
      );
    return providers.get(service)!.getTracer('ollyscale-otel-e2e');
  };
  const position = new Map<string, number>();
  const sent = plans.map((plan) => {
    const t = tracer(plan.service);
    const spans: Span[] = [t.startSpan('request', { kind: SpanKind.SERVER })];
    for (let i = 1; i < o.spansPerTrace; i++) spans.push(t.startSpan(`step-${i}`, {}, trace.setSpan(ROOT_CONTEXT, spans[i - 1])));
    if (plan.spanAttributes) for (const s of spans) s.setAttributes(plan.spanAttributes);
    const last = spans[spans.length - 1];
    if (plan.attributes) last.setAttributes(plan.attributes);
    if (plan.error) last.setStatus({ code: SpanStatusCode.ERROR });
    spans.forEach((s, i) => position.set(s.spanContext().spanId, i));
    // Children end first, as in a real trace.
    [...spans].reverse().forEach((s) => s.end());
    return { traceId: spans[0].spanContext().traceId, plan };
  });
  const finished = recorder.getFinishedSpans();
  const exporter = new OTLPTraceExporter({ url, headers: o.headers });
  for (let round = 0; round < o.spansPerTrace; round++) {
    if (round) await sleep(o.roundGapMs);
    const spans = shuffled(finished.filter((s) => position.get(s.spanContext().spanId) === round));
    for (let i = 0; i < spans.length; i += o.requestSize) await exportSpans(exporter, spans.slice(i, i + o.requestSize));
  }
  await Promise.all([exporter.shutdown(), ...[...providers.values()].map((p) => p.shutdown())]);
  return sent;
}

/** One counter data point from `service`, to `base` (…:4318): shutting the provider down flushes it. */
export async function sendMetric(base: string, service: string, name: string): Promise<void> {
  const reader = new PeriodicExportingMetricReader({ exporter: new OTLPMetricExporter({ url: `${base}/v1/metrics` }), exportIntervalMillis: 60_000 });
  const provider = new MeterProvider({ resource: resourceFromAttributes({ 'service.name': service }), readers: [reader] });
  provider.getMeter('ollyscale-otel-e2e').createCounter(name).add(3);
  await provider.shutdown();
}

/** One log record from `service`, to `base` (…:4318). */
export async function sendLog(base: string, service: string, body: string): Promise<void> {
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({ 'service.name': service }),
    processors: [new SimpleLogRecordProcessor({ exporter: new OTLPLogExporter({ url: `${base}/v1/logs` }) })],
  });
  provider.getLogger('ollyscale-otel-e2e').emit({ body, severityNumber: SeverityNumber.INFO, severityText: 'INFO' });
  await provider.shutdown();
}
