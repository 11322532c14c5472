// The node agent: a DaemonSet-mode collector on every node. Workloads send to it through the
// node-local Service; it adds Kubernetes metadata and forwards to the gateway.
import * as path from 'path';
import { Construct } from 'constructs';
import { cond, whenItem } from '../../emitter/refs';
import { v } from '../../values/model';
import { Collector, collectorEndpoints, collectorProps, profilesGate } from '../collector';
import { PolicyRule, RULES } from '../rbac';
import { ForwarderProps, forwarding } from '../gateway';

const preset = (description: string, def: boolean) => v.object(description, { enabled: v.boolean({ description: 'Enable this preset.', default: def }) });

const AGENT_CONSTANTS = {
  /** The kubelet's pod logs: <namespace>_<pod>_<uid>/<container>/<restart count>.log. */
  PODS_LOG_DIR: '/var/log/pods',
  /** On Docker (cri-dockerd) nodes the pod log files are links into this directory. */
  DOCKER_CONTAINERS_DIR: '/var/lib/docker/containers',
  /** The collector container's name in both runtimes (the Operator's, and native.ts's). */
  CONTAINER_NAME: 'otc-container',
  /** file_log checkpoints, in the container... */
  CHECKPOINT_DIR: '/var/lib/otelcol/checkpoints',
  /** ...and on the node (`<dir>/<namespace>-<name>`), so a restarted agent resumes where it stopped. */
  CHECKPOINT_HOST_DIR: '/var/lib/otelcol',
  /** The node's root filesystem, mounted read-only for host_metrics. */
  HOSTFS_DIR: '/hostfs',
};

/**
 * What each preset's component reads from the Kubernetes API with the configuration agent.tpl
 * gives it (collector 0.158), and nothing more. k8s_attributes: the shared RULES.kubernetesAttributes.
 */
const AGENT_RULES = {
  kubernetesAttributes: RULES.kubernetesAttributes,
  /** resource_detection's k8s_api detector gets its own Node (k8s.cluster.uid is turned off). */
  resourceDetection: [{ apiGroups: [''], resources: ['nodes'], verbs: ['get'] }],
  /** kubelet_stats reads the kubelet's /stats/summary (no extra_metadata_labels, no k8s_api_config). */
  kubeletMetrics: [{ apiGroups: [''], resources: ['nodes/stats'], verbs: ['get'] }],
} satisfies Record<string, PolicyRule[]>;

export const agentModel = v.object('The node agent collector (DaemonSet).', {
  enabled: v.boolean({ description: 'Deploy the agent collector on every node.', default: true }),
  ...collectorProps('agent collector', 'agent', { cpu: '100m', memory: '128Mi' }, { memory: '512Mi' }, [{ operator: 'Exists', effect: 'NoSchedule' }]),
  presets: v.object('Collection features of the agent.', {
    kubernetesAttributes: preset("`k8s_attributes` processor filtered to the agent's own node; RBAC: read pods (get, list, watch).", true),
    resourceDetection: preset("`resource_detection` processor (env, system, and the node's Kubernetes metadata); RBAC: get nodes.", true),
    logsCollection: preset(
      "`file_log` receiver on /var/log/pods (container parser, checkpoints on the node under /var/lib/otelcol, read-only mounts of /var/log/pods and /var/lib/docker/containers); the agent's own logs are excluded. Runs the agent as root (every capability still dropped, no privilege escalation, read-only root filesystem).",
      false,
    ),
    hostMetrics: preset('`host_metrics` receiver (cpu, memory, load, disk, filesystem, network) with the host filesystem mounted read-only.', false),
    kubeletMetrics: preset("`kubelet_stats` receiver on the node's kubelet; RBAC: get nodes/stats.", false),
  }),
});

export type AgentProps = ForwarderProps<typeof agentModel>;

export class AgentCollector extends Construct {
  readonly endpoints: ReturnType<typeof collectorEndpoints>;
  constructor(scope: Construct, id: string, p: AgentProps) {
    super(scope, id);
    const r = p.values;
    const c = p.ctx.chart;
    const collector = new Collector(this, 'collector', {
      templates: { files: [path.join(__dirname, 'agent.tpl')], constants: AGENT_CONSTANTS },
      ...p,
      ...forwarding(p),
      component: 'agent',
      mode: 'daemonset',
      file: 'agent.yaml',
      env: [
        // Always: the node k8s_attributes filters on and resource_detection describes, and the one
        // unconditional item the emitter needs in a list (it refuses a list of conditional items only).
        { name: 'K8S_NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
        whenItem(r.presets.kubeletMetrics.enabled, { name: 'K8S_NODE_IP', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } }),
      ],
      extraVolumes: c.include('agent.volumes', { values: r.$, part: 'volumes' }),
      extraVolumeMounts: c.include('agent.volumes', { values: r.$, part: 'volumeMounts' }),
      grants: [
        { feature: 'k8sattributes', rules: AGENT_RULES.kubernetesAttributes, when: cond.is(r.presets.kubernetesAttributes.enabled) },
        { feature: 'resourcedetection', rules: AGENT_RULES.resourceDetection, when: cond.is(r.presets.resourceDetection.enabled) },
        { feature: 'kubeletstats', rules: AGENT_RULES.kubeletMetrics, when: cond.is(r.presets.kubeletMetrics.enabled) },
      ],
      // Reading other pods' log files and writing checkpoints to a root-owned hostPath needs root.
      runsAsRoot: r.presets.logsCollection.enabled,
      featureGate: profilesGate(p.ctx),
    });
    this.endpoints = collector.endpoints;
  }
}
