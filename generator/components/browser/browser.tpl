{{/*
The browser (RUM) collector's generated configuration: OTLP/HTTP only, with CORS and a request
size limit; traces, metrics and logs tagged telemetry.source=browser; forwarded like the agent's.
Args: root, values, key, gateway, gatewayKey.
*/}}
{{- define "CHART.browser.config" -}}
{{- $v := .values -}}
{{- $processors := include "CHART.memoryLimiter" $v | fromYaml | default dict -}}
{{- $chain := keys $processors -}}
{{- $attrs := include "CHART.resourceAttributes" (dict "root" .root "attributes" (dict "telemetry.source" "browser")) | fromYaml -}}
{{- $_ := set $processors "resource" $attrs -}}
{{- $_ := set $processors "batch" dict -}}
{{- $chain = concat $chain (list "resource" "batch") -}}
{{- $cors := ternary $v.cors nil (not (empty $v.cors.allowedOrigins)) -}}
{{- $receivers := dict "otlp" (include "CHART.otlpReceiver" (dict "grpc" false "cors" $cors "maxRequestBodyBytes" $v.maxRequestBodyBytes) | fromYaml) -}}
{{- $out := include "CHART.forwardExporters" (dict "root" .root "gateway" .gateway "gatewayKey" .gatewayKey) | fromYaml -}}
{{- $signalReceivers := dict "traces" (list "otlp") "metrics" (list "otlp") "logs" (list "otlp") -}}
{{- $chains := dict "traces" $chain "metrics" $chain "logs" $chain -}}
{{- $pipelines := include "CHART.pipelines" (dict "receivers" $signalReceivers "processors" $chains "signals" $out.signals "names" (list "traces" "metrics" "logs")) | fromYaml -}}
{{- if not $pipelines }}{{ fail (printf "%sdestinations: no enabled destination; with the gateway disabled the browser collector exports to the gateway's destinations" .gatewayKey) }}{{ end -}}
{{- toYaml (dict "receivers" $receivers "processors" $processors "exporters" $out.exporters "service" (dict "pipelines" $pipelines)) -}}
{{- end -}}
