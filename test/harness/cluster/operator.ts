// The OpenTelemetry Operator (scripts/operator.ts) run as a process against a test Cluster: its
// client reads KUBECONFIG (the cluster's admin, a member of system:masters), WATCH_NAMESPACE limits
// its caches to the namespaces a test gives, its health probe listens on a free loopback port and its
// metrics endpoint is off. Its log (zap JSON lines, one object per line; klog lines of client-go
// beside them) is kept in a file for the test to read and quote.
//
// Webhooks: without the `webhooks` option the Operator runs with ENABLE_WEBHOOKS=false (it says
// itself that this mode is unsupported): no defaulting and no validation of the resources at
// admission, and nothing of the Operator looks at an Instrumentation but its start-up upgrade pass.
// With it, the Operator serves its admission webhooks as it does in a cluster: the serving
// certificate (a throwaway CA's, for 127.0.0.1) goes where controller-runtime looks by default
// (<TMPDIR>/k8s-webhook-server/serving-certs/, TMPDIR set for the process), and the Operator's own
// MutatingWebhookConfiguration and ValidatingWebhookConfiguration (config/webhook/manifests.yaml of
// the same module, the option's `manifests`) are registered with the API server, their Service
// references replaced by https://127.0.0.1:<port> URLs, the CA as caBundle and, with `namespaces`,
// a namespaceSelector of those namespaces; stop() deletes them. The webhook server binds every
// interface (the Operator sets only its port).
import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { freePort } from '../../../scripts/cluster';
import { MODULE_FILES, findOperator, operatorCacheDir } from '../../../scripts/operator';
import { makeCa, serverCert } from '../certs';
import { Cluster } from './kube';

/** Whether the Operator can run here: built already, or Go is there to build it (scripts/operator.ts). */
export function operatorAvailability(): { reason: string } | { bin: string | null } {
  const bin = findOperator();
  if (process.env.OPENTELEMETRY_OPERATOR && !fs.existsSync(bin!)) return { reason: `OPENTELEMETRY_OPERATOR=${bin} does not exist` };
  // The module's files (the TargetAllocator CRD, the webhook configurations) are cached beside the build.
  const files = Object.keys(MODULE_FILES).every((k) => fs.existsSync(path.join(operatorCacheDir(), 'module', MODULE_FILES[k as keyof typeof MODULE_FILES])));
  if (bin && files) return { bin };
  const go = spawnSync('go', ['env', 'GOVERSION'], { encoding: 'utf8' });
  if (go.error || go.status !== 0)
    return { reason: 'the Operator is not built and Go is not there to build it (`make operator`; or OPENTELEMETRY_OPERATOR=/path/to/binary)' };
  return { bin };
}

export interface OperatorOptions {
  /** WATCH_NAMESPACE: the Operator's caches (and so its controllers) see only these namespaces. */
  namespaces?: string[];
  /** Serve the admission webhooks (see the header); needs the module's webhook manifests. */
  webhooks?: { manifests: string };
  /** How long to wait for the controllers to start. */
  timeoutMs?: number;
}

/** The HTTP status of a GET (0 when nothing answers). */
function httpStatus(url: string): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: 2_000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', () => resolve(0));
    req.on('timeout', () => req.destroy());
  });
}

/** One line of the Operator's log: the zap JSON object, or the raw line (klog, panics). */
export interface LogEntry {
  line: string;
  level: string;
  message: string;
  json: Record<string, any> | null;
}

/** The klog header: severity letter, date, time (I1204 10:43:01.123456 ...). */
const KLOG = /^([IWEF])\d{4} \d\d:\d\d:\d\d\.\d+\s+\d+\s+\S+\]\s?(.*)$/;
const KLOG_LEVEL: Record<string, string> = { I: 'INFO', W: 'WARN', E: 'ERROR', F: 'FATAL' };

export function parseLog(text: string): LogEntry[] {
  return text
    .split('\n')
    .filter((l) => l.trim())
    .map((line) => {
      if (line.startsWith('{')) {
        try {
          const json = JSON.parse(line) as Record<string, any>;
          return { line, level: String(json.level ?? '').toUpperCase(), message: String(json.message ?? json.msg ?? ''), json };
        } catch {
          /* not JSON after all */
        }
      }
      const k = KLOG.exec(line);
      if (k) return { line, level: KLOG_LEVEL[k[1]], message: k[2], json: null };
      return { line, level: /panic|fatal/i.test(line) ? 'FATAL' : 'RAW', message: line, json: null };
    });
}

export class Operator {
  private exited: { code: number | null; signal: string | null } | null = null;

  private constructor(
    readonly bin: string,
    readonly logFile: string,
    private readonly child: ChildProcess,
    /** The webhook configurations registered for it (deleted by stop()), if any. */
    private readonly webhookPaths: string[],
    private readonly cluster: Cluster,
  ) {
    child.on('exit', (code, signal) => (this.exited = { code, signal }));
  }

