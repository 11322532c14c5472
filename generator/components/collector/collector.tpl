{{/*
Collector configuration. Each collector component has a "CHART.<component>.config" template that
prints its generated configuration; "CHART.collector.config" merges the user's `config` over it,
repairs what the chart itself depends on, and refuses a configuration the collector would reject.
Args of every config template: root, values (the component's values), key (their path, for
messages), and for collectors that forward: gateway, gatewayKey.
*/}}
{{- define "CHART.collector.config" -}}
{{- $cfg := include (printf "CHART.%s.config" .component) . | fromYaml -}}
{{- if and .gateway .gateway.enabled }}{{ include "CHART.forwarding" (dict "cfg" $cfg "root" .root "gateway" .gateway) }}{{ end -}}
{{- /* extraProcessors join the chart's own pipelines (a pipeline named <signal> or <signal>/<name>) after its processors and before batch; a processors list the user's config gives replaces the result whole. */ -}}
{{- $extra := .values.extraProcessors | default dict -}}
{{- range $pname, $p := (dig "service" "pipelines" dict $cfg) -}}
{{- $signal := regexReplaceAll "/.*$" $pname "" -}}
{{- $procs := $p.processors | default list -}}
{{- range $id := (get $extra $signal | default list) -}}
{{- if has $id $procs }}{{ fail (printf "%sextraProcessors.%s: processor %q is already in the chart's %s pipeline" $.key $signal $id $pname) }}{{ end -}}
{{- end -}}
{{- with get $extra $signal -}}
{{- $_ := set $p "processors" (concat (without $procs "batch") . (ternary (list "batch") list (has "batch" $procs))) -}}
{{- end -}}
{{- end -}}
{{- include "CHART.deepMerge" (dict "dst" $cfg "src" (.values.config | default dict)) -}}
{{- range $section := list "receivers" "processors" "exporters" "extensions" "connectors" -}}
{{- if not (kindIs "map" (get $cfg $section)) }}{{ $_ := set $cfg $section dict }}{{ end -}}
{{- end -}}
{{- /* Checked after the merge: the ids are the user's processors, defined in their config. */ -}}
{{- range $signal := list "traces" "metrics" "logs" "profiles" -}}
{{- range $id := (get $extra $signal | default list) -}}
{{- if not (hasKey $cfg.processors $id) }}{{ fail (printf "%sextraProcessors.%s: processor %q is not defined under %sconfig.processors" $.key $signal $id $.key) }}{{ end -}}
{{- end -}}
{{- end -}}
{{- if not (kindIs "map" $cfg.service) }}{{ $_ := set $cfg "service" dict }}{{ end -}}
{{- if not (kindIs "map" $cfg.service.pipelines) }}{{ $_ := set $cfg.service "pipelines" dict }}{{ end -}}
{{- /* The probes talk to the health_check extension: keep it defined, listening beyond localhost, and enabled. */ -}}
{{- $hc := get $cfg.extensions "health_check" | default dict -}}
{{- if not $hc.endpoint }}{{ $_ := set $hc "endpoint" "0.0.0.0:@HEALTH_PORT@" }}{{ end -}}
{{- /* The probes, the `-collector-extension` Service, the NetworkPolicy and `helm test` use that port: another would leave the pods unready. */ -}}
{{- if ne (regexFind "[0-9]+$" (toString $hc.endpoint)) "@HEALTH_PORT@" -}}
{{- fail (printf "%sconfig.extensions.health_check.endpoint: %q must listen on port @HEALTH_PORT@ (the probes, the health Service and helm test use it); only the host part may change (default \"0.0.0.0:@HEALTH_PORT@\")" $.key (toString $hc.endpoint)) -}}
{{- end -}}
{{- $_ := set $cfg.extensions "health_check" $hc -}}
{{- $exts := $cfg.service.extensions | default list -}}
{{- if not (has "health_check" $exts) }}{{ $exts = append $exts "health_check" }}{{ end -}}
{{- $_ := set $cfg.service "extensions" $exts -}}
{{- /* memory_limiter stays the first processor of every pipeline, whatever lists the user gave. */ -}}
{{- $hasLimiter := hasKey $cfg.processors "memory_limiter" -}}
{{- range $pname, $p := $cfg.service.pipelines -}}
{{- if not (kindIs "map" $p) }}{{ fail (printf "%sconfig.service.pipelines.%s must be a map with receivers, processors and exporters" $.key $pname) }}{{ end -}}
{{- if $hasLimiter -}}
{{- $_ := set $p "processors" (prepend (without ($p.processors | default list) "memory_limiter") "memory_limiter") -}}
{{- end -}}
{{- range $kind := list "receivers" "exporters" -}}
{{- if not (get $p $kind) }}{{ fail (printf "%sconfig: pipeline %q has no %s" $.key $pname $kind) }}{{ end -}}
{{- end -}}
{{- range $kind := list "receivers" "processors" "exporters" -}}
{{- range $id := (get $p $kind | default list) -}}
{{- if not (or (hasKey (get $cfg $kind) $id) (and (ne $kind "processors") (hasKey $cfg.connectors $id))) -}}
{{- fail (printf "%sconfig: pipeline %q uses %s %q, which is not defined under %s" $.key $pname (trimSuffix "s" $kind) $id $kind) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- range $id := $cfg.service.extensions -}}
{{- if not (hasKey $cfg.extensions $id) }}{{ fail (printf "%sconfig: service.extensions lists %q, which is not defined under extensions" $.key $id) }}{{ end -}}
{{- end -}}
{{- range $section := list "processors" "extensions" "connectors" -}}
{{- if not (get $cfg $section) }}{{ $_ := unset $cfg $section }}{{ end -}}
{{- end -}}
{{- toYaml $cfg -}}
{{- end -}}

