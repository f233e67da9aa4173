{{/* Names and labels shared by every template. */}}
{{- define "gearbox.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "gearbox.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "gearbox.labels" -}}
{{ include "gearbox.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "gearbox.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "gearbox.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- /* An alert's runbook_url annotation (list .Values.metrics.prometheusRule "AlertName"): a new
line of its own, or nothing when metrics.prometheusRule.runbookBaseUrl is empty. */ -}}
{{- define "gearbox.runbook" -}}
{{- with (index . 0).runbookBaseUrl }}
            runbook_url: {{ printf "%s#%s" . (lower (index $ 1)) | quote }}
{{- end -}}
{{- end -}}
