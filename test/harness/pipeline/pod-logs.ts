// A node's /var/log/pods in a temporary folder, written the way the kubelet and the container
// runtimes write it, and an agent process the logs test can kill (SIGTERM or SIGKILL) and start again.
//   <root>/<namespace>_<pod>_<uid>/<container>/<restart count>.log
// CRI runtimes (containerd, CRI-O) write `<time> <stream> <F|P> <text>` lines (P: a part of a longer
// line, completed by the next F); Docker's json-file driver writes `{"log":"<text>\n",...}` lines.
// The kubelet rotates by renaming `<n>.log` to `<n>.log.<yyyymmdd-hhmmss>` and starting a new `<n>.log`.
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { stringify } from 'yaml';
import { RenderedCollector } from '../collectors';
import { otelcol } from '../otelcol';
import { sleep } from './collector-process';

export type LogFormat = 'containerd' | 'crio' | 'docker';

/** One container's log files, as the path gives them (and the container parser reads them back). */
export interface Container {
  namespace: string;
  pod: string;
  uid: string;
  container: string;
  restart: number;
  format: LogFormat;
}

/** A line the test wrote: its text (unique in the run) and the container whose file holds it. */
export interface WrittenLine {
  text: string;
  container: Container;
}

/** The body the container parser gives a line: json-file's `log` keeps the line's newline; CRI lines have none. */
export const bodyOf = (l: WrittenLine) => (l.container.format === 'docker' ? `${l.text}\n` : l.text);

const containerDir = (root: string, c: Container) => path.join(root, `${c.namespace}_${c.pod}_${c.uid}`, c.container);
export const logFile = (root: string, c: Container) => path.join(containerDir(root, c), `${c.restart}.log`);

/** CRI-O writes the time with a numeric offset, containerd in UTC with `Z`; the container parser tells them apart by that. */
function criTime(format: LogFormat, t: Date): string {
  const iso = t.toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z');
  return format === 'crio' ? iso.replace(/Z$/, '+00:00') : iso;
}

/**
 * The file lines of one logical line. CRI runtimes split a long line (16 KiB) into P parts ended by an
 * F part; `split` does it here after the text's first space, so the P part ends with a space, which
 * must survive.
 */
function fileLines(c: Container, text: string, split: boolean, t: Date): string[] {
  if (c.format === 'docker') return [JSON.stringify({ log: `${text}\n`, stream: 'stdout', time: t.toISOString() })];
  const at = split ? text.indexOf(' ') + 1 : text.length;
  const parts = split ? [text.slice(0, at), text.slice(at)] : [text];
  return parts.map((part, i) => `${criTime(c.format, t)} stdout ${i === parts.length - 1 ? 'F' : 'P'} ${part}`);
}

/** Writes containers' log files under `root` and remembers every line it wrote. */
export class PodLogs {
  readonly written: WrittenLine[] = [];
  private seq = 0;

  constructor(readonly root: string) {
    fs.mkdirSync(root, { recursive: true });
  }

  /** Appends `count` lines, each with a unique text; every third CRI line is split in two parts (P, F). */
  append(c: Container, count: number, label: string): WrittenLine[] {
    fs.mkdirSync(containerDir(this.root, c), { recursive: true });
    const lines = Array.from({ length: count }, () => ({ text: `${label} line ${++this.seq} of ${c.namespace}/${c.pod}/${c.container}`, container: c }));
    const now = new Date();
    const content = lines.flatMap((l, i) => fileLines(c, l.text, i % 3 === 2, now));
    fs.appendFileSync(logFile(this.root, c), content.map((l) => `${l}\n`).join(''));
    this.written.push(...lines);
    return lines;
  }

  /** The kubelet's rotation: `<n>.log` becomes `<n>.log.<stamp>` (yyyymmdd-hhmmss); the next append starts a new `<n>.log`. */
  rotate(c: Container, stamp: string): string {
    const rotated = `${logFile(this.root, c)}.${stamp}`;
    fs.renameSync(logFile(this.root, c), rotated);
    return rotated;
  }
}

/**
 * One collector process that can be killed like a pod's container: SIGTERM (the kubelet stopping the
 * pod; the collector shuts down, saving its checkpoints) or SIGKILL (OOM kill, liveness failure after
 * the grace period: nothing runs). Ready once its health_check answers. (CollectorProcess always
 * sends SIGTERM first, which starts the collector's shutdown.)
 */
export class KillableCollector {
  private readonly exited: Promise<void>;
  private output = '';

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
  ) {
    child.stdout!.on('data', (d) => (this.output += d));
    child.stderr!.on('data', (d) => (this.output += d));
    this.exited = new Promise((r) => child.once('exit', () => r()));
  }

  static async start(name: string, c: RenderedCollector, dir: string, readyWithinMs = 15_000): Promise<KillableCollector> {
    const file = path.join(dir, `${name}.yaml`);
    fs.writeFileSync(file, stringify(c.config));
    const args = ['--config', file, ...(c.featureGates.length ? [`--feature-gates=${c.featureGates.join(',')}`] : [])];
    const child = spawn(otelcol().bin, args, { cwd: dir, env: { PATH: process.env.PATH, ...c.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const p = new KillableCollector(name, child);
    const health = `http://${c.config.extensions.health_check.endpoint}/`;
    const deadline = Date.now() + readyWithinMs;
    while ((await status(health)) !== 200) {
      if (child.exitCode !== null || Date.now() > deadline) {
        await p.kill('SIGKILL');
        throw new Error(`${name} not ready within ${readyWithinMs} ms:\n${p.output}`);
      }
      await sleep(100);
    }
    return p;
  }

  /** Sends `signal` and waits for the process to exit (SIGKILL after `graceMs` if SIGTERM is not enough). */
  async kill(signal: 'SIGTERM' | 'SIGKILL', graceMs = 10_000): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  log(): string {
    return `----- ${this.name}\n${this.output}`;
  }
}

async function status(url: string): Promise<number> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(2000) })).status;
  } catch {
    return 0;
  }
}