{{/*
The processors the chart puts in a pipeline and manages (memory_limiter, tail_sampling,
filter/health-checks) that a processors list of the user's config leaves out of the final
configuration, for NOTES.txt. Args: those of "CHART.collector.config". Prints a YAML list of
{pipeline, processor}.
*/}}
{{- define "CHART.collector.droppedProcessors" -}}
{{- $generated := include (printf "CHART.%s.config" .component) . | fromYaml -}}
{{- $final := include "CHART.collector.config" . | fromYaml -}}
{{- $dropped := list -}}
{{- range $pname, $p := (dig "service" "pipelines" dict (.values.config | default dict)) -}}
{{- if and (kindIs "map" $p) (hasKey $p "processors") -}}
{{- $kept := dig "service" "pipelines" $pname "processors" list $final -}}
{{- range $id := (dig "service" "pipelines" $pname "processors" list $generated) -}}
{{- if and (has $id (list "memory_limiter" "tail_sampling" "filter/health-checks")) (not (has $id $kept)) -}}
{{- $dropped = append $dropped (dict "pipeline" $pname "processor" $id) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- toYaml $dropped -}}
{{- end -}}

{{/* The memory_limiter of a collector with a memory limit; nothing without one. Arg: values. */}}
{{- define "CHART.memoryLimiter" -}}
{{- if include "CHART.gomemlimit" .resources -}}
memory_limiter:
  check_interval: 1s
  limit_percentage: 80
  spike_limit_percentage: 20
{{- end -}}
{{- end -}}

{{/* Resource attributes upserted on every signal: k8s.cluster.name and the component's own. Args: root, attributes. */}}
{{- define "CHART.resourceAttributes" -}}
{{- if or .root.Values.global.clusterName .attributes -}}
attributes:
  {{- with .root.Values.global.clusterName }}
  - key: k8s.cluster.name
    value: {{ quote . }}
    action: upsert
  {{- end }}
  {{- range $k, $val := .attributes }}
  - key: {{ quote $k }}
    value: {{ quote $val }}
    action: upsert
  {{- end }}
{{- end -}}
{{- end -}}

