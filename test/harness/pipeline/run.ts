// One end-to-end run of a chart on loopback: render it with the test's values, start the collectors
// it needs as processes (with the shims of cluster-shims.ts), and stop them all afterwards. The
// folder holds their configurations, sinks' files, Secrets and storage.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { stringify } from 'yaml';
import { applyShims, pipelineShims } from '../cluster-shims';
import { RenderedCollector, renderedCollectors } from '../collectors';
import { HELMS, ROOT, helmTemplate, parseManifests } from '../helm';
import { CollectorProcess } from './collector-process';
import { Topology, drawTopology } from './topology';

export class LoopbackRun {
  readonly dir: string;
  readonly topology: Topology;
  readonly processes: CollectorProcess[] = [];
  private rendered = new Map<string, RenderedCollector>();

  constructor(name: string, gatewayReplicas = 1) {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), `ollyscale-otel-${name}-`));
    this.topology = { ...drawTopology(gatewayReplicas), secrets: {}, storage: path.join(this.dir, 'storage') };
  }

  /** A host of this run's loopback /24 (its last byte `n`; 2-49 are the topology's, 100+ are free). */
  host(n: number): string {
    return this.topology.agent.replace(/\.\d+$/, `.${n}`);
  }

  /** Writes a Secret's keys as files, where the shims point the collectors that mount it. */
  secret(name: string, files: Record<string, string>): string {
    const folder = path.join(this.dir, 'secrets', name);
    fs.mkdirSync(folder, { recursive: true });
    for (const [key, from] of Object.entries(files)) fs.copyFileSync(from, path.join(folder, key));
    this.topology.secrets![name] = folder;
    return folder;
  }

  /** A file of the run's folder with this content; returns its path. */
  file(name: string, content: string): string {
    const file = path.join(this.dir, name);
    fs.writeFileSync(file, content);
    return file;
  }

  /** Renders `chart` with `values` (Helm 4); its collectors by name. */
  render(chart: string, values: unknown, runtime = 'operator', set: Record<string, string> = {}): Map<string, RenderedCollector> {
    const file = this.file(`values-${chart}.yaml`, stringify(values));
    const r = helmTemplate(HELMS[0], path.join(ROOT, 'charts', chart), { valuesFiles: [file], set: { collectorRuntime: runtime, ...set } });
    if (r.code !== 0) throw new Error(`helm template failed:\n${r.stderr}`);
    this.rendered = new Map(renderedCollectors(parseManifests(r.stdout)).map((c) => [c.name, c]));
    return this.rendered;
  }

  /** Starts a rendered collector (shimmed for `host`, and as gateway replica `replica`), or one of the test's own (no shims). */
  async start(name: string, c: RenderedCollector, at?: { host: string; replica?: number }): Promise<CollectorProcess> {
    const p = await CollectorProcess.start(name, at ? applyShims(pipelineShims(this.topology, at), c) : c, this.dir);
    this.processes.push(p);
    return p;
  }

  /** The gateway replica `replica` of the last render. */
  startGateway(replica = 0, name = 'gateway'): Promise<CollectorProcess> {
    return this.start(`${name}-${replica}`, this.rendered.get(name)!, { host: this.topology.gateways[replica], replica });
  }

  startAgent(name = 'agent'): Promise<CollectorProcess> {
    return this.start(name, this.rendered.get(name)!, { host: this.topology.agent });
  }

  find(name: string): CollectorProcess {
    const p = [...this.processes].reverse().find((x) => x.name === name);
    if (!p) throw new Error(`no process ${name}`);
    return p;
  }

  /** Every process's output, for a failure report. */
  logs(): string {
    return this.processes.map((p) => p.log()).join('\n');
  }

  async stop(): Promise<void> {
    await Promise.all(this.processes.map((p) => p.stop()));
    if (!process.env.KEEP_RUN) fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The OTLP/HTTP base URL a started collector's otlp receiver listens on (http, or https with TLS). */
export function otlpHttpBase(p: CollectorProcess): string {
  const http = p.config.receivers.otlp.protocols.http;
  return `${http.tls ? 'https' : 'http'}://${http.endpoint}`;
}

/**
 * Values of an ollyscale-otel run with the agent and the gateway only: every span kept (no tail
 * sampling), no OpAMP server to reach, the default backend off; `gateway` adds to the gateway's
 * block (its destinations merge with the default one switched off), `top` to the root.
 */
export function agentAndGateway(gateway: Record<string, any>, top: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ...top,
    browserCollector: { enabled: false },
    instrumentation: { enabled: false },
    gatewayCollector: {
      tailSampling: { enabled: false },
      opamp: { enabled: false },
      ...gateway,
      destinations: { ollyscale: { enabled: false }, ...gateway.destinations },
    },
  };
}
