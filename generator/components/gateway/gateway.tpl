{{/*
The gateway's generated collector configuration: OTLP in; memory limiter, Kubernetes attributes,
resource attributes, health-check filtering, tail sampling and batching; the destinations out.
*/}}
{{- define "CHART.gateway.config" -}}
{{- $v := .values -}}
{{- $limiter := include "CHART.memoryLimiter" $v -}}
{{- $resource := include "CHART.resourceAttributes" (dict "root" .root "attributes" $v.processing.resourceAttributes) -}}
{{- $transform := $v.processing.transform | default dict -}}
{{- $transforming := or $transform.traceStatements $transform.metricStatements $transform.logStatements -}}
{{- $healthChecks := $v.processing.dropHealthChecks -}}
{{- $sampling := $v.tailSampling -}}
{{- $policies := list -}}
{{- if $sampling.enabled -}}
{{- range $name, $p := $sampling.policies }}{{ if dig "enabled" true $p }}{{ $policies = append $policies $name }}{{ end }}{{ end -}}
{{- if not $policies }}{{ fail (printf "%stailSampling.policies: every policy is disabled; set %stailSampling.enabled: false to keep every trace" .key .key) }}{{ end -}}
{{- end -}}
{{- /* Processors of every signal, in this order; traces then drop health checks and are sampled, before batching. */ -}}
{{- $chain := list -}}
{{- if $limiter }}{{ $chain = append $chain "memory_limiter" }}{{ end -}}
{{- if $v.presets.kubernetesAttributes.enabled }}{{ $chain = append $chain "k8s_attributes" }}{{ end -}}
{{- if $resource }}{{ $chain = append $chain "resource" }}{{ end -}}
{{- if $transforming }}{{ $chain = append $chain "transform" }}{{ end -}}
{{- $traces := $chain -}}
{{- if $healthChecks.enabled }}{{ $traces = append $traces "filter/health-checks" }}{{ end -}}
{{- if $sampling.enabled }}{{ $traces = append $traces "tail_sampling" }}{{ end -}}
{{- $out := include "CHART.destinations" (dict "root" .root "destinations" $v.destinations "key" .key) | fromYaml -}}
{{- $receivers := dict "traces" (list "otlp") "metrics" (list "otlp") "logs" (list "otlp") -}}
{{- $chains := dict "traces" (append $traces "batch") "metrics" (append $chain "batch") "logs" (append $chain "batch") -}}
{{- $pipelines := include "CHART.pipelines" (dict "receivers" $receivers "processors" $chains "signals" $out.signals "names" (list "traces" "metrics" "logs")) | fromYaml -}}
{{- if not $pipelines }}{{ fail (printf "%sdestinations: no enabled destination; the gateway needs at least one" .key) }}{{ end -}}
receivers:
  otlp: {{- include "CHART.otlpReceiver" (dict "grpc" true) | nindent 4 }}
processors:
  {{- with $limiter }}{{ nindent 2 . }}{{ end }}
  {{- if $v.presets.kubernetesAttributes.enabled }}
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
  {{- if $healthChecks.enabled }}
  filter/health-checks:
    error_mode: ignore
    traces:
      span:
        {{- range $attr := list "url.path" "http.target" "http.route" }}
        - {{ printf "IsMatch(attributes[%q], %q)" $attr $healthChecks.pathPattern | quote }}
        {{- end }}
  {{- end }}
  {{- if $sampling.enabled }}
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
exporters: {{- toYaml $out.exporters | nindent 2 }}
extensions:
  {{- if $v.opamp.enabled }}
  opamp:
    server:
      ws:
        endpoint: {{ quote $v.opamp.endpoint }}
  {{- else }} {}
  {{- end }}
service:
  extensions: {{ if $v.opamp.enabled }}[opamp]{{ else }}[]{{ end }}
  pipelines: {{- toYaml $pipelines | nindent 4 }}
{{- end -}}