{{/*
Environment of a collector container (a YAML list): GOMEMLIMIT, destination tokens, the user's env.
Args: root, values, resources (when not the values' own), destinations (map or nil), viaGateway (true
when a forwarder's destinations are the gateway's business, not its own).
*/}}
{{- define "CHART.collector.env" -}}
{{- $env := list -}}
{{- $user := include "CHART.envList" .values.env | fromYamlArray -}}
{{- $names := list -}}
{{- range $e := $user }}{{ $names = append $names $e.name }}{{ end -}}
{{- $limit := include "CHART.gomemlimit" (.resources | default .values.resources) -}}
{{- if and $limit (not (has "GOMEMLIMIT" $names)) -}}
{{- $env = append $env (dict "name" "GOMEMLIMIT" "value" $limit) -}}
{{- end -}}
{{- range $name, $d := (ternary dict .destinations (not .destinations | or .viaGateway)) -}}
{{- if and (dig "enabled" true $d) (dig "bearerToken" "secretName" "" $d) -}}
{{- $env = append $env (dict "name" (include "CHART.destinationTokenEnv" $name) "valueFrom" (dict "secretKeyRef" (dict "name" $d.bearerToken.secretName "key" (dig "bearerToken" "key" "token" $d)))) -}}
{{- end -}}
{{- end -}}
{{- /* concat of two empty lists is nil, which toYaml prints as null. */ -}}
{{- with concat $env $user }}{{ toYaml . }}{{ else }}[]{{ end -}}
{{- end -}}

{{/*
Volumes or mounts of a collector: its component's own, its destinations' Secrets, and for a
forwarder the gateway's receiver Secrets it presents (see CHART.gatewayClient). Args: destinations,
viaGateway, gatewayReceivers (a forwarder's gateway `receivers`), part ("volumes" or "volumeMounts"),
extra (YAML list or nil).
*/}}
{{- define "CHART.collector.volumes" -}}
{{- $secrets := list -}}
{{- range $name, $d := (ternary dict .destinations (not .destinations | or .viaGateway)) -}}
{{- if and (dig "enabled" true $d) (dig "tls" "secretName" "" $d) -}}
{{- $secrets = append $secrets (dict "volume" (printf "dest-%s-tls" $name | trunc 63 | trimSuffix "-") "secret" $d.tls.secretName "path" (printf "@DEST_TLS_DIR@/%s" $name)) -}}
{{- end -}}
{{- end -}}
{{- with (and .viaGateway .gatewayReceivers) -}}
{{- if .tls.enabled }}{{ $secrets = append $secrets (dict "volume" "gateway-tls" "secret" .tls.secretName "path" "@GATEWAY_TLS_DIR@") }}{{ end -}}
{{- with .auth.bearerToken }}{{ if .enabled }}{{ $secrets = append $secrets (dict "volume" "gateway-auth" "secret" .secretName "key" .key "path" "@GATEWAY_AUTH_DIR@") }}{{ end }}{{ end -}}
{{- end -}}
{{- $out := list -}}
{{- with .extra }}{{ $out = concat $out (fromYamlArray .) }}{{ end -}}
{{- $out = concat $out (include "CHART.secretVolumes" (dict "secrets" $secrets "part" .part) | fromYamlArray) -}}
{{- if $out }}{{ toYaml $out }}{{ else }}[]{{ end -}}
{{- end -}}

{{/*
Secrets mounted read-only as files: volumes (part "volumes") or mounts. A `key` mounts only that
key, as the file `token`. Args: secrets (list of {volume, secret, path, key?}), part.
*/}}
{{- define "CHART.secretVolumes" -}}
{{- $out := list -}}
{{- range $s := .secrets -}}
{{- if eq $.part "volumes" -}}
{{- $secret := dict "secretName" $s.secret -}}
{{- with $s.key }}{{ $_ := set $secret "items" (list (dict "key" . "path" "token")) }}{{ end -}}
{{- $out = append $out (dict "name" $s.volume "secret" $secret) -}}
{{- else -}}
{{- $out = append $out (dict "name" $s.volume "mountPath" $s.path "readOnly" true) -}}
{{- end -}}
{{- end -}}
{{- toYaml $out -}}
{{- end -}}

{{- define "CHART.destinationTokenEnv" -}}
{{- printf "DESTINATION_%s_BEARER_TOKEN" (regexReplaceAll "[^A-Z0-9]" (upper .) "_") -}}
{{- end -}}

