// The collectors a render contains, as their pods would start them: configuration, feature gates
// and environment (with stand-ins for what only the kubelet knows).
import { parse } from 'yaml';

export interface RenderedCollector {
  /** The collector's name (`gateway`, `agent`, ...). */
  name: string;
  config: any;
  featureGates: string[];
  env: Record<string, string>;
  /** Secrets the pod mounts, and where (the config refers to their keys as files under mountPath). */
  secretMounts?: { mountPath: string; secret: string }[];
}

/** Secret volumes and where the container mounts them. */
function secretMounts(volumes: any[] | undefined, mounts: any[] | undefined): { mountPath: string; secret: string }[] {
  return (mounts ?? []).flatMap((m: any) => {
    const secret = (volumes ?? []).find((v: any) => v.name === m.name)?.secret?.secretName;
    return secret ? [{ mountPath: m.mountPath, secret }] : [];
  });
}

/** What the kubelet would resolve: pod fields, and Secret or ConfigMap keys the test cannot read. */
const FIELD_STAND_INS: Record<string, string> = {
  'spec.nodeName': 'node-1',
  'status.hostIP': '127.0.0.1',
  'status.podIP': '127.0.0.1',
  'metadata.name': 'pod-1',
  'metadata.namespace': 'otel-system',
};

function envValue(e: any): string {
  if (e.value !== undefined) return String(e.value);
  const from = e.valueFrom ?? {};
  if (from.fieldRef) return FIELD_STAND_INS[from.fieldRef.fieldPath] ?? 'field';
  if (from.secretKeyRef) return `secret-${from.secretKeyRef.name}-${from.secretKeyRef.key}`;
  if (from.configMapKeyRef) return `configmap-${from.configMapKeyRef.key}`;
  return '1';
}

/** Every pod gets the API server's address from the kubelet. */
const POD_ENV = { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' };

const podEnv = (env: any[] | undefined) => ({ ...POD_ENV, ...Object.fromEntries((env ?? []).map((e: any) => [e.name, envValue(e)])) });
const gatesOf = (gates: string) => (gates ? gates.split(',') : []);

function fromOperatorResource(doc: any): RenderedCollector {
  return {
    name: doc.metadata.name,
    config: doc.spec.config,
    featureGates: gatesOf(String(doc.spec.args?.['feature-gates'] ?? '')),
    env: podEnv(doc.spec.env),
    secretMounts: secretMounts(doc.spec.volumes, doc.spec.volumeMounts),
  };
}

/** A native-runtime workload: its container's flags and env, and the configuration in the ConfigMap it mounts. */
function fromWorkload(doc: any, docs: any[]): RenderedCollector {
  const pod = doc.spec.template.spec;
  const container = pod.containers.find((c: any) => c.name === 'otc-container');
  const file = /^--config=(.+)$/.exec(container.args.find((a: string) => a.startsWith('--config=')))![1];
  const mount = container.volumeMounts.find((m: any) => file.startsWith(`${m.mountPath}/`));
  const configMap = pod.volumes.find((v: any) => v.name === mount.name).configMap.name;
  const data = docs.find((d) => d.kind === 'ConfigMap' && d.metadata.name === configMap).data[file.slice(mount.mountPath.length + 1)];
  const gates = container.args.find((a: string) => a.startsWith('--feature-gates='))?.slice('--feature-gates='.length) ?? '';
  // The workload is `<name>-collector`, as the Operator names the one it creates for collector `<name>`.
  return {
    name: doc.metadata.name.replace(/-collector$/, ''),
    config: parse(data),
    featureGates: gatesOf(gates),
    env: podEnv(container.env),
    secretMounts: secretMounts(pod.volumes, container.volumeMounts),
  };
}

/** The collectors of a rendered chart, in either runtime. */
export function renderedCollectors(docs: any[]): RenderedCollector[] {
  const workloads = docs.filter(
    (d) => ['Deployment', 'DaemonSet', 'StatefulSet'].includes(d.kind) && d.spec.template.spec.containers.some((c: any) => c.name === 'otc-container'),
  );
  return [...docs.filter((d) => d.kind === 'OpenTelemetryCollector').map(fromOperatorResource), ...workloads.map((w) => fromWorkload(w, docs))];
}
