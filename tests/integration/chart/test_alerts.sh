#!/usr/bin/env bash
# The chart's alerts, proven with the real promtool: the PrometheusRule rendered by helm (every
# alert on) is a valid rules file (`promtool check rules`), and in alerts_test.yaml every alert
# fires on its condition and stays silent otherwise (`promtool test rules`); a test file that
# leaves an alert without a firing or a silent case fails here. The dashboard's and the rules'
# queries name only metrics of the contract's fixture scrape (hack/check-metric-names.py), and the
# dashboard ships as its ConfigMap. Needs helm and promtool, no cluster.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
HERE=$ROOT/tests/integration/chart
source "$ROOT/tests/lib/assert.sh"
command -v helm >/dev/null || eval "$(bash "$ROOT/hack/cluster.sh" env)" # helm lives in its cache
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# render DIR [helm args]: writes the rule groups (the PrometheusRule's spec) of the chart rendered
# as release "gearbox" in "gearbox-system" to DIR/rules.yaml, and to DIR/test/rules.yaml the same
# with only the `summary` annotation (the one alerts_test.yaml compares).
render() {
  local dir=$1
  shift
  mkdir -p "$dir/test"
  helm template gearbox "$ROOT/charts/gearbox" -n gearbox-system --kube-version v1.36.3 \
    --set metrics.prometheusRule.enabled=true "$@" --show-only templates/prometheusrule.yaml 2>"$dir/helm.err" |
    python3 -c '
import sys, yaml
block = lambda d, s: d.represent_scalar("tag:yaml.org,2002:str", s, style="|" if "\n" in s else None)
yaml.SafeDumper.add_representer(str, block)  # multi-line expressions stay readable blocks
rule = next(d for d in yaml.safe_load_all(sys.stdin) if d and d["kind"] == "PrometheusRule")
spec = rule["spec"]
yaml.safe_dump(spec, open(sys.argv[1], "w"), sort_keys=False)
for group in spec["groups"]:
    for r in group["rules"]:
        r["annotations"] = {"summary": r["annotations"]["summary"]}
yaml.safe_dump(spec, open(sys.argv[2], "w"), sort_keys=False)
' "$dir/rules.yaml" "$dir/test/rules.yaml" || { cat "$dir/helm.err" >&2; return 1; }
}

# covered RULES TEST: every alert of RULES has a case in TEST where it fires and one where it
# stays silent, and TEST names no alert RULES lacks.
covered() {
  python3 - "$1" "$2" <<'PY'
import sys, yaml
alerts = {r["alert"] for g in yaml.safe_load(open(sys.argv[1]))["groups"] for r in g["rules"] if "alert" in r}
fires, silent = set(), set()
for case in yaml.safe_load(open(sys.argv[2]))["tests"]:
    for t in case.get("alert_rule_test", []):
        (fires if t.get("exp_alerts") else silent).add(t["alertname"])
problems = [f"{a}: no case where it fires" for a in sorted(alerts - fires)]
problems += [f"{a}: no case where it stays silent" for a in sorted(alerts - silent)]
problems += [f"{a}: tested but not in the rules" for a in sorted((fires | silent) - alerts)]
print("\n".join(problems) or f"{len(alerts)} alerts, each fires and stays silent", file=sys.stderr)
sys.exit(1 if problems else 0)
PY
}

# promtool_test DIR TESTFILE: runs promtool test rules on a copy of TESTFILE beside DIR/test/rules.yaml.
promtool_test() {
  cp "$2" "$1/test/alerts_test.yaml"
  promtool test rules "$1/test/alerts_test.yaml"
}

render "$TMP/all" --set metrics.prometheusRule.stackAlerts.enabled=true
equals "the rendered rules hold the 7 controller alerts and the 5 stack alerts" 12 \
  "$(grep -c '^ *- alert: ' "$TMP/all/rules.yaml")"
