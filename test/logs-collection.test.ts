// The agent's logsCollection preset end to end: the rendered agent (the real collector) reads a
// folder laid out like a node's /var/log/pods and exports to a capture collector on loopback.
// Rendered with the gateway disabled (the agent exports straight to an `otlp` destination: the
// capture), and without kubernetesAttributes and resourceDetection, which need the Kubernetes API
// server, of which there is none here. What the test changes in the rendered configuration is listed
// by podLogsShims (harness/cluster-shims.ts) and printed.
//
// What is written, as the kubelet and the runtimes write it: CRI lines (containerd and CRI-O time
// formats, some split in P/F parts) and Docker json-file lines, a rotation while the agent runs and
// rotations while it is down, a container restart (1.log) and a new pod while it is down, the agent's
// own container, and lines that predate the agent's first start (start_at: end leaves them).
// The agent is stopped three times and started again on the same checkpoint folder each time: with
// SIGTERM (the kubelet stopping the pod), with SIGKILL (nothing runs; once what it read was
// delivered), and with SIGTERM while containers keep logging (a rollout). Killed with SIGKILL while
// lines stream in, it loses what its batch processor and sending queue held in memory (the
// checkpoint is already past it): that case is left out, as no configuration of the receiver fixes it.
import { randomUUID } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { applyShims, describeShims, podLogsShims } from './harness/cluster-shims';
import { RenderedCollector, renderedCollectors } from './harness/collectors';
import { HELMS, ROOT, helmTemplate, parseManifests } from './harness/helm';
import { Capture, CapturedLog, captureCollector, readCapture, settledCapture } from './harness/pipeline/capture';
import { CollectorProcess, sleep } from './harness/pipeline/collector-process';
import { Container, KillableCollector, PodLogs, WrittenLine, bodyOf } from './harness/pipeline/pod-logs';
import { RUNTIMES } from './harness/scenarios';

const CHART = path.join(ROOT, 'charts', 'ollyscale-otel');
// Not the defaults, so that the exclusion of the agent's own logs is seen to follow both.
const NAMESPACE = 'telemetry';
const AGENT = 'node-agent';
const CAPTURE_PORT = 4343;
// Other suites use 127.0.0.x-127.0.3.x and 127.0.9.x; this one 127.0.8.x, two addresses per runtime.
const HOSTS = { operator: ['127.0.8.1', '127.0.8.2'], native: ['127.0.8.3', '127.0.8.4'] } as const;

const container = (namespace: string, pod: string, name: string, format: Container['format'], restart = 0): Container => ({
  namespace,
  pod,
  uid: randomUUID(),
  container: name,
  restart,
  format,
});

/** The node's containers; the agent's own pod is named as its DaemonSet's pods are (<workload>-<5 characters>). */
function node() {
  const api = container('shop', 'api-7d9f8b6c5-x2x9q', 'api', 'containerd');
  return {
    api,
    // A second container of the same pod.
    envoy: { ...api, container: 'envoy' },
    worker: container('shop', 'worker-0', 'worker', 'crio'),
    legacy: container('legacy', 'batch-28912345-bq7vd', 'batch', 'docker'),
    // Collectors that are not this agent: another workload in its namespace, an agent of the same name in another.
    gateway: container(NAMESPACE, 'gateway-collector-6d4f9b7c8-p9k2m', 'otc-container', 'containerd'),
    otherAgent: container('otel-system', `${AGENT}-collector-h7x2k`, 'otc-container', 'containerd'),
    self: container(NAMESPACE, `${AGENT}-collector-q4w8z`, 'otc-container', 'containerd'),
    old: container('shop', 'cron-28912340-kx8rt', 'cron', 'containerd'),
  };
}

function renderAgent(runtime: string, capture: string): RenderedCollector {
  const set = {
    collectorRuntime: runtime,
    'agentCollector.name': AGENT,
    'agentCollector.presets.logsCollection.enabled': 'true',
    // Both read the Kubernetes API server, and there is none here.
    'agentCollector.presets.kubernetesAttributes.enabled': 'false',
    'agentCollector.presets.resourceDetection.enabled': 'false',
    'gatewayCollector.enabled': 'false',
    'gatewayCollector.destinations.ollyscale.endpoint': `${capture}:${CAPTURE_PORT}`,
  };
  const r = helmTemplate(HELMS[0], CHART, { namespace: NAMESPACE, set });
  if (r.code !== 0) throw new Error(`helm template failed:\n${r.stderr}`);
  const agent = renderedCollectors(parseManifests(r.stdout)).find((c) => c.name === AGENT);
  if (!agent) throw new Error(`no collector ${AGENT} rendered`);
  return agent;
}

