{{/*
The agent's generated collector configuration: OTLP from the node's workloads (and, with the
presets, pod logs, host and kubelet metrics); Kubernetes and resource metadata; forwarded to the
gateway (traces by trace ID) or, without a gateway, to its destinations.
Args: root, values, key, gateway, gatewayKey.
*/}}
{{- define "CHART.agent.config" -}}
{{- $v := .values -}}
{{- $p := $v.presets -}}
{{- $limiter := include "CHART.memoryLimiter" $v -}}
{{- $resource := include "CHART.resourceAttributes" (dict "root" .root) -}}
{{- /* Every signal passes the same processors, in this order. */ -}}
{{- $chain := list -}}
{{- if $limiter }}{{ $chain = append $chain "memory_limiter" }}{{ end -}}
{{- if $p.kubernetesAttributes.enabled }}{{ $chain = append $chain "k8s_attributes" }}{{ end -}}
{{- if $p.resourceDetection.enabled }}{{ $chain = append $chain "resource_detection" }}{{ end -}}
{{- if $resource }}{{ $chain = append $chain "resource" }}{{ end -}}
{{- $chain = append $chain "batch" -}}
{{- $metrics := list "otlp" -}}
{{- if $p.hostMetrics.enabled }}{{ $metrics = append $metrics "host_metrics" }}{{ end -}}
{{- if $p.kubeletMetrics.enabled }}{{ $metrics = append $metrics "kubelet_stats" }}{{ end -}}
{{- $logs := list "otlp" -}}
{{- if $p.logsCollection.enabled }}{{ $logs = append $logs "file_log" }}{{ end -}}
{{- $out := include "CHART.forwardExporters" (dict "root" .root "gateway" .gateway "gatewayKey" .gatewayKey) | fromYaml -}}
{{- /* Profiles (with profiles.enabled) pass only the memory limiter: the other processors carry no profiles in this release. */ -}}
{{- $receivers := dict "traces" (list "otlp") "metrics" $metrics "logs" $logs "profiles" (list "otlp") -}}
{{- $chains := dict "traces" $chain "metrics" $chain "logs" $chain "profiles" (ternary (list "memory_limiter") list (not (empty $limiter))) -}}
{{- $names := ternary (list "traces" "metrics" "logs" "profiles") (list "traces" "metrics" "logs") (.root.Values.profiles.enabled | default false) -}}
{{- $pipelines := include "CHART.pipelines" (dict "receivers" $receivers "processors" $chains "signals" $out.signals "names" $names) | fromYaml -}}
{{- if not $pipelines }}{{ fail (printf "%sdestinations: no enabled destination; %s" .gatewayKey (ternary "the gateway needs at least one" "with the gateway disabled the agent exports to the gateway's destinations" .gateway.enabled)) }}{{ end -}}
receivers:
  otlp: {{- include "CHART.otlpReceiver" (dict "grpc" true) | nindent 4 }}
  {{- if $p.logsCollection.enabled }}
  file_log:
    # <namespace>_<pod>_<uid>/<container>/<restart count>.log, and the kubelet's latest rotated file
    # (<n>.log.<yyyymmdd-hhmmss>; older ones are gzipped): lines written before a rotation that
    # happened while the agent was down are read from there, once (it keeps its file's checkpoint).
    include:
      - "@PODS_LOG_DIR@/*/*/*.log"
      - "@PODS_LOG_DIR@/*/*/*.log.????????-??????"
    # The agent's own container: its pods are the DaemonSet's, <workload>-<5 characters>, in the release namespace.
    exclude:
      - {{ printf "@PODS_LOG_DIR@/%s_%s-?????_*/@CONTAINER_NAME@/*" .root.Release.Namespace (include "CHART.agent.service" .root) | quote }}
    start_at: end
    include_file_path: true
    include_file_name: false
    # A line the kubelet splits (P parts, 16 KiB each) may end a part with a space, which the default trim would drop.
    preserve_trailing_whitespaces: true
    # A refused batch (memory_limiter) is retried rather than skipped: its lines are past the checkpoint.
    retry_on_failure:
      enabled: true
    operators:
      - type: container
        id: container-parser
    storage: file_storage/checkpoints
  {{- end }}
  {{- if $p.hostMetrics.enabled }}
  host_metrics:
    collection_interval: 30s
    root_path: "@HOSTFS_DIR@"
    scrapers:
      cpu: {}
      memory: {}
      load: {}
      disk: {}
      filesystem: {}
      network: {}
  {{- end }}
  {{- if $p.kubeletMetrics.enabled }}
  kubelet_stats:
    collection_interval: 30s
    auth_type: serviceAccount
    endpoint: "https://${env:K8S_NODE_IP}:10250"
    insecure_skip_verify: true
  {{- end }}
