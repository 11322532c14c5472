{{/*
The eBPF agent. Every helper takes the same args: root, values (ebpfAgent), key (their path, for
messages), agentEnabled, gatewayEnabled, configDir (where the ConfigMap is mounted), name (the
DaemonSet's and ConfigMap's name), and the engines' pinned images (obiRepository, obiTag,
telegenRepository, telegenTag).

"CHART.ebpf.settings" is the one place where the new keys, the original chart's keys and the
computed endpoint become the effective settings; every other helper reads them from it.
*/}}
{{- define "CHART.ebpf.settings" -}}
{{- $v := .values -}}
{{- $legacyConfig := $v.config | default dict -}}
{{- $legacySecurity := $v.securityContext | default dict -}}
{{- $engine := $v.engine | default "obi" -}}
{{- $obi := eq $engine "obi" -}}
{{- $image := dict "repository" ($v.image.repository | default (ternary .obiRepository .telegenRepository $obi)) "tag" ($v.image.tag | default (ternary .obiTag .telegenTag $obi)) -}}
{{- /* ebpfAgent.config.otlpEndpoint (original chart) overrides the node-local agent. */ -}}
{{- $endpoint := get $legacyConfig "otlpEndpoint" | default "" -}}
{{- $computed := not $endpoint -}}
{{- if $computed -}}
{{- $endpoint = include "CHART.otlpEndpoint" (dict "root" .root "override" "" "agentEnabled" .agentEnabled "gatewayEnabled" .gatewayEnabled "key" (printf "%sconfig.otlpEndpoint" .key)) -}}
{{- end -}}
{{- $s := dict "engine" $engine "image" (include "CHART.image" (dict "root" .root "image" $image)) "endpoint" $endpoint "computed" $computed -}}
{{- /* The computed endpoint is OTLP/HTTP; an explicit one on the gRPC port is gRPC. */ -}}
{{- $_ := set $s "grpc" (and (not $computed) (regexMatch ":@OTLP_GRPC_PORT@/?$" $endpoint)) -}}
{{- $_ := set $s "privileged" (or $v.privileged (get $legacySecurity "privileged" | default false)) -}}
{{- $_ := set $s "contextPropagation" $v.contextPropagation.enabled -}}
{{- $_ := set $s "openPorts" ($v.openPorts | default (get $legacyConfig "openPorts") | default "" | toString) -}}
{{- $_ := set $s "serviceName" (get $legacyConfig "serviceName" | default "") -}}
{{- $_ := set $s "runAsUser" (get $legacySecurity "runAsUser" | default 0 | int64) -}}
{{- if hasKey $legacySecurity "readOnlyRootFilesystem" }}{{ $_ := set $s "readOnlyRootFilesystem" $legacySecurity.readOnlyRootFilesystem }}{{ end -}}
{{- toYaml $s -}}
{{- end -}}

{{- define "CHART.ebpf.image" -}}
{{- (include "CHART.ebpf.settings" . | fromYaml).image -}}
{{- end -}}

