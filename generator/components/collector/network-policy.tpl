{{/*
The spec of a collector's NetworkPolicy, derived from its final configuration: ingress only on the
ports its receivers listen on, from `peers` ("anywhere", "cluster": any pod of any namespace, or a
comma-separated list of this release's components), and on the health port from the release's
`helm test` pod; egress to
DNS, to the ports its exporters and extensions send to, to the API server where a component reads
it (k8s_attributes, the k8s_api detector, the load balancer's k8s resolver) and to the kubelet for
kubelet_stats; then the user's extraIngress and extraEgress.
Args: those of "CHART.collector.config", plus peers.
*/}}
{{- define "CHART.collector.networkPolicy" -}}
{{- $cfg := include "CHART.collector.config" . | fromYaml -}}
{{- $np := .values.networkPolicy -}}
{{- $in := include "CHART.native.ports" (merge (dict "part" "container") .) | fromYamlArray -}}
{{- $ingress := list -}}
{{- if $in -}}
{{- $ports := list -}}
{{- range $p := $in }}{{ $ports = append $ports (dict "port" $p.containerPort "protocol" "TCP") }}{{ end -}}
{{- $rule := dict "ports" $ports -}}
{{- if eq .peers "cluster" -}}
{{- $_ := set $rule "from" (list (dict "namespaceSelector" dict)) -}}
{{- else if ne .peers "anywhere" -}}
{{- $_ := set $rule "from" (list (dict "podSelector" (include "CHART.podSelector" (dict "root" .root "components" (splitList "," .peers)) | fromYaml))) -}}
{{- end -}}
{{- $ingress = append $ingress $rule -}}
{{- end -}}
{{- /* The health endpoint: `helm test` checks it from the release's test pod (the kubelet's probes are not pod traffic). */ -}}
{{- $tests := include "CHART.podSelector" (dict "root" .root "components" (list "@TEST_COMPONENT@")) | fromYaml -}}
{{- $ingress = append $ingress (dict "ports" (list (dict "port" @HEALTH_PORT@ "protocol" "TCP")) "from" (list (dict "podSelector" $tests))) -}}
{{- $egress := list (dict "ports" (list (dict "port" 53 "protocol" "UDP") (dict "port" 53 "protocol" "TCP"))) -}}
{{- $out := include "CHART.collector.egressPorts" $cfg | fromYamlArray -}}
{{- with $out -}}
{{- $ports := list -}}
{{- range $p := . }}{{ $ports = append $ports (dict "port" (int64 $p) "protocol" "TCP") }}{{ end -}}
{{- $egress = append $egress (dict "ports" $ports) -}}
{{- end -}}
podSelector: {{- include "CHART.podSelector" (dict "root" .root "components" (list .component)) | nindent 2 }}
policyTypes: [Ingress, Egress]
ingress: {{- concat $ingress ($np.extraIngress | default list) | toYaml | nindent 2 }}
egress: {{- concat $egress ($np.extraEgress | default list) | toYaml | nindent 2 }}
{{- end -}}

{{/*
The TCP ports a configuration connects to, sorted and unique: every exporter's and extension's
endpoint (host:port, or a URL: its port, else 443 for https/wss and 80 for http/ws), Kafka brokers,
the load balancer's resolver port, 443 and 6443 for the API server and 10250 for the kubelet.
Arg: the configuration.
*/}}
{{- define "CHART.collector.egressPorts" -}}
{{- $ports := list -}}
{{- $endpoints := list -}}
{{- range $id, $e := (.exporters | default dict) -}}
{{- $e = $e | default dict -}}
{{- with $e.endpoint }}{{ $endpoints = append $endpoints . }}{{ end -}}
{{- range $b := ($e.brokers | default list) }}{{ $endpoints = append $endpoints $b }}{{ end -}}
{{- with dig "resolver" "dns" "port" "" $e }}{{ $ports = append $ports (toString .) }}{{ end -}}
{{- with dig "resolver" "static" "hostnames" list $e }}{{ $endpoints = concat $endpoints . }}{{ end -}}
{{- if dig "resolver" "k8s" "" $e }}{{ $ports = concat $ports (list "443" "6443") }}{{ end -}}
{{- end -}}
{{- range $id, $x := (.extensions | default dict) -}}
{{- with dig "server" "ws" "endpoint" "" ($x | default dict) }}{{ $endpoints = append $endpoints . }}{{ end -}}
{{- with dig "server" "http" "endpoint" "" ($x | default dict) }}{{ $endpoints = append $endpoints . }}{{ end -}}
{{- end -}}
{{- range $e := $endpoints -}}
{{- $e = toString $e -}}
{{- $port := regexFind ":[0-9]+(/|$)" (regexReplaceAll "^[a-z]+://" $e "") | trimPrefix ":" | trimSuffix "/" -}}
{{- if not $port -}}
{{- $port = ternary "443" "80" (or (hasPrefix "https://" $e) (hasPrefix "wss://" $e)) -}}
{{- end -}}
{{- $ports = append $ports $port -}}
{{- end -}}
{{- range $id, $p := (.processors | default dict) -}}
{{- $type := index (splitList "/" $id) 0 -}}
{{- if or (eq $type "k8s_attributes") (and (eq $type "resource_detection") (has "k8s_api" (dig "detectors" list ($p | default dict)))) }}{{ $ports = concat $ports (list "443" "6443") }}{{ end -}}
{{- end -}}
{{- range $id, $r := (.receivers | default dict) -}}
{{- if eq (index (splitList "/" $id) 0) "kubelet_stats" }}{{ $ports = append $ports "10250" }}{{ end -}}
{{- end -}}
{{- $ports | uniq | sortAlpha | toYaml -}}
{{- end -}}
