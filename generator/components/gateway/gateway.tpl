{{/*
The gateway's processors: their definitions and, per signal, the chain each pipeline runs. Stage
"all": the gateway alone does everything; with the Kafka buffer the gateway does "ingest" (what
needs the sender's connection: Kubernetes attributes) and its consumer does "process" (attributes,
transform, health-check filtering, tail sampling). Every chain starts with the memory limiter (with
a memory limit) and ends with batch; profiles pass the limiter only (the other processors carry no
profiles in this release). Args: root, values, key, stage, resources (of the collector running it).
Prints {processors: {...}, chains: {traces: [...], metrics, logs, profiles}}.
*/}}
{{- define "CHART.gateway.processing" -}}
{{- $v := .values -}}
{{- $ingest := ne .stage "process" -}}
{{- $process := ne .stage "ingest" -}}
{{- $limiter := include "CHART.memoryLimiter" (dict "resources" .resources) -}}
{{- $k8s := and $ingest $v.presets.kubernetesAttributes.enabled -}}
{{- $resource := ternary (include "CHART.resourceAttributes" (dict "root" .root "attributes" $v.processing.resourceAttributes)) "" $process -}}
{{- $transform := $v.processing.transform | default dict -}}
{{- $transforming := and $process (or $transform.traceStatements $transform.metricStatements $transform.logStatements) -}}
{{- $healthChecks := and $process $v.processing.dropHealthChecks.enabled -}}
{{- $sampling := $v.tailSampling -}}
{{- $sampled := and $process $sampling.enabled -}}
{{- $policies := list -}}
{{- if $sampled -}}
{{- range $name, $p := $sampling.policies }}{{ if dig "enabled" true $p }}{{ $policies = append $policies $name }}{{ end }}{{ end -}}
{{- if not $policies }}{{ fail (printf "%stailSampling.policies: every policy is disabled; set %stailSampling.enabled: false to keep every trace" .key .key) }}{{ end -}}
{{- end -}}
{{- $chain := list -}}
{{- if $limiter }}{{ $chain = append $chain "memory_limiter" }}{{ end -}}
{{- if $k8s }}{{ $chain = append $chain "k8s_attributes" }}{{ end -}}
{{- if $resource }}{{ $chain = append $chain "resource" }}{{ end -}}
{{- if $transforming }}{{ $chain = append $chain "transform" }}{{ end -}}
{{- $traces := $chain -}}
{{- if $healthChecks }}{{ $traces = append $traces "filter/health-checks" }}{{ end -}}
{{- if $sampled }}{{ $traces = append $traces "tail_sampling" }}{{ end -}}
chains:
  traces: {{ append $traces "batch" | toJson }}
  metrics: {{ append $chain "batch" | toJson }}
  logs: {{ append $chain "batch" | toJson }}
  profiles: {{ ternary (list "memory_limiter") list (not (empty $limiter)) | toJson }}
processors:
  {{- with $limiter }}{{ nindent 2 . }}{{ end }}
  {{- if $k8s }}
  {{- /* Spans forwarded by the agent already carry k8s.pod.uid; direct senders are matched by connection. */}}
  k8s_attributes:
    passthrough: false
    pod_association:
      - sources:
          - from: resource_attribute
            name: k8s.pod.uid
      - sources:
          - from: resource_attribute
            name: k8s.pod.ip
      - sources:
          - from: connection
  {{- end }}
  {{- with $resource }}
  resource: {{- nindent 4 . }}
  {{- end }}
  {{- if $transforming }}
  transform:
    error_mode: ignore
    {{- with $transform.traceStatements }}
    trace_statements: {{- toYaml . | nindent 6 }}
    {{- end }}
    {{- with $transform.metricStatements }}
    metric_statements: {{- toYaml . | nindent 6 }}
    {{- end }}
    {{- with $transform.logStatements }}
    log_statements: {{- toYaml . | nindent 6 }}
    {{- end }}
  {{- end }}
  {{- if $healthChecks }}
  filter/health-checks:
    error_mode: ignore
    traces:
      span:
        {{- range $attr := list "url.path" "http.target" "http.route" }}
        - {{ printf "IsMatch(attributes[%q], %q)" $attr $v.processing.dropHealthChecks.pathPattern | quote }}
        {{- end }}
  {{- end }}
  {{- if $sampled }}
  tail_sampling:
    decision_wait: {{ quote $sampling.decisionWait }}
    num_traces: {{ int64 $sampling.numTraces }}
    expected_new_traces_per_sec: {{ int64 $sampling.expectedNewTracesPerSec }}
    policies:
      {{- range $name := $policies }}
      - name: {{ quote $name }}
        {{- with omit (get $sampling.policies $name) "enabled" "name" }}{{ toYaml . | nindent 8 }}{{ end }}
      {{- end }}
  {{- end }}
  batch: {}
{{- end -}}