{{/*
Exporters for the enabled destinations and, per signal, the exporters that carry it.
Args: root, destinations, key, gateway (true for the gateway's own exporters: only the gateway keeps
persistent queues). Prints {exporters: {...}, signals: {traces: [...], ...}, persistent: bool}.
*/}}
{{- define "CHART.destinations" -}}
{{- /* Type -> {exporter, signals}, from generator/components/destination-types.ts. */ -}}
{{- $types := @DESTINATIONS@ -}}
{{- $exporters := dict -}}
{{- $signals := dict "traces" list "metrics" list "logs" list "profiles" list -}}
{{- $persistent := false -}}
{{- range $name, $d := .destinations -}}
{{- if dig "enabled" true $d -}}
{{- $where := printf "%sdestinations.%s" $.key $name -}}
{{- $type := $d.type | default "" -}}
{{- if not (hasKey $types $type) }}{{ fail (printf "%s.type: %q is not one of %s" $where $type (keys $types | sortAlpha | join ", ")) }}{{ end -}}
{{- $carries := (get $types $type).signals -}}
{{- $id := printf "%s/%s" (get $types $type).exporter $name -}}
{{- if and (ne $type "debug") (not $d.endpoint) }}{{ fail (printf "%s.endpoint is required for a destination of type %s" $where $type) }}{{ end -}}
{{- if dig "sendingQueue" "persistent" false $d -}}
{{- if not $.gateway }}{{ fail (printf "%s.sendingQueue.persistent: only the gateway keeps queues on disk; enable the gateway (%senabled) or set persistent: false" $where $.key) }}{{ end -}}
{{- $persistent = true -}}
{{- end -}}
{{- $_ := set $exporters $id (include "CHART.destinationExporter" (dict "name" $name "destination" $d "type" $type) | fromYaml) -}}
{{- range $signal := ($d.signals | default (list "traces" "metrics" "logs")) -}}
{{- if not (has $signal $carries) }}{{ fail (printf "%s.signals: a %s destination cannot carry %s (it carries %s)" $where $type $signal (join ", " $carries)) }}{{ end -}}
{{- $_ := set $signals $signal (append (get $signals $signal) $id) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- toYaml (dict "exporters" $exporters "signals" $signals "persistent" $persistent) -}}
{{- end -}}

{{/*
The exporter settings of one enabled destination; nothing for a debug destination. TLS files come
from the Secret mounted under @DEST_TLS_DIR@/<name>, the bearer token from an environment variable,
a persistent queue from the file_storage/queue extension. Args: name, destination, type.
*/}}
{{- define "CHART.destinationExporter" -}}
{{- $d := .destination -}}
{{- if ne .type "debug" -}}
{{- $tls := $d.tls | default dict -}}
{{- $headers := deepCopy ($d.headers | default dict) -}}
{{- if dig "bearerToken" "secretName" "" $d -}}
{{- $_ := set $headers "Authorization" (printf "Bearer ${env:%s}" (include "CHART.destinationTokenEnv" .name)) -}}
{{- end -}}
{{- if eq .type "kafka" }}
brokers: {{- splitList "," $d.endpoint | compact | toYaml | nindent 2 }}
{{- /* Every span of a trace in one partition, so one consumer sees whole traces. */}}
partition_traces_by_id: true
producer:
  compression: {{ $d.compression | default "gzip" | quote }}
{{- else }}
endpoint: {{ quote $d.endpoint }}
{{- end }}
{{- /* Kafka without a tls block is plain text; gRPC and HTTP need insecure said. */}}
{{- if or (and $tls.insecure (ne .type "kafka")) $tls.insecureSkipVerify $tls.secretName }}
tls:
  {{- if $tls.insecure }}
  insecure: true
  {{- end }}
  {{- if $tls.insecureSkipVerify }}
  insecure_skip_verify: true
  {{- end }}
  {{- if $tls.secretName }}
  ca_file: {{ printf "@DEST_TLS_DIR@/%s/ca.crt" .name | quote }}
  {{- if $tls.clientCertificate }}
  cert_file: {{ printf "@DEST_TLS_DIR@/%s/tls.crt" .name | quote }}
  key_file: {{ printf "@DEST_TLS_DIR@/%s/tls.key" .name | quote }}
  {{- end }}
  {{- end }}
{{- end }}
{{- with $headers }}
headers: {{- toYaml . | nindent 2 }}
{{- end }}
{{- if not (has .type (list "prometheusremotewrite" "kafka")) }}
compression: {{ $d.compression | default "gzip" | quote }}
{{- end }}
{{- $queue := $d.sendingQueue | default dict }}
{{- if ne .type "prometheusremotewrite" }}
sending_queue:
  enabled: {{ dig "enabled" true $queue }}
  {{- with $queue.queueSize }}
  queue_size: {{ int64 . }}
  {{- end }}
  {{- if $queue.persistent }}
  storage: file_storage/queue
  {{- end }}
{{- end }}
{{- $retry := $d.retryOnFailure | default dict }}
retry_on_failure:
  enabled: {{ dig "enabled" true $retry }}
  {{- with $retry.maxElapsedTime }}
  max_elapsed_time: {{ quote . }}
  {{- end }}
{{- end -}}
{{- end -}}

