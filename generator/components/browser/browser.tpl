{{/*
The browser (RUM) collector's generated configuration: OTLP/HTTP only, with CORS and a request
size limit; traces, metrics and logs tagged telemetry.source=browser; forwarded like the agent's.
Args: root, values, key, gateway, gatewayKey.
*/}}
{{- define "CHART.browser.config" -}}
{{- $v := .values -}}
{{- $limiter := include "CHART.memoryLimiter" $v -}}
{{- /* Every signal passes the same processors, in this order. */ -}}
{{- $chain := list -}}
{{- if $limiter }}{{ $chain = append $chain "memory_limiter" }}{{ end -}}
{{- $chain = concat $chain (list "resource" "batch") -}}
{{- $out := include "CHART.forwardExporters" (dict "root" .root "gateway" .gateway "gatewayKey" .gatewayKey) | fromYaml -}}
{{- $receivers := dict "traces" (list "otlp") "metrics" (list "otlp") "logs" (list "otlp") -}}
{{- $chains := dict "traces" $chain "metrics" $chain "logs" $chain -}}
{{- $pipelines := include "CHART.pipelines" (dict "receivers" $receivers "processors" $chains "signals" $out.signals "names" (list "traces" "metrics" "logs")) | fromYaml -}}
{{- if not $pipelines }}{{ fail (printf "%sdestinations: no enabled destination; %s" .gatewayKey (ternary "the gateway needs at least one" "with the gateway disabled the browser collector exports to the gateway's destinations" .gateway.enabled)) }}{{ end -}}
{{- /* CORS only with allowed origins. */ -}}
{{- $cors := ternary $v.cors nil (not (empty $v.cors.allowedOrigins)) -}}
receivers:
  otlp: {{- include "CHART.otlpReceiver" (dict "grpc" false "cors" $cors "maxRequestBodyBytes" $v.maxRequestBodyBytes) | nindent 4 }}
processors:
  {{- with $limiter }}{{ nindent 2 . }}{{ end }}
  resource: {{- include "CHART.resourceAttributes" (dict "root" .root "attributes" (dict "telemetry.source" "browser")) | nindent 4 }}
  batch: {}
exporters: {{- toYaml $out.exporters | nindent 2 }}
service:
  pipelines: {{- toYaml $pipelines | nindent 4 }}
{{- end -}}
