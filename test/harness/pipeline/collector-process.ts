// One collector process: the real binary with a configuration, started as its pod would start it
// (feature gates, environment) and ready once its health_check extension answers. Its output is kept,
// so a failing test can show what each collector said.
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { stringify } from 'yaml';
import { RenderedCollector } from '../collectors';
import { otelcol } from '../otelcol';

/** The `endpoint`s (host:port) a config listens on: its receivers' and extensions' servers. */
function listenEndpoints(config: any): string[] {
  const out: string[] = [];
  const visit = (node: any) => {
    if (!node || typeof node !== 'object') return;
    for (const [k, v] of Object.entries<any>(node)) {
      if (k === 'endpoint' && typeof v === 'string' && /^[\d.]+:\d+$/.test(v)) out.push(v);
      else visit(v);
    }
  };
  visit(config.receivers);
  visit(config.extensions);
  return out;
}

/** Fails, naming the endpoint, when something already listens there (a clearer error than the collector's). */
async function assertFree(endpoint: string): Promise<void> {
  const [host, port] = [endpoint.slice(0, endpoint.lastIndexOf(':')), Number(endpoint.slice(endpoint.lastIndexOf(':') + 1))];
  await new Promise<void>((resolve, reject) => {
    const server = net.createServer();
    server.once('error', (e) => reject(new Error(`${endpoint} is taken: ${e.message}`)));
    server.listen(port, host, () => server.close(() => resolve()));
  });
}

/**
 * Output without Go stack traces (a function line, then a tab-indented file:line): the OpAMP client
 * logs one with each retry, which would bury everything else.
 */
function withoutStackTraces(text: string): string {
  const frame = /^\t\S+\.go:\d+$/;
  const lines = text.split('\n');
  return lines.filter((l, i) => !frame.test(l) && !(frame.test(lines[i + 1] ?? '') && !/\s/.test(l))).join('\n');
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class CollectorProcess {
  private output = '';
  private exited: string | undefined;

  private constructor(
    readonly name: string,
    /** The configuration it runs. */
    readonly config: any,
    /** URL of its health_check extension. */
    readonly healthUrl: string,
    private readonly child: ChildProcess,
  ) {
    // The collector logs to stderr; stdout is kept too in case a component prints there.
    child.stdout!.on('data', (d) => (this.output += d));
    child.stderr!.on('data', (d) => (this.output += d));
    child.on('exit', (code, signal) => (this.exited = `exited with ${signal ?? `code ${code}`}`));
  }

  /** Starts `c` with its config written to `dir`, and waits until its health check answers. */
  static async start(name: string, c: RenderedCollector, dir: string, readyWithinMs = 15_000): Promise<CollectorProcess> {
    const health = c.config.extensions?.health_check?.endpoint;
    if (!health) throw new Error(`${name}: no health_check extension to tell when it is ready`);
    await Promise.all(listenEndpoints(c.config).map(assertFree));
    const file = path.join(dir, `${name}.yaml`);
    fs.writeFileSync(file, stringify(c.config));
    const args = ['--config', file, ...(c.featureGates.length ? [`--feature-gates=${c.featureGates.join(',')}`] : [])];
    // Only the pod's environment: nothing of the test runner's leaks into resource detection.
    const child = spawn(otelcol().bin, args, { cwd: dir, env: { PATH: process.env.PATH, ...c.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const p = new CollectorProcess(name, c.config, `http://${health}/`, child);
    try {
      await p.waitReady(readyWithinMs);
    } catch (e) {
      await p.stop();
      throw e;
    }
    return p;
  }

  private async waitReady(withinMs: number): Promise<void> {
    const deadline = Date.now() + withinMs;
    for (;;) {
      if (this.exited) throw new Error(`${this.name} ${this.exited} before it was ready:\n${this.output}`);
      if ((await this.health()) === 200) return;
      if (Date.now() > deadline) throw new Error(`${this.name} not ready within ${withinMs} ms:\n${this.output}`);
      await sleep(100);
    }
  }

  /** Status of GET on the health check, or 0 when nothing answers. */
  async health(): Promise<number> {
    try {
      return (await fetch(this.healthUrl, { signal: AbortSignal.timeout(2000) })).status;
    } catch {
      return 0;
    }
  }

  /** What the collector printed, for a failure report. */
  log(): string {
    return `----- ${this.name}${this.exited ? ` (${this.exited})` : ''} (Go stack traces left out)\n${withoutStackTraces(this.output)}`;
  }

  /** SIGKILL, as a crashed node or an OOM kill ends a pod: nothing is flushed. */
  async kill(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const gone = new Promise<void>((r) => this.child.once('exit', () => r()));
    this.child.kill('SIGKILL');
    await gone;
  }

  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
  async stop(graceMs = 5000): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const gone = new Promise<void>((r) => this.child.once('exit', () => r()));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await gone;
    clearTimeout(timer);
  }
}
