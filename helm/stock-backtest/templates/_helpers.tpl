{{/* Chart name, truncated to the 63 characters a label or DNS name allows. */}}
{{- define "stock-backtest.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Full name: <release>-<chart>, or the release name when it already holds the chart name. */}}
{{- define "stock-backtest.fullname" -}}
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

{{/* A suffixed name, kept within 63 characters: include "stock-backtest.suffixed" (list . "mysql") */}}
{{- define "stock-backtest.suffixed" -}}
{{- $ctx := index . 0 }}
{{- $suffix := index . 1 }}
{{- printf "%s-%s" (include "stock-backtest.fullname" $ctx | trunc (int (sub 62 (len $suffix))) | trimSuffix "-") $suffix }}
{{- end }}

{{- define "stock-backtest.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Selector labels: stable across upgrades. */}}
{{- define "stock-backtest.selectorLabels" -}}
app.kubernetes.io/name: {{ include "stock-backtest.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* Standard labels on every resource the chart renders. */}}
{{- define "stock-backtest.labels" -}}
helm.sh/chart: {{ include "stock-backtest.chart" . }}
{{ include "stock-backtest.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: stock-backtest
{{- end }}

{{/* Labels + component (web | worker | migrate | mysql | test): include "stock-backtest.componentLabels" (list . "web") */}}
{{- define "stock-backtest.componentLabels" -}}
{{ include "stock-backtest.labels" (index . 0) }}
app.kubernetes.io/component: {{ index . 1 }}
{{- end }}

{{- define "stock-backtest.componentSelectorLabels" -}}
{{ include "stock-backtest.selectorLabels" (index . 0) }}
app.kubernetes.io/component: {{ index . 1 }}
{{- end }}

{{/* The app image: digest wins over tag; the tag defaults to appVersion and is never `latest`. */}}
{{- define "stock-backtest.image" -}}
{{- $img := .Values.image }}
{{- if $img.digest }}
{{- printf "%s@%s" $img.repository $img.digest }}
{{- else }}
{{- $tag := default .Chart.AppVersion $img.tag }}
{{- if eq $tag "latest" }}{{ fail "image.tag must not be `latest`: use a git SHA or a version" }}{{ end }}
{{- printf "%s:%s" $img.repository $tag }}
{{- end }}
{{- end }}

{{- define "stock-backtest.mysqlImage" -}}
{{- $img := .Values.mysql.image }}
{{- if $img.digest }}
{{- printf "%s@%s" $img.repository $img.digest }}
{{- else }}
{{- printf "%s:%s" $img.repository $img.tag }}
{{- end }}
{{- end }}

{{- define "stock-backtest.serviceAccountName" -}}
{{- include "stock-backtest.fullname" . }}
{{- end }}

{{- define "stock-backtest.workerServiceAccountName" -}}
{{- include "stock-backtest.suffixed" (list . "worker") }}
{{- end }}

{{- define "stock-backtest.mysqlName" -}}
{{- include "stock-backtest.suffixed" (list . "mysql") }}
{{- end }}

{{- define "stock-backtest.secretName" -}}
{{- default (include "stock-backtest.suffixed" (list . "db")) .Values.database.existingSecret }}
{{- end }}

{{- define "stock-backtest.configMapName" -}}
{{- include "stock-backtest.suffixed" (list . "config") }}
{{- end }}

{{- define "stock-backtest.jobTemplateName" -}}
{{- include "stock-backtest.suffixed" (list . "job-template") }}
{{- end }}

{{/* Database host: the bundled MySQL Service (same namespace) or the external host. */}}
{{- define "stock-backtest.databaseHost" -}}
{{- if .Values.mysql.enabled }}
{{- include "stock-backtest.mysqlName" . }}
{{- else }}
{{- required "database.externalHost is required when mysql.enabled=false" .Values.database.externalHost }}
{{- end }}
{{- end }}

{{/* Pod-level restricted security context shared by web, worker, migration and test pods. */}}
{{- define "stock-backtest.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 10001
runAsGroup: 10001
fsGroup: 10001
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{/* Container-level restricted security context. */}}
{{- define "stock-backtest.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
runAsNonRoot: true
runAsUser: 10001
runAsGroup: 10001
privileged: false
capabilities:
  drop:
    - ALL
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{/* Environment shared by web, worker and migration: plain values from the ConfigMap, the URL from the Secret. */}}
{{- define "stock-backtest.appEnv" -}}
- name: DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "stock-backtest.secretName" . }}
      key: {{ .Values.database.secretKeys.url }}
{{- end }}

{{/*
Helm hook phase of the migration Job. `pre-install` only works when everything
the Job needs exists before the release: an external database and a
pre-created Secret. With the bundled MySQL (or a chart-created Secret) the
first migration runs `post-install` instead (it waits for MySQL), and every
upgrade migrates `pre-upgrade`, before the new web pods roll out.
*/}}
{{- define "stock-backtest.migrationHook" -}}
{{- if and (not .Values.mysql.enabled) .Values.database.existingSecret }}pre-install,pre-upgrade{{ else }}post-install,pre-upgrade{{ end }}
{{- end }}