{{/*
The engine's config file. Discovery: the processes listening on `openPorts`, else every Kubernetes
workload; never this release's collectors (the Operator's collector pods, and every pod the chart
renders itself, this agent included) nor the agents' own binaries. OBI reads its endpoint and
Kubernetes settings from the environment ("CHART.ebpf.env"); Telegen reads everything from here,
its OTLP settings under exports.otlp.{grpc,http} (it ignores a top-level `otlp:` block).
*/}}
{{- define "CHART.ebpf.configFile" -}}
{{- $s := include "CHART.ebpf.settings" . | fromYaml -}}
{{- $ns := .root.Release.Namespace -}}
{{- $operatorCollectors := dict "app.kubernetes.io/managed-by" "opentelemetry-operator" "app.kubernetes.io/component" "opentelemetry-collector" -}}
{{- $release := dict "app.kubernetes.io/name" (include "CHART.name" .root) "app.kubernetes.io/instance" .root.Release.Name -}}
{{- $exclude := list (dict "k8s_namespace" $ns "k8s_pod_labels" $operatorCollectors) (dict "k8s_namespace" $ns "k8s_pod_labels" $release) (dict "exe_path" "{*ebpf-instrument,*telegen}") -}}
{{- $instrument := list (dict "k8s_namespace" "*") -}}
{{- with $s.openPorts }}{{ $instrument = list (dict "open_ports" .) }}{{ end -}}
{{- $discovery := dict "instrument" $instrument "exclude_instrument" $exclude -}}
{{- if eq $s.engine "obi" -}}
{{- toYaml (dict "discovery" $discovery) -}}
{{- else -}}
{{- $insecure := not (hasPrefix "https://" $s.endpoint) -}}
{{- $otlp := dict "grpc" (dict "enabled" false) "http" (dict "enabled" true "endpoint" $s.endpoint "insecure" $insecure "traces_path" "/v1/traces" "metrics_path" "/v1/metrics" "logs_path" "/v1/logs") -}}
{{- if $s.grpc -}}
{{- $otlp = dict "grpc" (dict "enabled" true "endpoint" (regexReplaceAll "^https?://" $s.endpoint "") "insecure" $insecure) "http" (dict "enabled" false) -}}
{{- end -}}
{{- $ebpf := dict "enabled" true "discovery" $discovery -}}
{{- if $s.contextPropagation }}{{ $_ := set $ebpf "tracer" (dict "context_propagation" "all") }}{{ end -}}
{{- toYaml (dict "ebpf" $ebpf "kubernetes" (dict "enable" true) "pipelines" (dict "traces" (dict "enabled" true)) "exports" (dict "otlp" $otlp)) -}}
{{- end -}}
{{- end -}}

{{- define "CHART.ebpf.configData" -}}
{{- toYaml (dict "config.yaml" (include "CHART.ebpf.configFile" .)) -}}
{{- end -}}

{{/* Pod annotations: the user's, and a checksum that rolls the pods when the config changes. */}}
{{- define "CHART.ebpf.podAnnotations" -}}
{{- toYaml (merge (dict "checksum/config" (include "CHART.ebpf.configFile" . | sha256sum)) (.values.podAnnotations | default dict)) -}}
{{- end -}}

{{- define "CHART.ebpf.env" -}}
{{- $s := include "CHART.ebpf.settings" . | fromYaml -}}
{{- $env := list -}}
{{- if eq $s.engine "obi" -}}
{{- $env = append $env (dict "name" "OTEL_EBPF_KUBE_METADATA_ENABLE" "value" "true") -}}
{{- with $s.openPorts }}{{ $env = append $env (dict "name" "OTEL_EBPF_OPEN_PORT" "value" .) }}{{ end -}}
{{- if $s.contextPropagation }}{{ $env = append $env (dict "name" "OTEL_EBPF_BPF_CONTEXT_PROPAGATION" "value" "all") }}{{ end -}}
{{- $env = append $env (dict "name" "OTEL_EXPORTER_OTLP_ENDPOINT" "value" $s.endpoint) -}}
{{- /* OBI guesses gRPC from port 4317 and HTTP otherwise; the computed endpoint is HTTP. */ -}}
{{- if $s.computed }}{{ $env = append $env (dict "name" "OTEL_EXPORTER_OTLP_PROTOCOL" "value" "http/protobuf") }}{{ end -}}
{{- end -}}
{{- with $s.serviceName }}{{ $env = append $env (dict "name" "OTEL_SERVICE_NAME" "value" .) }}{{ end -}}
{{- toYaml $env -}}
{{- end -}}

{{/*
Container security: root with exactly the capabilities eBPF instrumentation needs and nothing else,
or a privileged container. Context propagation rewrites traffic (NET_ADMIN).
*/}}
{{- define "CHART.ebpf.securityContext" -}}
{{- $s := include "CHART.ebpf.settings" . | fromYaml -}}
{{- $sc := dict "runAsUser" $s.runAsUser -}}
{{- if $s.privileged -}}
{{- $_ := set $sc "privileged" true -}}
{{- else -}}
{{- $caps := list "BPF" "SYS_PTRACE" "NET_RAW" "CHECKPOINT_RESTORE" "DAC_READ_SEARCH" "PERFMON" -}}
{{- if $s.contextPropagation }}{{ $caps = append $caps "NET_ADMIN" }}{{ end -}}
{{- $_ := set $sc "capabilities" (dict "add" $caps "drop" (list "ALL")) -}}
{{- end -}}
{{- if hasKey $s "readOnlyRootFilesystem" }}{{ $_ := set $sc "readOnlyRootFilesystem" $s.readOnlyRootFilesystem }}{{ end -}}
{{- toYaml $sc -}}
{{- end -}}