{{/*
The gateway's generated collector configuration: OTLP in (TLS, bearer-token auth and request
metadata as its `receivers` and `tenancy` say); the processing of "CHART.gateway.processing"; out
to the destinations, through the tenants' routing connectors, or into the Kafka buffer.
*/}}
{{- define "CHART.gateway.config" -}}
{{- $v := .values -}}
{{- $kafka := $v.kafka.enabled -}}
{{- if and $kafka $v.tenancy.enabled }}{{ fail (printf "%skafka and %stenancy cannot both be enabled: request metadata (the tenant) does not travel through Kafka" .key .key) }}{{ end -}}
{{- $processing := include "CHART.gateway.processing" (dict "root" .root "values" $v "key" .key "stage" (ternary "ingest" "all" $kafka) "resources" $v.resources) | fromYaml -}}
{{- $chains := $processing.chains -}}
{{- $out := include "CHART.destinations" (dict "root" .root "destinations" $v.destinations "key" .key "gateway" true) | fromYaml -}}
{{- $names := list "traces" "metrics" "logs" -}}
{{- if .root.Values.profiles.enabled }}{{ $names = append $names "profiles" }}{{ end -}}
{{- $receivers := dict -}}
{{- range $s := $names }}{{ $_ := set $receivers $s (list "otlp") }}{{ end -}}
{{- $exporters := $out.exporters -}}
{{- $signals := $out.signals -}}
{{- if and $kafka $out.persistent }}{{ fail (printf "%sdestinations: sendingQueue.persistent is for a gateway without the Kafka buffer (%skafka.enabled), which already keeps what the gateway accepted" .key .key) }}{{ end -}}
{{- if $kafka -}}
{{- /* The buffer takes the signals some destination takes; profiles go straight to their destinations. */ -}}
{{- $exporters = dict "kafka/buffer" (include "CHART.gateway.kafkaExporter" $v.kafka | fromYaml) -}}
{{- range $s := list "traces" "metrics" "logs" }}{{ if get $signals $s }}{{ $_ := set $signals $s (list "kafka/buffer") }}{{ end }}{{ end -}}
{{- with $signals.profiles }}{{ range $id := . }}{{ $_ := set $exporters $id (get $out.exporters $id) }}{{ end }}{{ end -}}
{{- end -}}
{{- $pipelines := dict -}}
{{- if $v.tenancy.enabled -}}
{{- $pipelines = include "CHART.gateway.tenantPipelines" (dict "values" $v "key" .key "out" $out "names" $names "processors" $chains) | fromYaml -}}
{{- else -}}
{{- $pipelines = include "CHART.pipelines" (dict "receivers" $receivers "processors" $chains "signals" $signals "names" $names) | fromYaml -}}
{{- end -}}
{{- if not $pipelines }}{{ fail (printf "%sdestinations: no enabled destination; the gateway needs at least one" .key) }}{{ end -}}
{{- $security := $v.receivers -}}
{{- $persistent := $out.persistent -}}
{{- $extensions := list -}}
{{- if $v.opamp.enabled }}{{ $extensions = append $extensions "opamp" }}{{ end -}}
{{- if $security.auth.bearerToken.enabled }}{{ $extensions = append $extensions "bearertokenauth/receivers" }}{{ end -}}
{{- if $persistent }}{{ $extensions = append $extensions "file_storage/queue" }}{{ end -}}
receivers:
  otlp: {{- include "CHART.otlpReceiver" (dict "grpc" true "security" $security "includeMetadata" $v.tenancy.enabled) | nindent 4 }}
processors: {{- toYaml $processing.processors | nindent 2 }}
exporters:
  {{- toYaml $exporters | nindent 2 }}
  {{- if $v.tenancy.enabled }}
  {{- /* Where a tenant's signal goes when none of its destinations carries it. */}}
  nop: {}
  {{- end }}
{{- if $v.tenancy.enabled }}
connectors:
  {{- include "CHART.gateway.routing" (dict "values" $v "pipelines" $pipelines "names" $names) | nindent 2 }}
{{- end }}
extensions:
  {{- if not $extensions }} {}{{ end }}
  {{- if $v.opamp.enabled }}
  opamp:
    server:
      ws:
        endpoint: {{ quote $v.opamp.endpoint }}
  {{- end }}
  {{- if $security.auth.bearerToken.enabled }}
  bearertokenauth/receivers:
    filename: "@RECEIVER_AUTH_DIR@/token"
  {{- end }}
  {{- if $persistent }}
  file_storage/queue:
    directory: "@QUEUE_DIR@"
    create_directory: true
  {{- end }}
