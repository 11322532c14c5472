// A collector described once, independent of how it runs: the Operator runtime turns it into an
// OpenTelemetryCollector resource (operator.ts), the native runtime into plain workloads (native.ts).
import { Condition, IncludeArg, IncludeRef, ValueRef } from '../../emitter/refs';
import { ChartContext } from '../context';

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
  /** The `name` value: the collector is `<name>`, its workload and Services `<name>-collector…`. */
  name: ValueRef;
  mode: 'deployment' | 'daemonset';
  /** The ServiceAccount's name (a scalar template token). */
  serviceAccount: string;
  image: string;
  imagePullPolicy: ValueRef;
  resources: ValueRef;
  podAnnotations: ValueRef;
  podLabels: ValueRef;
  scheduling: { nodeSelector: ValueRef; tolerations: ValueRef; affinity: ValueRef; priorityClassName: ValueRef };
  /** The container's security context (a block template), when the component sets one. */
  securityContext?: IncludeRef;
  /** The container's env: a template's list, or literal entries followed by one (`includeItems`). */
  env: IncludeRef | unknown[];
  volumes: IncludeRef;
  volumeMounts: IncludeRef;
  /** Arguments of `collector.config`, which prints the final configuration. */
  configArgs: Record<string, IncludeArg>;
  /** Deployment mode only. */
  scaling?: Scaling;
  /** When the whole collector is rendered (the component's `enabled`). */
  when?: Condition;
}
