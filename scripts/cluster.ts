// `make cluster-up` / `make cluster-down`: a real Kubernetes API server (kube-apiserver with etcd
// embedded in the same process) and kube-controller-manager on loopback, built from the Go module
// in cluster/ (k8s.io/kubernetes at one release) and cached in .cache/cluster/<key>/ (git-ignored;
// the key changes with cluster/'s sources, go.mod, go.sum, the build flags, the platform and Go).
// No container engine and no kubelet: Pods are created (Deployments, DaemonSets, StatefulSets get
// ReplicaSets and Pods, admission runs on them) and stay Pending.
//
//   npx ts-node scripts/cluster.ts build   builds if missing, prints the folder of the binaries
//   npx ts-node scripts/cluster.ts up      starts the cluster in .cache/cluster-run/ (a no-op when it
//                                          runs already), prints the KUBECONFIG path
//   npx ts-node scripts/cluster.ts down    stops what `up` started and removes .cache/cluster-run/
//
// KUBE_APISERVER=/path/to/apiserver (a build of cluster/apiserver) skips the build; with it,
// KUBE_CONTROLLER_MANAGER may name the controller manager (without it, none runs).
import { ChildProcess, spawn, spawnSync } from 'child_process';
import { createHash, randomBytes } from 'crypto';
import * as fs from 'fs';
import * as https from 'https';
import * as net from 'net';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..');
const MODULE = path.join(ROOT, 'cluster');
/** The folder `make cluster-up` runs the cluster in. */
export const RUN_DIR = path.join(ROOT, '.cache', 'cluster-run');
/** The Kubernetes release cluster/go.mod builds (its requirement of k8s.io/kubernetes). */
export const KUBERNETES_RELEASE = /^\s*(?:require\s+)?k8s\.io\/kubernetes (v\S+)$/m.exec(fs.readFileSync(path.join(MODULE, 'go.mod'), 'utf8'))![1];

const GO_ENV = { ...process.env, CGO_ENABLED: '0' };
const [MAJOR, MINOR] = KUBERNETES_RELEASE.slice(1).split('.');
// The version stamp Kubernetes' own build writes (without it the server says v0.0.0-master and
// Helm refuses charts with a kubeVersion constraint).
const VERSION_X = ['k8s.io/component-base/version', 'k8s.io/client-go/pkg/version'].flatMap((pkg) =>
  Object.entries({ gitVersion: KUBERNETES_RELEASE, gitMajor: MAJOR, gitMinor: MINOR, gitTreeState: 'clean' }).map(([k, v]) => `-X ${pkg}.${k}=${v}`),
);
const BUILD_FLAGS = ['-trimpath', '-buildvcs=false', `-ldflags=-s -w ${VERSION_X.join(' ')}`];
const PROGRAMS = ['apiserver', 'controller-manager', 'kubectl'] as const;

export interface ClusterBinaries {
  apiserver: string;
  /** null when KUBE_APISERVER is given without KUBE_CONTROLLER_MANAGER. */
  controllerManager: string | null;
  /** kubectl of the same release (the README's commands are run with it); with KUBE_APISERVER, KUBECTL or null. */
  kubectl: string | null;
  source: 'KUBE_APISERVER' | 'built';
}

function goVersion(): string {
  const r = spawnSync('go', ['env', 'GOVERSION'], { cwd: MODULE, encoding: 'utf8', env: GO_ENV });
  if (r.error || r.status !== 0) throw new Error(`go could not run (the cluster is built with Go; or set KUBE_APISERVER): ${r.error?.message ?? r.stderr}`);
  return r.stdout.trim();
}

/** Every file of the module, for the cache key. */
function moduleFiles(dir = MODULE): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? moduleFiles(path.join(dir, e.name)) : [path.join(dir, e.name)]))
    .sort();
}

/** The cache folder: one per module content, build flags, platform and Go version. */
export function cacheDir(): string {
  const hash = createHash('sha256').update(JSON.stringify([BUILD_FLAGS, process.platform, process.arch, goVersion()]));
  for (const f of moduleFiles()) hash.update(path.relative(MODULE, f)).update('\0').update(fs.readFileSync(f)).update('\0');
  return path.join(ROOT, '.cache', 'cluster', hash.digest('hex').slice(0, 12));
}