service:
  extensions: {{ toJson $extensions }}
  pipelines: {{- toYaml $pipelines | nindent 4 }}
{{- end -}}

{{/* The gateway's exporter into the Kafka buffer: every signal on its topic, each trace on one partition (keyed by trace ID). Args: the `kafka` values. */}}
{{- define "CHART.gateway.kafkaExporter" -}}
brokers: {{- toYaml .brokers | nindent 2 }}
{{- range $s := list "traces" "metrics" "logs" }}
{{ $s }}:
  topic: {{ get $.topics $s | quote }}
  encoding: {{ quote $.encoding }}
{{- end }}
partition_traces_by_id: true
sending_queue:
  enabled: true
retry_on_failure:
  enabled: true
{{- end -}}

{{/*
The Kafka consumer's generated configuration: the buffer's topics in (one consumer group, so the
replicas share the partitions and each trace, on one partition, reaches one replica whole); the
gateway's "process" stage; the destinations out. Args: root, values (the gateway's), key.
*/}}
{{- define "CHART.kafka-consumer.config" -}}
{{- $v := .values -}}
{{- $k := $v.kafka -}}
{{- $processing := include "CHART.gateway.processing" (dict "root" .root "values" $v "key" .key "stage" "process" "resources" $k.consumer.resources) | fromYaml -}}
{{- /* "gateway": the destinations are the gateway's (a persistent queue among them is refused by the gateway's config). */ -}}
{{- $out := include "CHART.destinations" (dict "root" .root "destinations" $v.destinations "key" .key "gateway" true) | fromYaml -}}
{{- $receivers := dict "traces" (list "kafka") "metrics" (list "kafka") "logs" (list "kafka") -}}
{{- $pipelines := include "CHART.pipelines" (dict "receivers" $receivers "processors" $processing.chains "signals" $out.signals "names" (list "traces" "metrics" "logs")) | fromYaml -}}
receivers:
  kafka:
    brokers: {{- toYaml $k.brokers | nindent 6 }}
    group_id: {{ printf "%s-kafka-consumer" $v.name | quote }}
    initial_offset: earliest
    {{- range $s := list "traces" "metrics" "logs" }}
    {{ $s }}:
      topics: [{{ get $k.topics $s | quote }}]
      encoding: {{ quote $k.encoding }}
    {{- end }}
processors: {{- toYaml $processing.processors | nindent 2 }}
exporters: {{- toYaml $out.exporters | nindent 2 }}
service:
  pipelines: {{- toYaml $pipelines | nindent 4 }}
{{- end -}}

