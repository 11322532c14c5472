// A real single-node Apache Kafka broker for end-to-end tests: KRaft (broker and controller in one
// JVM, no ZooKeeper), listening on loopback only, its data in a folder the test owns. Its jars come
// from Maven Central through test/harness/kafka/pom.xml, resolved once with `mvn` and cached in
// .cache/kafka/<version>-<pom hash>/lib (git-ignored). Needs `mvn` and a Java 17+ `java` (or JAVA_HOME).
import { ChildProcess, execFile, spawn, spawnSync } from 'child_process';
import { createHash, randomBytes } from 'crypto';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const POM = path.join(__dirname, 'pom.xml');

// Main classes of Kafka 4.x (the 3.x tools lived in kafka.admin / kafka.tools under other names).
const STORAGE_TOOL = 'kafka.tools.StorageTool';
const BROKER = 'kafka.Kafka';
const TOPIC_COMMAND = 'org.apache.kafka.tools.TopicCommand';
const DUMP_LOG_SEGMENTS = 'org.apache.kafka.tools.DumpLogSegments';

const java = () => (process.env.JAVA_HOME ? path.join(process.env.JAVA_HOME, 'bin', 'java') : 'java');
// Quick JVM start and a small footprint: the tools run for a second, the broker for one test.
const JVM_FLAGS = ['-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-Djava.awt.headless=true'];

/** The Kafka version the pom asks for. */
export function kafkaVersion(): string {
  const m = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(fs.readFileSync(POM, 'utf8'));
  if (!m) throw new Error(`${POM}: no <kafka.version> property`);
  return m[1].trim();
}

let classpath: string | undefined;
/**
 * The broker's classpath (a `lib/*` wildcard). The first call on a machine copies the pom's
 * dependencies with Maven (slow on an empty ~/.m2); later calls reuse the cache, keyed by the
 * version and the pom's content so that editing the pom resolves again.
 */
export function kafkaClasspath(): string {
  if (classpath) return classpath;
  const pom = fs.readFileSync(POM);
  const key = `${kafkaVersion()}-${createHash('sha256').update(pom).digest('hex').slice(0, 8)}`;
  const dir = path.join(ROOT, '.cache', 'kafka', key);
  if (!fs.existsSync(path.join(dir, 'lib'))) {
    // Resolved beside the cache and renamed into place: a parallel jest worker never sees half a lib/.
    const tmp = `${dir}.tmp-${process.pid}`;
    fs.rmSync(tmp, { recursive: true, force: true });
    const args = ['-q', '-B', 'dependency:copy-dependencies', '-f', POM, `-DoutputDirectory=${path.join(tmp, 'lib')}`];
    const r = spawnSync('mvn', args, { encoding: 'utf8', timeout: 15 * 60_000, maxBuffer: 64 * 1024 * 1024 });
    if (r.error || r.status !== 0) {
      fs.rmSync(tmp, { recursive: true, force: true });
      throw new Error(`mvn ${args.join(' ')} failed: ${r.error?.message ?? `${r.stdout}${r.stderr}`}`);
    }
    try {
      fs.renameSync(tmp, dir);
    } catch (e) {
      // Another worker got there first: its copy is the same.
      fs.rmSync(tmp, { recursive: true, force: true });
      if (!fs.existsSync(path.join(dir, 'lib'))) throw e;
    }
  }
  return (classpath = `${path.join(dir, 'lib')}${path.sep}*`);
}

/** Runs a Kafka tool's main class to completion; rejects with its output when it fails. */
function runTool(mainClass: string, args: string[], log4j: string, timeoutMs = 60_000): Promise<string> {
  const argv = ['-Xmx256m', ...JVM_FLAGS, `-Dlog4j2.configurationFile=${log4j}`, '-cp', kafkaClasspath(), mainClass, ...args];
  return new Promise((resolve, reject) =>
    execFile(java(), argv, { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 256 * 1024 * 1024 }, (err, stdout, stderr) =>
      err ? reject(new Error(`${mainClass} ${args.join(' ')}: ${err.message}\n${stdout}${stderr}`)) : resolve(stdout),
    ),
  );
}

/** A port nothing listens on now, on `host` (the OS picks it). */
function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, host, () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ host, port });
    const done = (ok: boolean) => (sock.destroy(), resolve(ok));
    sock.setTimeout(1000, () => done(false));
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A KRaft cluster id: 16 random bytes, base64url without padding (22 characters, never starting with '-'). */
function clusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

