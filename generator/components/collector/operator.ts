// The Operator runtime: one OpenTelemetryCollector v1beta1; the Operator creates the workload
// (a StatefulSet with its claims while a persistent queue needs one), its ConfigMap, Services and
// (for Deployments and StatefulSets) a PodDisruptionBudget.
import { Construct } from 'constructs';
import { TemplatedObject } from '../../emitter/helm-chart';
import { Condition, choose, cond, optional, when } from '../../emitter/refs';
import { CollectorDescription, TERMINATION_GRACE_SECONDS, nameFree } from './description';

export class OperatorCollector extends Construct {
  constructor(scope: Construct, id: string, d: CollectorDescription, runs: Condition) {
    super(scope, id);
    const c = d.ctx.chart;
    const s = d.scaling;
    const p = d.persistence;
    const g = d.featureGate;
    new TemplatedObject(this, 'collector', {
      apiVersion: 'opentelemetry.io/v1beta1',
      kind: 'OpenTelemetryCollector',
      metadata: { ...d.ctx.meta(d.name.token, d.component), labels: c.include('labels', { component: d.component, extra: d.podLabels }) },
      when: runs,
      requiresServed: { message: 'collectorRuntime "operator" needs the OpenTelemetry Operator: install it first, or set collectorRuntime=native' },
      checks: [nameFree(d)],
      spec: {
        mode: p ? choose(p.when, 'statefulset', d.mode) : d.mode,
        ...(p && { volumeClaimTemplates: when(p.when, p.claims), persistentVolumeClaimRetentionPolicy: when(p.when, p.retention) }),
        ...(g && { args: when(g.when, { 'feature-gates': g.gate }) }),
        image: d.image,
        imagePullPolicy: d.imagePullPolicy,
        serviceAccount: d.serviceAccount,
        resources: d.resources,
        env: d.env,
        volumes: d.volumes,
        volumeMounts: d.volumeMounts,
        podAnnotations: d.podAnnotations,
        nodeSelector: optional(d.scheduling.nodeSelector),
        tolerations: optional(d.scheduling.tolerations),
        affinity: optional(d.scheduling.affinity),
        ...(d.scheduling.topologySpread && { topologySpreadConstraints: d.scheduling.topologySpread }),
        priorityClassName: d.scheduling.priorityClassName,
        config: c.include('collector.config', d.configArgs),
        terminationGracePeriodSeconds: TERMINATION_GRACE_SECONDS,
        podSecurityContext: d.security.pod,
        securityContext: d.security.container,
        ...(s && {
          replicas: s.autoscaling ? when(cond.not(s.autoscaling.enabled), s.replicas) : s.replicas,
          ...(s.autoscaling && {
            autoscaler: when(s.autoscaling.enabled, c.include('collector.autoscaler', { values: s.autoscaling.$, key: d.configArgs.key })),
          }),
          ...(s.disruptionBudget && {
            podDisruptionBudget: when(s.disruptionBudget.enabled, { maxUnavailable: s.disruptionBudget.maxUnavailable }),
          }),
        }),
      },
    });
  }
}