{{/*
Where a collector that forwards (agent, browser) sends: to the gateway when it is enabled (traces
through the load_balancing exporter keyed by trace ID against the gateway's headless Service, so
every span of a trace reaches the same replica; other signals through OTLP to the Service), else
straight to the gateway's destinations. Args: root, gateway, gatewayKey. Same output as
CHART.destinations; "CHART.forwarding" adds what the exporters authenticate with.
*/}}
{{- define "CHART.forwardExporters" -}}
{{- if .gateway.enabled -}}
{{- /* Only the signals some enabled destination of the gateway takes: the gateway has no pipeline for the others. */ -}}
{{- $taken := (include "CHART.destinations" (dict "root" .root "destinations" .gateway.destinations "key" .gatewayKey "gateway" true) | fromYaml).signals -}}
{{- $otlp := list -}}
{{- range $s := list "metrics" "logs" "profiles" }}{{ if get $taken $s }}{{ $otlp = append $otlp $s }}{{ end }}{{ end -}}
{{- $client := include "CHART.gatewayClient" (dict "root" .root "gateway" .gateway) | fromYaml -}}
exporters:
  {{- if not (or $taken.traces $otlp) }} {}{{ end }}
  {{- if $taken.traces }}
  load_balancing/gateway:
    routing_key: traceID
    protocol:
      otlp: {{- toYaml $client.settings | nindent 8 }}
    resolver:
      dns:
        hostname: {{ include "CHART.gateway.headlessHost" .root | quote }}
        port: "@OTLP_GRPC_PORT@"
  {{- end }}
  {{- if $otlp }}
  otlp_grpc/gateway:
    endpoint: {{ printf "%s:@OTLP_GRPC_PORT@" (include "CHART.gateway.host" .root) | quote }}
    {{- toYaml $client.settings | nindent 4 }}
  {{- end }}
signals:
  {{- if $taken.traces }}
  traces: [load_balancing/gateway]
  {{- end }}
  {{- range $s := $otlp }}
  {{ $s }}: [otlp_grpc/gateway]
  {{- end }}
{{- else -}}
{{- include "CHART.destinations" (dict "root" .root "destinations" .gateway.destinations "key" .gatewayKey) -}}
{{- end -}}
{{- end -}}

