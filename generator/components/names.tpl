{{/*
Names and labels. "CHART" is replaced by the chart's name when the emitter writes the chart, so
two charts of the suite can sit side by side in one umbrella chart.
*/}}
{{- define "CHART.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "CHART.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "CHART.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Name of a namespaced object of a component: <fullname>-<suffix>. Args: root, suffix. */}}
{{- define "CHART.componentName" -}}
{{- printf "%s-%s" (include "CHART.fullname" .root) .suffix | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Cluster-scoped names carry the release's full name and namespace: two releases never collide. */}}
{{- define "CHART.clusterScopedName" -}}
{{- printf "%s-%s-%s" (include "CHART.fullname" .root) .root.Release.Namespace .suffix -}}
{{- end -}}

{{/* Selector labels of a component. Args: root, component. */}}
{{- define "CHART.selectorLabels" -}}
app.kubernetes.io/name: {{ include "CHART.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/*
Labels that find a component's pods in both runtimes: the Operator sets app.kubernetes.io/instance
and /component on the pods it makes to its own values (<namespace>.<collector>,
opentelemetry-collector) and keeps the collector's other labels, these among them.
Args: root, component.
*/}}
{{- define "CHART.podLabels" -}}
ollyscale.io/release: {{ .root.Release.Name }}
ollyscale.io/component: {{ .component }}
{{- end -}}

{{/*
A label selector for pods of this release's components (NetworkPolicies, topology spread), by
their podLabels. Args: root, components (a list).
*/}}
{{- define "CHART.podSelector" -}}
{{- $release := omit (include "CHART.podLabels" (dict "root" .root "component" "") | fromYaml) "ollyscale.io/component" -}}
{{- if eq (len .components) 1 -}}
{{- toYaml (dict "matchLabels" (include "CHART.podLabels" (dict "root" .root "component" (first .components)) | fromYaml)) -}}
{{- else -}}
{{- toYaml (dict "matchLabels" $release "matchExpressions" (list (dict "key" "ollyscale.io/component" "operator" "In" "values" .components))) -}}
{{- end -}}
{{- end -}}

{{/* Labels of every object; commonLabels may add labels but not replace the chart's own. Args: root, component. */}}
{{- define "CHART.labels" -}}
{{- $labels := dict "helm.sh/chart" (include "CHART.chart" .root) "app.kubernetes.io/managed-by" .root.Release.Service "app.kubernetes.io/part-of" "ollyscale-otel" -}}
{{- with .root.Chart.AppVersion }}{{ $_ := set $labels "app.kubernetes.io/version" . }}{{ end -}}
{{- $labels = merge $labels (include "CHART.selectorLabels" . | fromYaml) (include "CHART.podLabels" . | fromYaml) (.extra | default dict) (.root.Values.commonLabels | default dict) -}}
{{- toYaml $labels -}}
{{- end -}}

{{/* Image reference, honouring global.imageRegistry. Args: root, image (repository, tag). */}}
{{- define "CHART.image" -}}
{{- $repo := .image.repository -}}
{{- with .root.Values.global.imageRegistry -}}
{{- $parts := splitList "/" $repo -}}
{{- if and (gt (len $parts) 1) (or (contains "." (first $parts)) (contains ":" (first $parts)) (eq (first $parts) "localhost")) -}}
{{- $repo = join "/" (rest $parts) -}}
{{- end -}}
{{- $repo = printf "%s/%s" (trimSuffix "/" .) $repo -}}
{{- end -}}
{{- printf "%s:%s" $repo (toString .image.tag) -}}
{{- end -}}

{{/* A collector's image: the component's own `image` when its repository is set, else collectorImage. Args: root, image. */}}
{{- define "CHART.collectorImage" -}}
{{- $img := .root.Values.collectorImage -}}
{{- if and .image .image.repository -}}
{{- $img = dict "repository" .image.repository "tag" (.image.tag | default .root.Values.collectorImage.tag) -}}
{{- end -}}
{{- include "CHART.image" (dict "root" .root "image" $img) -}}
{{- end -}}

{{/* "<a>-<b>". Args: a, b. */}}
{{- define "CHART.join" -}}
{{- printf "%s-%s" .a .b -}}
{{- end -}}

{{/*
One NOTES.txt line per key of the original chart that is set and has no effect. Args: root, keys
(a chart's deprecated keys: {path, ifSet, note}; see GLOBAL_DEPRECATED_KEYS in context.ts).
*/}}
{{- define "CHART.deprecatedKeys" -}}
{{- range $d := .keys }}
{{- $parent := $.root.Values }}
{{- range $k := initial $d.path }}{{ $parent = get $parent $k | default dict }}{{ end }}
{{- $key := last $d.path }}
{{- if ternary (hasKey $parent $key) (not (empty (get $parent $key))) (eq $d.ifSet "key") }}

DEPRECATED: {{ join "." $d.path }} {{ replace "{namespace}" $.root.Release.Namespace $d.note }}
{{- end }}
{{- end }}
{{- end -}}
