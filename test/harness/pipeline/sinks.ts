// Sinks: stand-ins for destinations, in one more collector process (the same binary). Each sink is an
// OTLP receiver of its own (gRPC or HTTP, optionally demanding TLS, a client certificate or a bearer
// token, as a real backend would) whose telemetry the file exporter writes to <dir>/<sink>/<signal>.jsonl.
import * as fs from 'fs';
import * as path from 'path';
import { RenderedCollector } from '../collectors';
import { Capture, readCaptureFolder } from './capture';

export type SinkSignal = 'traces' | 'metrics' | 'logs' | 'profiles';

export interface SinkSpec {
  name: string;
  /** host:port it listens on. */
  endpoint: string;
  protocol: 'grpc' | 'http';
  signals: SinkSignal[];
  /** Serve TLS; with clientCa, require client certificates it signed. */
  tls?: { certFile: string; keyFile: string; clientCaFile?: string };
  /** Require `Authorization: Bearer <token>`. */
  token?: string;
}

/** One collector holding every sink; `health` is the address of its health check. */
export function sinkCollector(sinks: SinkSpec[], dir: string, health: string): RenderedCollector {
  const receivers: Record<string, unknown> = {};
  const exporters: Record<string, unknown> = {};
  const extensions: Record<string, unknown> = { health_check: { endpoint: health } };
  const pipelines: Record<string, unknown> = {};
  for (const s of sinks) {
    fs.mkdirSync(path.join(dir, s.name), { recursive: true });
    const server: Record<string, unknown> = { endpoint: s.endpoint };
    if (s.tls) server.tls = { cert_file: s.tls.certFile, key_file: s.tls.keyFile, ...(s.tls.clientCaFile && { client_ca_file: s.tls.clientCaFile }) };
    if (s.token) {
      extensions[`bearertokenauth/${s.name}`] = { token: s.token };
      server.auth = { authenticator: `bearertokenauth/${s.name}` };
    }
    receivers[`otlp/${s.name}`] = { protocols: { [s.protocol]: server } };
    for (const signal of s.signals) {
      exporters[`file/${s.name}-${signal}`] = { path: path.join(dir, s.name, `${signal}.jsonl`), format: 'json', flush_interval: '100ms' };
      pipelines[`${signal}/${s.name}`] = { receivers: [`otlp/${s.name}`], exporters: [`file/${s.name}-${signal}`] };
    }
  }
  return {
    name: 'sinks',
    config: {
      receivers,
      exporters,
      extensions,
      // Port 8888 (internal metrics) is shared by every collector on the host.
      service: { extensions: Object.keys(extensions), pipelines, telemetry: { metrics: { level: 'none' } } },
    },
    featureGates: sinks.some((s) => s.signals.includes('profiles')) ? ['service.profilesSupport'] : [],
    env: {},
  };
}

/** What a sink received so far. */
export const readSink = (dir: string, name: string): Capture => readCaptureFolder(path.join(dir, name));

/**
 * Profiles a sink received: one entry per profile, with its resource's service.name. The profiles
 * encoding may move attribute keys and values into the request's string table (keyStrindex,
 * stringValueStrindex), so both forms are read.
 */
export function readSinkProfiles(dir: string, name: string): { service: string | undefined }[] {
  const file = path.join(dir, name, 'profiles.jsonl');
  if (!fs.existsSync(file)) return [];
  const lines = fs.readFileSync(file, 'utf8').split('\n').slice(0, -1);
  return lines
    .map((l) => JSON.parse(l))
    .flatMap((req) => {
      const strings: string[] = req.dictionary?.stringTable ?? [];
      const text = (plain: string | undefined, index: number | undefined) => plain ?? (index === undefined ? undefined : strings[index]);
      return (req.resourceProfiles ?? []).flatMap((r: any) => {
        const service = (r.resource?.attributes ?? [])
          .filter((a: any) => text(a.key, a.keyStrindex) === 'service.name')
          .map((a: any) => text(a.value?.stringValue, a.value?.stringValueStrindex))[0];
        return (r.scopeProfiles ?? []).flatMap((sp: any) => (sp.profiles ?? []).map(() => ({ service })));
      });
    });
}