{{/*
What forwarding to the gateway adds to a forwarder's generated configuration (changed in place):
the extensions its exporters authenticate with and, with tenancy, the request metadata kept from
the receivers through batching so the tenant header reaches the gateway. Args: cfg, root, gateway.
*/}}
{{- define "CHART.forwarding" -}}
{{- $cfg := .cfg -}}
{{- $client := include "CHART.gatewayClient" (dict "root" .root "gateway" .gateway) | fromYaml -}}
{{- if $client.extensions -}}
{{- $_ := set $cfg "extensions" (merge ($cfg.extensions | default dict) $client.extensions) -}}
{{- $service := $cfg.service | default dict -}}
{{- $_ := set $service "extensions" (concat ($service.extensions | default list) (keys $client.extensions | sortAlpha)) -}}
{{- $_ := set $cfg "service" $service -}}
{{- end -}}
{{- if .gateway.tenancy.enabled -}}
{{- range $id, $r := $cfg.receivers -}}
{{- if eq (index (splitList "/" $id) 0) "otlp" -}}
{{- range $proto, $p := $r.protocols }}{{ $_ := set $p "include_metadata" true }}{{ end -}}
{{- end -}}
{{- end -}}
{{- if hasKey ($cfg.processors | default dict) "batch" -}}
{{- $_ := set $cfg.processors "batch" (merge (dict "metadata_keys" (list .gateway.tenancy.header)) (get $cfg.processors "batch" | default dict)) -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/*
What a sender inside the chart presents to the gateway's receivers: TLS trusting the gateway
Secret's ca.crt (its tls.crt as client certificate under clientAuth; the name verified is the
gateway Service's, also when the load balancer dials a replica's IP), the bearer token from the
mounted Secret, and the tenant header passed on from the request. Args: root, gateway.
Prints {settings: exporter settings, extensions: {id: config}}.
*/}}
{{- define "CHART.gatewayClient" -}}
{{- $r := .gateway.receivers -}}
{{- $tenancy := .gateway.tenancy -}}
{{- $extensions := dict -}}
{{- $auth := "" -}}
{{- if $r.auth.bearerToken.enabled -}}
{{- $auth = "bearertokenauth/gateway" -}}
{{- $_ := set $extensions $auth (dict "filename" "@GATEWAY_AUTH_DIR@/token") -}}
{{- end -}}
{{- if $tenancy.enabled -}}
{{- $setter := dict "headers" (list (dict "key" $tenancy.header "from_context" $tenancy.header "action" "upsert")) -}}
{{- with $auth }}{{ $_ := set $setter "additional_auth" . }}{{ end -}}
{{- $auth = "headers_setter/tenant" -}}
{{- $_ := set $extensions $auth $setter -}}
{{- end -}}
settings:
  tls:
    {{- if $r.tls.enabled }}
    ca_file: "@GATEWAY_TLS_DIR@/ca.crt"
    server_name_override: {{ printf "%s.%s.svc" (include "CHART.gateway.service" .root) .root.Release.Namespace | quote }}
    {{- if $r.tls.clientAuth }}
    cert_file: "@GATEWAY_TLS_DIR@/tls.crt"
    key_file: "@GATEWAY_TLS_DIR@/tls.key"
    {{- end }}
    {{- else }}
    insecure: true
    {{- end }}
  {{- with $auth }}
  auth:
    authenticator: {{ . }}
  {{- end }}
extensions: {{- toYaml $extensions | nindent 2 }}
{{- end -}}

{{/* Pipelines for the signals that have exporters. Args: receivers, processors (map signal -> list), signals (map signal -> exporters), names (list of signals). */}}
{{- define "CHART.pipelines" -}}
{{- range $signal := .names }}
{{- with get $.signals $signal }}
{{ $signal }}:
  receivers: {{- get $.receivers $signal | toYaml | nindent 4 }}
  processors: {{- get $.processors $signal | toYaml | nindent 4 }}
  exporters: {{- toYaml . | nindent 4 }}
{{- end }}
{{- end }}
{{- end -}}

{{/*
The OTLP receiver. Args: grpc (bool), cors (map or nil), maxRequestBodyBytes, security (the gateway's
`receivers`: TLS from its mounted Secret, bearer-token auth), includeMetadata (keep request headers
for routing).
*/}}
{{- define "CHART.otlpReceiver" -}}
{{- $server := dict -}}
{{- if .includeMetadata }}{{ $_ := set $server "include_metadata" true }}{{ end -}}
{{- with .security -}}
{{- if .tls.enabled -}}
{{- $tls := dict "cert_file" "@RECEIVER_TLS_DIR@/tls.crt" "key_file" "@RECEIVER_TLS_DIR@/tls.key" -}}
{{- if .tls.clientAuth }}{{ $_ := set $tls "client_ca_file" "@RECEIVER_TLS_DIR@/ca.crt" }}{{ end -}}
{{- $_ := set $server "tls" $tls -}}
{{- end -}}
{{- if .auth.bearerToken.enabled }}{{ $_ := set $server "auth" (dict "authenticator" "bearertokenauth/receivers") }}{{ end -}}
{{- end -}}
protocols:
  {{- if .grpc }}
  grpc:
    endpoint: "0.0.0.0:@OTLP_GRPC_PORT@"
    {{- with $server }}{{ toYaml . | nindent 4 }}{{ end }}
  {{- end }}
  http:
    endpoint: "0.0.0.0:@OTLP_HTTP_PORT@"
    {{- with $server }}{{ toYaml . | nindent 4 }}{{ end }}
    {{- with .cors }}
    cors:
      allowed_origins: {{- toYaml .allowedOrigins | nindent 8 }}
      {{- with .allowedHeaders }}
      allowed_headers: {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with .maxAge }}
      max_age: {{ int64 . }}
      {{- end }}
    {{- end }}
    {{- with .maxRequestBodyBytes }}
    max_request_body_size: {{ int64 . }}
    {{- end }}
{{- end -}}

