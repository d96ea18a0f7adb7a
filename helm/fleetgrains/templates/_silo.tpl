{{/*
One role's silos as a Deployment: pass (dict "root" $ "role" "core"|"models").
The same image and binary; the role comes from the environment. Follows the Orleans guidance for clusters made
of several Deployments: membership in Redis (not Microsoft.Orleans.Hosting.Kubernetes), the pod IP advertised,
the silo named after its pod, a grace period longer than the host's shutdown timeout.
*/}}
{{- define "fleetgrains.silo" -}}
{{- $root := .root -}}
{{- $role := .role -}}
{{- $v := index $root.Values $role -}}
{{- $models := eq $role "models" -}}
{{- $gpu := and $models $root.Values.models.gpu.enabled -}}
{{- $mqtt := and (not $models) $root.Values.sources.mqtt.enabled -}}
{{- $kafka := and (not $models) $root.Values.sources.kafka.enabled -}}
{{- $eventHubs := and (not $models) $root.Values.sources.eventHubs.enabled -}}
{{- $workloadIdentity := and $eventHubs (not $root.Values.sources.eventHubs.connectionStringSecret) -}}
{{- $clusterTls := $root.Values.security.clusterTlsSecret -}}
{{- $redisCa := and (not $root.Values.redis.bundled.enabled) $root.Values.redis.external.tlsCaSecret -}}
{{- $mqttCa := and $mqtt $root.Values.sources.mqtt.tls $root.Values.sources.mqtt.tlsCaSecret -}}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "fleetgrains.fullname" $root }}-{{ $role }}
  labels:
    {{- include "fleetgrains.labels" $root | nindent 4 }}
    app.kubernetes.io/component: {{ $role }}