  /** Starts the Operator and waits until its OpenTelemetryCollector controller runs its workers. */
  static async start(cluster: Cluster, bin: string, o: OperatorOptions = {}): Promise<Operator> {
    const dir = fs.mkdtempSync(path.join(cluster.state.dir, 'operator-'));
    const logFile = path.join(dir, 'operator.log');
    const probe = await freePort();
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: dir,
      TMPDIR: dir,
      KUBECONFIG: cluster.kubeconfig,
      ENABLE_WEBHOOKS: o.webhooks ? 'true' : 'false',
    };
    if (o.namespaces) env.WATCH_NAMESPACE = o.namespaces.join(',');
    const args = ['--metrics-addr=0', `--health-probe-addr=127.0.0.1:${probe}`, '--enable-leader-election=false'];
    const webhookPaths: string[] = [];
    if (o.webhooks) {
      const port = await freePort();
      args.push(`--webhook-port=${port}`);
      const ca = makeCa(path.join(dir, 'ca'), 'operator-webhook-ca');
      serverCert(ca, path.join(dir, 'k8s-webhook-server', 'serving-certs'), ['127.0.0.1']);
      const caBundle = fs.readFileSync(ca.crt).toString('base64');
      for (const doc of parseAllDocuments(fs.readFileSync(o.webhooks.manifests, 'utf8'))) {
        const w = doc.toJS();
        if (!w?.kind) continue;
        for (const hook of w.webhooks) {
          hook.clientConfig = { url: `https://127.0.0.1:${port}${hook.clientConfig.service.path}`, caBundle };
          // Only the namespaces of the test (a pod of any other namespace is none of its business).
          if (o.namespaces) hook.namespaceSelector = { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: o.namespaces }] };
        }
        const p = `/apis/admissionregistration.k8s.io/v1/${w.kind === 'MutatingWebhookConfiguration' ? 'mutatingwebhookconfigurations' : 'validatingwebhookconfigurations'}`;
        await cluster.request('POST', p, w);
        webhookPaths.push(`${p}/${w.metadata.name}`);
      }
    }
    const fd = fs.openSync(logFile, 'a');
    const child = spawn(bin, args, { env, stdio: ['ignore', fd, fd] });
    fs.closeSync(fd);
    const kill = () => child.exitCode == null && child.kill('SIGKILL');
    process.once('exit', kill);
    const op = new Operator(bin, logFile, child, webhookPaths, cluster);
    const timeoutMs = o.timeoutMs ?? 60_000;
    try {
      await op.until('ready', timeoutMs, async () => {
        if ((await httpStatus(`http://127.0.0.1:${probe}/readyz`)) !== 200) return false;
        // The manager reports ready before its controllers start; the collector controller's
        // workers start once its caches have synced.
        return op.entries().some((e) => e.message === 'Starting workers' && e.json?.controller === 'opentelemetrycollector');
      });
      if (o.webhooks) await op.until('serving its webhooks', timeoutMs, async () => op.entries().some((e) => /Serving webhook server/.test(e.message)));
    } catch (e) {
      await op.stop();
      throw new Error(`${(e as Error).message}\n--- ${logFile}:\n${op.tail(40)}`, { cause: e });
    }
    return op;
  }

  /** Polls `check` every 200 ms; throws when the process exits or after `timeoutMs`. */
  private async until(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.exited) throw new Error(`the OpenTelemetry Operator exited (${this.exited.code ?? this.exited.signal}) before it was ${what}`);
      if (await check()) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`the OpenTelemetry Operator was not ${what} after ${timeoutMs / 1000} s`);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** The whole log so far. */
  log(): string {
    return fs.existsSync(this.logFile) ? fs.readFileSync(this.logFile, 'utf8') : '';
  }

  entries(): LogEntry[] {
    return parseLog(this.log());
  }

  /** The last `n` lines of the log (for failure messages). */
  tail(n = 30): string {
    return this.log().trimEnd().split('\n').slice(-n).join('\n');
  }

  /** CPU seconds (user + system) the process has used so far (Linux; NaN elsewhere). */
  cpuSeconds(): number {
    try {
      const f = fs.readFileSync(`/proc/${this.child.pid}/stat`, 'utf8').split(') ')[1].split(' ');
      return (Number(f[11]) + Number(f[12])) / 100;
    } catch {
      return NaN;
    }
  }

  /** Stops the process (SIGTERM, then SIGKILL after 10 s) and removes the webhook configurations it served. */
  async stop(): Promise<void> {
    for (const p of this.webhookPaths) await this.cluster.request('DELETE', p).catch(() => undefined);
    if (this.exited || this.child.exitCode != null) return;
    const gone = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await gone;
    clearTimeout(timer);
  }
}
