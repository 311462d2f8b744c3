{{- define "gpuward.name" -}}gpuward{{- end -}}

{{- define "gpuward.fullname" -}}
{{- if contains "gpuward" .Release.Name -}}{{ .Release.Name | trunc 50 | trimSuffix "-" }}{{- else -}}{{ printf "%s-gpuward" .Release.Name | trunc 50 | trimSuffix "-" }}{{- end -}}
{{- end -}}

{{- define "gpuward.labels" -}}
app.kubernetes.io/name: gpuward
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "gpuward.selector" -}}
app.kubernetes.io/name: gpuward
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "gpuward.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}

{{/* SASL with a JAAS secret (every mechanism but AWS_MSK_IAM, which signs with the pod's IAM role). */}}
{{- define "gpuward.sasl" -}}
{{- and (ne .Values.kafka.sasl.mechanism "") (ne .Values.kafka.sasl.mechanism "AWS_MSK_IAM") -}}
{{- end -}}

{{/* TLS with a trust store from a secret (not when the JVM's own CA certificates are trusted). */}}
{{- define "gpuward.tls" -}}
{{- and (or (eq .Values.kafka.securityProtocol "SSL") (eq .Values.kafka.securityProtocol "SASL_SSL")) (not .Values.kafka.tls.useJvmTrustStore) -}}
{{- end -}}

{{/* gpuward.properties: every role reads it with -c. Secrets are ${dir:...} references only. */}}
{{- define "gpuward.properties" -}}
bootstrap.servers={{ required "kafka.bootstrapServers is required" .Values.kafka.bootstrapServers }}
schema.registry.url={{ required "schemaRegistry.url is required" .Values.schemaRegistry.url }}
topic.prefix={{ .Values.kafka.topicPrefix }}
config.providers=dir,env
config.providers.dir.class=org.apache.kafka.common.config.provider.DirectoryConfigProvider
config.providers.env.class=org.apache.kafka.common.config.provider.EnvVarConfigProvider
kafka.security.protocol={{ .Values.kafka.securityProtocol }}
{{- if eq (include "gpuward.sasl" .) "true" }}
kafka.sasl.mechanism={{ .Values.kafka.sasl.mechanism }}
kafka.sasl.jaas.config=${dir:/etc/gpuward/secrets/kafka-sasl:sasl.jaas.config}
{{- if eq .Values.kafka.sasl.mechanism "OAUTHBEARER" }}
kafka.sasl.login.callback.handler.class=org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginCallbackHandler
kafka.sasl.oauthbearer.token.endpoint.url={{ required "kafka.sasl.oauthbearer.tokenEndpointUrl is required for OAUTHBEARER" .Values.kafka.sasl.oauthbearer.tokenEndpointUrl }}
{{- with .Values.kafka.sasl.oauthbearer.scope }}
kafka.sasl.oauthbearer.scope.claim.name=scope
kafka.sasl.oauthbearer.scope={{ . }}
{{- end }}
{{- end }}
{{- end }}
{{- if eq .Values.kafka.sasl.mechanism "AWS_MSK_IAM" }}
{{- if ne .Values.kafka.securityProtocol "SASL_SSL" }}{{ fail "kafka.sasl.mechanism AWS_MSK_IAM needs kafka.securityProtocol SASL_SSL" }}{{ end }}
kafka.sasl.mechanism=AWS_MSK_IAM
kafka.sasl.jaas.config=software.amazon.msk.auth.iam.IAMLoginModule required;
kafka.sasl.client.callback.handler.class=software.amazon.msk.auth.iam.IAMClientCallbackHandler
{{- end }}
{{- if eq (include "gpuward.tls" .) "true" }}
{{- if not .Values.kafka.tls.existingSecret }}{{ fail "kafka.tls.existingSecret is required with SSL or SASL_SSL" }}{{ end }}
kafka.ssl.truststore.type=PKCS12
kafka.ssl.truststore.location=/etc/gpuward/secrets/kafka-tls/truststore.p12
kafka.ssl.truststore.password=${dir:/etc/gpuward/secrets/kafka-tls:truststore.password}
{{- if .Values.kafka.tls.mutual }}
kafka.ssl.keystore.type=PKCS12
kafka.ssl.keystore.location=/etc/gpuward/secrets/kafka-tls/keystore.p12
kafka.ssl.keystore.password=${dir:/etc/gpuward/secrets/kafka-tls:keystore.password}
kafka.ssl.key.password=${dir:/etc/gpuward/secrets/kafka-tls:key.password}
{{- end }}
{{- end }}
{{- if .Values.schemaRegistry.basicAuthSecret }}
schema.registry.basic.auth.user.info=${dir:/etc/gpuward/secrets/registry-auth:user.info}
{{- end }}
{{- if .Values.schemaRegistry.tlsSecret }}
schema.registry.ssl.truststore.location=/etc/gpuward/secrets/registry-tls/truststore.p12
schema.registry.ssl.truststore.password=${dir:/etc/gpuward/secrets/registry-tls:truststore.password}
{{- end }}
{{- range $k, $v := .Values.kafka.extra }}
kafka.{{ $k }}={{ $v }}
{{- end }}
{{- /* Each role registers the schemas of the topics it writes at start; nothing on first use. */}}
schema.registry.auto.register=false
{{- range $k, $v := .Values.settings }}
{{ $k }}={{ $v }}
{{- end }}
{{- end -}}

