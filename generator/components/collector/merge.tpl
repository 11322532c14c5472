{{/*
Deep merge of a user's collector `config` over the generated one: maps merge, lists and scalars
replace, and a key set to null removes the generated key. sprig's mergeOverwrite cannot be used:
it ignores `false`, `0` and "" in the override.
Args: dst (mutated in place), src.
*/}}
{{- define "CHART.deepMerge" -}}
{{- $dst := .dst -}}
{{- range $k, $v := .src -}}
{{- if and (kindIs "map" $v) (kindIs "map" (get $dst $k)) -}}
{{- include "CHART.deepMerge" (dict "dst" (get $dst $k) "src" $v) -}}
{{- else if kindIs "invalid" $v -}}
{{- $_ := unset $dst $k -}}
{{- else -}}
{{- $_ := set $dst $k (deepCopy $v) -}}
{{- end -}}
{{- end -}}
{{- end -}}
