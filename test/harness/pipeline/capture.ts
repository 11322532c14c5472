// The capture: one more collector (the same binary) standing in for the gateway's destination. It has
// one OTLP receiver per gateway replica and writes what each receives, per signal, as OTLP JSON lines
// (one line per export request) that the test reads back.
import * as fs from 'fs';
import * as path from 'path';
import { RenderedCollector } from '../collectors';
import { sleep } from './collector-process';
import { Topology } from './topology';

const SIGNALS = ['traces', 'metrics', 'logs'] as const;
type Signal = (typeof SIGNALS)[number];

const fileOf = (dir: string, replica: number, signal: Signal) => path.join(dir, `gateway-${replica}`, `${signal}.jsonl`);

export function captureCollector(t: Topology, dir: string): RenderedCollector {
  const receivers: Record<string, unknown> = {};
  const exporters: Record<string, unknown> = {};
  const pipelines: Record<string, unknown> = {};
  t.captureEndpoints.forEach((endpoint, i) => {
    fs.mkdirSync(path.join(dir, `gateway-${i}`), { recursive: true });
    receivers[`otlp/gateway-${i}`] = { protocols: { grpc: { endpoint } } };
    for (const s of SIGNALS) {
      // A short flush interval: what arrived is on disk soon after, so polling ends soon after.
      exporters[`file/gateway-${i}-${s}`] = { path: fileOf(dir, i, s), format: 'json', flush_interval: '100ms' };
      pipelines[`${s}/gateway-${i}`] = { receivers: [`otlp/gateway-${i}`], exporters: [`file/gateway-${i}-${s}`] };
    }
  });
  return {
    name: 'capture',
    config: {
      receivers,
      exporters,
      extensions: { health_check: { endpoint: `${t.capture}:13133` } },
      // Internal metrics off for the same reason as in the shims: port 8888 is shared by every collector.
      service: { extensions: ['health_check'], pipelines, telemetry: { metrics: { level: 'none' } } },
    },
    featureGates: [],
    env: {},
  };
}

/** An OTLP JSON attribute value, as the file exporter writes it (int64 as a string). */
export interface AnyValue {
  stringValue?: string;
  intValue?: string;
  doubleValue?: number;
  boolValue?: boolean;
}
export type Attributes = Record<string, AnyValue>;

interface Captured {
  /** The gateway replica that exported it. */
  replica: number;
  resource: Attributes;
}
export interface CapturedSpan extends Captured {
  traceId: string;
  spanId: string;
  name: string;
  attributes: Attributes;
}
export interface CapturedMetric extends Captured {
  name: string;
  /** The attributes of each of its data points. */
  dataPoints: Attributes[];
}
export interface CapturedLog extends Captured {
  body: AnyValue;
  attributes: Attributes;
}
export interface Capture {
  spans: CapturedSpan[];
  metrics: CapturedMetric[];
  logs: CapturedLog[];
}

const attributes = (list: { key: string; value: AnyValue }[] = []): Attributes => Object.fromEntries(list.map((a) => [a.key, a.value]));

/** The complete lines of a file: a line being written has no newline yet. */
function requests(file: string): any[] {
  if (!fs.existsSync(file)) return [];
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  return lines.slice(0, -1).map((l) => JSON.parse(l));
}

export function readCapture(dir: string, replicas: number): Capture {
  const out: Capture = { spans: [], metrics: [], logs: [] };
  for (let replica = 0; replica < replicas; replica++) {
    const one = readCaptureFolder(path.join(dir, `gateway-${replica}`), replica);
    out.spans.push(...one.spans);
    out.metrics.push(...one.metrics);
    out.logs.push(...one.logs);
  }
  return out;
}

/** What a file exporter wrote into `folder` (traces.jsonl, metrics.jsonl, logs.jsonl), marked as from `replica`. */
export function readCaptureFolder(folder: string, replica = 0): Capture {
  const out: Capture = { spans: [], metrics: [], logs: [] };
  const file = (signal: Signal) => path.join(folder, `${signal}.jsonl`);
  for (const r of requests(file('traces')).flatMap((req) => req.resourceSpans ?? [])) {
    const resource = attributes(r.resource?.attributes);
    for (const s of (r.scopeSpans ?? []).flatMap((ss: any) => ss.spans ?? []))
      out.spans.push({ replica, resource, traceId: s.traceId, spanId: s.spanId, name: s.name, attributes: attributes(s.attributes) });
  }
  for (const r of requests(file('metrics')).flatMap((req) => req.resourceMetrics ?? [])) {
    const resource = attributes(r.resource?.attributes);
    for (const m of (r.scopeMetrics ?? []).flatMap((sm: any) => sm.metrics ?? [])) {
      const data = m.sum ?? m.gauge ?? m.histogram ?? m.exponentialHistogram ?? m.summary;
      out.metrics.push({ replica, resource, name: m.name, dataPoints: (data?.dataPoints ?? []).map((d: any) => attributes(d.attributes)) });
    }
  }
  for (const r of requests(file('logs')).flatMap((req) => req.resourceLogs ?? [])) {
    const resource = attributes(r.resource?.attributes);
    for (const l of (r.scopeLogs ?? []).flatMap((sl: any) => sl.logRecords ?? []))
      out.logs.push({ replica, resource, body: l.body, attributes: attributes(l.attributes) });
  }
  return out;
}

export interface Settled {
  capture: Capture;
  /** false when `timeoutMs` passed first; the test's assertions then say what is missing. */
  complete: boolean;
  waitedMs: number;
}

/**
 * Polls the capture until `complete` holds and nothing more has arrived for `quietMs` (late traces:
 * the gateways decide on different ticks), or until `timeoutMs`.
 */
export async function settledCapture(
  dir: string,
  replicas: number,
  complete: (c: Capture) => boolean,
  { quietMs = 2000, timeoutMs = 30_000 } = {},
): Promise<Settled> {
  const start = Date.now();
  let last = '';
  let lastChange = start;
  for (;;) {
    const capture = readCapture(dir, replicas);
    const counts = `${capture.spans.length}/${capture.metrics.length}/${capture.logs.length}`;
    if (counts !== last) [last, lastChange] = [counts, Date.now()];
    const done = complete(capture);
    if ((done && Date.now() - lastChange >= quietMs) || Date.now() - start > timeoutMs) return { capture, complete: done, waitedMs: Date.now() - start };
    await sleep(250);
  }
}
