{{- define "mediabill.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}{{ .Release.Name | trunc 40 | trimSuffix "-" }}
{{- else -}}{{ printf "%s-%s" .Release.Name .Chart.Name | trunc 40 | trimSuffix "-" }}{{- end -}}
{{- end -}}

{{- define "mediabill.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "mediabill.secretName" -}}
{{- .Values.existingSecret | default (printf "%s-secrets" (include "mediabill.fullname" .)) -}}
{{- end -}}

{{- define "mediabill.image" -}}
{{- $root := index . 0 -}}
{{- printf "%s/%s:%s" $root.Values.image.repository (index . 1) ($root.Values.image.tag | default $root.Chart.AppVersion) -}}
{{- end -}}

{{/* The role's settings: roleDefaults.<role> with the service's own values merged over them. */}}
{{- define "mediabill.role" -}}
{{- $root := index . 0 -}}
{{- toYaml (mergeOverwrite (deepCopy (index $root.Values.roleDefaults (index . 1))) (deepCopy (index . 2 | default dict))) -}}
{{- end -}}

{{/* Environment every service process shares: database, broker, tokens. */}}
{{- define "mediabill.serviceEnv" -}}
{{- $root := . -}}
- name: DATABASE_URL
  valueFrom: { secretKeyRef: { name: {{ include "mediabill.secretName" $root }}, key: database-url } }
- name: KAFKA_BOOTSTRAP_SERVERS
  value: {{ $root.Values.kafka.bootstrapServers | quote }}
{{- include "mediabill.kafkaSecurityEnv" $root }}
{{- include "mediabill.jwtEnv" $root }}
{{- with $root.Values.database.tls.sslmode }}
- name: PGSSLMODE
  value: {{ . | quote }}
{{- end }}
{{- if $root.Values.database.tls.caSecret }}
- name: PGSSLROOTCERT
  value: /etc/mediabill/postgres-ca/{{ $root.Values.database.tls.caKey }}
{{- end }}
{{- range $name, $value := $root.Values.extraEnv }}
- name: {{ $name }}
  value: {{ $value | quote }}
{{- end }}
{{- end -}}

{{/* The HS256 secret and the roles claim, which the console reads too. */}}
{{- define "mediabill.hs256Env" -}}
{{- $jwt := .Values.jwt -}}

{{- if $jwt.jwksUrl }}
{{- /* RS256 from the JWKS only: an empty secret, so the settings' development default is never accepted. */}}
- name: JWT_HS256_SECRET
  value: ""
{{- else }}
- name: JWT_HS256_SECRET
  valueFrom: { secretKeyRef: { name: {{ include "mediabill.secretName" . }}, key: jwt-hs256-secret } }
{{- end }}
- name: JWT_ROLES_CLAIM
  value: {{ $jwt.rolesClaim | quote }}
{{- end -}}

{{- define "mediabill.jwtEnv" -}}
{{- $jwt := .Values.jwt -}}
{{- include "mediabill.hs256Env" . }}
{{- with $jwt.jwksUrl }}
- name: JWT_JWKS_URL
  value: {{ . | quote }}
{{- end }}
{{- with $jwt.issuer }}
- name: JWT_ISSUER
  value: {{ . | quote }}
{{- end }}
{{- with $jwt.audience }}
- name: JWT_AUDIENCE
  value: {{ . | quote }}
{{- end }}
{{- end -}}

{{/* How the services authenticate to Kafka (mediabill_common.kafka.security reads these). */}}
{{- define "mediabill.kafkaSecurityEnv" -}}
{{- $kafka := .Values.kafka -}}
{{- $protocol := $kafka.securityProtocol | default "PLAINTEXT" -}}
{{- if not (has $protocol (list "PLAINTEXT" "SSL" "SASL_PLAINTEXT" "SASL_SSL")) }}
{{- fail (printf "kafka.securityProtocol must be PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL, not %s" $protocol) }}
{{- end }}
- name: KAFKA_SECURITY_PROTOCOL
  value: {{ $protocol | quote }}
{{- if hasPrefix "SASL_" $protocol }}
{{- if not $kafka.sasl.username }}
{{- fail "kafka.securityProtocol SASL_* needs kafka.sasl.username (and the password in the Secret)" }}
{{- end }}
- name: KAFKA_SASL_MECHANISM
  value: {{ $kafka.sasl.mechanism | quote }}
- name: KAFKA_SASL_USERNAME
  value: {{ $kafka.sasl.username | quote }}
- name: KAFKA_SASL_PASSWORD
  valueFrom: { secretKeyRef: { name: {{ include "mediabill.secretName" . }}, key: kafka-sasl-password } }
{{- end }}
{{- if hasSuffix "SSL" $protocol }}
{{- if $kafka.tls.caSecret }}
- name: KAFKA_SSL_CAFILE
  value: /etc/mediabill/kafka-ca/{{ $kafka.tls.caKey }}
{{- end }}
{{- if $kafka.tls.clientSecret }}
- name: KAFKA_SSL_CERTFILE
  value: /etc/mediabill/kafka-client/tls.crt
- name: KAFKA_SSL_KEYFILE
  value: /etc/mediabill/kafka-client/tls.key
{{- end }}
{{- end }}
{{- end -}}

{{/* Certificates mounted from Secrets: PostgreSQL's CA, Kafka's CA and Kafka client certificate. */}}
{{- define "mediabill.caVolume" -}}
{{- $tls := .Values.kafka.tls -}}
{{- $ssl := hasSuffix "SSL" (.Values.kafka.securityProtocol | default "PLAINTEXT") -}}
{{- if or .Values.database.tls.caSecret (and $ssl (or $tls.caSecret $tls.clientSecret)) }}
volumes:
{{- if .Values.database.tls.caSecret }}
  - name: postgres-ca
    secret: { secretName: {{ .Values.database.tls.caSecret }} }
{{- end }}
{{- if and $ssl $tls.caSecret }}
  - name: kafka-ca
    secret: { secretName: {{ $tls.caSecret }} }
{{- end }}
{{- if and $ssl $tls.clientSecret }}
  - name: kafka-client
    secret: { secretName: {{ $tls.clientSecret }} }
{{- end }}
{{- end }}
{{- end -}}

{{- define "mediabill.caMount" -}}
{{- $tls := .Values.kafka.tls -}}
{{- $ssl := hasSuffix "SSL" (.Values.kafka.securityProtocol | default "PLAINTEXT") -}}
{{- if or .Values.database.tls.caSecret (and $ssl (or $tls.caSecret $tls.clientSecret)) }}
volumeMounts:
{{- if .Values.database.tls.caSecret }}
  - { name: postgres-ca, mountPath: /etc/mediabill/postgres-ca, readOnly: true }
{{- end }}
{{- if and $ssl $tls.caSecret }}
  - { name: kafka-ca, mountPath: /etc/mediabill/kafka-ca, readOnly: true }
{{- end }}
{{- if and $ssl $tls.clientSecret }}
  - { name: kafka-client, mountPath: /etc/mediabill/kafka-client, readOnly: true }
{{- end }}
{{- end }}
{{- end -}}
