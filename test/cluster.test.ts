// Every example of every chart installed into a real Kubernetes API server (kube-apiserver with etcd
// and kube-controller-manager, built from cluster/ by `make cluster-up`; no kubelet, so Pods are
// created and stay Pending), in both runtimes, into namespaces that enforce Pod Security
// "restricted" (privileged where the eBPF agent or the host-reading presets run), with Helm 4
// (server-side apply, strict field validation) and Helm 3: install and uninstall
// (nothing of the release may be left), and for the FULL_LIFECYCLE scenarios also an upgrade with a
// changed value, an upgrade to the same values (no object may change) and a rollback (every object
// as installed). Any error, warning or denial of the API server or its controllers fails, naming
// the object and the message. Also: what the charts do without the Operator's CRDs, two releases of
// the same name side by side, both charts in one namespace, each chart's previous release upgraded
// to the current chart, and the README's quick start as written (kubectl built from the same release).
//
// Runs when the API server is built (.cache/cluster/) or KUBE_APISERVER names one. Otherwise this
// file prints one line saying why and registers a single test.todo: a suite that did not run is
// reported as to-do, never as passed (and there is no test.skip to hide it).
// CLUSTER_TIMINGS=1 prints each release's steps and their durations.
import * as fs from 'fs';
import * as path from 'path';
import { RELEASES } from '../generator/charts/releases';
import { KUBERNETES_RELEASE } from '../scripts/cluster';
import { RELEASES_DIR } from '../scripts/golden';
import { HELMS, Helm } from './harness/helm';
import { RUNTIMES, Runtime, Scenario, chartNames, scenarios } from './harness/scenarios';
import { Cluster, REFERENCE_CRDS, clusterAvailability, describeObject, poll, releaseOf } from './harness/cluster/kube';
import { OPS, ReleaseSpec, enablesEbpfAgent, lifecycle, runAsync, runHelmAsync, settle } from './harness/cluster/release';
import { argsOf, quickStartCommand } from './harness/quick-start';

/**
 * The full lifecycle (install, upgrade with a changed value, upgrade to the same values, rollback,
 * uninstall) runs for these scenarios; every other example is installed and uninstalled. Together
 * they hold every kind of object of every component the examples render (the last test checks that
 * with what the installs made), in both runtimes with Helm 4. Helm 3 installs and uninstalls every example too, and runs the full
 * lifecycle on the `HELM3` subset (its client-side three-way merge is the other code path; it costs
 * 1.5 times Helm 4's CPU): the largest release in both runtimes, and the StatefulSet with claim templates.
 */
const FULL_LIFECYCLE = new Set([
  'ollyscale-otel/production-setup',
  'ollyscale-otel/ebpf-enabled',
  'ollyscale-otel/gateway-autoscaling',
  'ollyscale-otel/browser-public',
  'otel-gateway/kafka-buffer',
  'otel-gateway/persistent-queue',
]);
const HELM3 = new Set(['ollyscale-otel/production-setup operator', 'ollyscale-otel/production-setup native', 'otel-gateway/persistent-queue native']);

/**
 * The previous release's scenarios upgraded to the current chart: together they render every
 * workload and Service of both charts (agent, gateway with its HPA, browser, eBPF agent, the agent's
 * host-reading presets), whose selectors and other immutable fields an upgrade must keep.
 */
const UPGRADED_FROM_PREVIOUS = new Set(['defaults', 'ebpf-enabled', 'gateway-autoscaling', 'node-telemetry', 'browser-public', 'multi-destination']);

/**
 * Scenarios whose documented presets need host access Pod Security "baseline" already refuses
 * (test/pod-security.test.ts lists the same exception): installed into a privileged namespace, like
 * every scenario with the eBPF agent. Everything else runs under "restricted".
 */
const HOST_ACCESS: Record<string, string> = {
  'ollyscale-otel/node-telemetry': 'presets.logsCollection and presets.hostMetrics mount hostPath volumes and logsCollection runs the agent as root',
};

function podSecurityLevel(s: Scenario): 'restricted' | 'privileged' {
  return enablesEbpfAgent(s.valuesFile) || HOST_ACCESS[`${s.chart}/${s.name}`] ? 'privileged' : 'restricted';
}

const SHORT: Record<string, string> = { 'ollyscale-otel': 'oo', 'otel-gateway': 'gw', helm4: 'h4', helm3: 'h3', operator: 'op', native: 'na' };

function namespaceFor(...parts: string[]): string {
  const ns = parts
    .map((p) => SHORT[p] ?? p)
    .join('-')
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-');
  if (ns.length > 63) throw new Error(`namespace name too long: ${ns}`);
  return ns;
}

