// The real OpenTelemetry Operator (scripts/operator.ts) against a real API server (the cluster of
// test/cluster.test.ts: kube-apiserver and kube-controller-manager, no kubelet): the charts'
// OpenTelemetryCollector (v1beta1) and Instrumentation (v1alpha1) resources, installed with Helm 4
// in the Operator runtime, must be accepted by the Operator and turned into the Services,
// ConfigMaps and workloads under the names the charts promise (and their `helm test` Pod calls).
//
// Which Operator: v0.140.0, the newest release the Go module proxy serves (it refuses v0.158.0, whose
// CRDs are vendored in test/reference/). The API server holds the vendored 0.158.0 CRDs (as in
// cluster.test.ts) plus the TargetAllocator CRD of the 0.140.0 module: the Operator's collector
// controller owns TargetAllocators and does not start without their CRD ("failed to get
// restmapping: no matches for kind TargetAllocator in version opentelemetry.io/v1alpha1"). The
// Operator reads and writes our resources through its own 0.140.0 Go types; what that changes in
// them is checked below and printed.
//
// It runs with its admission webhooks, as it is deployed (harness/cluster/operator.ts registers its
// own webhook configurations with the API server). Without them (ENABLE_WEBHOOKS=false, which the
// Operator calls "an unsupported mode") it reconciles none of the charts' collectors: its first
// write of each (the finalizer) carries `upgradeStrategy: ""` (a field the charts leave unset, which
// only the defaulting webhook fills in) and the API server refuses it ("spec.upgradeStrategy:
// Unsupported value"), so nothing is ever created.
//
// Runs when the API server is built (.cache/cluster/) or KUBE_APISERVER names one, and the Operator
// is built or Go is there to build it (a few minutes, once). Otherwise this file prints one line
// saying why and registers a single test.todo: a suite that did not run is reported as to-do, never
// as passed.
import { isDeepStrictEqual } from 'util';
import { parse, parseAllDocuments } from 'yaml';
import { OPERATOR_VERSION, buildOperator, operatorModuleFile } from '../scripts/operator';
import { HELMS, helmTemplate } from './harness/helm';
import { Scenario, scenarios } from './harness/scenarios';
import { Cluster, KUBERNETES_RELEASE, KubeObject, REFERENCE_CRDS, clusterAvailability, describeObject, poll } from './harness/cluster/kube';
import { Operator, operatorAvailability } from './harness/cluster/operator';
import { isClusterArtefact, runHelmAsync } from './harness/cluster/release';

/**
 * The examples installed: together every kind of collector the charts make (agent DaemonSet,
 * gateway and browser Deployments and the Instrumentation with the defaults, the gateway's
 * StatefulSet with the persistent queue, the Kafka consumer, the gateway's autoscaler) and the
 * collectors' NetworkPolicies (production-setup).
 */
const EXAMPLES = [
  'ollyscale-otel/defaults',
  'ollyscale-otel/gateway-autoscaling',
  'ollyscale-otel/production-setup',
  'otel-gateway/persistent-queue',
  'otel-gateway/kafka-buffer',
];

/** The workload kind the Operator makes for each spec.mode. */
const WORKLOAD: Record<string, string> = { deployment: 'Deployment', daemonset: 'DaemonSet', statefulset: 'StatefulSet' };

/**
 * Warning events of this cluster that name no problem of the objects, besides those every suite
 * allows (isClusterArtefact): kube-controller-manager's discovery cache (read at its start, before
 * the test applied the CRDs, refreshed every 30 s) not knowing the OpenTelemetryCollector kind yet
 * when the autoscaler first asks for its scale. That the scale subresource answers is checked
 * directly instead.
 */
const CLUSTER_ARTEFACTS = [/^HorizontalPodAutoscaler \S+: FailedGetScale: no matches for kind "OpenTelemetryCollector" in group "opentelemetry.io"$/];

/**
 * What the Operator's API client was warned about when it wrote our resources back (its
 * KubeAPIWarningLogger), each with why. Anything else fails the test that lists them.
 */
