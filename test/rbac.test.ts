// RBAC of every scenario, in both runtimes: no rule reaches Secrets or uses a wildcard, every role
// is bound to a ServiceAccount the chart renders and that a pod of the chart runs as, and a
// ServiceAccount mounts its token exactly when a role is bound to it.
import { HELMS, helmTemplate, parseManifests } from './harness/helm';
import { RUNTIMES, chartNames, scenarios } from './harness/scenarios';

const cases = chartNames().flatMap((chart) =>
  scenarios(chart).flatMap((s) => RUNTIMES.map((runtime) => ({ id: `${s.chart}/${s.name} (${runtime})`, s, runtime }))),
);

/** The ServiceAccount names the chart's pods run as: the Operator's CR field or the pod spec. */
function podServiceAccounts(docs: any[]): Set<string> {
  const out = new Set<string>();
  for (const d of docs) {
    if (d.kind === 'OpenTelemetryCollector') out.add(d.spec.serviceAccount);
    const pod = d.spec?.template?.spec;
    if (pod?.serviceAccountName) out.add(pod.serviceAccountName);
  }
  return out;
}

describe.each(cases)('$id', ({ s, runtime }) => {
  const r = helmTemplate(HELMS[0], s.chartDir, { namespace: s.namespace, valuesFiles: s.valuesFile ? [s.valuesFile] : [], set: { collectorRuntime: runtime } });
  const docs = r.code === 0 ? parseManifests(r.stdout) : [];

  test('no rule reaches Secrets or uses a wildcard', () => {
    expect(r.stderr).toBe('');
    const rules = docs
      .filter((d) => d.kind === 'ClusterRole' || d.kind === 'Role')
      .flatMap((d) => d.rules.map((rule: any) => ({ role: d.metadata.name, ...rule })));
    const bad = rules.filter((rule) => [...rule.apiGroups, ...rule.resources, ...rule.verbs].includes('*') || rule.resources.includes('secrets'));
    expect(bad).toEqual([]);
  });

  test('every role is bound to a ServiceAccount a pod runs as; tokens are mounted exactly where a role is bound', () => {
    const accounts = new Map(docs.filter((d) => d.kind === 'ServiceAccount').map((d) => [d.metadata.name, d]));
    const used = podServiceAccounts(docs);
    const bound = new Set<string>();
    const roles = new Set(docs.filter((d) => d.kind === 'ClusterRole').map((d) => d.metadata.name));
    for (const b of docs.filter((d) => d.kind === 'ClusterRoleBinding')) {
      expect([b.metadata.name, roles.has(b.roleRef.name)]).toEqual([b.metadata.name, true]);
      for (const subject of b.subjects) {
        expect([b.metadata.name, subject.namespace, accounts.has(subject.name), used.has(subject.name)]).toEqual([b.metadata.name, s.namespace, true, true]);
        bound.add(subject.name);
      }
    }
    const unbound = [...roles].filter((role) => !docs.some((d) => d.kind === 'ClusterRoleBinding' && d.roleRef.name === role));
    expect(unbound).toEqual([]);
    const tokens = [...accounts.values()].map((a) => [a.metadata.name, a.automountServiceAccountToken]);
    expect(tokens).toEqual([...accounts.keys()].map((name) => [name, bound.has(name)]));
  });
});