processors:
  {{- with $limiter }}{{ nindent 2 . }}{{ end }}
  {{- if $p.kubernetesAttributes.enabled }}
  k8s_attributes:
    passthrough: false
    filter:
      node_from_env_var: K8S_NODE_NAME
    extract:
      metadata:
        - k8s.namespace.name
        - k8s.pod.name
        - k8s.pod.uid
        - k8s.pod.start_time
        - k8s.deployment.name
        - k8s.statefulset.name
        - k8s.daemonset.name
        - k8s.cronjob.name
        - k8s.job.name
        - k8s.node.name
        - container.image.name
        - container.image.tag
    pod_association:
      - sources:
          - from: resource_attribute
            name: k8s.pod.ip
      - sources:
          - from: resource_attribute
            name: k8s.pod.uid
      - sources:
          - from: connection
  {{- end }}
  {{- if $p.resourceDetection.enabled }}
  resource_detection:
    detectors: [env, system, k8s_api]
    timeout: 5s
    override: false
    k8s_api:
      node_from_env_var: K8S_NODE_NAME
      # Node metadata only: the cluster UID would need read access to the kube-system Namespace.
      resource_attributes:
        k8s.cluster.uid:
          enabled: false
  {{- end }}
  {{- with $resource }}
  resource: {{- nindent 4 . }}
  {{- end }}
  batch: {}
exporters: {{- toYaml $out.exporters | nindent 2 }}
extensions:
  {{- if $p.logsCollection.enabled }}
  file_storage/checkpoints:
    directory: "@CHECKPOINT_DIR@"
    create_directory: true
  {{- else }} {}
  {{- end }}
service:
  extensions: {{ if $p.logsCollection.enabled }}[file_storage/checkpoints]{{ else }}[]{{ end }}
  pipelines: {{- toYaml $pipelines | nindent 4 }}
{{- end -}}

{{/* Volumes or mounts of the agent's presets. Args: values, part. */}}
{{- define "CHART.agent.volumes" -}}
{{- $p := .values.presets -}}
{{- $vols := list -}}
{{- $mounts := list -}}
{{- if $p.logsCollection.enabled -}}
{{- $vols = append $vols (dict "name" "varlogpods" "hostPath" (dict "path" "@PODS_LOG_DIR@")) -}}
{{- $mounts = append $mounts (dict "name" "varlogpods" "mountPath" "@PODS_LOG_DIR@" "readOnly" true) -}}
{{- /* Where Docker (cri-dockerd) nodes keep the files /var/log/pods links to. */ -}}
{{- $vols = append $vols (dict "name" "varlibdockercontainers" "hostPath" (dict "path" "@DOCKER_CONTAINERS_DIR@")) -}}
{{- $mounts = append $mounts (dict "name" "varlibdockercontainers" "mountPath" "@DOCKER_CONTAINERS_DIR@" "readOnly" true) -}}
{{- /* On the node, so a restarted or upgraded agent resumes where it stopped; one per release namespace and agent. */ -}}
{{- $vols = append $vols (dict "name" "checkpoints" "hostPath" (dict "path" (printf "@CHECKPOINT_HOST_DIR@/%s-%s" .root.Release.Namespace .values.name) "type" "DirectoryOrCreate")) -}}
{{- $mounts = append $mounts (dict "name" "checkpoints" "mountPath" "@CHECKPOINT_DIR@") -}}
{{- end -}}
{{- if $p.hostMetrics.enabled -}}
{{- $vols = append $vols (dict "name" "hostfs" "hostPath" (dict "path" "/")) -}}
{{- $mounts = append $mounts (dict "name" "hostfs" "mountPath" "@HOSTFS_DIR@" "readOnly" true "mountPropagation" "HostToContainer") -}}
{{- end -}}
{{- toYaml (ternary $vols $mounts (eq .part "volumes")) -}}
{{- end -}}
