{{/*
The eBPF agent. Every helper takes the same args: root, values (ebpfAgent), key (their path, for
messages), agentEnabled, gatewayEnabled, configDir and configFile (where the ConfigMap's file is
mounted), name (the DaemonSet's and ConfigMap's name), and the engines' pinned images
(obiRepository, obiTag, telegenRepository, telegenTag).

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
{{- /*
The computed endpoint is OTLP/HTTP for OBI and OTLP/gRPC for Telegen: Telegen 3.0.0 turns its eBPF
traces and metrics on from exports.otlp.grpc only (pipeline.go). An explicit endpoint on the gRPC
port is gRPC.
*/ -}}
{{- $grpc := ternary (not $obi) (regexMatch ":@OTLP_GRPC_PORT@/?$" $endpoint) $computed -}}
{{- if $computed -}}
{{- $endpoint = include "CHART.otlpEndpoint" (dict "root" .root "override" "" "agentEnabled" .agentEnabled "gatewayEnabled" .gatewayEnabled "key" (printf "%sconfig.otlpEndpoint" .key) "grpc" $grpc) -}}
{{- end -}}
{{- $s := dict "engine" $engine "image" (include "CHART.image" (dict "root" .root "image" $image)) "endpoint" $endpoint "computed" $computed "grpc" $grpc -}}
{{- $_ := set $s "privileged" (or $v.privileged (get $legacySecurity "privileged" | default false)) -}}
{{- $_ := set $s "contextPropagation" $v.contextPropagation.enabled -}}
{{- $_ := set $s "openPorts" ($v.openPorts | default (get $legacyConfig "openPorts") | default "" | toString) -}}
{{- $_ := set $s "serviceName" (get $legacyConfig "serviceName" | default "") -}}
{{- $_ := set $s "runAsUser" (get $legacySecurity "runAsUser" | default 0 | int64) -}}
{{- /* Telegen writes nothing to its own filesystem with the chart's config file. */ -}}
{{- if hasKey $legacySecurity "readOnlyRootFilesystem" }}{{ $_ := set $s "readOnlyRootFilesystem" $legacySecurity.readOnlyRootFilesystem }}
{{- else if not $obi }}{{ $_ := set $s "readOnlyRootFilesystem" true }}{{ end -}}
{{- toYaml $s -}}
{{- end -}}

{{- define "CHART.ebpf.image" -}}
{{- (include "CHART.ebpf.settings" . | fromYaml).image -}}
{{- end -}}

{{/*
The engine's config file. Discovery: the processes listening on `openPorts`, else every Kubernetes
workload; never this release's collectors (the Operator's collector pods, and every pod the chart
renders itself, this agent included) nor the agents' own binaries. OBI reads its endpoint and
Kubernetes settings from the environment ("CHART.ebpf.env"); Telegen reads everything from here.
*/}}
{{- define "CHART.ebpf.configFile" -}}
{{- $s := include "CHART.ebpf.settings" . | fromYaml -}}
{{- $ns := .root.Release.Namespace -}}
{{- $operatorCollectors := dict "app.kubernetes.io/managed-by" "opentelemetry-operator" "app.kubernetes.io/component" "opentelemetry-collector" -}}
{{- $release := dict "app.kubernetes.io/name" (include "CHART.name" .root) "app.kubernetes.io/instance" .root.Release.Name -}}
{{- $exclude := list (dict "k8s_namespace" $ns "k8s_pod_labels" $operatorCollectors) (dict "k8s_namespace" $ns "k8s_pod_labels" $release) (dict "exe_path" "{*ebpf-instrument,*telegen}") -}}
{{- $entry := dict "k8s_namespace" "*" -}}
{{- with $s.openPorts }}{{ $entry = dict "open_ports" . }}{{ end -}}
{{- $discovery := dict "instrument" (list $entry) "exclude_instrument" $exclude -}}
{{- if eq $s.engine "obi" -}}
{{- toYaml (dict "discovery" $discovery) -}}
{{- else -}}
{{- /* Telegen names what an entry matches by its `name` (OBI takes OTEL_SERVICE_NAME). */ -}}
{{- with $s.serviceName }}{{ $_ := set $entry "name" . }}{{ end -}}
{{- include "CHART.ebpf.telegenConfig" (dict "root" .root "key" .key "s" $s "discovery" $discovery) -}}
{{- end -}}
{{- end -}}

