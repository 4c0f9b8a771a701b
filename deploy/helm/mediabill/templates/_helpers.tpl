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

{{- define "mediabill.caVolume" -}}
{{- if .Values.database.tls.caSecret }}
volumes:
  - name: postgres-ca
    secret: { secretName: {{ .Values.database.tls.caSecret }} }
{{- end }}
{{- end -}}

{{- define "mediabill.caMount" -}}
{{- if .Values.database.tls.caSecret }}
volumeMounts:
  - { name: postgres-ca, mountPath: /etc/mediabill/postgres-ca, readOnly: true }
{{- end }}
{{- end -}}
