// A collector described once, independent of how it runs: the Operator runtime turns it into an
// OpenTelemetryCollector resource (operator.ts), the native runtime into plain workloads (native.ts).
import { ChoiceRef, Condition, IncludeArg, IncludeRef, ValueRef, choose } from '../../emitter/refs';
import { ChartContext } from '../context';
import { collectorEndpoints } from './endpoints';

/** Replicas, autoscaling and disruption budget of a Deployment-mode collector. */
export interface Scaling {
  replicas: ValueRef;
  /** `autoscaling` values: enabled, minReplicas, maxReplicas, target…Percentage. */
  autoscaling?: { enabled: ValueRef; minReplicas: ValueRef; maxReplicas: ValueRef; $: ValueRef };
  /** `podDisruptionBudget` values: enabled, maxUnavailable; without them the Operator's default (maxUnavailable 1). */
  disruptionBudget?: { enabled: ValueRef; maxUnavailable: ValueRef; $: ValueRef };
}

export interface CollectorDescription {
  ctx: ChartContext;
  /** `agent`, `gateway`, `browser`: labels, names of helper templates. */
  component: string;
  /** The `name` value (or a name made from it): the collector is `<name>`, its workload and Services `<name>-collector…`. */
  name: ValueRef | IncludeRef;
  mode: 'deployment' | 'daemonset';
  /** The ServiceAccount's name (a scalar template token). */
  serviceAccount: string;
  image: string;
  imagePullPolicy: ValueRef;
  resources: ValueRef;
  podAnnotations: ValueRef;
  podLabels: ValueRef;
  scheduling: { nodeSelector: ValueRef; tolerations: ValueRef; affinity: ValueRef; priorityClassName: ValueRef; topologySpread?: IncludeRef };
  /** Pod and container security contexts (`collectorSecurity`). */
  security: CollectorSecurity;
  /** The container's env: a template's list, or literal entries followed by one (`includeItems`). */
  env: IncludeRef | unknown[];
  volumes: IncludeRef;
  volumeMounts: IncludeRef;
  /** Arguments of `collector.config`, which prints the final configuration. */
  configArgs: Record<string, IncludeArg>;
  /** Deployment mode only. */
  scaling?: Scaling;
  /** Whether it has Services (the native runtime renders them; the Operator makes them from the receivers' ports). */
  services: boolean;
  /** Deployment mode only: while `when` holds, a StatefulSet with one claim per replica (`claims`: a YAML list of volumeClaimTemplates). */
  persistence?: Persistence;
  /** A feature gate passed as `--feature-gates` while its condition holds. */
  featureGate?: { gate: string; when: Condition };
}

export interface Persistence {
  when: Condition;
  claims: IncludeRef;
  /** The StatefulSet's persistentVolumeClaimRetentionPolicy. */
  retention: { whenDeleted: ChoiceRef | string; whenScaled: string };
}

/** The check that no other release holds a collector of this name in the namespace (collector.tpl). */
export function nameFree(d: CollectorDescription): IncludeRef {
  const service = collectorEndpoints(d.ctx, d.component, d.name).service;
  return d.ctx.chart.include('collector.nameFree', { name: d.name, service, key: d.configArgs.key });
}

/** Long enough for the exporters' sending queues to drain after SIGTERM (Kubernetes' default is 30 s), in both runtimes. */
export const TERMINATION_GRACE_SECONDS = 60;

/** The contrib image's user and group (its Dockerfile: `USER 10001:10001`). */
export const COLLECTOR_UID = 10001;

export interface CollectorSecurity {
  /** The pod's securityContext (the Operator's `spec.podSecurityContext`). */
  pod: Record<string, unknown>;
  /** The container's securityContext (the Operator's `spec.securityContext`). */
  container: Record<string, unknown>;
}

/**
 * Pod Security "restricted" for a collector: non-root as the image's user, no privilege escalation,
 * a read-only root filesystem (a collector writes nothing by default; the agent's checkpoints are on
 * a hostPath mount), every capability dropped, the runtime's default seccomp profile.
 *
 * `root`: while it holds the container runs as root (the agent's `logsCollection`: reading other
 * pods' log files under /var/log/pods and writing its checkpoints to a root-owned hostPath). The
 * upstream opentelemetry-collector chart sets only `runAsUser: 0, runAsGroup: 0` there (for
 * `logsCollection.storeCheckpoints`, which this agent always does) and keeps the runtime's default
 * capabilities. Here root still drops ALL and adds none back: the kubelet and the CRI runtimes write
 * /var/log/pods as root (directories 0755, log files 0640), so uid 0 reads them and writes the
 * DirectoryOrCreate checkpoint dir (root 0755) as their owner, with no CAP_DAC_OVERRIDE or
 * CAP_DAC_READ_SEARCH. DAC_READ_SEARCH (read and traverse whatever the owner and mode, never write)
 * is the one to add if a node's runtime writes logs under another owner. The rest holds as for
 * every collector: no privilege escalation, read-only root filesystem, RuntimeDefault seccomp.
 */
export function collectorSecurity(root?: Condition | ValueRef): CollectorSecurity {
  const seccompProfile = { type: 'RuntimeDefault' };
  if (!root)
    return {
      // fsGroup: volumes the collector writes (a persistent queue's claim) are its group's.
      pod: { runAsNonRoot: true, runAsUser: COLLECTOR_UID, runAsGroup: COLLECTOR_UID, fsGroup: COLLECTOR_UID, seccompProfile },
      container: {
        runAsNonRoot: true,
        runAsUser: COLLECTOR_UID,
        runAsGroup: COLLECTOR_UID,
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ['ALL'] },
        seccompProfile,
      },
    };
  const user = choose(root, 0, COLLECTOR_UID);
  return {
    pod: { runAsNonRoot: choose(root, false, true), runAsUser: user, runAsGroup: user, seccompProfile },
    container: {
      runAsNonRoot: choose(root, false, true),
      runAsUser: user,
      runAsGroup: user,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile,
    },
  };
}