{{/*
Telegen's config file, as Telegen 3.0.0 reads it (internal/config.Config; test/reference/telegen-3.0.0
lists its keys, and test/ebpf-telegen.test.ts checks every key written here against them, since
Telegen ignores a key it does not know): eBPF instrumentation with Kubernetes metadata, exporting
through exports.otlp, kube_metrics off. Args: root, key, s (the settings), discovery.
*/}}
{{- define "CHART.ebpf.telegenConfig" -}}
{{- $s := .s -}}
{{- $clusterName := .root.Values.global.clusterName | default "" -}}
{{- /* Telegen expands $NAME in its whole config file (os.ExpandEnv) and has no escape for "$". */ -}}
{{- range $key, $value := dict (printf "%sconfig.serviceName" .key) $s.serviceName "global.clusterName" $clusterName -}}
{{- if contains "$" $value -}}
{{- fail (printf "%s: Telegen expands $NAME in its config file, so %q cannot reach it; leave out the \"$\"" $key $value) -}}
{{- end -}}
{{- end -}}
{{- $ebpf := dict "enabled" true "discovery" (merge .discovery @TELEGEN_DISCOVERY_DEFAULTS@) -}}
{{- if $s.contextPropagation }}{{ $_ := set $ebpf "tracer" (dict "context_propagation" "all") }}{{ end -}}
{{- /*
Over OTLP/HTTP Telegen runs its eBPF traces and metrics only when their own endpoints are set; it
sends them through exports.otlp.http all the same (pipeline.go, buildOBIConfig).
*/ -}}
{{- if not $s.grpc -}}
{{- $_ := set $ebpf "otel_traces_export" (dict "endpoint" $s.endpoint) -}}
{{- $_ := set $ebpf "otel_metrics_export" (dict "endpoint" $s.endpoint) -}}
{{- end -}}
{{- $kubernetes := dict "enable" true -}}
{{- with $clusterName }}{{ $_ := set $kubernetes "cluster_name" . }}{{ end -}}
{{- $exports := dict "otlp" (include "CHART.ebpf.telegenOtlp" . | fromYaml) -}}
{{- toYaml (dict "ebpf" $ebpf "exports" $exports "kubernetes" $kubernetes "kube_metrics" (dict "enabled" false "auto_detect" false)) -}}
{{- end -}}

{{/*
Telegen's exports.otlp: one of grpc and http, to host:port (Telegen adds the scheme and the signal
paths itself; given a scheme or a path it would send to a wrong URL). Plain OTLP unless the
endpoint is https://. Over HTTP only logs_path: its traces exporter appends /v1/traces to
traces_path too, and it has no metrics path. Args: key, s (the settings).
*/}}
{{- define "CHART.ebpf.telegenOtlp" -}}
{{- $s := .s -}}
{{- $address := regexReplaceAll "^https?://" $s.endpoint "" -}}
{{- $hostPort := regexFind "^[^/]+" $address -}}
{{- if trimPrefix $hostPort $address | trimSuffix "/" -}}
{{- fail (printf "%sconfig.otlpEndpoint: Telegen sends OTLP to host:port and the standard paths, so an endpoint with a path (%s) is not possible with engine telegen" .key $s.endpoint) -}}
{{- end -}}
{{- $tls := hasPrefix "https://" $s.endpoint -}}
{{- $target := dict "enabled" true "endpoint" $hostPort "insecure" (not $tls) -}}
{{- $otlp := dict "grpc" $target "http" (dict "enabled" false) -}}
{{- if not $s.grpc -}}
{{- $_ := set $target "logs_path" "/v1/logs" -}}
{{- $otlp = dict "grpc" (dict "enabled" false) "http" $target -}}
{{- end -}}
{{- if $tls }}{{ $_ := set $otlp "tls" (dict "enable" true) }}{{ end -}}
{{- toYaml $otlp -}}
{{- end -}}

{{- define "CHART.ebpf.configData" -}}
{{- toYaml (dict .configFile (include "CHART.ebpf.configFile" .)) -}}
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
{{- with $s.serviceName }}{{ $env = append $env (dict "name" "OTEL_SERVICE_NAME" "value" .) }}{{ end -}}
{{- end -}}
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
{{- $caps := @EBPF_CAPABILITIES@ -}}
{{- if $s.contextPropagation }}{{ $caps = concat $caps @EBPF_CONTEXT_PROPAGATION_CAPABILITIES@ }}{{ end -}}
{{- $_ := set $sc "capabilities" (dict "add" $caps "drop" (list "ALL")) -}}
{{- end -}}
{{- if hasKey $s "readOnlyRootFilesystem" }}{{ $_ := set $sc "readOnlyRootFilesystem" $s.readOnlyRootFilesystem }}{{ end -}}
{{- toYaml $sc -}}
{{- end -}}

{{/*
Volumes or their mounts (part: "volumes" or "volumeMounts"): the config and the cgroup hierarchy
(where the engines attach their socket programs) read-only; tracefs for context propagation, writable
(probes are created through it where the kernel cannot attach them otherwise). Telegen needs no
other host path: it reads processes through the host PID namespace's /proc.
*/}}
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
{{- /* Telegen is given host:port (see "CHART.ebpf.telegenOtlp"). */ -}}
{{- $target := ternary $s.endpoint (regexReplaceAll "^https?://" $s.endpoint "") (eq $s.engine "obi") -}}
{{- $lines = append $lines (printf "It instruments %s and exports OTLP/%s to %s" $what (ternary "gRPC" "HTTP" $s.grpc) $target) -}}
{{- end -}}
{{- $legacy := dict "podSecurityContext.hostPID" "no effect, the agent always runs with hostPID: true" "securityContext.privileged" (printf "use %sprivileged (applied)" .key) "securityContext.runAsUser" "applied to the container as given" "securityContext.readOnlyRootFilesystem" "applied to the container as given" "config.otlpEndpoint" "applied, it overrides the node-local agent endpoint" "config.openPorts" (printf "use %sopenPorts (applied when that is empty)" .key) "config.serviceName" "applied, it names the instrumented services" -}}
{{- range $path, $msg := $legacy -}}
{{- $parts := splitList "." $path -}}
{{- $block := get $v (first $parts) | default dict -}}
{{- if hasKey $block (last $parts) -}}
{{- $lines = append $lines (printf "DEPRECATED: %s%s is a key of the original chart: %s." $.key $path $msg) -}}
{{- end -}}
{{- end -}}
{{- join "\n" $lines -}}
{{- end -}}
