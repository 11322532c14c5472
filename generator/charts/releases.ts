// The versions of each chart, oldest first, with what changed in each: the chart's `version` is the
// last entry's, its CHANGELOG.md is written from the list, and schemas/<chart>/<version>/ keeps the
// values schema of every version listed. Before 1.0, a change that breaks existing values (the
// compatibility check, test/compatibility.test.ts, says which) needs a new minor version.

export interface Release {
  version: string;
  /** What changed for users, one line each. */
  changes: string[];
}

export const RELEASES: Record<'ollyscale-otel' | 'otel-gateway', Release[]> = {
  'ollyscale-otel': [
    {
      version: '0.2.0',
      changes: [
        'Replaces the original 0.1.0 chart, whose values files still install.',
        'Generated from a TypeScript model: values.schema.json refuses bad values naming the key.',
        'collectorRuntime: native runs the collectors without the OpenTelemetry Operator.',
        'Collector 0.158.0 (contrib image), canonical component names; GOMEMLIMIT and memory_limiter from the memory limit.',
        'Tail sampling with the default policies; agent and browser load-balance traces by trace ID to the gateway.',
        'Pod Security restricted for every collector; extraProcessors; env as a map or a list.',
      ],
    },
    {
      version: '0.3.0',
      changes: [
        'Destinations: type kafka; sendingQueue.persistent (file_storage on a claim per replica, the gateway a StatefulSet); gatewayCollector.persistence.',
        'gatewayCollector.receivers: TLS and mTLS from a kubernetes.io/tls Secret, bearer-token auth; the agent and browser collectors present them.',
        'gatewayCollector.tenancy: the routing connector sends each tenant to its own destinations.',
        'gatewayCollector.kafka: a Kafka buffer and the <gateway>-kafka-consumer collector.',
        'profiles.enabled: profiles pipelines with the service.profilesSupport feature gate.',
        'networkPolicy on every collector; gateway replicas spread over nodes; ServiceAccount tokens only where a component reads the API server; 60 s to drain on shutdown.',
        'ebpfAgent.engine telegen configured through its real config file.',
        'Agent presets: rotated pod logs, exact RBAC (k8s_attributes reads pods only; kubelet_stats nodes/stats only).',
        'NOTES.txt: tenants, Kafka, receiver security, claims left on uninstall, env given as a list.',
        "helm test: checks every collector's health endpoint (native runtime: a <name>-collector-extension Service, as the Operator creates) and posts a span, a metric and a log.",
        'Pods carry ollyscale.io/release and ollyscale.io/component, which NetworkPolicies and spread constraints select: the Operator replaces app.kubernetes.io/instance and /component on the pods it makes.',
        'Stops with its own message where the cluster lacks a CRD (Operator runtime, Instrumentation, HTTPRoute) or another release holds a collector of the same name in the namespace; gatewayCollector.persistence.retainClaims.',
      ],
    },
  ],
  'otel-gateway': [
    {
      version: '0.1.0',
      changes: [
        'The gateway tier alone: its values are the gatewayCollector block of ollyscale-otel.',
        'collectorRuntime: native runs it without the OpenTelemetry Operator.',
      ],
    },
    {
      version: '0.2.0',
      changes: [
        'enabled and the same global keys as ollyscale-otel at the root, so a gatewayCollector block moves whole.',
        'Destinations: type kafka; sendingQueue.persistent (StatefulSet with a claim per replica); persistence.',
        'receivers: TLS, mTLS and bearer-token auth; tenancy with the routing connector; a Kafka buffer with its consumer collector; profiles.',
        'networkPolicy; replicas spread over nodes; ServiceAccount token only with k8s_attributes; 60 s to drain on shutdown.',
        'helm test: checks the health endpoints (native runtime: <name>-collector-extension Services) and posts a span, a metric and a log.',
        'Pods carry ollyscale.io/release and ollyscale.io/component, which NetworkPolicies and spread constraints select (the Operator replaces app.kubernetes.io/instance and /component on its pods).',
        'Stops with its own message where the cluster lacks the Operator or another release holds a collector of the same name; persistence.retainClaims.',
      ],
    },
  ],
};

/** The chart's version: its last release. */
export const currentVersion = (chart: keyof typeof RELEASES) => RELEASES[chart][RELEASES[chart].length - 1].version;

/** CHANGELOG.md of a chart, newest first. */
export function changelog(chart: keyof typeof RELEASES): string {
  const sections = [...RELEASES[chart]].reverse().map((r) => `## ${r.version}\n\n${r.changes.map((c) => `- ${c}`).join('\n')}\n`);
  return `# Changelog of ${chart}\n\nGenerated from generator/charts/releases.ts (do not edit).\n\n${sections.join('\n')}`;
}

/** What changed in the chart's current version. */
export const currentChanges = (chart: keyof typeof RELEASES) => RELEASES[chart][RELEASES[chart].length - 1].changes;