/** The records in a DumpLogSegments output, per file, as their keys (null for a record without one). */
export function parseDump(out: string): Map<string, (string | null)[]> {
  const files = new Map<string, (string | null)[]>();
  let current: (string | null)[] = [];
  for (const line of out.split('\n')) {
    const file = /^Dumping (.+)$/.exec(line);
    if (file) files.set(file[1], (current = []));
    // Data records end in ` payload: [B@…` (the byte-array decoder prints no content, so binary
    // payloads never break lines); control records have no payload and are not counted.
    const rec = /^\| offset: \d+ .*?(?: key: (.*))? payload: \[B@[0-9a-f]+$/.exec(line);
    if (rec) current.push(rec[1] ?? null);
  }
  return files;
}

export interface KafkaBroker {
  /** `host:port` of the PLAINTEXT listener, for clients. */
  bootstrap: string;
  /** The folder of the topics' partition logs. */
  logDir: string;
  /** Creates a topic (replication factor 1) and waits until this broker leads every partition. */
  createTopic(name: string, partitions: number): Promise<void>;
  /**
   * The record keys on disk in each partition of `topic`, in offset order (null: no key). Keys are
   * printed by Kafka's string decoder: UTF-8 text, such as the hex trace ids of the collector's
   * kafka exporter. Read with DumpLogSegments from the segment files rather than consumed, so it
   * needs no consumer group, sees every record whatever was committed, and returns at once.
   */
  keysByPartition(topic: string): Promise<Map<number, (string | null)[]>>;
  /** The number of data records on disk in `topic`, all partitions. */
  recordCount(topic: string): Promise<number>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the JVM is gone. */
  stop(graceMs?: number): Promise<void>;
  /** What the broker said (its JVM output, then the end of its log file), for a failure report. */
  log(): string;
}

export interface KafkaOptions {
  /** Loopback address to listen on; default 127.0.0.1. */
  host?: string;
  /** An empty folder the broker owns: its config, data and log go there. */
  dir: string;
  /** Whether producing to an unknown topic creates it; default false, so a test's topics are the ones it made. */
  autoCreateTopics?: boolean;
  /** Broker JVM heap; default 512m. */
  heap?: string;
  readyWithinMs?: number;
}

/** Formats the storage of a new single-node KRaft cluster in `opts.dir` and starts its broker. */
export async function startKafka(opts: KafkaOptions): Promise<KafkaBroker> {
  const host = opts.host ?? '127.0.0.1';
  const dir = path.resolve(opts.dir);
  const logDir = path.join(dir, 'data');
  const [port, controllerPort] = [await freePort(host), await freePort(host)];
  const bootstrap = `${host}:${port}`;
  const props = {
    'process.roles': 'broker,controller',
    'node.id': 1,
    // A static quorum of this one node: the storage format needs no --standalone.
    'controller.quorum.voters': `1@${host}:${controllerPort}`,
    listeners: `PLAINTEXT://${bootstrap},CONTROLLER://${host}:${controllerPort}`,
    'advertised.listeners': `PLAINTEXT://${bootstrap}`,
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'listener.security.protocol.map': 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    'log.dirs': logDir,
    'auto.create.topics.enable': opts.autoCreateTopics ?? false,
    'num.partitions': 1,
    // One node: every internal topic with one replica; one offsets partition makes consumer groups quick to start.
    'offsets.topic.replication.factor': 1,
    'offsets.topic.num.partitions': 1,
    'transaction.state.log.replication.factor': 1,
    'transaction.state.log.min.isr': 1,
    'share.coordinator.state.topic.replication.factor': 1,
    'share.coordinator.state.topic.min.isr': 1,
    // Consumers join their group at once instead of after 3 s.
    'group.initial.rebalance.delay.ms': 0,
  };
  fs.mkdirSync(dir, { recursive: true });
  const config = path.join(dir, 'server.properties');
  fs.writeFileSync(
    config,
    Object.entries(props)
      .map(([k, v]) => `${k}=${v}\n`)
      .join(''),
  );
  // Log4j 2 to a file: the broker's INFO chatter stays out of the test output but is there for log().
  const logFile = path.join(dir, 'broker.log');
  const log4j = path.join(dir, 'log4j2.properties');
  fs.writeFileSync(
    log4j,
    [
      'appender.file.type=File',
      'appender.file.name=file',
      `appender.file.fileName=${logFile}`,
      'appender.file.layout.type=PatternLayout',
      'appender.file.layout.pattern=[%d] %p %m (%c)%n',
      'rootLogger.level=INFO',
      'rootLogger.appenderRef.file.ref=file',
    ].join('\n') + '\n',
  );

  await runTool(STORAGE_TOOL, ['format', '--cluster-id', clusterId(), '--config', config], log4j);

  const heap = opts.heap ?? '512m';
  const argv = [`-Xmx${heap}`, ...JVM_FLAGS, `-Dlog4j2.configurationFile=${log4j}`, '-cp', kafkaClasspath(), BROKER, config];
  const child: ChildProcess = spawn(java(), argv, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let exited: string | undefined;
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  child.on('exit', (code, signal) => (exited = `exited with ${signal ?? `code ${code}`}`));
  // A crashed or interrupted test run must not leave the JVM behind.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  const log = () => {
    const tail = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8').split('\n').slice(-300).join('\n') : '';
    return `----- kafka ${bootstrap}${exited ? ` (${exited})` : ''}\n${output}\n----- end of ${logFile}\n${tail}`;
  };

  const stop = async (graceMs = 10_000) => {
    process.removeListener('exit', killOnExit);
    if (child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await gone;
    clearTimeout(timer);
  };

  const topics = (...args: string[]) => runTool(TOPIC_COMMAND, ['--bootstrap-server', bootstrap, ...args], log4j);

  // Ready once the listener accepts connections and the admin API answers (topics can be listed).
  const deadline = Date.now() + (opts.readyWithinMs ?? 60_000);
  try {
    for (;;) {
      if (exited) throw new Error(`kafka ${exited} before it was ready`);
      if (await accepts(host, port)) {
        try {
          await topics('--list');
          break;
        } catch (e) {
          if (Date.now() > deadline) throw e;
        }
      }
      if (Date.now() > deadline) throw new Error(`kafka not ready within ${opts.readyWithinMs ?? 60_000} ms`);
      await sleep(200);
    }
  } catch (e) {
    await stop();
    throw new Error(`${(e as Error).message}\n${log()}`, { cause: e });
  }

  const partitionDirs = (topic: string) =>
    fs
      .readdirSync(logDir)
      .map((d) => ({ d, m: new RegExp(`^${topic.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-(\\d+)$`).exec(d) }))
      .filter((x) => x.m)
      .map((x) => ({ partition: Number(x.m![1]), path: path.join(logDir, x.d) }));

  const keysByPartition = async (topic: string) => {
    const parts = partitionDirs(topic);
    const segments = parts.flatMap((p) =>
      fs
        .readdirSync(p.path)
        .filter((f) => f.endsWith('.log'))
        .map((f) => path.join(p.path, f)),
    );
    const out = new Map<number, (string | null)[]>(parts.map((p) => [p.partition, []]));
    if (!segments.length) return out;
    // The byte-array decoder for values: it prints `[B@…`, keeping each record on one line.
    const args = ['--print-data-log', '--value-decoder-class', 'org.apache.kafka.tools.api.DefaultDecoder', '--files', segments.sort().join(',')];
    for (const [file, keys] of parseDump(await runTool(DUMP_LOG_SEGMENTS, args, log4j))) {
      const p = parts.find((x) => path.resolve(path.dirname(file)) === x.path);
      if (p) out.get(p.partition)!.push(...keys);
    }
    return new Map([...out].sort(([a], [b]) => a - b));
  };

  return {
    bootstrap,
    logDir,
    keysByPartition,
    recordCount: async (topic) => [...(await keysByPartition(topic)).values()].reduce((n, keys) => n + keys.length, 0),
    async createTopic(name, partitions) {
      await topics('--create', '--topic', name, '--partitions', String(partitions), '--replication-factor', '1');
      // The broker makes a partition's folder when it becomes its leader: then producers can write there.
      const until = Date.now() + 30_000;
      while (partitionDirs(name).length < partitions) {
        if (Date.now() > until) throw new Error(`topic ${name}: not all ${partitions} partitions led within 30 s\n${log()}`);
        await sleep(100);
      }
    },
    stop,
    log,
  };
}
