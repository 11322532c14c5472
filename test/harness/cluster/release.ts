// A release's whole life against the real API server: helm install, upgrade with a changed value,
// upgrade to the same values, rollback, uninstall; after each step the controllers must have acted
// without a denial (Pods created under the namespace's Pod Security level) and, after uninstall,
// nothing of the release may be left. Every problem names the object and the server's message.
import { spawn } from 'child_process';
import { gunzipSync } from 'zlib';
import * as fs from 'fs';
import * as path from 'path';
import { parse, parseAllDocuments } from 'yaml';
import { helmEnv } from '../../../scripts/helm';
import { Helm, HelmResult, ROOT } from '../helm';
import { Cluster, KubeObject, describeObject, poll } from './kube';

/** What each namespace gets anyway (not the release's): the service account controller's and the root CA publisher's. */
const NAMESPACE_DEFAULTS = new Set(['ServiceAccount default', 'ConfigMap kube-root-ca.crt']);

/**
 * Warning events that say only that this cluster has no metrics server (the HorizontalPodAutoscaler
 * controller cannot read pod metrics); anything else a controller warns about is a problem.
 */
const NO_METRICS_SERVER = /^(FailedGetResourceMetric|FailedComputeMetricsReplicas)$/;

/**
 * The API server's ClusterIP repair loop compares a list of Services with the allocations it read
 * before; a Service created in between is reported as "not allocated; repairing" and left as it
 * is (a race of that loop, not a problem of the Service).
 */
const IP_REPAIR_RACE = /^ClusterIPNotAllocated$/;

/**
 * A controller's write lost an optimistic-concurrency race with another writer (the StatefulSet
 * controller setting the claims' owner for `whenDeleted: Delete` while the claim is being bound);
 * it retries with the object's latest version, so this names no problem of the object.
 */
const WRITE_CONFLICT = /Operation cannot be fulfilled on .*: the object has been modified; please apply your changes to the latest version and try again/;

/** The counts of each Helm operation the suite ran, for its summary. */
/** A Warning event that names no problem of the object (this cluster's lacks, or its controllers' races). */
export function isClusterArtefact(e: { reason?: string; message?: string; [k: string]: unknown }): boolean {
  return NO_METRICS_SERVER.test(e.reason ?? '') || IP_REPAIR_RACE.test(e.reason ?? '') || WRITE_CONFLICT.test(e.message ?? '');
}

export const OPS = { install: 0, upgrade: 0, rollback: 0, uninstall: 0 };

export function runHelmAsync(helm: Helm, args: string[], kubeconfig: string): Promise<HelmResult> {
  return runAsync(helm.bin, args, kubeconfig);
}