const KNOWN_CLIENT_WARNINGS: Record<string, string> = {
  'unknown field "spec.volumeClaimTemplates[0].metadata.creationTimestamp"':
    "the Operator's Go type of a PersistentVolumeClaim template writes `creationTimestamp: null` when it writes the collector back (persistent-queue's spec.volumeClaimTemplates); the CRD's schema (0.158.0's, and 0.140.0's alike) has no such field, so the API server drops it: nothing of ours is lost",
};

interface Case {
  id: string;
  scenario: Scenario;
  namespace: string;
  /** What Helm applies (helm template with the same release, namespace and values), hooks included. */
  rendered: KubeObject[];
}

interface Collector {
  id: string;
  namespace: string;
  name: string;
  mode: string;
  /** The collector as rendered by the chart. */
  cr: KubeObject;
}

function caseOf(id: string): Case {
  const [chart, name] = id.split('/');
  const scenario = scenarios(chart).find((s) => s.name === name);
  if (!scenario) throw new Error(`no scenario ${id}`);
  const namespace = `op-${chart === 'ollyscale-otel' ? 'oo' : 'gw'}-${name}`;
  const r = helmTemplate(HELMS[0], scenario.chartDir, {
    release: chart,
    namespace,
    valuesFiles: scenario.valuesFile ? [scenario.valuesFile] : [],
    set: { collectorRuntime: 'operator' },
  });
  if (r.code !== 0) throw new Error(`helm template ${id}: ${r.stderr}`);
  const rendered = parseAllDocuments(r.stdout)
    .map((d) => d.toJS() as KubeObject | null)
    .filter((d): d is KubeObject => d?.kind != null);
  return { id, scenario, namespace, rendered };
}

/** The ports the collector's receivers (those in a pipeline) listen on: what its `<name>-collector` Service must carry. */
function listeningPorts(config: any): number[] {
  const used = new Set(Object.values(config?.service?.pipelines ?? {}).flatMap((p: any) => p?.receivers ?? []));
  const ports = new Set<number>();
  for (const [id, rc] of Object.entries<any>(config?.receivers ?? {})) {
    if (!used.has(id)) continue;
    const endpoints = [rc?.endpoint, ...Object.values<any>(rc?.protocols ?? {}).map((p) => p?.endpoint)];
    for (const e of endpoints) {
      const m = typeof e === 'string' ? /:(\d+)$/.exec(e) : null;
      if (m) ports.add(Number(m[1]));
    }
  }
  return [...ports].sort((a, b) => a - b);
}