{{/*
Pipelines under tenancy, per signal: `<signal>` receives and hands everything to the routing
connector `routing/<signal>`; `<signal>/tenant-<name>` processes and exports a tenant's telemetry to
its destinations that carry the signal (`<signal>/drop`, the nop exporter, when none does);
`<signal>/default` takes unknown tenants to defaultDestinations (none: they are dropped).
Args: values, key, out (CHART.destinations), names (signals), processors (signal -> full chain).
*/}}
{{- define "CHART.gateway.tenantPipelines" -}}
{{- $t := .values.tenancy -}}
{{- $where := printf "%stenancy" .key -}}
{{- range $name, $tenant := $t.tenants -}}
{{- range $d := $tenant.destinations -}}
{{- if not (hasKey $.values.destinations $d) }}{{ fail (printf "%s.tenants.%s.destinations: %q is not defined under %sdestinations (defined: %s)" $where $name $d $.key (keys $.values.destinations | sortAlpha | join ", ")) }}{{ end -}}
{{- end -}}
{{- end -}}
{{- range $d := $t.defaultDestinations -}}
{{- if not (hasKey $.values.destinations $d) }}{{ fail (printf "%s.defaultDestinations: %q is not defined under %sdestinations (defined: %s)" $where $d $.key (keys $.values.destinations | sortAlpha | join ", ")) }}{{ end -}}
{{- end -}}
{{- $enabled := list -}}
{{- range $name, $tenant := $t.tenants }}{{ if dig "enabled" true $tenant }}{{ $enabled = append $enabled $name }}{{ end }}{{ end -}}
{{- if not $enabled }}{{ fail (printf "%s.tenants: no enabled tenant; add one (name: {destinations: [...]}) or set %s.enabled: false" $where $where) }}{{ end -}}
{{- $pipelines := dict -}}
{{- range $s := .names -}}
{{- with get $.out.signals $s -}}
{{- $carriers := . -}}
{{- $chain := get $.processors $s -}}
{{- $head := ternary (list "memory_limiter") list (has "memory_limiter" $chain) -}}
{{- $rest := without $chain "memory_limiter" -}}
{{- $_ := set $pipelines $s (dict "receivers" (list "otlp") "processors" $head "exporters" (list (printf "routing/%s" $s))) -}}
{{- $lists := dict -}}
{{- range $name, $tenant := $t.tenants }}{{ if dig "enabled" true $tenant }}{{ $_ := set $lists (printf "tenant-%s" $name) $tenant.destinations }}{{ end }}{{ end -}}
{{- $_ := set $lists "default" $t.defaultDestinations -}}
{{- range $suffix, $dests := $lists -}}
{{- $exporters := list -}}
{{- range $id := $carriers }}{{ if has (index (splitList "/" $id) 1) $dests }}{{ $exporters = append $exporters $id }}{{ end }}{{ end -}}
{{- if $exporters -}}
{{- $_ := set $pipelines (printf "%s/%s" $s $suffix) (dict "receivers" (list (printf "routing/%s" $s)) "processors" $rest "exporters" $exporters) -}}
{{- else if ne $suffix "default" -}}
{{- $_ := set $pipelines (printf "%s/drop" $s) (dict "receivers" (list (printf "routing/%s" $s)) "exporters" (list "nop")) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- toYaml $pipelines -}}
{{- end -}}

{{/*
The routing connectors of tenancy: per signal, a table routing each enabled tenant's header value
to its pipeline (or the drop pipeline), unknown tenants to the default pipeline if there is one.
Args: values, pipelines, names.
*/}}
{{- define "CHART.gateway.routing" -}}
{{- $t := .values.tenancy -}}
{{- range $s := .names -}}
{{- if hasKey $.pipelines $s }}
routing/{{ $s }}:
  {{- if hasKey $.pipelines (printf "%s/default" $s) }}
  default_pipelines: [{{ $s }}/default]
  {{- end }}
  table:
    {{- range $name, $tenant := $t.tenants }}
    {{- if dig "enabled" true $tenant }}
    {{- $own := printf "%s/tenant-%s" $s $name }}
    - condition: {{ printf "otelcol.client.metadata[%q][0] == %q" $t.header $name | quote }}
      pipelines: [{{ ternary $own (printf "%s/drop" $s) (hasKey $.pipelines $own) }}]
    {{- end }}
    {{- end }}
{{- end }}
{{- end -}}
{{- end -}}

{{/* Volumes or mounts of the gateway: its receivers' Secrets and the persistent queue. Args: root, values, part. */}}
{{- define "CHART.gateway.volumes" -}}
{{- $r := .values.receivers -}}
{{- $secrets := list -}}
{{- if $r.tls.enabled }}{{ $secrets = append $secrets (dict "volume" "receiver-tls" "secret" $r.tls.secretName "path" "@RECEIVER_TLS_DIR@") }}{{ end -}}
{{- with $r.auth.bearerToken }}{{ if .enabled }}{{ $secrets = append $secrets (dict "volume" "receiver-auth" "secret" .secretName "key" .key "path" "@RECEIVER_AUTH_DIR@") }}{{ end }}{{ end -}}
{{- $out := include "CHART.secretVolumes" (dict "secrets" $secrets "part" .part) | fromYamlArray -}}
{{- /* The queue's volume is the StatefulSet's claim template (see the runtimes); only its mount is here. */ -}}
{{- if and (eq .part "volumeMounts") (include "CHART.gateway.persistent" .) }}{{ $out = append $out (dict "name" "queue" "mountPath" "@QUEUE_DIR@") }}{{ end -}}
{{- toYaml $out -}}
{{- end -}}

{{/* "true" when an enabled destination keeps its queue on disk (the gateway then runs as a StatefulSet), else empty. Args: values. */}}
{{- define "CHART.gateway.persistent" -}}
{{- $persistent := false -}}
{{- range $name, $d := .values.destinations -}}
{{- if and (dig "enabled" true $d) (dig "sendingQueue" "persistent" false $d) }}{{ $persistent = true }}{{ end -}}
{{- end -}}
{{- if $persistent }}true{{ end -}}
{{- end -}}

