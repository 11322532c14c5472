// RBAC: the rules each feature needs, declared once, and the ServiceAccount/ClusterRole/Binding
// objects that grant them. Every ClusterRole is rendered only while its feature is on.
import { Construct } from 'constructs';
import { TemplatedObject } from '../emitter/helm-chart';
import { ChoiceRef, Condition, IncludeArg, choose, cond, release } from '../emitter/refs';
import { ChartContext } from './context';

export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

export const READ = ['get', 'list', 'watch'];

/** The minimum each shared feature's component reads with the configuration the chart gives it (collector 0.158); never Secrets. */
export const RULES = {
  /**
   * k8s_attributes (agent and gateway) watches pods. It reads no Namespace (no namespace labels or
   * annotations, no k8s.cluster.uid) and no ReplicaSet (k8s.deployment.name comes from the
   * ReplicaSet's name, not k8s.deployment.uid).
   */
  kubernetesAttributes: [{ apiGroups: [''], resources: ['pods'], verbs: READ }],
  /** OBI: decorates spans with pod, service, node and owner (Deployment via ReplicaSet) metadata. */
  obi: [
    { apiGroups: [''], resources: ['pods', 'services', 'nodes'], verbs: READ },
    { apiGroups: ['apps'], resources: ['replicasets'], verbs: READ },
  ],
} satisfies Record<string, PolicyRule[]>;

export interface ServiceAccountProps {
  ctx: ChartContext;
  component: string;
  /** Name suffix (after the full name), e.g. the component's `name` value. */
  suffix: IncludeArg;
  /** Feature grants: one ClusterRole and binding each, rendered while `when` holds. */
  grants?: { feature: string; rules: PolicyRule[]; when?: Condition }[];
}

/** Whether some grant is in force: always, never, or while one of their conditions holds. */
function readsApi(grants: { when?: Condition }[]): boolean | ChoiceRef {
  if (grants.length === 0) return false;
  if (grants.some((g) => !g.when)) return true;
  return choose(cond.or(...grants.map((g) => g.when!)), true, false);
}

/** A ServiceAccount and the cluster roles its component's features need. */
export class ServiceAccountWithRbac extends Construct {
  /** The ServiceAccount's name (a scalar template token). */
  readonly name: string;
  constructor(scope: Construct, id: string, p: ServiceAccountProps) {
    super(scope, id);
    const { ctx } = p;
    this.name = ctx.componentName(p.suffix);
    new TemplatedObject(this, 'sa', {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: ctx.meta(this.name, p.component),
      imagePullSecrets: ctx.top.global.imagePullSecrets,
      // A token in the pod only while a feature reads the API server (pods that say nothing follow their ServiceAccount).
      automountServiceAccountToken: readsApi(p.grants ?? []),
    });
    for (const g of p.grants ?? []) {
      const roleName = ctx.clusterScopedName(ctx.chart.includeScalar('join', { a: p.suffix, b: g.feature }));
      new TemplatedObject(this, `${g.feature}-role`, {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRole',
        metadata: ctx.meta(roleName, p.component, true),
        rules: g.rules,
        when: g.when,
      });
      new TemplatedObject(this, `${g.feature}-binding`, {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRoleBinding',
        metadata: ctx.meta(roleName, p.component, true),
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: roleName },
        subjects: [{ kind: 'ServiceAccount', name: this.name, namespace: release.namespace().token }],
        when: g.when,
      });
    }
  }
}
