{{/*
Memory: GOMEMLIMIT is 80% of the container's memory limit, computed at render time from any
Kubernetes quantity, so the Go runtime collects garbage before the kernel kills the container.
*/}}

{{/* Bytes of a Kubernetes quantity (string or number), printed as a float. */}}
{{- define "CHART.quantityBytes" -}}
{{- $q := toString . -}}
{{- $num := regexFind `^[+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?` $q -}}
{{- $suffix := trimPrefix $num $q -}}
{{- $mult := dict "" 1.0 "m" 0.001 "k" 1e3 "M" 1e6 "G" 1e9 "T" 1e12 "P" 1e15 "E" 1e18 "Ki" 1024.0 "Mi" 1048576.0 "Gi" 1073741824.0 "Ti" 1099511627776.0 "Pi" 1125899906842624.0 "Ei" 1152921504606846976.0 -}}
{{- if or (not $num) (not (hasKey $mult $suffix)) -}}
{{- fail (printf "%q is not a Kubernetes quantity (examples: 512Mi, 1Gi, 2G, 500000Ki)" $q) -}}
{{- end -}}
{{- mulf (float64 (trimPrefix "+" $num)) (get $mult $suffix) -}}
{{- end -}}

{{/* "<n>MiB", 80% of resources.limits.memory; empty when there is no memory limit. Arg: resources. */}}
{{- define "CHART.gomemlimit" -}}
{{- $limit := dig "limits" "memory" "" (. | default dict) -}}
{{- if $limit -}}
{{- $bytes := include "CHART.quantityBytes" $limit | float64 -}}
{{- printf "%dMiB" (divf (mulf $bytes 0.8) 1048576.0 | floor | int64) -}}
{{- end -}}
{{- end -}}
