// A real Kubernetes API server for the tests (scripts/cluster.ts: kube-apiserver with etcd embedded,
// and kube-controller-manager), started in a temporary folder and reached over HTTPS with the admin
// credentials. Nothing here needs kubectl.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { ClusterBinaries, ClusterState, KUBERNETES_RELEASE, alive, apiRequest, findBinaries, startCluster, stopCluster } from '../../../scripts/cluster';

export { KUBERNETES_RELEASE };

/** The binaries the suite runs, or why it cannot run. */
export function clusterAvailability(): { bins: ClusterBinaries } | { reason: string } {
  const bins = findBinaries();
  if (bins && fs.existsSync(bins.apiserver)) return { bins };
  if (process.env.KUBE_APISERVER) return { reason: `KUBE_APISERVER=${process.env.KUBE_APISERVER} does not exist` };
  return { reason: 'no API server built (run `make cluster-up` to build one, or set KUBE_APISERVER=/path/to/a build of cluster/apiserver)' };
}

/** One object as the API server holds it. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string>; [k: string]: any };
  [k: string]: any;
}

/**
 * Every CRD vendored under test/reference/ (the Operator's, Gateway API's HTTPRoute): what the
 * suites apply to their API server.
 */
const REFERENCE = path.join(__dirname, '..', '..', 'reference');
export const REFERENCE_CRDS = fs
  .readdirSync(REFERENCE, { recursive: true, encoding: 'utf8' })
  .filter((f) => /\.ya?ml$/.test(f))
  .map((f) => path.join(REFERENCE, f))
  .filter((f) => /^kind: CustomResourceDefinition$/m.test(fs.readFileSync(f, 'utf8')))
  .sort();

/** A resource type the API server lists (from discovery). */
export interface ResourceType {
  groupVersion: string;
  name: string;
  kind: string;
  namespaced: boolean;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export class Cluster {
  private resourceTypes: ResourceType[] | null = null;

  private constructor(readonly state: ClusterState) {}

  static async start(bins: ClusterBinaries): Promise<Cluster> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ollyscale-cluster-'));
    const state = await startCluster(bins, dir);
    // The processes are this one's children: kill them if jest exits without running afterAll.
    process.once('exit', () => state.pids.forEach((pid) => safeKill(pid)));
    return new Cluster(state);
  }

  /**
   * Stops the cluster's processes. They are this process's children: SIGTERM, then wait with the
   * event loop free, so Node reaps them as they exit (a blocking wait would see each as a zombie,
   * still "alive", until stopCluster's deadline), then stopCluster removes the folder.
   */
  async stop(): Promise<void> {
    const pids = [...this.state.pids].reverse().filter(alive);
    for (const pid of pids) process.kill(pid, 'SIGTERM');
    await poll('the cluster stopped', 10_000, async () => !pids.some(alive)).catch(() => undefined);
    stopCluster(this.state.dir);
  }

  /** CPU seconds (user + system) each process of the cluster has used so far (Linux; empty elsewhere). */
  cpuSeconds(): number[] {
    return this.state.pids.map((pid) => {
      try {
        const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
        return (Number(f[11]) + Number(f[12])) / 100;
      } catch {
        return NaN;
      }
    });
  }

  get kubeconfig(): string {
    return this.state.kubeconfig;
  }

  /** A request; a status other than 2xx throws with the server's message. Returns the body parsed and the warnings. */
  async request(method: string, urlPath: string, body?: unknown, contentType?: string): Promise<{ body: any; warnings: string[] }> {
    const r = await apiRequest(this.state, method, urlPath, body, contentType);
    let parsed: any = r.body;
    try {
      parsed = r.body ? JSON.parse(r.body) : undefined;
    } catch {
      /* not JSON (e.g. /readyz) */
    }
    if (r.status < 200 || r.status >= 300) throw new ApiError(r.status, `${method} ${urlPath}: ${r.status} ${parsed?.message ?? r.body}`);
    return { body: parsed, warnings: r.warnings };
  }