/** A Helm or kubectl run against the cluster of `kubeconfig`, from the repository's root. */
export function runAsync(bin: string, args: string[], kubeconfig: string): Promise<HelmResult> {
  return new Promise((resolve, reject) => {
    // Discovery is cached per cluster (beside its kubeconfig), not in the user's ~/.kube/cache.
    const env = { ...process.env, ...helmEnv(ROOT), KUBECONFIG: kubeconfig, KUBECACHEDIR: path.join(path.dirname(kubeconfig), 'kube-cache') };
    const child = spawn(bin, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

export interface ReleaseSpec {
  helm: Helm;
  chartDir: string;
  release: string;
  namespace: string;
  /** Values files and --set pairs of every step (the upgrade adds its changed value). */
  valuesFiles: string[];
  set: Record<string, string>;
  /** An earlier release of the chart (a package) to install first, then upgrade to chartDir with the same values. */
  installFrom?: string;
}

function valueArgs(r: ReleaseSpec, extra: Record<string, string> = {}): string[] {
  const args = r.valuesFiles.flatMap((f) => ['-f', f]);
  for (const [k, v] of Object.entries({ ...r.set, ...extra })) args.push('--set', `${k}=${v}`);
  return args;
}

/** Helm's own failure or any line on its stderr (the API server's warnings reach it there). */
function helmProblems(step: string, r: HelmResult): string[] {
  const out: string[] = [];
  if (r.code !== 0) out.push(`${step}: helm exited ${r.code}: ${r.stderr.trim()}`);
  else if (r.stderr.trim()) out.push(`${step}: helm succeeded but said on stderr:\n${r.stderr.trim()}`);
  return out;
}

/**
 * Names the objects behind warnings Helm printed (Helm 4 does not name them): each rendered object
 * is applied again as a server-side dry run with strict field validation, collecting its warnings.
 */
export async function attributeWarnings(cluster: Cluster, r: ReleaseSpec, extra: Record<string, string> = {}): Promise<string[]> {
  const t = await runHelmAsync(r.helm, ['template', r.release, r.chartDir, '-n', r.namespace, ...valueArgs(r, extra)], cluster.kubeconfig);
  if (t.code !== 0) return [`helm template: ${t.stderr.trim()}`];
  const out: string[] = [];
  for (const doc of parseAllDocuments(t.stdout).map((d) => d.toJS() as KubeObject | null)) {
    if (!doc?.kind) continue;
    doc.metadata.namespace ??= r.namespace;
    const type = (await cluster.types()).find((x) => x.groupVersion === doc.apiVersion && x.kind === doc.kind);
    if (!type) {
      out.push(`${describeObject(doc)}: the API server serves no ${doc.apiVersion} ${doc.kind}`);
      continue;
    }
    const base = type.groupVersion === 'v1' ? '/api/v1' : `/apis/${type.groupVersion}`;
    const p = `${base}${type.namespaced ? `/namespaces/${doc.metadata.namespace}` : ''}/${type.name}/${doc.metadata.name}`;
    try {
      const res = await cluster.request(
        'PATCH',
        `${p}?dryRun=All&fieldManager=attribution&fieldValidation=Strict&force=true`,
        doc,
        'application/apply-patch+yaml',
      );
      for (const w of res.warnings) out.push(`${describeObject(doc)}: ${w}`);
    } catch (e) {
      out.push(`${describeObject(doc)}: ${(e as Error).message}`);
    }
  }
  return out;
}

/**
 * Waits until the workload controllers have acted on every Deployment, DaemonSet, StatefulSet and
 * ReplicaSet of the namespace (Pods created, or refused), then returns every Warning event: a
 * refused Pod (Pod Security, quota, validation) shows as the controller's FailedCreate.
 */
export async function settle(cluster: Cluster, namespace: string, timeoutMs = 30_000): Promise<string[]> {
  const types = await cluster.types();
  const t = (kind: string) => types.find((x) => x.groupVersion === 'apps/v1' && x.kind === kind)!;
  const warnings = async () =>
    (await cluster.events(namespace))
      .filter((e) => e.type === 'Warning' && !isClusterArtefact(e))
      .map((e) => `${e.involvedObject.kind} ${namespace}/${e.involvedObject.name}: ${e.reason}: ${e.message}`);
  let pending: string[] = [];
  try {
    await poll(`controllers acting in ${namespace}`, timeoutMs, async () => {
      pending = [];
      const [deps, dss, stss, rss] = await Promise.all(['Deployment', 'DaemonSet', 'StatefulSet', 'ReplicaSet'].map((k) => cluster.list(t(k), namespace)));
      for (const o of [...deps, ...dss, ...stss, ...rss])
        if ((o.status?.observedGeneration ?? 0) < o.metadata.generation) pending.push(`${describeObject(o)}: generation not observed`);
      for (const d of deps) {
        const owned = rss.filter((rs) => rs.metadata.ownerReferences?.some((ref: any) => ref.uid === d.metadata.uid));
        const current = owned.find(
          (rs) => rs.metadata.annotations?.['deployment.kubernetes.io/revision'] === d.metadata.annotations?.['deployment.kubernetes.io/revision'],
        );
        if (!current) pending.push(`${describeObject(d)}: no ReplicaSet of its revision`);
      }
      for (const rs of rss)
        if ((rs.status?.replicas ?? 0) < rs.spec.replicas) pending.push(`${describeObject(rs)}: ${rs.status?.replicas ?? 0}/${rs.spec.replicas} Pods`);
      for (const ds of dss)
        if ((ds.status?.currentNumberScheduled ?? 0) < ds.status?.desiredNumberScheduled) pending.push(`${describeObject(ds)}: Pods not created`);
      // OrderedReady StatefulSets create one Pod at a time, each once the previous is Ready (never, without a kubelet).
      for (const s of stss) if (s.spec.replicas > 0 && (s.status?.replicas ?? 0) < 1) pending.push(`${describeObject(s)}: no Pod`);
      return pending.length === 0 || (await warnings()).length > 0;
    });
  } catch {
    const w = await warnings();
    return w.length ? w : pending.map((p) => `not settled after ${timeoutMs / 1000} s: ${p}`);
  }
  return warnings();
}

/**
 * The objects of the release's deployed revision, as the API server holds them: the manifest comes
 * from Helm's own record (the release Secret: base64 of gzipped JSON), each object is then read.
 */
async function releaseObjects(cluster: Cluster, r: ReleaseSpec): Promise<KubeObject[]> {
  const selector = encodeURIComponent(`owner=helm,name=${r.release},status=deployed`);
  const secrets = (await cluster.request('GET', `/api/v1/namespaces/${r.namespace}/secrets?labelSelector=${selector}`)).body.items as any[];
  if (secrets.length !== 1) throw new Error(`${r.namespace}: expected one deployed revision of ${r.release}, found ${secrets.length}`);
  const record = JSON.parse(gunzipSync(Buffer.from(Buffer.from(secrets[0].data.release, 'base64').toString(), 'base64')).toString());
  const out: KubeObject[] = [];
  for (const doc of parseAllDocuments(record.manifest).map((d) => d.toJS() as KubeObject | null)) {
    if (!doc?.kind) continue;
    const type = (await cluster.types()).find((t) => t.groupVersion === doc.apiVersion && t.kind === doc.kind);
    if (type?.namespaced) doc.metadata.namespace ??= r.namespace;
    const live = await cluster.get(await cluster.pathOf(doc));
    if (!live) throw new Error(`${describeObject(doc)}: in the release's manifest but not on the API server`);
    out.push({ ...live, apiVersion: doc.apiVersion, kind: doc.kind });
  }
  return out;
}

/**
 * The release's objects without what changes by itself (status, resource version, managed fields);
 * `acrossRevisions` also leaves out what every revision changes (the generation, and the
 * annotations Kubernetes' own controllers keep, such as deployment.kubernetes.io/revision).
 */
function snapshot(objs: KubeObject[], acrossRevisions = false): Map<string, string> {
  const out = new Map<string, string>();
  for (const o of objs) {
    const { resourceVersion: _rv, managedFields: _mf, generation, annotations, ...metadata } = o.metadata;
    const { status: _s, ...rest } = o;
    const kept = acrossRevisions
      ? {
          ...metadata,
          annotations: Object.fromEntries(
            Object.entries(annotations ?? {}).filter(([k]) => !k.includes('kubernetes.io/') && k !== 'deprecated.daemonset.template.generation'),
          ),
        }
      : { ...metadata, generation, annotations };
    out.set(describeObject(o), JSON.stringify({ ...rest, metadata: kept }));
  }
  return out;
}

function snapshotDiff(before: Map<string, string>, after: Map<string, string>): string[] {
  const out: string[] = [];
  for (const [k, v] of before) {
    if (!after.has(k)) out.push(`${k}: gone`);
    else if (after.get(k) !== v) out.push(`${k}: changed (${firstDifference(JSON.parse(v), JSON.parse(after.get(k)!))})`);
  }
  for (const k of after.keys()) if (!before.has(k)) out.push(`${k}: new`);
  return out;
}

function firstDifference(a: any, b: any, at = ''): string {
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return `${at || '.'}: ${JSON.stringify(a)} -> ${JSON.stringify(b)}`;
  for (const k of new Set([...Object.keys(a), ...Object.keys(b)]))
    if (JSON.stringify(a[k]) !== JSON.stringify(b[k])) return firstDifference(a[k], b[k], `${at}.${k}`);
  return at;
}

/** What is left in the namespace, but for its defaults (every listable type). */
export async function leftovers(cluster: Cluster, namespace: string): Promise<KubeObject[]> {
  return (await cluster.namespaceObjects(namespace)).filter((o) => !NAMESPACE_DEFAULTS.has(`${o.kind} ${o.metadata.name}`));
}

/** What the garbage collector deletes after Helm (the controllers' objects), listed cheaply while waiting for it. */
const DEPENDENTS = [
  ['v1', 'Pod'],
  ['apps/v1', 'ReplicaSet'],
  ['apps/v1', 'ControllerRevision'],
  ['discovery.k8s.io/v1', 'EndpointSlice'],
];

/**
 * After uninstall: waits until the objects Helm made (cluster-scoped ones included) are gone and the
 * garbage collector has deleted their dependents, then sweeps the namespace for anything left.
 */
async function nothingLeft(cluster: Cluster, namespace: string, made: KubeObject[], timeoutMs = 20_000): Promise<string[]> {
  const types = await cluster.types();
  const dependents = DEPENDENTS.map(([gv, kind]) => types.find((t) => t.groupVersion === gv && t.kind === kind)!);
  let left: KubeObject[] = [];
  const remaining = async () => {
    const out: KubeObject[] = [];
    for (const o of made) if ((await cluster.get(await cluster.pathOf(o))) != null) out.push(o);
    return out;
  };
  try {
    await poll(`nothing left in ${namespace}`, timeoutMs, async () => {
      if ((left = await remaining()).length) return false;
      for (const t of dependents) if ((left = await cluster.list(t, namespace, { cached: true })).length) return false;
      return (left = await leftovers(cluster, namespace)).length === 0;
    });
    return [];
  } catch {
    return left.map((o) => `uninstall left ${describeObject(o)}${o.metadata.deletionTimestamp ? ' (being deleted)' : ''}`);
  }
}

export interface LifecycleResult {
  problems: string[];
  steps: { step: string; ms: number }[];
  /** `Kind:component` of every object Helm made at install. */
  kinds: string[];
}

/** The changed value of the first upgrade: a label on every object, Pod templates included (so Pods roll). */
export const CHANGED_VALUE = { 'commonLabels.upgrade': 'changed' };

/**
 * install -> [upgrade (changed value) -> upgrade (same values: must change no object) -> rollback to
 * revision 1 ->] uninstall (nothing left); the bracketed steps with `full`. Stops at the first step
 * with a problem.
 */
export async function lifecycle(cluster: Cluster, r: ReleaseSpec, full: boolean): Promise<LifecycleResult> {
  const res = await lifecycleSteps(cluster, r, full);
  if (process.env.CLUSTER_TIMINGS)
    process.stderr.write(`[${Math.round(process.uptime())} s] ${r.helm.name} ${r.namespace}: ${res.steps.map((s) => `${s.step} ${s.ms}`).join(', ')}\n`);
  return res;
}

async function lifecycleSteps(cluster: Cluster, r: ReleaseSpec, full: boolean): Promise<LifecycleResult> {
  const out: LifecycleResult = { problems: [], steps: [], kinds: [] };
  const { problems, steps } = out;
  const timed = async <T>(step: string, f: () => Promise<T>): Promise<T> => {
    const started = Date.now();
    try {
      return await f();
    } finally {
      steps.push({ step, ms: Date.now() - started });
    }
  };
  const helm = async (step: string, args: string[], extra?: Record<string, string>) => {
    const res = await timed(step, () => runHelmAsync(r.helm, args, cluster.kubeconfig));
    const p = helmProblems(step, res);
    if (p.length && (res.code === 0 || /warn/i.test(res.stderr))) p.push(...(await attributeWarnings(cluster, r, extra)).map((a) => `  ${a}`));
    problems.push(...p);
    return p.length === 0;
  };
  const settled = async (step: string) => {
    const w = await timed(`settle after ${step}`, () => settle(cluster, r.namespace));
    problems.push(...w.map((x) => `${step}: ${x}`));
    return w.length === 0;
  };
  const common = ['-n', r.namespace];
  const wait = r.helm.name === 'helm3' ? ['--wait=false'] : [];
  // Neither Helm validates against the server's OpenAPI document client-side (with the Operator's
  // CRDs that document is large, and parsing it was half of each Helm run's CPU): the API server
  // validates every object itself. Helm 4 applies server-side with strict field validation (an
  // unknown field is an error) whatever this flag says; Helm 3's requests get the server's default,
  // which returns unknown and duplicate fields as warnings, and any warning fails here.
  const validation = ['--disable-openapi-validation'];

  OPS.install++;
  if (!(await helm('install', ['install', r.release, r.installFrom ?? r.chartDir, ...common, ...wait, ...validation, ...valueArgs(r)]))) return out;
  if (!(await settled('install'))) return out;
  if (r.installFrom) {
    const step = `upgrade from ${path.basename(r.installFrom)} (same values)`;
    OPS.upgrade++;
    if (!(await helm(step, ['upgrade', r.release, r.chartDir, ...common, ...wait, ...validation, ...valueArgs(r)]))) return out;
    if (!(await settled(step))) return out;
  }
  let made = await timed('list', () => releaseObjects(cluster, r));
  out.kinds = [...new Set(made.map((o) => `${o.kind}:${o.metadata.labels?.['app.kubernetes.io/component'] ?? '-'}`))].sort();

  if (full) {
    const upgrade = ['upgrade', r.release, r.chartDir, ...common, ...wait, ...validation, ...valueArgs(r, CHANGED_VALUE)];
    OPS.upgrade++;
    if (!(await helm('upgrade (changed value)', upgrade, CHANGED_VALUE))) return out;
    if (!(await settled('upgrade (changed value)'))) return out;

    const before = snapshot(await timed('list', () => releaseObjects(cluster, r)));
    OPS.upgrade++;
    if (!(await helm('upgrade (same values)', upgrade, CHANGED_VALUE))) return out;
    const changed = snapshotDiff(before, snapshot(await timed('list', () => releaseObjects(cluster, r))));
    problems.push(...changed.map((c) => `upgrade (same values) changed an object: ${c}`));
    if (changed.length || !(await settled('upgrade (same values)'))) return out;

    OPS.rollback++;
    if (!(await helm('rollback to revision 1', ['rollback', r.release, '1', ...common, ...wait]))) return out;
    if (!(await settled('rollback'))) return out;
    const installed = made;
    made = await timed('list', () => releaseObjects(cluster, r));
    const notRestored = snapshotDiff(snapshot(installed, true), snapshot(made, true));
    problems.push(...notRestored.map((c) => `rollback to revision 1 did not restore an object as installed: ${c}`));
    if (notRestored.length) return out;
  }

  OPS.uninstall++;
  if (!(await helm('uninstall', ['uninstall', r.release, ...common, ...wait]))) return out;
  // Helm deletes what it made; the garbage collector then deletes what the controllers made from it.
  problems.push(...(await timed('nothing left', () => nothingLeft(cluster, r.namespace, made))));
  return out;
}

/** Whether a values file turns on the eBPF agent (the one component that needs a privileged namespace). */
export function enablesEbpfAgent(valuesFile?: string): boolean {
  if (!valuesFile) return false;
  return parse(fs.readFileSync(valuesFile, 'utf8'))?.ebpfAgent?.enabled === true;
}