{{/* Volumes or their mounts (part: "volumes" or "volumeMounts"): the config, cgroups (read-only), tracefs for context propagation. */}}
{{- define "CHART.ebpf.volumes" -}}
{{- $s := include "CHART.ebpf.settings" . | fromYaml -}}
{{- $vols := list (dict "name" "config" "configMap" (dict "name" .name)) (dict "name" "cgroup" "hostPath" (dict "path" "/sys/fs/cgroup" "type" "Directory")) -}}
{{- $mounts := list (dict "name" "config" "mountPath" .configDir "readOnly" true) (dict "name" "cgroup" "mountPath" "/sys/fs/cgroup" "readOnly" true) -}}
{{- if $s.contextPropagation -}}
{{- $vols = append $vols (dict "name" "tracefs" "hostPath" (dict "path" "/sys/kernel/tracing" "type" "Directory")) -}}
{{- $mounts = append $mounts (dict "name" "tracefs" "mountPath" "/sys/kernel/tracing") -}}
{{- end -}}
{{- if eq $s.engine "obi" -}}
{{- /* OBI's runtime directory, writable even with a read-only root filesystem. */ -}}
{{- $vols = append $vols (dict "name" "run" "emptyDir" dict) -}}
{{- $mounts = append $mounts (dict "name" "run" "mountPath" "/var/run/obi") -}}
{{- end -}}
{{- toYaml (ternary $vols $mounts (eq .part "volumes")) -}}
{{- end -}}

{{/*
NOTES.txt text of the eBPF agent: what runs and where it exports, and one deprecation line per key
of the original chart that is set (even with the agent disabled). The component binds it to its
values as "CHART.ebpf.notes" (called with the root context). Same args as the helpers above.
*/}}
{{- define "CHART.ebpf.notesText" -}}
{{- $v := .values -}}
{{- $lines := list -}}
{{- if $v.enabled -}}
{{- $s := include "CHART.ebpf.settings" . | fromYaml -}}
{{- $mode := ternary "privileged" "unprivileged (root with the eBPF capabilities only)" $s.privileged -}}
{{- if $s.contextPropagation }}{{ $mode = printf "%s, context propagation on" $mode }}{{ end -}}
{{- $lines = append $lines (printf "eBPF agent (%s, %s): DaemonSet %s, %s." $s.engine $s.image .name $mode) -}}
{{- $what := ternary (printf "the processes listening on %s" $s.openPorts) "every Kubernetes workload except this release's collectors and itself" (ne $s.openPorts "") -}}
{{- $lines = append $lines (printf "It instruments %s and exports OTLP/%s to %s" $what (ternary "gRPC" "HTTP" $s.grpc) $s.endpoint) -}}
{{- end -}}
{{- $legacy := dict "podSecurityContext.hostPID" "no effect, the agent always runs with hostPID: true" "securityContext.privileged" (printf "use %sprivileged (applied)" .key) "securityContext.runAsUser" "applied to the container as given" "securityContext.readOnlyRootFilesystem" "applied to the container as given" "config.otlpEndpoint" "applied, it overrides the node-local agent endpoint" "config.openPorts" (printf "use %sopenPorts (applied when that is empty)" .key) "config.serviceName" "applied as OTEL_SERVICE_NAME" -}}
{{- range $path, $msg := $legacy -}}
{{- $parts := splitList "." $path -}}
{{- $block := get $v (first $parts) | default dict -}}
{{- if hasKey $block (last $parts) -}}
{{- $lines = append $lines (printf "DEPRECATED: %s%s is a key of the original chart: %s." $.key $path $msg) -}}
{{- end -}}
{{- end -}}
{{- join "\n" $lines -}}
{{- end -}}
