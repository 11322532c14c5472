{{/*
The `helm test` hook's script: every running collector's health endpoint (its
`-collector-extension` Service) must answer 200; then one span, one metric and one log record (each
signal some destination takes) are posted over OTLP/HTTP to every collector of the release that
receives them — the agent, the browser collector, and the gateway unless its receivers demand TLS or
a token the test pod does not have; each must answer 200. Args: root, collectors (list of {host,
healthHost, enabled, receivers}), gateway (the gateway's values), gatewayKey.
*/}}
{{- define "CHART.smokeTest.script" -}}
{{- $taken := (include "CHART.destinations" (dict "root" .root "destinations" .gateway.destinations "key" .gatewayKey "gateway" true) | fromYaml).signals -}}
{{- $bodies := dict
  "traces" `{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"helm-test"}}]},"scopeSpans":[{"spans":[{"traceId":"6b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174","name":"helm-test","kind":2,"startTimeUnixNano":"1700000000000000000","endTimeUnixNano":"1700000001000000000"}]}]}]}`
  "metrics" `{"resourceMetrics":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"helm-test"}}]},"scopeMetrics":[{"metrics":[{"name":"helm_test","gauge":{"dataPoints":[{"asInt":"1","timeUnixNano":"1700000000000000000"}]}}]}]}]}`
  "logs" `{"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"helm-test"}}]},"scopeLogs":[{"logRecords":[{"body":{"stringValue":"helm test"},"timeUnixNano":"1700000000000000000"}]}]}]}`
-}}
set -eu
health() {
  code=$(curl -sS -o /dev/null -w '%{http_code}' --max-time 10 "http://$1:@HEALTH_PORT@/")
  echo "$1 health: HTTP $code"
  [ "$code" = 200 ]
}
post() {
  code=$(curl -sS -o /dev/null -w '%{http_code}' --max-time 10 -X POST -H 'Content-Type: application/json' --data "$3" "http://$1:@OTLP_HTTP_PORT@/v1/$2")
  echo "$1 /v1/$2: HTTP $code"
  [ "$code" = 200 ]
}
{{- range $t := @SMOKE_TARGETS@ }}
{{- $runs := true }}
{{- range $t.enabled }}{{ if ne (include "CHART.smokeTest.at" (dict "values" $.root.Values "path" .)) "true" }}{{ $runs = false }}{{ end }}{{ end }}
{{- $posts := and $runs $t.host }}
{{- with $t.receivers }}
{{- $r := include "CHART.smokeTest.at" (dict "values" $.root.Values "path" . "yaml" true) | fromYaml }}
{{- if or $r.tls.enabled $r.auth.bearerToken.enabled }}{{ $posts = false }}{{ end }}
{{- end }}
{{- if $runs }}
health {{ include $t.healthHost $.root }}
{{- end }}
{{- if $posts }}
{{- range $s := list "traces" "metrics" "logs" }}
{{- if get $taken $s }}
post {{ include $t.host $.root }} {{ $s }} '{{ get $bodies $s }}'
{{- end }}
{{- end }}
{{- end }}
{{- end }}
echo "every collector is healthy and took what it was sent"
{{- end -}}

{{/* The hook's annotations, and the user's common ones. Arg: the root context. */}}
{{- define "CHART.smokeTest.annotations" -}}
{{- toYaml (merge (dict "helm.sh/hook" "test" "helm.sh/hook-delete-policy" "before-hook-creation,hook-succeeded") (.Values.commonAnnotations | default dict)) -}}
{{- end -}}

{{/* The value at a values path (printed, or as YAML with yaml). Args: values, path, yaml. */}}
{{- define "CHART.smokeTest.at" -}}
{{- $v := .values -}}
{{- range $k := .path }}{{ $v = get ($v | default dict) $k }}{{ end -}}
{{- if .yaml }}{{ toYaml $v }}{{ else }}{{ $v }}{{ end -}}
{{- end -}}

{{/* The test's image, honouring global.imageRegistry. Arg: the root context. */}}
{{- define "CHART.smokeTest.image" -}}
{{- include "CHART.image" (dict "root" . "image" @SMOKE_TEST_IMAGE@) -}}
{{- end -}}
