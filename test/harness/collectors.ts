// The collectors a render contains, as their pods would start them: configuration, feature gates
// and environment (with stand-ins for what only the kubelet knows).
export interface RenderedCollector {
  /** The collector's name (`gateway`, `agent`, ...). */
  name: string;
  config: any;
  featureGates: string[];
  env: Record<string, string>;
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

function fromOperatorResource(doc: any): RenderedCollector {
  const gates = String(doc.spec.args?.['feature-gates'] ?? '');
  return {
    name: doc.metadata.name,
    config: doc.spec.config,
    featureGates: gates ? gates.split(',') : [],
    env: { ...POD_ENV, ...Object.fromEntries((doc.spec.env ?? []).map((e: any) => [e.name, envValue(e)])) },
  };
}

/** The collectors of a rendered chart. */
export function renderedCollectors(docs: any[]): RenderedCollector[] {
  return docs.filter((d) => d.kind === 'OpenTelemetryCollector').map(fromOperatorResource);
}
