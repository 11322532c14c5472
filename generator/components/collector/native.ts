// The native runtime: what the Operator would create, rendered by the chart itself under the same
// names: a ConfigMap, the DaemonSet or Deployment, the `<name>-collector`,
// `<name>-collector-headless` and `<name>-collector-extension` (health) Services, and for
// Deployments an HPA and a PodDisruptionBudget.
// What the Operator did for us is done here: container and Service ports from the receivers, probes
// on the health extension, a config checksum that rolls the pods, time to drain queues on shutdown.
import { Construct } from 'constructs';
import { TemplatedObject } from '../../emitter/helm-chart';
import { Condition, IncludeRef, choose, cond, optional, when, whenItem } from '../../emitter/refs';
import { CollectorDescription, Scaling, TERMINATION_GRACE_SECONDS, nameFree } from './description';
import { CONFIG_DIR, CONFIG_FILE, HEALTH_PORT_NAME, PORTS, collectorEndpoints } from './endpoints';

export class NativeCollector extends Construct {
  constructor(scope: Construct, id: string, d: CollectorDescription, runs: Condition) {
    super(scope, id);
    const c = d.ctx.chart;
    const names = collectorEndpoints(d.ctx, d.component, d.name);
    const name = names.service.token;
    const meta = (objName: string) => d.ctx.meta(objName, d.component);
    const selector = c.include('selectorLabels', { component: d.component });
    const health = { name: HEALTH_PORT_NAME, containerPort: PORTS.health, protocol: 'TCP' };

    new TemplatedObject(this, 'config', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: meta(name),
      when: runs,
      checks: [nameFree(d)],
      data: { [CONFIG_FILE]: c.includeScalar('native.configText', d.configArgs) },
    });

    const container = {
      name: 'otc-container',
      image: d.image,
      imagePullPolicy: d.imagePullPolicy,
      args: [`--config=${CONFIG_DIR}/${CONFIG_FILE}`, ...(d.featureGate ? [whenItem(d.featureGate.when, `--feature-gates=${d.featureGate.gate}`)] : [])],
      env: d.env,
      ports: [c.includeItems('native.ports', { ...d.configArgs, part: 'container' }), health],
      resources: d.resources,
      volumeMounts: c.include('native.volumes', { part: 'volumeMounts', inner: d.volumeMounts }),
      livenessProbe: { httpGet: { path: '/', port: HEALTH_PORT_NAME } },
      readinessProbe: { httpGet: { path: '/', port: HEALTH_PORT_NAME } },
      securityContext: d.security.container,
    };
    const pod = {
      metadata: {
        labels: c.include('labels', { component: d.component, extra: d.podLabels }),
        annotations: c.include('native.podAnnotations', d.configArgs),
      },
      spec: {
        serviceAccountName: d.serviceAccount,
        // Also on the ServiceAccount (all the Operator runtime has); explicit here, as on every pod the chart renders.
        imagePullSecrets: optional(d.ctx.top.global.imagePullSecrets),
        terminationGracePeriodSeconds: TERMINATION_GRACE_SECONDS,
        securityContext: d.security.pod,
        containers: [container],
        volumes: c.include('native.volumes', { part: 'volumes', inner: d.volumes, configMap: names.service }),
        nodeSelector: optional(d.scheduling.nodeSelector),
        tolerations: optional(d.scheduling.tolerations),
        affinity: optional(d.scheduling.affinity),
        ...(d.scheduling.topologySpread && { topologySpreadConstraints: d.scheduling.topologySpread }),
        priorityClassName: d.scheduling.priorityClassName,
      },
    };
    const s = d.scaling;
    const p = d.persistence;
    const replicas = s && { replicas: s.autoscaling ? when(cond.not(s.autoscaling.enabled), s.replicas) : s.replicas };
    new TemplatedObject(this, 'workload', {
      apiVersion: 'apps/v1',
      kind: d.mode === 'daemonset' ? 'DaemonSet' : 'Deployment',
      metadata: meta(name),
      when: p ? cond.and(runs, cond.not(p.when)) : runs,
      spec: {
        selector: { matchLabels: selector },
        template: pod,
        ...(d.mode === 'daemonset'
          ? { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } } }
          : {
              // A new pod is up before an old one goes: receivers never lose capacity during a rollout.
              strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
              ...replicas,
            }),
      },
    });
    // With a persistent queue: each replica keeps its own claim (and its queue) across restarts and moves.
    if (p)
      new TemplatedObject(this, 'statefulset', {
        apiVersion: 'apps/v1',
        kind: 'StatefulSet',
        metadata: meta(name),
        when: cond.and(runs, p.when),
        spec: {
          serviceName: names.headlessService.token,
          podManagementPolicy: 'Parallel',
          selector: { matchLabels: selector },
          template: pod,
          updateStrategy: { type: 'RollingUpdate' },
          ...replicas,
          volumeClaimTemplates: p.claims,
          persistentVolumeClaimRetentionPolicy: p.retention,
        },
      });

    if (d.services) this.services(d, runs, names, c.include('native.ports', { ...d.configArgs, part: 'service' }));
    // The health endpoint, as the Operator exposes it (for every collector, receiving or not): `helm test` checks it.
    new TemplatedObject(this, 'extension', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta(names.extensionService.token),
      when: runs,
      spec: { selector, ports: [{ name: HEALTH_PORT_NAME, port: PORTS.health, targetPort: PORTS.health, protocol: 'TCP' }] },
    });
    if (s) this.scaling(d, s, runs, name, selector);
  }

  private services(d: CollectorDescription, runs: Condition, names: ReturnType<typeof collectorEndpoints>, ports: IncludeRef) {
    const selector = d.ctx.chart.include('selectorLabels', { component: d.component });
    const meta = (objName: string) => d.ctx.meta(objName, d.component);
    const name = names.service.token;
    new TemplatedObject(this, 'service', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta(name),
      when: runs,
      spec: { selector, ports, ...(d.mode === 'daemonset' && { internalTrafficPolicy: 'Local' }) },
    });
    new TemplatedObject(this, 'headless', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta(names.headlessService.token),
      when: runs,
      spec: { clusterIP: 'None', selector, ports },
    });
  }

  private scaling(d: CollectorDescription, s: Scaling, runs: Condition, name: string, selector: unknown) {
    const a = s.autoscaling;
    if (a)
      new TemplatedObject(this, 'hpa', {
        apiVersion: 'autoscaling/v2',
        kind: 'HorizontalPodAutoscaler',
        metadata: d.ctx.meta(name, d.component),
        when: cond.and(runs, a.enabled),
        spec: {
          scaleTargetRef: { apiVersion: 'apps/v1', kind: d.persistence ? choose(d.persistence.when, 'StatefulSet', 'Deployment') : 'Deployment', name },
          minReplicas: a.minReplicas,
          maxReplicas: a.maxReplicas,
          metrics: d.ctx.chart.include('native.hpaMetrics', { values: a.$, key: d.configArgs.key }),
        },
      });
    // A budget only where more than one replica can run: with one, it would block every drain.
    const several = a ? cond.or(cond.and(a.enabled, cond.gt(a.maxReplicas, 1)), cond.and(cond.not(a.enabled), cond.gt(s.replicas, 1))) : cond.gt(s.replicas, 1);
    const b = s.disruptionBudget;
    new TemplatedObject(this, 'pdb', {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: d.ctx.meta(name, d.component),
      when: cond.and(runs, ...(b ? [b.enabled] : []), several),
      spec: { maxUnavailable: b ? b.maxUnavailable : 1, selector: { matchLabels: selector } },
    });
  }
}