check "promtool check rules accepts the rendered rules" promtool check rules "$TMP/all/rules.yaml"
check "alerts_test.yaml has a firing and a silent case for every alert" \
  covered "$TMP/all/rules.yaml" "$HERE/alerts_test.yaml"
check "promtool test rules: every alert fires on its condition and stays silent otherwise" \
  promtool_test "$TMP/all" "$HERE/alerts_test.yaml"

# The test can fail: with a work-queue threshold above the test's 150, that alert never fires.
render "$TMP/high" --set metrics.prometheusRule.stackAlerts.enabled=true --set metrics.prometheusRule.workQueueDepth.above=1000
promtool_test "$TMP/high" "$HERE/alerts_test.yaml" >"$TMP/high/out" 2>&1
equals "promtool test rules fails when an alert cannot fire (workQueueDepth.above=1000)" \
  "failed on GearboxWorkQueueBacklog only" \
  "failed on $(grep -o 'alertname: [A-Za-z]*' "$TMP/high/out" | sort -u | sed 's/alertname: //' | paste -sd ' ') only"

render "$TMP/default"
check "the stack alerts are opt-in (not rendered by default)" bash -c '! grep -q GearboxStack "$1"' _ "$TMP/default/rules.yaml"

render "$TMP/solo" --set replicaCount=1 --set leaderElection.enabled=false
check "promtool check rules accepts the rules without leader election" promtool check rules "$TMP/solo/rules.yaml"
check "without leader election, GearboxNoLeader fires when no controller is scraped" \
  promtool_test "$TMP/solo" "$HERE/alerts_no_election_test.yaml"

render "$TMP/runbook" --set metrics.prometheusRule.runbookBaseUrl=https://example.com/alerts
check "runbookBaseUrl gives each alert its runbook_url" \
  grep -q 'runbook_url: https://example.com/alerts#gearboxnoleader' "$TMP/runbook/rules.yaml"

ALL_ON=(--set metrics.serviceMonitor.enabled=true --set metrics.prometheusRule.enabled=true
  --set metrics.prometheusRule.stackAlerts.enabled=true --set metrics.grafanaDashboard.enabled=true
  --set metrics.prometheusRule.runbookBaseUrl=https://example.com/alerts)
check "helm lint --strict passes with every monitoring option on" \
  helm lint --strict "$ROOT/charts/gearbox" --kube-version v1.36.3 "${ALL_ON[@]}"
# The dashboard's ConfigMap: the sidecar's label, and the JSON of dashboards/gearbox.json unchanged.
helm template gearbox "$ROOT/charts/gearbox" -n gearbox-system --kube-version v1.36.3 "${ALL_ON[@]}" \
  --set metrics.grafanaDashboard.label=dash --set metrics.grafanaDashboard.labelValue=yes \
  --show-only templates/grafana-dashboard.yaml 2>/dev/null >"$TMP/dashboard-cm.yaml"
equals "the dashboard ConfigMap carries the configured label and the dashboard's JSON" "yes True" \
  "$(python3 -c '
import json, sys, yaml
cm = yaml.safe_load(open(sys.argv[1]))
print(cm["metadata"]["labels"].get("dash"), json.loads(cm["data"]["gearbox.json"]) == json.load(open(sys.argv[2])))
' "$TMP/dashboard-cm.yaml" "$ROOT/charts/gearbox/dashboards/gearbox.json")"
check "the dashboard is opt-in (no ConfigMap by default)" bash -c \
  '! helm template x "$1" --kube-version v1.36.3 2>/dev/null | grep -q "grafana_dashboard"' _ "$ROOT/charts/gearbox"

check "the dashboard and the rules name only metrics of the contract's fixture scrape" \
  python3 "$ROOT/hack/check-metric-names.py" --dashboard "$ROOT/charts/gearbox/dashboards/gearbox.json" \
  --rules "$TMP/all/rules.yaml" --scrape "$HERE/fixtures/contract-scrape.prom"
finish