{{/* JVM options of a role; OAUTHBEARER's token endpoint must be allowed explicitly on Kafka 4. */}}
{{- define "gpuward.javaOpts" -}}
{{- $opts := .opts -}}
{{- if eq .root.Values.kafka.sasl.mechanism "OAUTHBEARER" -}}
{{- $opts = printf "%s -Dorg.apache.kafka.sasl.oauthbearer.allowed.urls=%s" $opts .root.Values.kafka.sasl.oauthbearer.tokenEndpointUrl -}}
{{- end -}}
{{ $opts }}
{{- end -}}

{{- define "gpuward.containerSecurity" -}}
allowPrivilegeEscalation: false
privileged: false
readOnlyRootFilesystem: true
runAsNonRoot: true
runAsUser: 10001
runAsGroup: 10001
capabilities:
  drop: ["ALL"]
{{- end -}}

{{- define "gpuward.configMounts" -}}
- name: config
  mountPath: /etc/gpuward/config
  readOnly: true
- name: tmp
  mountPath: /tmp
{{- if eq (include "gpuward.sasl" .) "true" }}
- name: kafka-sasl
  mountPath: /etc/gpuward/secrets/kafka-sasl
  readOnly: true
{{- end }}
{{- if eq (include "gpuward.tls" .) "true" }}
- name: kafka-tls
  mountPath: /etc/gpuward/secrets/kafka-tls
  readOnly: true
{{- end }}
{{- if .Values.schemaRegistry.basicAuthSecret }}
- name: registry-auth
  mountPath: /etc/gpuward/secrets/registry-auth
  readOnly: true
{{- end }}
{{- if .Values.schemaRegistry.tlsSecret }}
- name: registry-tls
  mountPath: /etc/gpuward/secrets/registry-tls
  readOnly: true
{{- end }}
{{- end -}}

{{/* The name of a role's Strimzi KafkaUser, which is its principal and its Secret. */}}
{{- define "gpuward.kafkaUser" -}}
{{ include "gpuward.fullname" .root }}-{{ .role }}
{{- end -}}

{{/* The Secret with a role's own SASL JAAS line: kafka.sasl.secrets.<role>, else the role's Strimzi
     KafkaUser's, else the shared kafka.sasl.existingSecret (one principal for every role). */}}
{{- define "gpuward.saslSecret" -}}
{{- $v := .root.Values -}}
{{- $own := index ($v.kafka.sasl.secrets | default dict) .role -}}
{{- if $own -}}
{{ $own }}
{{- else if $v.kafka.acls.strimzi.enabled -}}
{{ include "gpuward.kafkaUser" . }}
{{- else if $v.kafka.sasl.existingSecret -}}
{{ $v.kafka.sasl.existingSecret }}
{{- else -}}
{{ fail (printf "kafka.sasl.secrets.%s is required with kafka.sasl.mechanism (or kafka.acls.strimzi.enabled, or a shared kafka.sasl.existingSecret)" .role) }}
{{- end -}}
{{- end -}}

{{/* Volumes of a role's pod: dict "root" . "role" "<role>" (the role picks its Kafka principal). */}}
{{- define "gpuward.configVolumes" -}}
- name: config
  configMap:
    name: {{ include "gpuward.fullname" .root }}
- name: tmp
  emptyDir: {}
{{- if eq (include "gpuward.sasl" .root) "true" }}
- name: kafka-sasl
  secret:
    secretName: {{ include "gpuward.saslSecret" . }}
    defaultMode: 0440
{{- end }}
{{- with .root.Values }}
{{- if eq (include "gpuward.tls" $.root) "true" }}
- name: kafka-tls
  secret:
    secretName: {{ .kafka.tls.existingSecret }}
    defaultMode: 0440
{{- end }}
{{- end }}
{{- with .root.Values.schemaRegistry.basicAuthSecret }}
- name: registry-auth
  secret:
    secretName: {{ . }}
    defaultMode: 0440
{{- end }}
{{- with .root.Values.schemaRegistry.tlsSecret }}
- name: registry-tls
  secret:
    secretName: {{ . }}
    defaultMode: 0440
{{- end }}
{{- end -}}

{{- define "gpuward.probes" -}}
readinessProbe:
  httpGet: {path: /healthz, port: metrics}
  periodSeconds: 10
  failureThreshold: 3
livenessProbe:
  httpGet: {path: /healthz, port: metrics}
  periodSeconds: 20
  failureThreshold: 6
startupProbe:
  httpGet: {path: /healthz, port: metrics}
  periodSeconds: 10
  failureThreshold: 30
{{- end -}}