spec:
  {{- if not $v.autoscaling.enabled }}
  replicas: {{ $v.replicas }}
  {{- end }}
  revisionHistoryLimit: 5
  # A new silo joins before an old one leaves: the cluster never has fewer silos than asked for.
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxUnavailable: 0
      maxSurge: 1
  selector:
    matchLabels:
      {{- include "fleetgrains.roleSelectorLabels" (dict "root" $root "role" $role) | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "fleetgrains.roleSelectorLabels" (dict "root" $root "role" $role) | nindent 8 }}
        {{- if $workloadIdentity }}
        # Azure workload identity: the webhook gives the pod the federated token of its service account's identity.
        azure.workload.identity/use: "true"
        {{- end }}
      {{- with $root.Values.podAnnotations }}
      annotations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
    spec:
      serviceAccountName: {{ include "fleetgrains.serviceAccountName" $root }}
      {{- with $root.Values.imagePullSecrets }}
      imagePullSecrets:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      # Longer than the host's shutdown timeout, so that a stopping silo hands its partitions and grains over.
      terminationGracePeriodSeconds: {{ add $root.Values.cluster.shutdownTimeoutSeconds 15 }}
      securityContext:
        runAsNonRoot: true
        runAsUser: 10001
        runAsGroup: 10001
        fsGroup: 10001
        seccompProfile:
          type: RuntimeDefault
      containers:
        - name: silo
          image: "{{ $root.Values.image.repository }}:{{ if $gpu }}{{ default (printf "%s-gpu" (default $root.Chart.AppVersion $root.Values.image.tag)) $root.Values.image.gpuTag }}{{ else }}{{ default $root.Chart.AppVersion $root.Values.image.tag }}{{ end }}"
          imagePullPolicy: {{ $root.Values.image.pullPolicy }}
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities:
              drop: [ALL]
          ports:
            - name: http
              containerPort: {{ $root.Values.cluster.httpPort }}
            - name: silo
              containerPort: {{ $root.Values.cluster.siloPort }}
            {{- if gt (int $root.Values.cluster.gatewayPort) 0 }}
            - name: gateway
              containerPort: {{ $root.Values.cluster.gatewayPort }}
            {{- end }}
          env:
            - name: POD_IP
              valueFrom:
                fieldRef:
                  fieldPath: status.podIP
            - name: POD_NAME
              valueFrom:
                fieldRef:
                  fieldPath: metadata.name
            # The API listens on the pod's own address (not every address).
            - name: Urls
              value: "http://$(POD_IP):{{ $root.Values.cluster.httpPort }}"
            - name: Fleet__Cluster__ShutdownTimeout
              {{- $seconds := int $root.Values.cluster.shutdownTimeoutSeconds }}
              value: {{ printf "%02d:%02d:%02d" (div $seconds 3600) (mod (div $seconds 60) 60) (mod $seconds 60) | quote }}
            - name: Fleet__Cluster__ClusterId
              value: {{ include "fleetgrains.clusterId" $root | quote }}
            - name: Fleet__Cluster__ServiceId
              value: {{ $root.Values.cluster.serviceId | quote }}
            - name: Fleet__Cluster__SiloName
              value: "$(POD_NAME)"
            - name: Fleet__Cluster__AdvertisedAddress
              value: "$(POD_IP)"
            - name: Fleet__Cluster__SiloPort
              value: {{ $root.Values.cluster.siloPort | quote }}
            - name: Fleet__Cluster__GatewayPort
              value: {{ $root.Values.cluster.gatewayPort | quote }}
            - name: Fleet__Cluster__Clustering
              value: Redis
            - name: Fleet__Cluster__Storage
              value: Redis
            - name: Fleet__Cluster__Reminders
              value: Redis
            - name: Fleet__Cluster__Redis
              valueFrom:
                secretKeyRef:
                  name: {{ include "fleetgrains.redisSecretName" $root }}
                  key: {{ include "fleetgrains.redisSecretKey" $root }}
            {{- if $redisCa }}
            - name: Fleet__Redis__Tls
              value: "true"
            - name: Fleet__Redis__TlsCaFile
              value: /etc/fleetgrains/redis-ca/ca.crt
            {{- end }}
            {{- if $clusterTls }}
            - name: Fleet__Cluster__Tls__CertificateFile
              value: /etc/fleetgrains/cluster-tls/tls.crt
            - name: Fleet__Cluster__Tls__KeyFile
              value: /etc/fleetgrains/cluster-tls/tls.key
            - name: Fleet__Cluster__Tls__CaFile
              value: /etc/fleetgrains/cluster-tls/ca.crt
            {{- end }}
            - name: Fleet__Security__AdminKey
              valueFrom:
                secretKeyRef:
                  name: {{ include "fleetgrains.adminKeySecretName" $root }}
                  key: admin-key
            - name: Fleet__Cluster__HostsModels
              value: {{ $models | quote }}
            {{- if $models }}
            - name: Fleet__Inference__ExecutionProvider
              value: {{ $root.Values.models.executionProvider | quote }}
            {{- end }}
            - name: Fleet__Sources__RedisStreams__Enabled
              value: {{ and (not $models) $root.Values.sources.redisStreams.enabled | quote }}
            - name: Fleet__Sources__RedisStreams__Partitions
              value: {{ $root.Values.sources.redisStreams.partitions | quote }}
            - name: Fleet__Sources__Mqtt__Enabled
              value: {{ $mqtt | quote }}
            {{- if $mqtt }}
            - name: Fleet__Sources__Mqtt__Host
              value: {{ $root.Values.sources.mqtt.host | quote }}
            - name: Fleet__Sources__Mqtt__Port
              value: {{ $root.Values.sources.mqtt.port | quote }}
            {{- range $i, $filter := $root.Values.sources.mqtt.partitions }}
            - name: Fleet__Sources__Mqtt__Partitions__{{ $i }}
              value: {{ $filter | quote }}
            {{- end }}
            {{- with $root.Values.sources.mqtt.credentialsSecret }}
            - name: Fleet__Sources__Mqtt__Username
              valueFrom:
                secretKeyRef:
                  name: {{ . }}
                  key: username
            - name: Fleet__Sources__Mqtt__Password
              valueFrom:
                secretKeyRef:
                  name: {{ . }}
                  key: password
            {{- end }}
            - name: Fleet__Sources__Mqtt__Tls
              value: {{ $root.Values.sources.mqtt.tls | quote }}
            {{- if $mqttCa }}
            - name: Fleet__Sources__Mqtt__TlsCaFile
              value: /etc/fleetgrains/mqtt-ca/ca.crt
            {{- end }}
            {{- end }}
            - name: Fleet__Sources__Kafka__Enabled
              value: {{ $kafka | quote }}
            {{- if $kafka }}
            {{- with $root.Values.sources.kafka }}
            - name: Fleet__Sources__Kafka__BootstrapServers
              value: {{ .bootstrapServers | quote }}
            - name: Fleet__Sources__Kafka__Topic
              value: {{ .topic | quote }}
            - name: Fleet__Sources__Kafka__GroupId
              value: {{ .groupId | quote }}
            - name: Fleet__Sources__Kafka__SecurityProtocol
              value: {{ .securityProtocol | quote }}
            {{- if .saslMechanism }}
            - name: Fleet__Sources__Kafka__SaslMechanism
              value: {{ .saslMechanism | quote }}
            - name: Fleet__Sources__Kafka__SaslUsername
              valueFrom:
                secretKeyRef:
                  name: {{ .saslSecret }}
                  key: username
            - name: Fleet__Sources__Kafka__SaslPassword
              valueFrom:
                secretKeyRef:
                  name: {{ .saslSecret }}
                  key: password
            {{- end }}
            {{- end }}
            {{- end }}
            - name: Fleet__Sources__EventHubs__Enabled
              value: {{ $eventHubs | quote }}
            {{- if $eventHubs }}
            {{- with $root.Values.sources.eventHubs }}
            {{- if .connectionStringSecret }}
            - name: Fleet__Sources__EventHubs__ConnectionString
              valueFrom:
                secretKeyRef:
                  name: {{ .connectionStringSecret }}
                  key: connectionString
            {{- else }}
            - name: Fleet__Sources__EventHubs__FullyQualifiedNamespace
              value: {{ .fullyQualifiedNamespace | quote }}
            - name: Fleet__Sources__EventHubs__Credential
              value: WorkloadIdentity
            - name: Fleet__Sources__EventHubs__DisableInstanceDiscovery
              value: {{ .disableInstanceDiscovery | quote }}
            {{- end }}
            {{- if .eventHubName }}
            - name: Fleet__Sources__EventHubs__EventHubName
              value: {{ .eventHubName | quote }}
            {{- end }}
            - name: Fleet__Sources__EventHubs__ConsumerGroup
              value: {{ .consumerGroup | quote }}
            - name: Fleet__Sources__EventHubs__StartFrom
              value: {{ .startFrom | quote }}
            - name: Fleet__Sources__EventHubs__DeviceIdProperty
              value: {{ .deviceIdProperty | quote }}
            - name: Fleet__Sources__EventHubs__FleetIdProperty
              value: {{ .fleetIdProperty | quote }}
            {{- end }}
            {{- end }}
            - name: Fleet__Simulator__Enabled
              value: {{ and (not $models) $root.Values.simulator.enabled | quote }}
            {{- with $root.Values.extraEnv }}
            {{- toYaml . | nindent 12 }}
            {{- end }}
          # Startup and liveness: the process serves HTTP, whatever Redis and grains do (a Redis outage must not get
          # silos restarted). Readiness: the silo is an active cluster member (false once it starts stopping).
          startupProbe:
            httpGet:
              path: /health/live
              port: http
            periodSeconds: 5
            failureThreshold: 60
          livenessProbe:
            httpGet:
              path: /health/live
              port: http
            periodSeconds: 10
            timeoutSeconds: 5
            failureThreshold: 6
          readinessProbe:
            httpGet:
              path: /health/ready
              port: http
            periodSeconds: 5
            timeoutSeconds: 5
            failureThreshold: 1
          resources:
            {{- $resources := deepCopy $v.resources }}
            {{- if $gpu }}
            {{- $_ := set $resources "limits" (merge (dict $root.Values.models.gpu.resourceName $root.Values.models.gpu.count) (default dict $resources.limits)) }}
            {{- end }}
            {{- toYaml $resources | nindent 12 }}
          volumeMounts:
            # The only writable paths: the runtime's and ONNX Runtime's temporary files.
            - name: tmp
              mountPath: /tmp
            {{- if $clusterTls }}
            - name: cluster-tls
              mountPath: /etc/fleetgrains/cluster-tls
              readOnly: true
            {{- end }}
            {{- if $redisCa }}
            - name: redis-ca
              mountPath: /etc/fleetgrains/redis-ca
              readOnly: true
            {{- end }}
            {{- if $mqttCa }}
            - name: mqtt-ca
              mountPath: /etc/fleetgrains/mqtt-ca
              readOnly: true
            {{- end }}
      volumes:
        - name: tmp
          emptyDir: {}
        {{- if $clusterTls }}
        # Readable by the silo's group only (fsGroup).
        - name: cluster-tls
          secret:
            secretName: {{ $clusterTls }}
            defaultMode: 0440
            items:
              - { key: tls.crt, path: tls.crt }
              - { key: tls.key, path: tls.key }
              - { key: ca.crt, path: ca.crt }
        {{- end }}
        {{- if $redisCa }}
        - name: redis-ca
          secret:
            secretName: {{ $redisCa }}
            defaultMode: 0444
            items:
              - { key: ca.crt, path: ca.crt }
        {{- end }}
        {{- if $mqttCa }}
        - name: mqtt-ca
          secret:
            secretName: {{ $mqttCa }}
            defaultMode: 0444
            items:
              - { key: ca.crt, path: ca.crt }
        {{- end }}
      {{- with $v.nodeSelector }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $v.tolerations }}
      tolerations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      affinity:
        {{- if $v.affinity }}
        {{- toYaml $v.affinity | nindent 8 }}
        {{- else }}
        podAntiAffinity:
          preferredDuringSchedulingIgnoredDuringExecution:
            - weight: 100
              podAffinityTerm:
                topologyKey: kubernetes.io/hostname
                labelSelector:
                  matchLabels:
                    {{- include "fleetgrains.roleSelectorLabels" (dict "root" $root "role" $role) | nindent 20 }}
        {{- end }}
{{- end }}