{{/* The persistent queue's claim, one per replica. Args: values (persistence). */}}
{{- define "CHART.gateway.queueClaims" -}}
- metadata:
    name: queue
  spec:
    accessModes: [ReadWriteOnce]
    {{- with .values.storageClassName }}
    storageClassName: {{ quote . }}
    {{- end }}
    resources:
      requests:
        storage: {{ quote .values.size }}
{{- end -}}

{{/*
The gateway's part of NOTES.txt: its destinations, the signals none of them takes, and how tenancy,
the Kafka buffer, receiver security and persistent queues are set up (when the gateway runs). Args:
root, values, key, who (what refuses a signal nobody takes: "the gateway", "the collectors"),
enabled (the gateway runs).
*/}}
{{- define "CHART.gateway.notes" -}}
{{- $v := .values -}}
{{- range $name, $d := $v.destinations }}
{{- if dig "enabled" true $d }}
  {{ $name }}: {{ $d.type }} {{ $d.endpoint | default "" }} ({{ join ", " ($d.signals | default (list "traces" "metrics" "logs")) }})
{{- end }}
{{- end }}
{{- $out := include "CHART.destinations" (dict "root" .root "destinations" $v.destinations "key" .key "gateway" true) | fromYaml }}
{{- $signals := list "traces" "metrics" "logs" }}
{{- if .root.Values.profiles.enabled }}{{ $signals = append $signals "profiles" }}{{ end }}
{{- range $signal := $signals }}
{{- if not (get $out.signals $signal) }}

WARNING: no enabled destination takes {{ $signal }}: {{ $.who }} run no {{ $signal }} pipeline and
refuse {{ $signal }} sent to them. Add "{{ $signal }}" to a destination's signals to keep them.
{{- end }}
{{- end }}
{{- if .enabled }}
{{- if $v.tenancy.enabled }}

Tenancy: telemetry is routed by the request header "{{ $v.tenancy.header }}" (the agent and browser collectors pass it on):
{{- range $name, $t := $v.tenancy.tenants }}
  {{ $name }} -> {{ if dig "enabled" true $t }}{{ join ", " $t.destinations }}{{ else }}(disabled: treated as unknown){{ end }}
{{- end }}
  unknown or no tenant -> {{ with $v.tenancy.defaultDestinations }}{{ join ", " . }}{{ else }}dropped (set {{ $.key }}tenancy.defaultDestinations to keep it){{ end }}
{{- end }}
{{- if $v.kafka.enabled }}

Kafka buffer: the gateway writes every signal to {{ join ", " $v.kafka.brokers }} (topics {{ $v.kafka.topics.traces }}, {{ $v.kafka.topics.metrics }}, {{ $v.kafka.topics.logs }}; traces keyed by trace ID).
The collector "{{ $v.name }}-kafka-consumer" ({{ $v.kafka.consumer.replicas }} replica(s), consumer group "{{ $v.name }}-kafka-consumer") reads them, tail-samples and exports to the destinations.
Create the topics first; give the traces topic at least as many partitions as consumer replicas.
{{- end }}
{{- with $v.receivers }}
{{- if or .tls.enabled .auth.bearerToken.enabled }}

The gateway's OTLP receivers require{{ if .tls.enabled }} TLS (Secret "{{ .tls.secretName }}"{{ if .tls.clientAuth }}, with client certificates signed by its ca.crt{{ end }}){{ end }}{{ if and .tls.enabled .auth.bearerToken.enabled }} and{{ end }}{{ if .auth.bearerToken.enabled }} a bearer token (Secret "{{ .auth.bearerToken.secretName }}", key "{{ .auth.bearerToken.key }}"){{ end }}.
The chart's own collectors present them; other senders must too.
{{- end }}
{{- end }}
{{- if $out.persistent }}

Persistent sending queue: the gateway runs as a StatefulSet with one PersistentVolumeClaim per replica
({{ $v.persistence.size }}).
{{- if $v.persistence.retainClaims }} The claims stay after uninstall ({{ .key }}persistence.retainClaims), with what is still queued;
delete them once their queues are drained:
  kubectl delete pvc -n {{ .root.Release.Namespace }} -l app.kubernetes.io/instance={{ .root.Release.Name }},app.kubernetes.io/component=gateway
{{- else }} The claims are deleted with the StatefulSet on uninstall ({{ .key }}persistence.retainClaims: false).
{{- end }}
{{- end }}
{{- end }}
{{- end -}}
