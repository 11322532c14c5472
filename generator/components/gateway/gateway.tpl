{{/*
The gateway's generated collector configuration: OTLP in; memory limiter, Kubernetes attributes,
resource attributes, health-check filtering, tail sampling and batching; the destinations out.
*/}}
{{- define "CHART.gateway.config" -}}
{{- $v := .values -}}
{{- $processors := include "CHART.memoryLimiter" $v | fromYaml | default dict -}}
{{- $chain := keys $processors -}}
{{- if $v.presets.kubernetesAttributes.enabled -}}
{{- /* Spans forwarded by the agent already carry k8s.pod.uid; direct senders are matched by connection. */ -}}
{{- $_ := set $processors "k8s_attributes" (dict "passthrough" false "pod_association" (list (dict "sources" (list (dict "from" "resource_attribute" "name" "k8s.pod.uid"))) (dict "sources" (list (dict "from" "resource_attribute" "name" "k8s.pod.ip"))) (dict "sources" (list (dict "from" "connection"))))) -}}
{{- $chain = append $chain "k8s_attributes" -}}
{{- end -}}
{{- with include "CHART.resourceAttributes" (dict "root" .root "attributes" $v.processing.resourceAttributes) | fromYaml -}}
{{- $_ := set $processors "resource" . -}}
{{- $chain = append $chain "resource" -}}
{{- end -}}
{{- $transform := $v.processing.transform | default dict -}}
{{- $tchain := dict "traces" $chain "metrics" $chain "logs" $chain -}}
{{- if or $transform.traceStatements $transform.metricStatements $transform.logStatements -}}
{{- $t := dict "error_mode" "ignore" -}}
{{- with $transform.traceStatements }}{{ $_ := set $t "trace_statements" . }}{{ end -}}
{{- with $transform.metricStatements }}{{ $_ := set $t "metric_statements" . }}{{ end -}}
{{- with $transform.logStatements }}{{ $_ := set $t "log_statements" . }}{{ end -}}
{{- $_ := set $processors "transform" $t -}}
{{- $tchain = dict "traces" (append $chain "transform") "metrics" (append $chain "transform") "logs" (append $chain "transform") -}}
{{- end -}}
{{- $traces := $tchain.traces -}}
{{- if $v.processing.dropHealthChecks.enabled -}}
{{- $re := $v.processing.dropHealthChecks.pathPattern -}}
{{- $conds := list -}}
{{- range $attr := list "url.path" "http.target" "http.route" -}}
{{- $conds = append $conds (printf "IsMatch(attributes[%q], %q)" $attr $re) -}}
{{- end -}}
{{- $_ := set $processors "filter/health-checks" (dict "error_mode" "ignore" "traces" (dict "span" $conds)) -}}
{{- $traces = append $traces "filter/health-checks" -}}
{{- end -}}
{{- if $v.tailSampling.enabled -}}
{{- $policies := list -}}
{{- range $name, $p := $v.tailSampling.policies -}}
{{- if dig "enabled" true $p -}}
{{- $policies = append $policies (merge (dict "name" $name) (omit $p "enabled")) -}}
{{- end -}}
{{- end -}}
{{- if not $policies }}{{ fail (printf "%stailSampling.policies: every policy is disabled; set %stailSampling.enabled: false to keep every trace" .key .key) }}{{ end -}}
{{- $_ := set $processors "tail_sampling" (dict "decision_wait" $v.tailSampling.decisionWait "num_traces" (int64 $v.tailSampling.numTraces) "expected_new_traces_per_sec" (int64 $v.tailSampling.expectedNewTracesPerSec) "policies" $policies) -}}
{{- $traces = append $traces "tail_sampling" -}}
{{- end -}}
{{- $_ := set $processors "batch" dict -}}
{{- $out := include "CHART.destinations" (dict "root" .root "destinations" $v.destinations "key" .key) | fromYaml -}}
{{- $extensions := dict -}}
{{- if $v.opamp.enabled -}}
{{- $_ := set $extensions "opamp" (dict "server" (dict "ws" (dict "endpoint" $v.opamp.endpoint))) -}}
{{- end -}}
{{- $receivers := dict "traces" (list "otlp") "metrics" (list "otlp") "logs" (list "otlp") -}}
{{- $chains := dict "traces" (append $traces "batch") "metrics" (append $tchain.metrics "batch") "logs" (append $tchain.logs "batch") -}}
{{- $pipelines := include "CHART.pipelines" (dict "receivers" $receivers "processors" $chains "signals" $out.signals "names" (list "traces" "metrics" "logs")) | fromYaml -}}
{{- if not $pipelines }}{{ fail (printf "%sdestinations: no enabled destination; the gateway needs at least one" .key) }}{{ end -}}
{{- $config := dict "receivers" (dict "otlp" (include "CHART.otlpReceiver" (dict "grpc" true) | fromYaml)) "processors" $processors "exporters" $out.exporters "extensions" $extensions "service" (dict "extensions" (keys $extensions | sortAlpha) "pipelines" $pipelines) -}}
{{- toYaml $config -}}
{{- end -}}

{{/* spec.autoscaler of the gateway. Args: values (autoscaling), key. */}}
{{- define "CHART.gateway.autoscaler" -}}
{{- $a := dict "minReplicas" (int64 .values.minReplicas) "maxReplicas" (int64 .values.maxReplicas) "targetCPUUtilization" (int64 .values.targetCPUUtilizationPercentage) -}}
{{- if gt (int64 .values.minReplicas) (int64 .values.maxReplicas) }}{{ fail (printf "%sautoscaling.minReplicas (%d) must not exceed %sautoscaling.maxReplicas (%d)" .key (int64 .values.minReplicas) .key (int64 .values.maxReplicas)) }}{{ end -}}
{{- with .values.targetMemoryUtilizationPercentage }}{{ $_ := set $a "targetMemoryUtilization" (int64 .) }}{{ end -}}
{{- toYaml $a -}}
{{- end -}}