  async get(urlPath: string): Promise<any | null> {
    try {
      return (await this.request('GET', urlPath)).body;
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) return null;
      throw e;
    }
  }

  /** A namespace with Pod Security `level` enforced (and warned about, so workloads' violations reach the client too). */
  async createNamespace(name: string, level: 'restricted' | 'baseline' | 'privileged'): Promise<void> {
    const labels = Object.fromEntries(['enforce', 'warn', 'audit'].map((m) => [`pod-security.kubernetes.io/${m}`, level]));
    await this.request('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });
  }

  /** Server-side applies every document of `files` (strict field validation) and waits until the CRDs among them are established. */
  async applyFiles(files: string[]): Promise<KubeObject[]> {
    const docs = files.flatMap((f) =>
      parseAllDocuments(fs.readFileSync(f, 'utf8'))
        .map((d) => d.toJS())
        .filter((d) => d != null),
    ) as KubeObject[];
    for (const d of docs) {
      const r = await this.request(
        'PATCH',
        `${await this.pathOf(d)}?fieldManager=cluster-test&fieldValidation=Strict&force=true`,
        d,
        'application/apply-patch+yaml',
      );
      if (r.warnings.length) throw new Error(`applying ${d.kind} ${d.metadata.name}: ${r.warnings.join('; ')}`);
    }
    for (const d of docs.filter((x) => x.kind === 'CustomResourceDefinition')) {
      await poll(`CRD ${d.metadata.name} established`, 30_000, async () => {
        const crd = await this.get(`/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${d.metadata.name}`);
        return (crd?.status?.conditions ?? []).some((c: any) => c.type === 'Established' && c.status === 'True');
      });
    }
    // Discovery serves a new CRD's kind (at its group's preferred version) shortly after it is established.
    const kinds = docs.filter((x) => x.kind === 'CustomResourceDefinition').map((c) => `${c.spec.group} ${c.spec.names.kind}`);
    await poll('CRDs in discovery', 30_000, async () => {
      this.resourceTypes = null;
      const served = new Set((await this.types()).map((t) => `${t.groupVersion.split('/')[0]} ${t.kind}`));
      return kinds.every((k) => served.has(k));
    });
    return docs;
  }

  /** Every resource type that can be listed (discovery; cached until CRDs change). */
  async types(): Promise<ResourceType[]> {
    if (this.resourceTypes) return this.resourceTypes;
    // Every served version (a kind may be served at a version other than its group's preferred
    // one: the Operator's Instrumentation is v1alpha1 only, its collector v1beta1 and v1alpha1);
    // the preferred version first, so listing takes each resource once, at that version.
    const gvs = ['v1'];
    const groups = (await this.request('GET', '/apis')).body.groups as any[];
    for (const g of groups) {
      gvs.push(g.preferredVersion.groupVersion);
      for (const v of g.versions) if (v.groupVersion !== g.preferredVersion.groupVersion) gvs.push(v.groupVersion);
    }
    const lists = await Promise.all(gvs.map(async (gv) => ({ gv, list: (await this.request('GET', gv === 'v1' ? '/api/v1' : `/apis/${gv}`)).body })));
    const out: ResourceType[] = [];
    for (const { gv, list } of lists) {
      for (const r of list.resources as any[]) {
        if (r.name.includes('/') || !(r.verbs ?? []).includes('list')) continue;
        out.push({ groupVersion: gv, name: r.name, kind: r.kind, namespaced: r.namespaced });
      }
    }
    this.resourceTypes = out;
    return out;
  }

  /** Each resource once (at its group's preferred version), for listing what exists. */
  private async listedTypes(): Promise<ResourceType[]> {
    const seen = new Set<string>();
    return (await this.types()).filter((t) => {
      const key = `${t.groupVersion.includes('/') ? t.groupVersion.split('/')[0] : ''}/${t.name}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  }

  /** The API path of an object. */
  async pathOf(o: KubeObject): Promise<string> {
    const t = (await this.types()).find((x) => x.groupVersion === o.apiVersion && x.kind === o.kind);
    if (!t) throw new Error(`the API server serves no ${o.apiVersion} ${o.kind}`);
    return `${listPath(t, o.metadata.namespace)}/${o.metadata.name}`;
  }

  /**
   * Lists a type. `cached`: from the API server's watch cache (resourceVersion=0: no read from etcd,
   * possibly a moment behind), for callers that poll until something is gone, which staleness only
   * delays; otherwise a consistent read (what a caller checks right after a change must see it).
   */
  async list(t: ResourceType, namespace?: string, o: { cached?: boolean; labelSelector?: string } = {}): Promise<KubeObject[]> {
    const params = [...(o.cached ? ['resourceVersion=0'] : []), ...(o.labelSelector ? [`labelSelector=${encodeURIComponent(o.labelSelector)}`] : [])];
    const q = params.length ? `?${params.join('&')}` : '';
    const body = (await this.request('GET', `${listPath(t, namespace)}${q}`)).body;
    const kind = t.kind;
    return (body.items as any[]).map((i) => ({ ...i, apiVersion: t.groupVersion, kind }));
  }

  /** Every object in a namespace, but for Events (a record of what happened, not state). */
  async namespaceObjects(namespace: string): Promise<KubeObject[]> {
    const types = (await this.listedTypes()).filter((t) => t.namespaced && t.kind !== 'Event');
    return (await Promise.all(types.map((t) => this.list(t, namespace, { cached: true })))).flat();
  }

  /** What Helm made in a namespace (the objects carrying its release annotation). */
  async helmObjects(namespace: string): Promise<KubeObject[]> {
    return (await this.namespaceObjects(namespace)).filter((x) => releaseOf(x));
  }

  /** Every cluster-scoped object (but for Nodes and Namespaces) a release in `namespace` made. */
  async clusterObjectsOf(namespace: string): Promise<KubeObject[]> {
    const types = (await this.listedTypes()).filter((t) => !t.namespaced && !['Namespace', 'Node', 'APIService', 'CustomResourceDefinition'].includes(t.kind));
    const all = (await Promise.all(types.map((t) => this.list(t).catch(() => [] as KubeObject[])))).flat();
    return all.filter((o) => o.metadata.annotations?.['meta.helm.sh/release-namespace'] === namespace || o.metadata.name.includes(namespace));
  }

  async events(namespace: string): Promise<any[]> {
    return (await this.request('GET', `/api/v1/namespaces/${namespace}/events`)).body.items;
  }
}

function listPath(t: ResourceType, namespace?: string): string {
  const base = t.groupVersion === 'v1' ? '/api/v1' : `/apis/${t.groupVersion}`;
  return t.namespaced && namespace ? `${base}/namespaces/${namespace}/${t.name}` : `${base}/${t.name}`;
}

function safeKill(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    /* gone */
  }
}

/** Polls `check` every 200 ms until it returns true; throws `what` (and the last error) after `timeoutMs`. */
export async function poll(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
      last = undefined;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 400));
  }
  throw new Error(`${what}: not after ${timeoutMs / 1000} s${last ? ` (${(last as Error).message})` : ''}`);
}

/** The Helm release an object belongs to (its annotation), or undefined. */
export function releaseOf(o: KubeObject): string | undefined {
  return o.metadata.annotations?.['meta.helm.sh/release-name'];
}

export function describeObject(o: { kind?: string; metadata?: { name?: string; namespace?: string } }): string {
  return `${o.kind ?? '?'} ${o.metadata?.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata?.name ?? '?'}`;
}