/** How many times each body arrived. */
function deliveries(logs: CapturedLog[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const l of logs) {
    const body = String(l.body?.stringValue ?? '');
    counts.set(body, (counts.get(body) ?? 0) + 1);
  }
  return counts;
}

interface Figures {
  /** Lines written during the phase: all, and those that must never arrive (the agent's own, or older than its first start). */
  written: number;
  writtenUnwanted: number;
  /** Since the start: lines the agent must deliver, and how many of them arrived. */
  expected: number;
  delivered: number;
  missing: string[];
  /** Bodies that arrived more than once (any line, since the start). */
  duplicated: string[];
  /** Lines that must never arrive and did. */
  unwanted: string[];
  /** From the end of the phase's writing until every expected line had arrived and 2 s had passed without more. */
  waitedMs: number;
}

const describeFigures = (f: Figures) =>
  `${f.written} lines written (${f.writtenUnwanted} of them never to be delivered); since the start ${f.expected} expected, ` +
  `${f.delivered} delivered, ${f.missing.length} missing, ${f.duplicated.length} more than once, ${f.unwanted.length} that must not arrive (settled in ${f.waitedMs} ms)`;

/** The phases, in order: each ends with every line written so far delivered once. */
const PHASES = ['running', 'restarted after SIGTERM', 'restarted after SIGKILL', 'restarted after SIGTERM while lines were being written'] as const;
type Phase = (typeof PHASES)[number];

