// Every collector pod of every scenario, in both runtimes, passes the checks of Pod Security
// "restricted" (and the host-namespace checks of "baseline"), except where a documented preset needs
// an exception; the exceptions are listed here, and each must still be needed.
import { HELMS, helmTemplate, parseManifests } from './harness/helm';
import { RUNTIMES, chartNames, scenarios } from './harness/scenarios';

const COLLECTORS = ['agent', 'gateway', 'browser', 'kafka-consumer'];

type Check = 'runAsNonRoot' | 'allowPrivilegeEscalation' | 'capabilities' | 'seccompProfile' | 'hostPath' | 'hostNamespaces' | 'privileged';

/**
 * Exceptions: scenario (`<chart>/<scenario>`), collector, the checks it fails and why.
 * node-telemetry: `presets.logsCollection` runs the agent as root (reading /var/log/pods and writing
 * checkpoints to a root-owned hostPath; see collectorSecurity) and mounts /var/log/pods and the
 * checkpoint dir as hostPaths; `presets.hostMetrics` mounts the node's `/` read-only.
 */
const EXCEPTIONS: { scenario: string; collector: string; checks: Check[] }[] = [
  { scenario: 'ollyscale-otel/node-telemetry', collector: 'agent', checks: ['runAsNonRoot', 'hostPath'] },
];

interface Pod {
  spec: any;
  container: any;
  podSecurity: any;
}

/** The collector pods of a render: the Operator's CR (pod fields on its spec) or the native workload. */
function collectorPods(docs: any[]): Map<string, Pod> {
  const pods = new Map<string, Pod>();
  for (const d of docs) {
    const component = d.metadata?.labels?.['app.kubernetes.io/component'];
    if (!COLLECTORS.includes(component)) continue;
    if (d.kind === 'OpenTelemetryCollector')
      pods.set(component, { spec: d.spec, container: d.spec.securityContext ?? {}, podSecurity: d.spec.podSecurityContext ?? {} });
    if (['Deployment', 'DaemonSet', 'StatefulSet'].includes(d.kind)) {
      const spec = d.spec.template.spec;
      expect(spec.containers).toHaveLength(1);
      expect(spec.initContainers).toBeUndefined();
      pods.set(component, { spec, container: spec.containers[0].securityContext ?? {}, podSecurity: spec.securityContext ?? {} });
    }
  }
  return pods;
}

function failedChecks(p: Pod): Check[] {
  const c = p.container;
  const out: Check[] = [];
  const nonRoot = c.runAsNonRoot ?? p.podSecurity.runAsNonRoot;
  const user = c.runAsUser ?? p.podSecurity.runAsUser;
  if (nonRoot !== true || user === 0) out.push('runAsNonRoot');
  if (c.allowPrivilegeEscalation !== false) out.push('allowPrivilegeEscalation');
  if (!(c.capabilities?.drop ?? []).includes('ALL') || (c.capabilities?.add ?? []).length > 0) out.push('capabilities');
  if (!['RuntimeDefault', 'Localhost'].includes((c.seccompProfile ?? p.podSecurity.seccompProfile)?.type)) out.push('seccompProfile');
  if ((p.spec.volumes ?? []).some((v: any) => v.hostPath)) out.push('hostPath');
  if (p.spec.hostNetwork || p.spec.hostPID || p.spec.hostIPC) out.push('hostNamespaces');
  if (c.privileged) out.push('privileged');
  return out;
}

const cases = chartNames().flatMap((chart) => scenarios(chart).flatMap((s) => RUNTIMES.map((runtime) => ({ id: `${chart}/${s.name}`, s, runtime }))));

describe.each(cases)('$id ($runtime)', ({ id, s, runtime }) => {
  test('every collector pod passes the restricted checks, listed exceptions aside', () => {
    const r = helmTemplate(HELMS[0], s.chartDir, {
      valuesFiles: s.valuesFile ? [s.valuesFile] : [],
      namespace: s.namespace,
      set: { collectorRuntime: runtime },
    });
    expect(r.stderr).toBe('');
    const pods = collectorPods(parseManifests(r.stdout));
    expect(pods.size).toBeGreaterThan(0);
    const got = [...pods].map(([collector, p]) => ({ collector, failed: failedChecks(p) }));
    const want = [...pods.keys()].map((collector) => ({
      collector,
      failed: EXCEPTIONS.find((e) => e.scenario === id && e.collector === collector)?.checks ?? [],
    }));
    expect(got).toEqual(want);
  });
});

test('every exception names a scenario that exists', () => {
  const ids = new Set(cases.map((c) => c.id));
  for (const e of EXCEPTIONS) expect({ scenario: e.scenario, exists: ids.has(e.scenario) }).toEqual({ scenario: e.scenario, exists: true });
});