{{/* The schema cannot compare two values: an autoscaling range whose minimum exceeds its maximum fails here. Args: values (autoscaling), key. */}}
{{- define "CHART.collector.autoscalingRange" -}}
{{- if gt (int64 .values.minReplicas) (int64 .values.maxReplicas) }}{{ fail (printf "%sautoscaling.minReplicas (%d) must not exceed %sautoscaling.maxReplicas (%d)" .key (int64 .values.minReplicas) .key (int64 .values.maxReplicas)) }}{{ end -}}
{{- end -}}

{{/* spec.autoscaler of an OpenTelemetryCollector. Args: values (autoscaling), key. */}}
{{- define "CHART.collector.autoscaler" -}}
{{- include "CHART.collector.autoscalingRange" . -}}
{{- $a := dict "minReplicas" (int64 .values.minReplicas) "maxReplicas" (int64 .values.maxReplicas) "targetCPUUtilization" (int64 .values.targetCPUUtilizationPercentage) -}}
{{- with .values.targetMemoryUtilizationPercentage }}{{ $_ := set $a "targetMemoryUtilization" (int64 .) }}{{ end -}}
{{- toYaml $a -}}
{{- end -}}

{{/*
The topologySpreadConstraints of a Deployment-mode collector's pods: with spread.enabled a soft
spread over nodes (one replica per node where there are nodes enough), then the user's own.
Args: root, values (with spread and topologySpreadConstraints), component.
*/}}
{{- define "CHART.collector.spread" -}}
{{- $out := list -}}
{{- if .values.spread.enabled -}}
{{- $selector := include "CHART.podSelector" (dict "root" .root "components" (list .component)) | fromYaml -}}
{{- $out = append $out (dict "maxSkew" 1 "topologyKey" "kubernetes.io/hostname" "whenUnsatisfiable" "ScheduleAnyway" "labelSelector" $selector) -}}
{{- end -}}
{{- /* concat of two empty lists is nil, which toYaml prints as null. */ -}}
{{- with concat $out (.values.topologySpreadConstraints | default list) }}{{ toYaml . }}{{ else }}[]{{ end -}}
{{- end -}}

{{/*
Stops an install or upgrade that would take another release's collector of the same name in this
namespace (its OpenTelemetryCollector, or a native runtime's `<name>-collector` Service): the two
releases would fight over one set of Services. Prints nothing. Only against a cluster (`lookup`
finds nothing under `helm template`). Args: root, name (the collector's name), service (its
`<name>-collector` Service), key.
*/}}
{{- define "CHART.collector.nameFree" -}}
{{- $ns := .root.Release.Namespace -}}
{{- $held := list -}}
{{- if .root.Capabilities.APIVersions.Has "opentelemetry.io/v1beta1/OpenTelemetryCollector" -}}
{{- with lookup "opentelemetry.io/v1beta1" "OpenTelemetryCollector" $ns .name }}{{ $held = append $held (dict "object" (printf "OpenTelemetryCollector %s" $.name) "meta" .metadata) }}{{ end -}}
{{- end -}}
{{- with lookup "v1" "Service" $ns .service -}}
{{- /* A Service the Operator made belongs to the OpenTelemetryCollector looked up above. */ -}}
{{- if dig "annotations" "meta.helm.sh/release-name" "" .metadata }}{{ $held = append $held (dict "object" (printf "Service %s" .metadata.name) "meta" .metadata) }}{{ end -}}
{{- end -}}
{{- range $held -}}
{{- $owner := dig "annotations" "meta.helm.sh/release-name" "" .meta -}}
{{- if ne $owner $.root.Release.Name -}}
{{- fail (printf "%sname: %q is taken in namespace %q by %s (%s): two releases cannot share a collector's objects; give this release's collector another %sname" $.key $.name $ns (ternary (printf "release %q" $owner) "something outside Helm" (ne $owner "")) .object $.key) -}}
{{- end -}}
{{- end -}}
{{- end -}}