describe.each(RUNTIMES)('collectorRuntime %s: logsCollection', (runtime) => {
  const [agentHost, captureHost] = HOSTS[runtime];
  let dir: string;
  let logs: PodLogs;
  let capture: CollectorProcess | undefined;
  let agent: KillableCollector | undefined;
  let rendered: RenderedCollector;
  const c = node();
  /** Bodies of lines that must never arrive. */
  const unwanted = new Set<string>();
  /** Bodies of the lines that tell when the first poll was: each may arrive (at most once) or not. */
  const probes = new Set<string>();
  const figures: Partial<Record<Phase, Figures>> = {};
  let captured: Capture;
  /** logs.written and `unwanted` sizes when the last phase ended. */
  let before = { written: 0, unwanted: 0 };

  const expectedBodies = () => logs.written.map(bodyOf).filter((b) => !unwanted.has(b) && !probes.has(b));

  /** Waits until every expected line has arrived and nothing more comes for 2 s (late duplicates), or 30 s. */
  async function settle(phase: Phase): Promise<void> {
    const want = expectedBodies();
    const settled = await settledCapture(dir, 1, (cap) => {
      const got = deliveries(cap.logs);
      return want.every((b) => got.has(b));
    });
    captured = settled.capture;
    const got = deliveries(captured.logs);
    figures[phase] = {
      written: logs.written.length - before.written,
      writtenUnwanted: unwanted.size - before.unwanted,
      expected: want.length,
      delivered: want.filter((b) => got.has(b)).length,
      missing: want.filter((b) => !got.has(b)),
      duplicated: [...got].filter(([, n]) => n > 1).map(([b]) => b),
      unwanted: [...unwanted].filter((b) => got.has(b)),
      waitedMs: settled.waitedMs,
    };
    before = { written: logs.written.length, unwanted: unwanted.size };
    console.log(`${runtime}, ${phase}: ${describeFigures(figures[phase])}`);
  }

  /** start_at: end holds for the files the agent finds on its first poll only: until then, what is written is not read. */
  async function firstPollDone(): Promise<void> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const [probe] = logs.append(c.old, 1, 'first-poll probe');
      probes.add(bodyOf(probe));
      await sleep(500);
      if (deliveries(readCapture(dir, 1).logs).has(bodyOf(probe))) return;
      if (Date.now() > deadline) throw new Error('the agent read none of the lines appended after it started');
    }
  }

  const startAgent = async () => (agent = await KillableCollector.start('agent', rendered, dir));

  /** Lines to every container, its own included. */
  function writeEverywhere(label: string, count: number): void {
    for (const x of [c.api, c.envoy, c.worker, c.legacy, c.gateway, c.otherAgent]) logs.append(x, count, label);
    for (const l of logs.append(c.self, count, label)) unwanted.add(bodyOf(l));
  }

  /** Writes a few lines everywhere every 20 ms while `during` runs, and for `afterMs` after it. */
  async function writingWhile(during: () => Promise<void>, afterMs: number): Promise<void> {
    let writing = true;
    const writer = (async () => {
      while (writing) {
        writeEverywhere('streamed', 3);
        await sleep(20);
      }
    })();
    try {
      await during();
      await sleep(afterMs);
    } finally {
      writing = false;
      await writer;
    }
  }

  /** The agent runs: new files, a rotation of a file it has open with lines it has not read yet. */
  async function running(): Promise<void> {
    for (const l of logs.append(c.old, 10, 'before the agent')) unwanted.add(bodyOf(l));
    for (const l of logs.append(c.self, 5, 'before the agent')) unwanted.add(bodyOf(l));
    await startAgent();
    await firstPollDone();
    writeEverywhere('running', 30);
    await sleep(1000);
    writeEverywhere('running, before a rotation', 20);
    logs.rotate(c.api, '20261204-000000');
    logs.rotate(c.self, '20261204-000000');
    writeEverywhere('running, after a rotation', 20);
    await settle('running');
  }

  /** While the agent is down: more lines, rotations (lines written before them are only in the rotated file), a restarted container, a new pod. */
  let downs = 0;
  async function downAndBack(signal: 'SIGTERM' | 'SIGKILL', stamp: string, rotated: Container[], phase: Phase): Promise<void> {
    const n = ++downs;
    await agent!.kill(signal);
    writeEverywhere(`down after ${signal}`, 20);
    for (const x of rotated) logs.rotate(x, stamp);
    logs.append({ ...c.legacy, restart: n }, 20, `down after ${signal}, restarted container`);
    logs.append(container('shop', `api-7d9f8b6c5-r${n}k7q`, 'api', 'containerd'), 20, `down after ${signal}, new pod`);
    writeEverywhere(`down after ${signal}, after rotations`, 20);
    await startAgent();
    await settle(phase);
  }

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ollyscale-otel-pod-logs-'));
    logs = new PodLogs(path.join(dir, 'var-log-pods'));
    const checkpoints = path.join(dir, 'checkpoints');
    fs.mkdirSync(checkpoints);
    const shims = podLogsShims({ podLogs: logs.root, checkpoints, host: agentHost });
    console.log(`Changes to the rendered agent configuration (test/harness/cluster-shims.ts):\n${describeShims(shims)}`);
    rendered = applyShims(shims, renderAgent(runtime, captureHost));
    const topology = {
      agent: agentHost,
      browser: agentHost,
      gateways: [],
      capture: captureHost,
      captureEndpoints: [`${captureHost}:${CAPTURE_PORT}`],
      opamp: '',
    };
    capture = await CollectorProcess.start('capture', captureCollector(topology, dir), dir);
    try {
      await running();
      await downAndBack('SIGTERM', '20261204-010000', [c.worker, c.self], 'restarted after SIGTERM');
      await downAndBack('SIGKILL', '20261204-020000', [c.api, c.legacy, c.self], 'restarted after SIGKILL');
      // A rollout while containers log: the agent stops mid-stream and the next one takes over.
      await writingWhile(async () => {
        await sleep(1500);
        await agent!.kill('SIGTERM');
        await sleep(500);
        await startAgent();
      }, 1000);
      await settle('restarted after SIGTERM while lines were being written');
    } catch (e) {
      console.log(`collector output:\n${agent?.log() ?? ''}\n${capture.log()}`);
      throw e;
    }
  }, 110_000);

  afterAll(async () => {
    await agent?.kill('SIGTERM');
    await capture?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it.each(PHASES)('%s: every line arrives exactly once, none of its own or from before its first start', (phase) => {
    const f = figures[phase];
    if (!f) throw new Error(`the phase did not run (see beforeAll's error)`);
    expect({ missing: f.missing, duplicated: f.duplicated, unwanted: f.unwanted }).toEqual({ missing: [], duplicated: [], unwanted: [] });
    expect(f.delivered).toBe(f.expected);
  });

  it("gives every line its pod's namespace, name and uid, its container's name and restart count", () => {
    const byBody = new Map<string, WrittenLine>(logs.written.map((l) => [bodyOf(l), l]));
    const identity = (x: Container) => ({
      'k8s.namespace.name': x.namespace,
      'k8s.pod.name': x.pod,
      'k8s.pod.uid': x.uid,
      'k8s.container.name': x.container,
      'k8s.container.restart_count': String(x.restart),
    });
    const wrong = captured.logs
      .map((l) => {
        const w = byBody.get(String(l.body?.stringValue));
        const got = Object.fromEntries(Object.keys(identity(c.api)).map((k) => [k, l.resource[k]?.stringValue]));
        return { body: l.body?.stringValue, got, want: w ? identity(w.container) : 'a line the test did not write' };
      })
      .filter((x) => JSON.stringify(x.got) !== JSON.stringify(x.want));
    expect(captured.logs.length).toBeGreaterThan(0);
    expect(wrong.slice(0, 3)).toEqual([]);
  });
});
