{{/*
The agent's generated collector configuration: OTLP from the node's workloads (and, with the
presets, pod logs, host and kubelet metrics); Kubernetes and resource metadata; forwarded to the
gateway (traces by trace ID) or, without a gateway, to its destinations.
Args: root, values, key, gateway, gatewayKey.
*/}}
{{- define "CHART.agent.config" -}}
{{- $v := .values -}}
{{- $p := $v.presets -}}
{{- $processors := include "CHART.memoryLimiter" $v | fromYaml | default dict -}}
{{- $chain := keys $processors -}}
{{- if $p.kubernetesAttributes.enabled -}}
{{- $_ := set $processors "k8s_attributes" (dict "passthrough" false "filter" (dict "node_from_env_var" "K8S_NODE_NAME") "extract" (dict "metadata" (list "k8s.namespace.name" "k8s.pod.name" "k8s.pod.uid" "k8s.pod.start_time" "k8s.deployment.name" "k8s.statefulset.name" "k8s.daemonset.name" "k8s.cronjob.name" "k8s.job.name" "k8s.node.name" "container.image.name" "container.image.tag")) "pod_association" (list (dict "sources" (list (dict "from" "resource_attribute" "name" "k8s.pod.ip"))) (dict "sources" (list (dict "from" "resource_attribute" "name" "k8s.pod.uid"))) (dict "sources" (list (dict "from" "connection"))))) -}}
{{- $chain = append $chain "k8s_attributes" -}}
{{- end -}}
{{- if $p.resourceDetection.enabled -}}
{{- $_ := set $processors "resource_detection" (dict "detectors" (list "env" "system" "k8s_api") "timeout" "5s" "override" false "k8s_api" (dict "node_from_env_var" "K8S_NODE_NAME")) -}}
{{- $chain = append $chain "resource_detection" -}}
{{- end -}}
{{- with include "CHART.resourceAttributes" (dict "root" .root) | fromYaml -}}
{{- $_ := set $processors "resource" . -}}
{{- $chain = append $chain "resource" -}}
{{- end -}}
{{- $_ := set $processors "batch" dict -}}
{{- $chain = append $chain "batch" -}}
{{- $receivers := dict "otlp" (include "CHART.otlpReceiver" (dict "grpc" true) | fromYaml) -}}
{{- $signalReceivers := dict "traces" (list "otlp") "metrics" (list "otlp") "logs" (list "otlp") -}}
{{- $extensions := dict -}}
{{- if $p.logsCollection.enabled -}}
{{- $self := printf "/var/log/pods/%s_%s-collector-*/*/*.log" .root.Release.Namespace $v.name -}}
{{- $_ := set $receivers "file_log" (dict "include" (list "/var/log/pods/*/*/*.log") "exclude" (list $self) "start_at" "end" "include_file_path" true "include_file_name" false "operators" (list (dict "type" "container" "id" "container-parser")) "storage" "file_storage/checkpoints") -}}
{{- $_ := set $extensions "file_storage/checkpoints" (dict "directory" "@CHECKPOINT_DIR@" "create_directory" true) -}}
{{- $_ := set $signalReceivers "logs" (list "otlp" "file_log") -}}
{{- end -}}
{{- if $p.hostMetrics.enabled -}}
{{- $_ := set $receivers "host_metrics" (dict "collection_interval" "30s" "root_path" "@HOSTFS_DIR@" "scrapers" (dict "cpu" dict "memory" dict "load" dict "disk" dict "filesystem" dict "network" dict)) -}}
{{- $_ := set $signalReceivers "metrics" (append $signalReceivers.metrics "host_metrics") -}}
{{- end -}}
{{- if $p.kubeletMetrics.enabled -}}
{{- $_ := set $receivers "kubelet_stats" (dict "collection_interval" "30s" "auth_type" "serviceAccount" "endpoint" "https://${env:K8S_NODE_IP}:10250" "insecure_skip_verify" true) -}}
{{- $_ := set $signalReceivers "metrics" (append $signalReceivers.metrics "kubelet_stats") -}}
{{- end -}}
{{- $out := include "CHART.forwardExporters" (dict "root" .root "gateway" .gateway "gatewayKey" .gatewayKey) | fromYaml -}}
{{- $chains := dict "traces" $chain "metrics" $chain "logs" $chain -}}
{{- $pipelines := include "CHART.pipelines" (dict "receivers" $signalReceivers "processors" $chains "signals" $out.signals "names" (list "traces" "metrics" "logs")) | fromYaml -}}
{{- if not $pipelines }}{{ fail (printf "%sdestinations: no enabled destination; with the gateway disabled the agent exports to the gateway's destinations" .gatewayKey) }}{{ end -}}
{{- toYaml (dict "receivers" $receivers "processors" $processors "exporters" $out.exporters "extensions" $extensions "service" (dict "extensions" (keys $extensions | sortAlpha) "pipelines" $pipelines)) -}}
{{- end -}}

{{/* Volumes or mounts of the agent's presets. Args: values, part. */}}
{{- define "CHART.agent.volumes" -}}
{{- $p := .values.presets -}}
{{- $vols := list -}}
{{- $mounts := list -}}
{{- if $p.logsCollection.enabled -}}
{{- $vols = append $vols (dict "name" "varlogpods" "hostPath" (dict "path" "/var/log/pods")) -}}
{{- $mounts = append $mounts (dict "name" "varlogpods" "mountPath" "/var/log/pods" "readOnly" true) -}}
{{- $vols = append $vols (dict "name" "checkpoints" "hostPath" (dict "path" (printf "/var/lib/otelcol/%s-%s" .root.Release.Namespace .values.name) "type" "DirectoryOrCreate")) -}}
{{- $mounts = append $mounts (dict "name" "checkpoints" "mountPath" "@CHECKPOINT_DIR@") -}}
{{- end -}}
{{- if $p.hostMetrics.enabled -}}
{{- $vols = append $vols (dict "name" "hostfs" "hostPath" (dict "path" "/")) -}}
{{- $mounts = append $mounts (dict "name" "hostfs" "mountPath" "@HOSTFS_DIR@" "readOnly" true "mountPropagation" "HostToContainer") -}}
{{- end -}}
{{- toYaml (ternary $vols $mounts (eq .part "volumes")) -}}
{{- end -}}

{{/* Reading other pods' log files needs root; nothing else of the agent does. Args: values. */}}
{{- define "CHART.agent.securityContext" -}}
{{- if .values.presets.logsCollection.enabled -}}
{{- toYaml (dict "runAsUser" 0 "runAsGroup" 0) -}}
{{- else -}}
{{- toYaml dict -}}
{{- end -}}
{{- end -}}