/** Whether a label selector (matchLabels and matchExpressions) selects `labels`. */
function selects(selector: any, labels: Record<string, string>): boolean {
  const ml = Object.entries<string>(selector?.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  const me = (selector?.matchExpressions ?? []).every((e: any) => {
    const has = e.key in labels;
    if (e.operator === 'In') return has && e.values.includes(labels[e.key]);
    if (e.operator === 'NotIn') return !has || !e.values.includes(labels[e.key]);
    if (e.operator === 'Exists') return has;
    if (e.operator === 'DoesNotExist') return !has;
    return false;
  });
  return ml && me;
}

/** Paths where `after` differs from `before`: what was dropped, changed and added. */
function differences(before: any, after: any, at: string, out: { dropped: [string, unknown][]; changed: string[]; added: string[] }): void {
  const isObj = (x: unknown) => typeof x === 'object' && x !== null && !Array.isArray(x);
  if (isObj(before) && isObj(after)) {
    for (const k of Object.keys(before))
      if (!(k in after)) out.dropped.push([`${at}.${k}`, before[k]]);
      else differences(before[k], after[k], `${at}.${k}`, out);
    for (const k of Object.keys(after)) if (!(k in before)) out.added.push(`${at}.${k}`);
  } else if (Array.isArray(before) && Array.isArray(after) && before.length === after.length) {
    before.forEach((b, i) => differences(b, after[i], `${at}[${i}]`, out));
  } else if (JSON.stringify(before) !== JSON.stringify(after)) {
    out.changed.push(`${at}: ${JSON.stringify(before)} -> ${JSON.stringify(after)}`);
  }
}

function isEmpty(x: unknown): boolean {
  return x == null || x === '' || (Array.isArray(x) && x.length === 0) || (typeof x === 'object' && Object.keys(x as object).length === 0);
}

const ERROR_LEVELS = new Set(['ERROR', 'DPANIC', 'PANIC', 'FATAL']);

/**
 * A write of the Operator that lost an optimistic-concurrency race (another writer, or its own
 * status update, changed the object first): controller-runtime logs it as a "Reconciler error" and
 * reconciles again with the latest version. It names no problem of the resource (release.ts treats
 * the controllers' same message alike); it is printed, not failed.
 */
const WRITE_CONFLICT = /the object has been modified; please apply your changes to the latest version and try again/;

const availability = clusterAvailability();
const operator = operatorAvailability();

if ('reason' in availability || 'reason' in operator) {
  const reason = 'reason' in availability ? availability.reason : (operator as { reason: string }).reason;
  process.stderr.write(`operator.test: the OpenTelemetry Operator against a real API server did not run: ${reason}\n`);
  test.todo(`the OpenTelemetry Operator accepts the charts' resources (not run: ${reason})`);
} else {
  const bins = availability.bins;
  const cases = EXAMPLES.map(caseOf);
  const collectors: Collector[] = cases.flatMap((c) =>
    c.rendered
      .filter((o) => o.kind === 'OpenTelemetryCollector')
      .map((cr) => ({ id: c.id, namespace: c.namespace, name: cr.metadata.name, mode: cr.spec.mode ?? 'deployment', cr })),
  );
  const instrumentations = cases.flatMap((c) => c.rendered.filter((o) => o.kind === 'Instrumentation').map((cr) => ({ id: c.id, namespace: c.namespace, cr })));
  const started = Date.now();
  const timings: string[] = [];
  const lap = (() => {
    let t = Date.now();
    return (what: string) => {
      timings.push(`${what} ${((Date.now() - t) / 1000).toFixed(1)} s`);
      t = Date.now();
    };
  })();
  let cluster: Cluster;
  let op: Operator;
  /** Everything in each test namespace once the Operator has acted (by kind, then name). */
  const live = new Map<string, Map<string, Map<string, KubeObject>>>();
  const installs: { id: string; code: number; stderr: string }[] = [];

  const get = (ns: string, kind: string, name: string): KubeObject | undefined => live.get(ns)?.get(kind)?.get(name);
  const all = (ns: string, kind: string): KubeObject[] => [...(live.get(ns)?.get(kind)?.values() ?? [])];

  const KINDS: [string, string, string][] = [
    ['/api/v1', 'services', 'Service'],
    ['/api/v1', 'configmaps', 'ConfigMap'],
    ['/api/v1', 'pods', 'Pod'],
    ['/api/v1', 'events', 'Event'],
    ['/apis/apps/v1', 'deployments', 'Deployment'],
    ['/apis/apps/v1', 'daemonsets', 'DaemonSet'],
    ['/apis/apps/v1', 'statefulsets', 'StatefulSet'],
    ['/apis/autoscaling/v2', 'horizontalpodautoscalers', 'HorizontalPodAutoscaler'],
    ['/apis/policy/v1', 'poddisruptionbudgets', 'PodDisruptionBudget'],
    ['/apis/networking.k8s.io/v1', 'networkpolicies', 'NetworkPolicy'],
    ['/apis/opentelemetry.io/v1beta1', 'opentelemetrycollectors', 'OpenTelemetryCollector'],
    ['/apis/opentelemetry.io/v1alpha1', 'instrumentations', 'Instrumentation'],
  ];

  async function readNamespace(ns: string): Promise<void> {
    const byKind = new Map<string, Map<string, KubeObject>>();
    await Promise.all(
      KINDS.map(async ([base, resource, kind]) => {
        const items = (await cluster.request('GET', `${base}/namespaces/${ns}/${resource}`)).body.items as KubeObject[];
        byKind.set(kind, new Map(items.map((o) => [o.metadata.name, { ...o, kind }])));
      }),
    );
    live.set(ns, byKind);
  }

  /** Whether the Operator has acted on every collector of the namespace and the controllers on its workloads. */
  function done(ns: string): boolean {
    for (const c of collectors.filter((x) => x.namespace === ns)) {
      const cr = get(ns, 'OpenTelemetryCollector', c.name);
      if (!cr?.status?.version) return false;
      const w = get(ns, WORKLOAD[c.mode], `${c.name}-collector`);
      if (!w || (w.status?.observedGeneration ?? 0) < w.metadata.generation) return false;
      const pods = all(ns, 'Pod').filter((p) => selects(w.spec.selector, p.metadata.labels ?? {}));
      if (pods.length === 0) return false;
      if (c.mode === 'deployment' && pods.length < w.spec.replicas) return false;
      if (!get(ns, 'Service', `${c.name}-collector-monitoring`)) return false;
      if (c.cr.spec.autoscaler && !get(ns, 'HorizontalPodAutoscaler', `${c.name}-collector`)) return false;
    }
    return true;
  }

  describe(`the OpenTelemetry Operator ${OPERATOR_VERSION} against a real API server (Kubernetes ${KUBERNETES_RELEASE})`, () => {
    beforeAll(async () => {
      const bin = operator.bin ?? buildOperator();
      lap('operator build');
      cluster = await Cluster.start(bins);
      lap('cluster start');
      const crds = await cluster.applyFiles([...REFERENCE_CRDS, operatorModuleFile('targetAllocatorCrd')]);
      expect(crds.map((c) => c.metadata.name)).toEqual(
        expect.arrayContaining(['opentelemetrycollectors.opentelemetry.io', 'instrumentations.opentelemetry.io', 'targetallocators.opentelemetry.io']),
      );
      for (const c of cases) await cluster.createNamespace(c.namespace, 'restricted');
      lap('CRDs and namespaces');
      op = await Operator.start(cluster, bin, { namespaces: cases.map((c) => c.namespace), webhooks: { manifests: operatorModuleFile('webhooks') } });
      lap('operator start');
      installs.push(
        ...(await Promise.all(
          cases.map(async (c) => {
            const args = ['install', c.scenario.chart, c.scenario.chartDir, '-n', c.namespace, '--set', 'collectorRuntime=operator'];
            if (c.scenario.valuesFile) args.push('-f', c.scenario.valuesFile);
            const r = await runHelmAsync(HELMS[0], args, cluster.kubeconfig);
            return { id: c.id, code: r.code, stderr: r.stderr.trim() };
          }),
        )),
      );
      lap('helm installs');
      // Until the Operator and the controllers have acted (or 30 s: the tests then say what is missing).
      await poll('the Operator acted', 30_000, async () => {
        await Promise.all(cases.map((c) => readNamespace(c.namespace)));
        return cases.every((c) => done(c.namespace));
      }).catch(() => undefined);
      lap('operator acting');
    }, 900_000);

    afterAll(async () => {
      const cpu = op?.cpuSeconds();
      await op?.stop();
      if (cluster) await cluster.stop();
      lap('stop');
      process.stderr.write(
        `operator.test: ${cases.length} releases, ${collectors.length} OpenTelemetryCollectors, ${instrumentations.length} Instrumentations through the Operator ${OPERATOR_VERSION} ` +
          `in ${Math.round((Date.now() - started) / 1000)} s (${timings.join(', ')}; Operator CPU ${cpu?.toFixed(1)} s)\n`,
      );
    });

    test.each(cases.map((c) => ({ id: c.id, ns: c.namespace })))('Helm 4 installs $id in the Operator runtime without an error or warning', ({ id }) => {
      // The Operator's validating webhooks answer during the install: a refusal fails it, a warning reaches stderr.
      expect(installs.find((i) => i.id === id)).toEqual({ id, code: 0, stderr: '' });
    });

    test.each(collectors.map((c) => ({ ...c, kind: WORKLOAD[c.mode] })))(
      '$id: OpenTelemetryCollector $name ($mode): its Services, ConfigMap and $kind, as the charts name them',
      ({ namespace: ns, name, mode, cr: rendered }) => {
        const problems: string[] = [];
        const cr = get(ns, 'OpenTelemetryCollector', name);
        if (!cr) throw new Error(`OpenTelemetryCollector ${ns}/${name} is not on the API server`);
        const owned = (o: KubeObject | undefined) => o?.metadata.ownerReferences?.some((r: any) => r.uid === cr.metadata.uid && r.controller);
        const svc = (suffix: string) => get(ns, 'Service', `${name}-collector${suffix}`);
        const ports = (s: KubeObject | undefined) => (s?.spec.ports ?? []).map((p: any) => ({ name: p.name, port: p.port }));
        const need = (what: string, ok: boolean) => ok || problems.push(what);

        // What listens gets a Service, and its headless twin (for the agent's load-balancing exporter).
        const listening = listeningPorts(cr.spec.config);
        for (const suffix of ['', '-headless']) {
          const s = svc(suffix);
          if (listening.length === 0) need(`${name}-collector${suffix}: no receiver listens, yet the Operator made it`, !s);
          else {
            need(`Service ${name}-collector${suffix} (ports ${listening.join(', ')}) missing`, !!s && owned(s)!);
            const missing = listening.filter((p) => !ports(s).some((x: any) => x.port === p));
            need(`Service ${name}-collector${suffix} lacks port(s) ${missing.join(', ')} (has ${JSON.stringify(ports(s))})`, missing.length === 0);
          }
        }
        need(`Service ${name}-collector-headless is not headless`, listening.length === 0 || svc('-headless')?.spec.clusterIP === 'None');
        need(
          `Service ${name}-collector-monitoring with port 8888 "monitoring": ${JSON.stringify(ports(svc('-monitoring')))}`,
          owned(svc('-monitoring'))! && ports(svc('-monitoring')).some((p: any) => p.port === 8888 && p.name === 'monitoring'),
        );
        need(
          `Service ${name}-collector-extension with port 13133 "health-check": ${JSON.stringify(ports(svc('-extension')))}`,
          owned(svc('-extension'))! && ports(svc('-extension')).some((p: any) => p.port === 13133 && p.name === 'health-check'),
        );

        // The configuration: a ConfigMap <name>-collector-<hash> holding the collector's spec.config.
        const cms = all(ns, 'ConfigMap').filter((c) => owned(c) && new RegExp(`^${name}-collector-[0-9a-f]{8}$`).test(c.metadata.name));
        need(`one ConfigMap ${name}-collector-<hash> owned by the collector, found ${cms.map((c) => c.metadata.name).join(', ') || 'none'}`, cms.length === 1);
        const cm = cms[0];
        if (cm)
          need(
            `ConfigMap ${cm.metadata.name}: collector.yaml is not the collector's spec.config`,
            isDeepStrictEqual(parse(cm.data?.['collector.yaml'] ?? ''), cr.spec.config),
          );

        // The workload: <name>-collector of the mode's kind, running the collector's image and service account with that ConfigMap.
        const kind = WORKLOAD[mode];
        const w = get(ns, kind, `${name}-collector`);
        need(`${kind} ${name}-collector owned by the collector missing`, !!w && owned(w)!);
        if (w) {
          const pod = w.spec.template.spec;
          need(`${kind} ${name}-collector: image ${pod.containers[0]?.image}, not ${rendered.spec.image}`, pod.containers[0]?.image === rendered.spec.image);
          need(
            `${kind} ${name}-collector: service account ${pod.serviceAccountName}, not the chart's ${rendered.spec.serviceAccount}`,
            pod.serviceAccountName === rendered.spec.serviceAccount,
          );
          need(
            `${kind} ${name}-collector does not mount ConfigMap ${cm?.metadata.name}`,
            (pod.volumes ?? []).some((v: any) => v.configMap?.name === cm?.metadata.name),
          );
          const pods = all(ns, 'Pod').filter((p) => selects(w.spec.selector, p.metadata.labels ?? {}));
          need(`${kind} ${name}-collector: no Pod created (refused? see the Warning events test)`, pods.length > 0);
          for (const suffix of ['', '-headless', '-monitoring', '-extension']) {
            const s = svc(suffix);
            if (s)
              need(
                `Service ${s.metadata.name} selects no Pod of ${kind} ${name}-collector`,
                selects({ matchLabels: s.spec.selector }, w.spec.template.metadata.labels),
              );
          }
          if (mode === 'statefulset') {
            const claims = (w.spec.volumeClaimTemplates ?? []).map((t: any) => t.metadata.name);
            const wanted = (rendered.spec.volumeClaimTemplates ?? []).map((t: any) => t.metadata.name);
            need(
              `StatefulSet ${name}-collector claims ${JSON.stringify(claims)}, not ${JSON.stringify(wanted)}`,
              JSON.stringify(claims) === JSON.stringify(wanted),
            );
            need(
              `StatefulSet ${name}-collector: persistentVolumeClaimRetentionPolicy ${JSON.stringify(w.spec.persistentVolumeClaimRetentionPolicy)}, not ${JSON.stringify(rendered.spec.persistentVolumeClaimRetentionPolicy)}`,
              !rendered.spec.persistentVolumeClaimRetentionPolicy ||
                JSON.stringify(w.spec.persistentVolumeClaimRetentionPolicy) === JSON.stringify(rendered.spec.persistentVolumeClaimRetentionPolicy),
            );
          }
          if (mode !== 'daemonset' && !rendered.spec.autoscaler)
            need(
              `${kind} ${name}-collector: ${w.spec.replicas} replicas, not ${rendered.spec.replicas ?? 1}`,
              w.spec.replicas === (rendered.spec.replicas ?? 1),
            );
        }
        if (rendered.spec.podDisruptionBudget) {
          const pdb = get(ns, 'PodDisruptionBudget', `${name}-collector`);
          const { maxUnavailable, minAvailable } = pdb?.spec ?? {};
          need(
            `PodDisruptionBudget ${name}-collector: ${JSON.stringify({ maxUnavailable, minAvailable })}, not ${JSON.stringify(rendered.spec.podDisruptionBudget)}`,
            owned(pdb)! &&
              JSON.stringify({ maxUnavailable, minAvailable }) === JSON.stringify({ minAvailable: undefined, ...rendered.spec.podDisruptionBudget }),
          );
        }
        expect(problems).toEqual([]);
      },
    );

    const autoscaled = collectors.filter((c) => c.cr.spec.autoscaler);
    test.each(autoscaled)(
      '$id: OpenTelemetryCollector $name: a HorizontalPodAutoscaler on the collector, whose scale subresource answers',
      async ({ namespace: ns, name, cr }) => {
        const hpa = get(ns, 'HorizontalPodAutoscaler', `${name}-collector`);
        expect(hpa?.spec.scaleTargetRef).toEqual({ apiVersion: 'opentelemetry.io/v1beta1', kind: 'OpenTelemetryCollector', name });
        expect({ min: hpa?.spec.minReplicas, max: hpa?.spec.maxReplicas }).toEqual({
          min: cr.spec.autoscaler.minReplicas,
          max: cr.spec.autoscaler.maxReplicas,
        });
        const metrics = (hpa?.spec.metrics ?? []).map((m: any) => `${m.resource?.name} ${m.resource?.target?.averageUtilization}`).sort();
        const wanted = [
          ...(cr.spec.autoscaler.targetCPUUtilization ? [`cpu ${cr.spec.autoscaler.targetCPUUtilization}`] : []),
          ...(cr.spec.autoscaler.targetMemoryUtilization ? [`memory ${cr.spec.autoscaler.targetMemoryUtilization}`] : []),
        ].sort();
        expect(metrics).toEqual(wanted);
        // What the autoscaler reads and writes: the collector's scale, whose selector the Operator keeps in its status.
        const scale = (await cluster.request('GET', `/apis/opentelemetry.io/v1beta1/namespaces/${ns}/opentelemetrycollectors/${name}/scale`)).body;
        const deployment = get(ns, 'Deployment', `${name}-collector`);
        const podLabels = deployment?.spec.template.metadata.labels ?? {};
        const selected = Object.fromEntries(
          String(scale.status.selector ?? '')
            .split(',')
            .map((kv: string) => kv.split('=')),
        );
        expect({ selectsTheCollectorsPods: scale.status.selector != null && selects({ matchLabels: selected }, podLabels) }).toEqual({
          selectsTheCollectorsPods: true,
        });
        // The Operator starts the workload at the autoscaler's minimum.
        expect(deployment?.spec.replicas).toBe(cr.spec.autoscaler.minReplicas);
      },
    );

    test.each(instrumentations)(
      "$id: Instrumentation $cr.metadata.name: accepted and defaulted by the Operator's webhooks",
      ({ namespace: ns, cr: rendered }) => {
        const inst = get(ns, 'Instrumentation', rendered.metadata.name);
        expect(inst).toBeDefined();
        // The defaulting webhook records the Operator's default images on the resource; the
        // validating webhook let the install through (the install test); what we set stays as set.
        const annotations = Object.keys(inst!.metadata.annotations ?? {}).filter((k) =>
          k.startsWith('instrumentation.opentelemetry.io/default-auto-instrumentation-'),
        );
        expect(annotations.length).toBeGreaterThan(0);
        const d = { dropped: [] as [string, unknown][], changed: [] as string[], added: [] as string[] };
        differences(rendered.spec, inst!.spec, 'spec', d);
        expect({ dropped: d.dropped, changed: d.changed }).toEqual({ dropped: [], changed: [] });
      },
    );

    test('every Service the rendered releases name in their own namespace (helm test, exporters, the Instrumentation) exists, with the port named', () => {
      const problems: string[] = [];
      for (const c of cases) {
        const text = c.rendered.map((o) => JSON.stringify(o)).join('\n');
        const re = new RegExp(`([a-z0-9-]+)\\.${c.namespace}\\.svc(?:\\.cluster\\.local)?(?::(\\d+))?`, 'g');
        const named = new Set([...text.matchAll(re)].map((m) => `${m[1]}${m[2] ? `:${m[2]}` : ''}`));
        for (const n of named) {
          const [svc, port] = n.split(':');
          const s = get(c.namespace, 'Service', svc);
          if (!s) problems.push(`${c.id}: Service ${svc} is named by the release but does not exist`);
          else if (port && !s.spec.ports.some((p: any) => p.port === Number(port))) problems.push(`${c.id}: Service ${svc} has no port ${port}`);
        }
        if (named.size === 0) problems.push(`${c.id}: the release names no Service of its namespace (the helm test Pod should)`);
      }
      expect(problems).toEqual([]);
    });

    test('the Pods of every workload the Operator made are created under Pod Security "restricted", and no Warning event names a problem', () => {
      const warnings = cases.flatMap((c) =>
        all(c.namespace, 'Event')
          .filter((e) => e.type === 'Warning' && !isClusterArtefact(e))
          .map((e) => `${e.involvedObject.kind} ${c.namespace}/${e.involvedObject.name}: ${e.reason}: ${e.message}`)
          .filter((w) => !CLUSTER_ARTEFACTS.some((a) => a.test(w))),
      );
      expect(warnings).toEqual([]);
      const notCreated = cases.flatMap((c) =>
        [...all(c.namespace, 'Deployment'), ...all(c.namespace, 'DaemonSet'), ...all(c.namespace, 'StatefulSet')]
          .filter((w) => !all(c.namespace, 'Pod').some((p) => selects(w.spec.selector, p.metadata.labels ?? {})))
          .map(describeObject),
      );
      expect(notCreated).toEqual([]);
    });

    test('the Operator logged no error about our resources', () => {
      const ours = new RegExp(cases.map((c) => c.namespace).join('|'));
      const errors = op.entries().filter((e) => ERROR_LEVELS.has(e.level));
      // Errors that name none of our namespaces are the Operator's own, and lost write races are
      // retried: printed, not failed.
      for (const e of errors.filter((x) => !ours.test(x.line) || WRITE_CONFLICT.test(x.line)))
        process.stderr.write(
          `operator.test: the Operator logged (${ours.test(e.line) ? 'a write conflict, retried' : 'not about our resources'}): ${e.level} ${e.message}: ${e.json?.error ?? ''}\n`,
        );
      expect(errors.filter((e) => ours.test(e.line) && !WRITE_CONFLICT.test(e.line)).map((e) => e.line)).toEqual([]);
    });

    test("what the Operator's API client was warned about writing our resources is known (0.140.0 Go types, 0.158.0 CRDs)", () => {
      const warned = [
        ...new Set(
          op
            .entries()
            .filter((e) => e.json?.logger === 'KubeAPIWarningLogger' || e.level === 'WARN')
            .map((e) => e.message),
        ),
      ];
      for (const w of warned)
        process.stderr.write(`operator.test: the Operator's client was warned: ${w}${KNOWN_CLIENT_WARNINGS[w] ? ` (${KNOWN_CLIENT_WARNINGS[w]})` : ''}\n`);
      expect(warned.filter((w) => !KNOWN_CLIENT_WARNINGS[w])).toEqual([]);
    });

    test('what the Operator changed in our collectors: it only adds (its defaults) and drops only empty values; it changes nothing we set', () => {
      const problems: string[] = [];
      const report = new Map<string, string[]>();
      for (const c of collectors) {
        const cr = get(c.namespace, 'OpenTelemetryCollector', c.name);
        if (!cr) continue;
        const d = { dropped: [] as [string, unknown][], changed: [] as string[], added: [] as string[] };
        differences(c.cr.spec, cr.spec, 'spec', d);
        for (const [p, v] of d.dropped) if (!isEmpty(v)) problems.push(`${c.id} ${c.name}: ${p} (${JSON.stringify(v)}) is gone`);
        problems.push(...d.changed.map((x) => `${c.id} ${c.name}: ${x}`));
        const key = `dropped ${d.dropped.map(([p]) => p).join(', ') || 'nothing'}; added to spec.config: ${
          d.added.filter((p) => p.startsWith('spec.config.')).join(', ') || 'nothing'
        }`;
        report.set(key, [...(report.get(key) ?? []), `${c.id} ${c.name}`]);
      }
      for (const [k, who] of report) process.stderr.write(`operator.test: the Operator's admission of ${who.join('; ')}: ${k}\n`);
      expect(problems).toEqual([]);
    });

    // The charts' own pod selectors (the collectors' NetworkPolicies, the topology spread in their
    // spec) must select the Pods the Operator makes, whose labels are the Operator's.
    test("the charts' pod selectors (NetworkPolicies, topology spread) select the Operator's Pods", () => {
      const problems: string[] = [];
      for (const c of cases) {
        const workloads = [...all(c.namespace, 'Deployment'), ...all(c.namespace, 'DaemonSet'), ...all(c.namespace, 'StatefulSet')];
        for (const w of workloads)
          for (const t of w.spec.template.spec.topologySpreadConstraints ?? [])
            if (!selects(t.labelSelector, w.spec.template.metadata.labels))
              problems.push(
                `${c.id}: ${describeObject(w)}: topologySpreadConstraints selector ${JSON.stringify(t.labelSelector.matchLabels ?? t.labelSelector)} does not select its own Pods (labels ${JSON.stringify(w.spec.template.metadata.labels)})`,
              );
        for (const np of all(c.namespace, 'NetworkPolicy'))
          if (!workloads.some((w) => selects(np.spec.podSelector, w.spec.template.metadata.labels)))
            problems.push(`${c.id}: ${describeObject(np)}: podSelector ${JSON.stringify(np.spec.podSelector)} selects none of the Operator's Pods`);
      }
      expect(problems).toEqual([]);
    });
  });
}
