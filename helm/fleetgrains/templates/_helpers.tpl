{{/* The chart's name. */}}
{{- define "fleetgrains.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The prefix of every resource's name. */}}
{{- define "fleetgrains.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* Labels of every resource. */}}
{{- define "fleetgrains.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/name: {{ include "fleetgrains.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* Selector labels of every silo, whatever its role. */}}
{{- define "fleetgrains.siloSelectorLabels" -}}
app.kubernetes.io/name: {{ include "fleetgrains.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/part-of: fleetgrains-cluster
{{- end }}

{{/* Selector labels of the silos of one role: pass (dict "root" $ "role" "core"|"models"). */}}
{{- define "fleetgrains.roleSelectorLabels" -}}
{{ include "fleetgrains.siloSelectorLabels" .root }}
app.kubernetes.io/component: {{ .role }}
{{- end }}

{{/* The Orleans ClusterId. */}}
{{- define "fleetgrains.clusterId" -}}
{{- default .Release.Name .Values.cluster.clusterId }}
{{- end }}

{{/* The Secret and key holding the Redis connection string. */}}
{{- define "fleetgrains.redisSecretName" -}}
{{- if .Values.redis.bundled.enabled }}{{ include "fleetgrains.fullname" . }}-redis{{ else }}{{ .Values.redis.external.existingSecret }}{{ end }}
{{- end }}
{{- define "fleetgrains.redisSecretKey" -}}
{{- if .Values.redis.bundled.enabled }}connection-string{{ else }}{{ .Values.redis.external.secretKey }}{{ end }}
{{- end }}

{{/* The Secret holding the admin API key (key admin-key): the user's, or the one the chart makes. */}}
{{- define "fleetgrains.adminKeySecretName" -}}
{{- .Values.security.adminKeySecret | default (printf "%s-admin-key" (include "fleetgrains.fullname" .)) }}
{{- end }}

{{/* The service account's name. */}}
{{- define "fleetgrains.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}{{ default (include "fleetgrains.fullname" .) .Values.serviceAccount.name }}{{ else }}{{ default "default" .Values.serviceAccount.name }}{{ end }}
{{- end }}

{{/* Refuses contradictory values. */}}
{{- define "fleetgrains.validate" -}}
{{- if and .Values.redis.bundled.enabled .Values.redis.external.existingSecret }}
{{- fail "redis: set either bundled.enabled or external.existingSecret, not both" }}
{{- end }}
{{- if and (not .Values.redis.bundled.enabled) (not .Values.redis.external.existingSecret) }}
{{- fail "redis: an external Redis needs external.existingSecret (a Secret with its connection string), or set bundled.enabled" }}
{{- end }}
{{- if and .Values.models.gpu.enabled (eq .Values.models.executionProvider "Cpu") }}
{{- fail "models.gpu.enabled needs models.executionProvider Cuda or TensorRt" }}
{{- end }}
{{- if and .Values.sources.mqtt.enabled (not .Values.sources.mqtt.host) }}
{{- fail "sources.mqtt.host is required when sources.mqtt.enabled" }}
{{- end }}
{{- with .Values.sources.kafka }}
{{- if and .enabled (not .bootstrapServers) }}
{{- fail "sources.kafka.bootstrapServers is required when sources.kafka.enabled" }}
{{- end }}
{{- if ne (hasPrefix "Sasl" .securityProtocol) (ne .saslMechanism "") }}
{{- fail "sources.kafka.saslMechanism goes with securityProtocol SaslPlaintext or SaslSsl" }}
{{- end }}
{{- if and .saslMechanism (not .saslSecret) }}
{{- fail "sources.kafka.saslSecret (keys username and password) is required with saslMechanism" }}
{{- end }}
{{- end }}
{{- with .Values.sources.eventHubs }}
{{- if and .enabled (eq (empty .connectionStringSecret) (empty .fullyQualifiedNamespace)) }}
{{- fail "sources.eventHubs needs exactly one of connectionStringSecret and fullyQualifiedNamespace (workload identity)" }}
{{- end }}
{{- if and .enabled .fullyQualifiedNamespace (not .eventHubName) }}
{{- fail "sources.eventHubs.eventHubName is required with fullyQualifiedNamespace" }}
{{- end }}
{{- end }}
{{- end }}

{{/* The scaling behaviour of both workloads (see values: scalingPolicy). */}}
{{- define "fleetgrains.scalingBehavior" -}}
scaleUp:
  stabilizationWindowSeconds: 0
  policies:
    - type: Pods
      value: 1
      periodSeconds: {{ .Values.scalingPolicy.scaleUpPeriodSeconds }}
scaleDown:
  stabilizationWindowSeconds: {{ .Values.scalingPolicy.scaleDownStabilizationSeconds }}
  policies:
    - type: Pods
      value: 1
      periodSeconds: {{ .Values.scalingPolicy.scaleDownPeriodSeconds }}
{{- end }}

{{/* Selector labels of the bundled Redis. */}}
{{- define "fleetgrains.redisSelectorLabels" -}}
app.kubernetes.io/name: {{ include "fleetgrains.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: redis
{{- end }}
