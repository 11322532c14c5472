{{/*
The native runtime: what the Operator derives from a collector's configuration, derived here.
Args of each: those of "CHART.collector.config" (root, component, values, key, ...), plus what is named.
*/}}
{{- define "CHART.native.configText" -}}
{{- include "CHART.collector.config" . -}}
{{- end -}}

{{/* The pods' annotations: the user's, and a checksum of the configuration so a change rolls the pods. */}}
{{- define "CHART.native.podAnnotations" -}}
{{- $annotations := merge (dict "checksum/config" (include "CHART.collector.config" . | sha256sum)) (.values.podAnnotations | default dict) -}}
{{- toYaml $annotations -}}
{{- end -}}

{{/*
The ports the configuration's receivers listen on (those some pipeline uses), as container ports
(part "container") or Service ports (part "service"), named after the receiver and protocol as the
Operator names them (otlp-grpc, otlp-http).
*/}}
{{- define "CHART.native.ports" -}}
{{- $cfg := include "CHART.collector.config" . | fromYaml -}}
{{- $used := list -}}
{{- range $p := $cfg.service.pipelines }}{{ $used = concat $used ($p.receivers | default list) }}{{ end -}}
{{- $ports := list -}}
{{- $seen := dict -}}
{{- range $id := $used | uniq | sortAlpha -}}
{{- $r := get $cfg.receivers $id | default dict -}}
{{- $endpoints := dict -}}
{{- with $r.endpoint }}{{ $_ := set $endpoints "" . }}{{ end -}}
{{- range $proto, $p := ($r.protocols | default dict) }}{{ with (dig "endpoint" "" ($p | default dict)) }}{{ $_ := set $endpoints $proto . }}{{ end }}{{ end -}}
{{- range $proto, $endpoint := $endpoints -}}
{{- $port := regexFind "[0-9]+$" (toString $endpoint) -}}
{{- if and $port (not (hasKey $seen $port)) -}}
{{- $_ := set $seen $port true -}}
{{- $name := printf "%s-%s" (splitList "/" $id | join "-") $proto | replace "_" "-" | lower | trunc 15 | trimSuffix "-" -}}
{{- if eq $.part "container" -}}
{{- $ports = append $ports (dict "name" $name "containerPort" (int64 $port) "protocol" "TCP") -}}
{{- else -}}
{{- $ports = append $ports (dict "name" $name "port" (int64 $port) "targetPort" (int64 $port) "protocol" "TCP") -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- toYaml $ports -}}
{{- end -}}

{{/* The config volume (part "volumes", with configMap) or its mount (part "volumeMounts"), then the collector's own (inner, a YAML list). */}}
{{- define "CHART.native.volumes" -}}
{{- $own := ternary (dict "name" "collector-config" "configMap" (dict "name" .configMap)) (dict "name" "collector-config" "mountPath" "@CONFIG_DIR@" "readOnly" true) (eq .part "volumes") -}}
{{- toYaml (prepend (fromYamlArray .inner) $own) -}}
{{- end -}}

{{/* metrics of a collector's HorizontalPodAutoscaler. Args: values (autoscaling), key. */}}
{{- define "CHART.native.hpaMetrics" -}}
{{- include "CHART.collector.autoscalingRange" . -}}
{{- $metrics := list (dict "type" "Resource" "resource" (dict "name" "cpu" "target" (dict "type" "Utilization" "averageUtilization" (int64 .values.targetCPUUtilizationPercentage)))) -}}
{{- with .values.targetMemoryUtilizationPercentage -}}
{{- $metrics = append $metrics (dict "type" "Resource" "resource" (dict "name" "memory" "target" (dict "type" "Utilization" "averageUtilization" (int64 .)))) -}}
{{- end -}}
{{- toYaml $metrics -}}
{{- end -}}