/** The binaries without building: KUBE_APISERVER, or the cached build (null if none). */
export function findBinaries(dir?: string): ClusterBinaries | null {
  if (process.env.KUBE_APISERVER) {
    const [cm, kubectl] = [process.env.KUBE_CONTROLLER_MANAGER, process.env.KUBECTL];
    return {
      apiserver: path.resolve(process.env.KUBE_APISERVER),
      controllerManager: cm ? path.resolve(cm) : null,
      kubectl: kubectl ? path.resolve(kubectl) : null,
      source: 'KUBE_APISERVER',
    };
  }
  let d = dir;
  if (!d) {
    try {
      d = cacheDir();
    } catch {
      return null;
    }
  }
  const [apiserver, controllerManager, kubectl] = PROGRAMS.map((p) => path.join(d!, p));
  return [apiserver, controllerManager, kubectl].every((f) => fs.existsSync(f)) ? { apiserver, controllerManager, kubectl, source: 'built' } : null;
}

/** Builds both programs into the cache folder unless they are there (a cold build takes minutes). */
export function buildCluster(): ClusterBinaries {
  const found = findBinaries();
  if (found) return found;
  const dir = cacheDir();
  const tmp = path.join(dir, 'partial');
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  const started = Date.now();
  console.error(
    `cluster: building kube-apiserver (etcd embedded), kube-controller-manager and kubectl ${KUBERNETES_RELEASE} (about 15 minutes on 2 cores from empty Go caches, downloads included; seconds when they are warm)`,
  );
  const r = spawnSync('go', ['build', ...BUILD_FLAGS, '-o', `${tmp}${path.sep}`, ...PROGRAMS.map((p) => `./${p}`)], {
    cwd: MODULE,
    env: GO_ENV,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  if (r.error) throw new Error(`go could not start: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`go build of the cluster failed:\n${r.stdout}${r.stderr}`);
  for (const p of PROGRAMS) fs.renameSync(path.join(tmp, p), path.join(dir, p));
  fs.rmSync(tmp, { recursive: true, force: true });
  // Builds of earlier cluster/ contents are never used again (a few hundred MB each).
  for (const old of fs.readdirSync(path.dirname(dir)))
    if (old !== path.basename(dir)) fs.rmSync(path.join(path.dirname(dir), old), { recursive: true, force: true });
  console.error(`cluster: built in ${Math.round((Date.now() - started) / 1000)} s`);
  return findBinaries(dir)!;
}

// ---------------------------------------------------------------------------------------------
// Running a cluster in a folder

/** What a running cluster left in its folder (state.json). */
export interface ClusterState {
  dir: string;
  kubeconfig: string;
  server: string;
  pids: number[];
  /** The cluster CA's certificate (file) and the admin's bearer token (a member of system:masters). */
  ca: string;
  token: string;
  /** Whether a controller manager runs (ReplicaSets, Pods, garbage collection, namespace deletion). */
  controllerManager: boolean;
}

/** A free TCP port on loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** Whether a process exists (a zombie not yet reaped counts). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const agents = new Map<string, https.Agent>();

/** One HTTPS request to the API server as the admin (connections kept alive per server). */
export function apiRequest(
  state: Pick<ClusterState, 'server' | 'ca' | 'token'>,
  method: string,
  urlPath: string,
  body?: unknown,
  contentType = 'application/json',
): Promise<{ status: number; body: string; warnings: string[] }> {
  let agent = agents.get(state.server);
  if (!agent) agents.set(state.server, (agent = new https.Agent({ keepAlive: true, ca: fs.readFileSync(state.ca) })));
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const headers: Record<string, string | number> = { authorization: `Bearer ${state.token}` };
    if (data !== undefined) Object.assign(headers, { 'content-type': contentType, 'content-length': Buffer.byteLength(data) });
    const req = https.request(`${state.server}${urlPath}`, { method, agent, headers, timeout: 30_000 }, (res) => {
      let out = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (out += c));
      res.on('end', () => {
        const w = res.headers.warning;
        const warnings = (Array.isArray(w) ? w : w ? [w] : []).map((x) => x.replace(/^299 - /, '').replace(/^"|"$/g, ''));
        resolve({ status: res.statusCode ?? 0, body: out, warnings });
      });
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error(`${method} ${urlPath}: timed out`)));
    if (data !== undefined) req.write(data);
    req.end();
  });
}

/** Closes the kept-alive connections to a server (so a stopped cluster leaves no open sockets behind). */
export function closeConnections(server: string): void {
  agents.get(server)?.destroy();
  agents.delete(server);
}

async function waitFor(what: string, timeoutMs: number, check: () => Promise<boolean>, logFile?: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch (e) {
      last = (e as Error).message;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  const log = logFile && fs.existsSync(logFile) ? `\n--- last lines of ${logFile}:\n${fs.readFileSync(logFile, 'utf8').split('\n').slice(-30).join('\n')}` : '';
  throw new Error(`cluster: ${what} not ready after ${timeoutMs / 1000} s${last ? ` (${last})` : ''}${log}`);
}

function startProcess(bin: string, args: string[], logFile: string, detached: boolean): ChildProcess {
  const fd = fs.openSync(logFile, 'a');
  const child = spawn(bin, args, { detached, stdio: ['ignore', fd, fd] });
  fs.closeSync(fd);
  if (detached) child.unref();
  return child;
}

export function readState(dir: string): ClusterState | null {
  const file = path.join(dir, 'state.json');
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as ClusterState) : null;
}

async function healthy(state: ClusterState): Promise<boolean> {
  if (!state.pids.every(alive)) return false;
  try {
    return (await apiRequest(state, 'GET', '/readyz')).status === 200;
  } catch {
    return false;
  }
}

/**
 * A node object for the DaemonSet controller to place pods on (no kubelet runs it: its pods stay
 * Pending, but they are created, so admission checks them as it would on a real cluster).
 */
async function registerNode(state: ClusterState): Promise<void> {
  const name = 'node-1';
  const labels = { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': process.arch === 'arm64' ? 'arm64' : 'amd64' };
  const created = await apiRequest(state, 'POST', '/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name, labels } });
  if (created.status !== 201) throw new Error(`cluster: creating the node failed (${created.status}): ${created.body}`);
  const now = new Date().toISOString();
  const status = {
    status: {
      capacity: { cpu: '8', memory: '32Gi', pods: '250' },
      allocatable: { cpu: '8', memory: '32Gi', pods: '250' },
      conditions: [
        { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'no kubelet: a test node', lastHeartbeatTime: now, lastTransitionTime: now },
      ],
    },
  };
  const patched = await apiRequest(state, 'PATCH', `/api/v1/nodes/${name}/status`, status, 'application/merge-patch+json');
  if (patched.status !== 200) throw new Error(`cluster: setting the node's status failed (${patched.status}): ${patched.body}`);
}

function kubeconfig(server: string, ca: string, token: string): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '  - name: local',
    '    cluster:',
    `      server: ${server}`,
    `      certificate-authority-data: ${fs.readFileSync(ca).toString('base64')}`,
    'users:',
    '  - name: admin',
    '    user:',
    `      token: ${token}`,
    'contexts:',
    '  - name: local',
    '    context:',
    '      cluster: local',
    '      user: admin',
    'current-context: local',
    '',
  ].join('\n');
}

export interface StartOptions {
  /** Detach the processes from this one (`make cluster-up`), so they outlive it. */
  detached?: boolean;
}

/**
 * Starts a cluster in `dir` (created; a cluster already healthy there is returned as it is; a dead
 * one's folder is removed first).
 */
export async function startCluster(bins: ClusterBinaries, dir: string, o: StartOptions = {}): Promise<ClusterState> {
  const existing = readState(dir);
  if (existing && (await healthy(existing))) return existing;
  if (existing) stopCluster(dir);
  fs.rmSync(dir, { recursive: true, force: true });
  const certs = path.join(dir, 'certs');
  fs.mkdirSync(certs, { recursive: true });
  const c = spawnSync(bins.apiserver, ['certs', certs], { encoding: 'utf8' });
  if (c.error || c.status !== 0) throw new Error(`cluster: making certificates failed: ${c.error?.message ?? c.stderr}`);
  const [apiPort, etcdPort, peerPort] = [await freePort(), await freePort(), await freePort()];
  const server = `https://127.0.0.1:${apiPort}`;
  const ca = path.join(certs, 'ca.crt');
  const state: ClusterState = {
    dir,
    kubeconfig: path.join(dir, 'kubeconfig'),
    server,
    pids: [],
    ca,
    token: randomBytes(24).toString('hex'),
    controllerManager: bins.controllerManager != null,
  };
  // A bearer token, not a client certificate: the API server verifies a client certificate's
  // signature on every request, which was a tenth of its CPU time in the install tests.
  const tokens = path.join(certs, 'tokens.csv');
  fs.writeFileSync(tokens, `${state.token},cluster-admin,cluster-admin,"system:masters"\n`, { mode: 0o600 });
  fs.writeFileSync(state.kubeconfig, kubeconfig(server, ca, state.token), { mode: 0o600 });
  const apiLog = path.join(dir, 'apiserver.log');
  const api = startProcess(
    bins.apiserver,
    [
      `--etcd-dir=${path.join(dir, 'etcd')}`,
      `--etcd-client-port=${etcdPort}`,
      `--etcd-peer-port=${peerPort}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      `--secure-port=${apiPort}`,
      `--cert-dir=${certs}`,
      `--tls-cert-file=${path.join(certs, 'apiserver.crt')}`,
      `--tls-private-key-file=${path.join(certs, 'apiserver.key')}`,
      `--token-auth-file=${tokens}`,
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--service-account-key-file=${path.join(certs, 'sa.pub')}`,
      `--service-account-signing-key-file=${path.join(certs, 'sa.key')}`,
      '--service-cluster-ip-range=10.96.0.0/16',
      '--authorization-mode=Node,RBAC',
      // The eBPF agent runs privileged (in a namespace whose Pod Security level allows it).
      '--allow-privileged=true',
      // Endpoints may not hold a loopback address: no endpoints for the `kubernetes` Service.
      '--endpoint-reconciler-type=none',
      // A test cluster has no tenants to shield from each other: no priority and fairness queuing of
      // requests (a fifth of the server's CPU in the install tests; admission, validation and
      // storage are unchanged).
      '--enable-priority-and-fairness=false',
      '--profiling=false',
      '-v=1',
      // Extra flags for investigations (e.g. --profiling=true); later flags win.
      ...(process.env.CLUSTER_APISERVER_ARGS?.split(/\s+/).filter(Boolean) ?? []),
    ],
    apiLog,
    o.detached ?? false,
  );
  state.pids.push(api.pid!);
  fs.writeFileSync(path.join(dir, 'state.json'), JSON.stringify(state, null, 2));
  try {
    await waitFor(
      'kube-apiserver',
      120_000,
      async () => {
        if (api.exitCode != null || !alive(api.pid!)) throw new Error(`kube-apiserver exited (${api.exitCode})`);
        return (await apiRequest(state, 'GET', '/readyz')).status === 200;
      },
      apiLog,
    );
    if (bins.controllerManager) {
      const cmLog = path.join(dir, 'controller-manager.log');
      const cm = startProcess(
        bins.controllerManager,
        [
          `--kubeconfig=${state.kubeconfig}`,
          '--leader-elect=false',
          '--secure-port=0',
          // No kubelet heartbeats: the node lifecycle controller would mark the node NotReady and taint it.
          '--controllers=*,-node-lifecycle-controller',
          `--service-account-private-key-file=${path.join(certs, 'sa.key')}`,
          `--root-ca-file=${ca}`,
          `--cluster-signing-cert-file=${ca}`,
          `--cluster-signing-key-file=${path.join(certs, 'ca.key')}`,
          '--use-service-account-credentials=false',
          '--kube-api-qps=200',
          '--kube-api-burst=400',
          '-v=1',
        ],
        cmLog,
        o.detached ?? false,
      );
      state.pids.push(cm.pid!);
      fs.writeFileSync(path.join(dir, 'state.json'), JSON.stringify(state, null, 2));
      await waitFor(
        'kube-controller-manager',
        60_000,
        async () => {
          if (cm.exitCode != null || !alive(cm.pid!)) throw new Error(`kube-controller-manager exited (${cm.exitCode})`);
          // The service account controller runs once the controllers have started.
          return (await apiRequest(state, 'GET', '/api/v1/namespaces/default/serviceaccounts/default')).status === 200;
        },
        cmLog,
      );
    }
    await registerNode(state);
  } catch (e) {
    stopCluster(dir);
    throw e;
  }
  return state;
}

/** Stops every process the cluster in `dir` started and removes the folder. */
export function stopCluster(dir: string): void {
  const state = readState(dir);
  if (state) closeConnections(state.server);
  for (const pid of [...(state?.pids ?? [])].reverse()) {
    if (!alive(pid)) continue;
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      /* gone already */
    }
  }
  const deadline = Date.now() + 15_000;
  for (const pid of state?.pids ?? []) {
    while (alive(pid) && Date.now() < deadline) spawnSync('sleep', ['0.1']);
    if (alive(pid)) process.kill(pid, 'SIGKILL');
  }
  fs.rmSync(dir, { recursive: true, force: true });
}

async function main(cmd: string | undefined): Promise<void> {
  if (cmd === 'build') {
    const b = buildCluster();
    console.log(path.dirname(b.apiserver));
  } else if (cmd === 'up') {
    const started = Date.now();
    const b = buildCluster();
    const before = readState(RUN_DIR);
    const state = await startCluster(b, RUN_DIR, { detached: true });
    if (before && before.server === state.server) console.error(`cluster: already running at ${state.server}`);
    else
      console.error(
        `cluster: kube-apiserver ${KUBERNETES_RELEASE} at ${state.server} (ready in ${((Date.now() - started) / 1000).toFixed(1)} s; logs in ${RUN_DIR})`,
      );
    console.log(state.kubeconfig);
  } else if (cmd === 'down') {
    const state = readState(RUN_DIR);
    stopCluster(RUN_DIR);
    console.error(state ? `cluster: stopped ${state.server}, removed ${RUN_DIR}` : 'cluster: nothing running');
  } else {
    throw new Error('usage: cluster.ts build | up | down');
  }
}

if (require.main === module) {
  main(process.argv[2]).catch((e) => {
    console.error((e as Error).message);
    process.exit(1);
  });
}
