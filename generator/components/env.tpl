{{/*
An env value as the Kubernetes list. Every `env` key takes a map (name -> value, or name ->
{valueFrom}; merges across values files) or the list itself (the original chart's form); both render
the same list. Values become strings (whole numbers without an exponent). Arg: the env value.
*/}}
{{- define "CHART.envList" -}}
{{- $env := list -}}
{{- if kindIs "slice" . -}}
{{- range $e := . -}}
{{- $e = deepCopy $e -}}
{{- if hasKey $e "value" }}{{ $_ := set $e "value" (include "CHART.envValue" $e.value) }}{{ end -}}
{{- $env = append $env $e -}}
{{- end -}}
{{- else -}}
{{- range $name, $val := (. | default dict) -}}
{{- if kindIs "map" $val -}}
{{- $env = append $env (merge (dict "name" $name) $val) -}}
{{- else -}}
{{- $env = append $env (dict "name" $name "value" (include "CHART.envValue" $val)) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- toYaml $env -}}
{{- end -}}

{{/* A scalar as an env value: whole numbers arrive as float64 and would print as 1e+06. */}}
{{- define "CHART.envValue" -}}
{{- if and (kindIs "float64" .) (eq . (floor .)) }}{{ int64 . }}{{ else }}{{ toString . }}{{ end -}}
{{- end -}}

{{/*
NOTES.txt lines for each `env` given in the original chart's list form: accepted as it is, but a
map is what merges across values files and --set. Args: root, paths (the chart's `env` keys, from
its model: @ENV_PATHS@).
*/}}
{{- define "CHART.envListNotes" -}}
{{- range $path := .paths }}
{{- $v := $.root.Values }}
{{- range $k := $path }}{{ $v = (kindIs "map" $v) | ternary (get ($v | default dict) $k) nil }}{{ end }}
{{- if kindIs "slice" $v }}

DEPRECATED: {{ join "." $path }} is a list, the original chart's form: it still works, but a map (NAME: value, or NAME: {valueFrom: ...}) merges across values files and --set.
{{- end }}
{{- end }}
{{- end -}}
