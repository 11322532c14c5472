{{/*
Where in-cluster senders that are not collectors (auto-instrumented SDKs, the eBPF agent) export:
an explicit endpoint when given, else the node-local agent's Service (internalTrafficPolicy: Local,
so traffic stays on the node and the agent load-balances traces by trace ID), else the gateway's.
Args: root, override (explicit endpoint or ""), agentEnabled, gatewayEnabled, key (the values path
named when nothing is left to send to), grpc (true: the OTLP/gRPC port, else OTLP/HTTP).
*/}}
{{- define "CHART.otlpEndpoint" -}}
{{- $port := ternary "@OTLP_GRPC_PORT@" "@OTLP_HTTP_PORT@" (.grpc | default false) -}}
{{- if .override -}}
{{- .override -}}
{{- else if .agentEnabled -}}
{{- printf "http://%s:%s" (include "CHART.agent.host" .root) $port -}}
{{- else if .gatewayEnabled -}}
{{- $r := .root.Values.gatewayCollector.receivers -}}
{{- if or $r.tls.enabled $r.auth.bearerToken.enabled -}}
{{- fail (printf "%s must be set: the agent collector is disabled and the gateway's receivers require %s (gatewayCollector.receivers), which these senders are not given; enable agentCollector, or point %s at an endpoint they can reach" .key (ternary "TLS" "a bearer token" $r.tls.enabled) .key) -}}
{{- end -}}
{{- printf "http://%s:%s" (include "CHART.gateway.host" .root) $port -}}
{{- else -}}
{{- fail (printf "%s must be set: the agent and the gateway collector are both disabled, so the chart has no OTLP endpoint to send to" .key) -}}
{{- end -}}
{{- end -}}

{{/*
One language block of the Instrumentation: image (honouring global.imageRegistry), env as a list,
and the init container's resources under the CRD's field name for that language. Web server
modules (Apache HTTPD, Nginx) export with OTLP/gRPC only, so they are given the gRPC endpoint.
Args: root, values ({image, env, resources}), resourcesField, endpointDirective, endpoint.
*/}}
{{- define "CHART.instrumentation.language" -}}
{{- $out := dict "image" (include "CHART.image" (dict "root" .root "image" .values.image)) -}}
{{- with include "CHART.envList" .values.env | fromYamlArray }}{{ $_ := set $out "env" . }}{{ end -}}
{{- with .values.resources }}{{ $_ := set $out $.resourcesField . }}{{ end -}}
{{- with .endpointDirective }}{{ $_ := set $out "attrs" (list (dict "name" . "value" $.endpoint)) }}{{ end -}}
{{- toYaml $out -}}
{{- end -}}

{{/*
NOTES.txt text of the Instrumentation: the exact annotation per language for the namespace the
chart went into, where the SDKs export, and one deprecation line per legacy key set. The component
binds it to its values as "CHART.instrumentation.notes" (called with the root context).
Args: root, values (instrumentation), key, agentEnabled, gatewayEnabled.
*/}}
{{- define "CHART.instrumentation.notesText" -}}
{{- $v := .values -}}
{{- $lines := list -}}
{{- if $v.enabled -}}
{{- $lines = append $lines "Auto-instrumentation (OpenTelemetry Operator): add one of these annotations to a pod template:" -}}
{{- range $lang := @INSTRUMENTATION_ANNOTATIONS@ -}}
{{- $lines = append $lines (printf "  instrumentation.opentelemetry.io/inject-%s: \"%s/%s\"" $lang $.root.Release.Namespace $v.name) -}}
{{- end -}}
{{- $endpoint := include "CHART.otlpEndpoint" (dict "root" .root "override" $v.exporter.endpoint "agentEnabled" .agentEnabled "gatewayEnabled" .gatewayEnabled "key" (printf "%sexporter.endpoint" .key)) -}}
{{- $lines = append $lines (printf "Instrumented workloads export OTLP/HTTP to %s" $endpoint) -}}
{{- end -}}
{{- if hasKey $v "selfObservability" -}}
{{- $lines = append $lines (printf "DEPRECATED: %sselfObservability is a key of the original chart and has no effect; remove it." .key) -}}
{{- end -}}
{{- join "\n" $lines -}}
{{- end -}}