/**
 * Values set beside an example's own here. The persistent queue's claims stay after uninstall by
 * default (`persistence.retainClaims`, as NOTES.txt says); with `false` they go with the
 * StatefulSet, so the uninstall can be checked to leave nothing.
 */
const CLUSTER_SET: Record<string, Record<string, string>> = { 'otel-gateway/persistent-queue': { 'persistence.retainClaims': 'false' } };

function spec(helm: Helm, s: Scenario, runtime: Runtime, namespace: string, set: Record<string, string> = {}): ReleaseSpec {
  return {
    helm,
    chartDir: s.chartDir,
    release: s.chart,
    namespace,
    valuesFiles: s.valuesFile ? [s.valuesFile] : [],
    set: { collectorRuntime: runtime, ...CLUSTER_SET[`${s.chart}/${s.name}`], ...set },
  };
}

function fail(problems: string[]): void {
  if (problems.length) throw new Error(problems.join('\n'));
}

const availability = clusterAvailability();

if ('reason' in availability) {
  process.stderr.write(`cluster.test: the install suite against a real API server did not run: ${availability.reason}\n`);
  test.todo(`install every example into a real API server (not run: ${availability.reason})`);
} else {
  const bins = availability.bins;
  const cases = chartNames().flatMap((chart) => scenarios(chart));
  let cluster: Cluster;
  const started = Date.now();

  describe(`a real API server (Kubernetes ${KUBERNETES_RELEASE})`, () => {
    beforeAll(async () => {
      cluster = await Cluster.start(bins);
    }, 120_000);

    afterAll(async () => {
      const [api, cm] = cluster?.cpuSeconds() ?? [];
      await cluster?.stop();
      const s = Math.round((Date.now() - started) / 1000);
      const cpu = process.cpuUsage();
      process.stderr.write(
        `cluster.test: ${OPS.install} installs, ${OPS.upgrade} upgrades, ${OPS.rollback} rollbacks, ${OPS.uninstall} uninstalls against kube-apiserver ${KUBERNETES_RELEASE} in ${s} s ` +
          `(CPU: kube-apiserver ${api?.toFixed(0)} s, kube-controller-manager ${cm?.toFixed(0)} s, this test process ${((cpu.user + cpu.system) / 1e6).toFixed(0)} s)\n`,
      );
    });

    describe("without the Operator's CRDs", () => {
      // The README's quick start as written, on a cluster without the Operator (its own case): the
      // CRD check says so, the native install, status, the pods, uninstall; with Helm 4, then Helm 3.
      // Step 4 (`kubectl run --rm -i`, `kubectl logs`) needs a running Pod (no kubelet here):
      // test/quick-start.test.ts posts that span to the rendered gateway on loopback instead.
      test("the README's quick start, as written, with each Helm", async () => {
        const kubectl = (command: string) => runAsync(bins.kubectl!, argsOf(command), cluster.kubeconfig);
        const helm = (h: Helm, command: string) => runHelmAsync(h, argsOf(command), cluster.kubeconfig);
        const crdCheck = await kubectl(quickStartCommand('kubectl get crd '));
        expect({ code: crdCheck.code, stderr: crdCheck.stderr.trim() }).toEqual({
          code: 1,
          stderr: expect.stringContaining(
            'Error from server (NotFound): customresourcedefinitions.apiextensions.k8s.io "opentelemetrycollectors.opentelemetry.io" not found',
          ),
        });
        for (const h of HELMS) {
          const install = await helm(h, quickStartCommand('helm install '));
          OPS.install++;
          expect({ helm: h.name, code: install.code, stderr: install.stderr }).toEqual({ helm: h.name, code: 0, stderr: '' });
          expect(install.stdout).toContain('Gateway collector (recommended): gateway-collector.otel-system.svc.cluster.local:4317 (gRPC) or :4318 (HTTP)');
          expect(await settle(cluster, 'otel-system')).toEqual([]);
          const status = await helm(h, quickStartCommand('helm status '));
          expect(status.stdout).toMatch(/^STATUS: deployed$/m);
          expect(status.stdout).toContain('  console: debug');
          const pods = await kubectl(quickStartCommand('kubectl get pods '));
          expect(pods.code).toBe(0);
          // No kubelet: the Pods exist and stay Pending (the agent's on the one registered Node).
          const lines = pods.stdout.split('\n').slice(1).filter(Boolean);
          const workloads = ['agent-collector', 'gateway-collector', 'ollyscale-browser-collector'];
          expect(workloads.filter((w) => !lines.some((l) => l.startsWith(`${w}-`)))).toEqual([]);
          expect(lines.filter((l) => !workloads.some((w) => l.startsWith(`${w}-`)) || !/\sPending\s/.test(l))).toEqual([]);
          const uninstall = await helm(h, quickStartCommand('helm uninstall '));
          OPS.uninstall++;
          expect(uninstall.code).toBe(0);
          const left = async () => [...(await cluster.helmObjects('otel-system')), ...(await cluster.clusterObjectsOf('otel-system'))];
          await poll('the quick start uninstalled', 20_000, async () => (await left()).length === 0).catch(() => undefined);
          expect((await left()).map(describeObject)).toEqual([]);
        }
      });

      // The native runtime needs no Operator (the Instrumentation resource aside: it is the Operator's).
      const native = chartNames().map((chart) => ({
        helm: HELMS[0],
        chart,
        set: (chart === 'ollyscale-otel' ? { 'instrumentation.enabled': 'false' } : {}) as Record<string, string>,
      }));
      test.concurrent.each(
        native.map((n) => ({
          ...n,
          with: Object.entries(n.set)
            .map(([k, v]) => ` ${k}=${v}`)
            .join(''),
        })),
      )('$helm.name: $chart, native runtime$with: install, uninstall', async ({ helm, chart, set }) => {
        const s = scenarios(chart)[0];
        const r = spec(helm, s, 'native', namespaceFor('nocrd', helm.name, chart, 'native'), set);
        await cluster.createNamespace(r.namespace, 'restricted');
        const res = await lifecycle(cluster, r, false);
        fail(res.problems);
      });

      // What needs the Operator must fail with the chart's own message, not the API server's.
      const needsOperator = chartNames().flatMap((chart) => [
        { chart, runtime: 'operator' as Runtime, set: {} as Record<string, string>, what: 'defaults' },
        ...(chart === 'ollyscale-otel'
          ? [{ chart, runtime: 'native' as Runtime, set: { 'instrumentation.enabled': 'true' }, what: 'instrumentation.enabled' }]
          : []),
      ]);
      test.concurrent.each(needsOperator)("$chart ($what), $runtime runtime: fails with the chart's own message", async ({ chart, runtime, set }) => {
        const helm = HELMS[0];
        const r = spec(helm, scenarios(chart)[0], runtime, namespaceFor('nocrd', 'msg', chart, runtime), set);
        await cluster.createNamespace(r.namespace, 'restricted');
        const args = ['install', r.release, r.chartDir, '-n', r.namespace, ...Object.entries(r.set).flatMap(([k, v]) => ['--set', `${k}=${v}`])];
        const res = await runHelmAsync(helm, args, cluster.kubeconfig);
        await runHelmAsync(helm, ['uninstall', r.release, '-n', r.namespace], cluster.kubeconfig);
        expect({ installed: res.code === 0, message: res.stderr.trim() }).toEqual({ installed: false, message: expect.stringMatching(/Operator/) });
        // The API server's own refusal means the chart did not check first.
        expect(res.stderr).not.toMatch(/resource mapping not found|no matches for kind/);
      });
    });

    describe("with the Operator's CRDs", () => {
      // The cluster is thrown away afterwards: nothing here is deleted but what a test checks (the
      // namespaces stay; emptying each would be the namespace controller's work, checked by nobody).
      beforeAll(async () => {
        const crds = await cluster.applyFiles(REFERENCE_CRDS);
        const names = crds.map((c) => c.metadata.name);
        expect(names).toEqual(expect.arrayContaining(['opentelemetrycollectors.opentelemetry.io', 'instrumentations.opentelemetry.io']));
      }, 60_000);

      test("the quick start's prerequisite check finds the Operator's CRDs once they are there", async () => {
        const r = await runAsync(bins.kubectl!, argsOf(quickStartCommand('kubectl get crd ')), cluster.kubeconfig);
        expect(r.code).toBe(0);
        expect(r.stdout).toMatch(/^opentelemetrycollectors\.opentelemetry\.io\s.*\ninstrumentations\.opentelemetry\.io\s/m);
      });

      // jest starts a describe block's concurrent tests in the order they are declared (at most
      // maxConcurrency at a time): the longest first, so no long test is left running alone at the end.

      // Cluster-scoped objects carry the namespace in their names: the same release name in two
      // namespaces must not claim each other's objects, and uninstalling one leaves the other whole.
      test.concurrent.each(RUNTIMES)('two releases of the same name in two namespaces (%s runtime)', async (runtime) => {
        const helm = HELMS[0];
        const defaults = cases.filter((s) => s.name === 'defaults');
        const side = (x: string) => defaults.map((s) => spec(helm, s, runtime, namespaceFor('side', x, runtime, s.chart)));
        const [a, b] = [side('a'), side('b')];
        const problems: string[] = [];
        await Promise.all(
          [...a, ...b].map(async (r) => {
            await cluster.createNamespace(r.namespace, 'restricted');
            const res = await runHelmAsync(
              helm,
              ['install', r.release, r.chartDir, '-n', r.namespace, '--set', `collectorRuntime=${runtime}`],
              cluster.kubeconfig,
            );
            OPS.install++;
            if (res.code !== 0 || res.stderr.trim()) problems.push(`install ${r.release} in ${r.namespace}: ${res.stderr.trim()}`);
            else problems.push(...(await settle(cluster, r.namespace)));
          }),
        );
        fail(problems);
        // What B's releases made (but what controllers make and replace on their own).
        const ofB = async () =>
          (await Promise.all(b.map(async (r) => [...(await cluster.helmObjects(r.namespace)), ...(await cluster.clusterObjectsOf(r.namespace))])))
            .flat()
            .filter((o) => releaseOf(o))
            .map(describeObject)
            .sort();
        const before = await ofB();
        for (const r of a) {
          const res = await runHelmAsync(helm, ['uninstall', r.release, '-n', r.namespace], cluster.kubeconfig);
          OPS.uninstall++;
          if (res.code !== 0) problems.push(`uninstall ${r.release} in ${r.namespace}: ${res.stderr.trim()}`);
          const left = await cluster.clusterObjectsOf(r.namespace);
          if (left.length) problems.push(`uninstall in ${r.namespace} left ${left.map(describeObject).join(', ')}`);
        }
        expect(await ofB()).toEqual(before);
        for (const r of b) {
          await runHelmAsync(helm, ['uninstall', r.release, '-n', r.namespace], cluster.kubeconfig);
          OPS.uninstall++;
        }
        fail(problems);
      });

      // Both charts in one namespace: as composed with ollyscale-otel's own gateway disabled (the
      // otel-gateway chart takes its place), and beside its defaults with a gateway of another name
      // (both name their gateway `gateway` by default: the same Service names, which Helm refuses
      // to take from another release, as the next test shows).
      const together = RUNTIMES.flatMap((runtime) =>
        cases
          .filter((s) => s.chart === 'ollyscale-otel' && ['defaults', 'gateway-disabled'].includes(s.name))
          .map((s) => ({ runtime, s, with: s.name, gatewaySet: s.name === 'defaults' ? ['--set', 'name=edge'] : [] })),
      );
      test.concurrent.each(together)('both charts in one namespace (ollyscale-otel $with, $runtime runtime)', async ({ runtime, s, gatewaySet }) => {
        const helm = HELMS[0];
        const ns = namespaceFor('both', s.name, runtime);
        await cluster.createNamespace(ns, 'restricted');
        const problems: string[] = [];
        const releases = [s, cases.find((x) => x.chart === 'otel-gateway' && x.name === 'defaults')!];
        for (const x of releases) {
          const own = x.chart === 'otel-gateway' ? gatewaySet : [];
          const args = [
            'install',
            x.chart,
            x.chartDir,
            '-n',
            ns,
            '--set',
            `collectorRuntime=${runtime}`,
            ...own,
            ...(x.valuesFile ? ['-f', x.valuesFile] : []),
          ];
          const res = await runHelmAsync(helm, args, cluster.kubeconfig);
          OPS.install++;
          if (res.code !== 0 || res.stderr.trim()) problems.push(`install ${x.chart} (${x.name}) beside the other chart in ${ns}: ${res.stderr.trim()}`);
        }
        if (!problems.length) problems.push(...(await settle(cluster, ns)));
        for (const x of releases) {
          await runHelmAsync(helm, ['uninstall', x.chart, '-n', ns], cluster.kubeconfig);
          OPS.uninstall++;
        }
        fail(problems);
      });

      test.concurrent.each(RUNTIMES)(
        "both charts with their default gateway name in one namespace (%s runtime): the second is refused with the chart's message, changing nothing",
        async (runtime) => {
          const helm = HELMS[0];
          const ns = namespaceFor('both', 'same-name', runtime);
          await cluster.createNamespace(ns, 'restricted');
          const [oo, gw] = ['ollyscale-otel', 'otel-gateway'].map((chart) => cases.find((x) => x.chart === chart && x.name === 'defaults')!);
          const install = (x: Scenario) =>
            runHelmAsync(helm, ['install', x.chart, x.chartDir, '-n', ns, '--set', `collectorRuntime=${runtime}`], cluster.kubeconfig);
          const helmMade = async () => (await cluster.helmObjects(ns)).map((o) => `${describeObject(o)} of ${releaseOf(o)}`).sort();
          const first = await install(oo);
          const before = await helmMade();
          const second = await install(gw);
          OPS.install += 2;
          const after = await helmMade();
          await runHelmAsync(helm, ['uninstall', oo.chart, gw.chart, '-n', ns], cluster.kubeconfig);
          OPS.uninstall++;
          expect(first.code).toBe(0);
          const held = runtime === 'operator' ? 'OpenTelemetryCollector gateway' : 'Service gateway-collector';
          expect({ code: second.code, stderr: second.stderr.trim() }).toEqual({
            code: 1,
            stderr: expect.stringContaining(
              `name: "gateway" is taken in namespace "${ns}" by release "ollyscale-otel" (${held}): two releases cannot share a collector's objects; give this release's collector another name`,
            ),
          });
          expect(after).toEqual(before);
        },
      );

      // Each chart's previous release (its package, frozen in test/releases/) installed with the
      // values its scenarios had then, and upgraded to the current chart with the same values: in the
      // native runtime (Deployments, DaemonSets and their immutable selectors), and with defaults in
      // the Operator runtime too.
      const previous = (Object.keys(RELEASES) as (keyof typeof RELEASES)[]).flatMap((chart) => {
        const version = RELEASES[chart][RELEASES[chart].length - 2].version;
        const dir = path.join(RELEASES_DIR, chart, version);
        const valuesDir = path.join(dir, 'values');
        return fs
          .readdirSync(valuesDir)
          .map((f) => ({ chart, version, name: f.replace(/\.yaml$/, ''), valuesFile: path.join(valuesDir, f), pkg: path.join(dir, `${chart}-${version}.tgz`) }))
          .filter((x) => UPGRADED_FROM_PREVIOUS.has(x.name))
          .flatMap((x) => (x.name === 'defaults' ? RUNTIMES : (['native'] as Runtime[])).map((runtime) => ({ ...x, runtime })));
      });
      test.concurrent.each(previous)('helm4: $chart $version → current, $name, $runtime runtime: install, upgrade, uninstall', async (x) => {
        const s = cases.find((c) => c.chart === x.chart && c.name === x.name) ?? { ...cases.find((c) => c.chart === x.chart)!, name: x.name };
        const r = { ...spec(HELMS[0], { ...s, valuesFile: x.valuesFile }, x.runtime, namespaceFor('from', x.chart, x.name, x.runtime)), installFrom: x.pkg };
        await cluster.createNamespace(r.namespace, podSecurityLevel({ ...s, valuesFile: x.valuesFile }));
        const res = await lifecycle(cluster, r, false);
        fail(res.problems);
      });

      const matrix = HELMS.flatMap((helm) =>
        cases.flatMap((s) =>
          RUNTIMES.map((runtime) => {
            const id = `${s.chart}/${s.name}`;
            const full = FULL_LIFECYCLE.has(id) && (helm.name === 'helm4' || HELM3.has(`${id} ${runtime}`));
            return { helm, s, runtime, id, full, steps: full ? 'install, upgrade, upgrade again, rollback, uninstall' : 'install, uninstall' };
          }),
        ),
      ).sort((x, y) => Number(y.full) - Number(x.full));
      /** `Kind:component` made by each Helm 4 install, per runtime: by every install, and by the full lifecycles. */
      const made = { all: new Map<Runtime, Set<string>>(), full: new Map<Runtime, Set<string>>() };

      test.concurrent.each(matrix)('$helm.name: $id, $runtime runtime: $steps', async ({ helm, s, runtime, full }) => {
        const r = spec(helm, s, runtime, namespaceFor(helm.name, s.chart, s.name, runtime));
        await cluster.createNamespace(r.namespace, podSecurityLevel(s));
        const res = await lifecycle(cluster, r, full);
        if (helm.name === 'helm4')
          for (const k of res.kinds) {
            for (const m of full ? [made.all, made.full] : [made.all]) m.set(runtime, (m.get(runtime) ?? new Set()).add(k));
          }
        fail(res.problems);
      });

      // Runs after the concurrent tests above (jest runs a describe block's concurrent tests as one group where the first stands).
      test('the full lifecycles hold every kind of object of every component the Helm 4 installs made', () => {
        for (const runtime of RUNTIMES) {
          const missing = [...(made.all.get(runtime) ?? [])].filter((k) => !made.full.get(runtime)?.has(k));
          expect({ runtime, missing }).toEqual({ runtime, missing: [] });
        }
      });
    });
  });
}
