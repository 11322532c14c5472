// The node agent: a DaemonSet-mode collector on every node. Workloads send to it through the
// node-local Service; it adds Kubernetes metadata and forwards to the gateway.
import * as path from 'path';
import { Construct } from 'constructs';
import { cond, whenItem } from '../../emitter/refs';
import { v } from '../../values/model';
import { Collector, collectorEndpoints, collectorProps } from '../collector';
import { RULES } from '../rbac';
import { ForwarderProps, forwarding } from '../gateway';

const preset = (description: string, def: boolean) => v.object(description, { enabled: v.boolean({ description: 'Enable this preset.', default: def }) });

const AGENT_CONSTANTS = {
  /** file_log checkpoints (a hostPath, so a restarted agent resumes where it stopped). */
  CHECKPOINT_DIR: '/var/lib/otelcol/checkpoints',
  /** The node's root filesystem, mounted read-only for host_metrics. */
  HOSTFS_DIR: '/hostfs',
};

export const agentModel = v.object('The node agent collector (DaemonSet).', {
  enabled: v.boolean({ description: 'Deploy the agent collector on every node.', default: true }),
  ...collectorProps('agent collector', 'agent', { cpu: '100m', memory: '128Mi' }, { memory: '512Mi' }, [{ operator: 'Exists', effect: 'NoSchedule' }]),
  presets: v.object('Collection features of the agent.', {
    kubernetesAttributes: preset("`k8s_attributes` processor filtered to the agent's own node, with read-only RBAC on pods, namespaces and replicasets.", true),
    resourceDetection: preset("`resource_detection` processor (env, system, and the node's Kubernetes metadata).", true),
    logsCollection: preset(
      "`file_log` receiver on /var/log/pods (container parser, checkpoints on the node, read-only host mounts); the agent's own logs are excluded. Runs the agent as root (every capability still dropped, no privilege escalation, read-only root filesystem).",
      false,
    ),
    hostMetrics: preset('`host_metrics` receiver (cpu, memory, load, disk, filesystem, network) with the host filesystem mounted read-only.', false),
    kubeletMetrics: preset("`kubelet_stats` receiver, with read access to the nodes' stats API.", false),
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
        { name: 'K8S_NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
        whenItem(r.presets.kubeletMetrics.enabled, { name: 'K8S_NODE_IP', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } }),
      ],
      extraVolumes: c.include('agent.volumes', { values: r.$, part: 'volumes' }),
      extraVolumeMounts: c.include('agent.volumes', { values: r.$, part: 'volumeMounts' }),
      grants: [
        { feature: 'k8sattributes', rules: RULES.kubernetesAttributes, when: cond.is(r.presets.kubernetesAttributes.enabled) },
        { feature: 'resourcedetection', rules: RULES.resourceDetection, when: cond.is(r.presets.resourceDetection.enabled) },
        { feature: 'kubeletstats', rules: RULES.kubeletMetrics, when: cond.is(r.presets.kubeletMetrics.enabled) },
      ],
      // Reading other pods' log files and writing checkpoints to a root-owned hostPath needs root.
      runsAsRoot: r.presets.logsCollection.enabled,
    });
    this.endpoints = collector.endpoints;
  }
}
