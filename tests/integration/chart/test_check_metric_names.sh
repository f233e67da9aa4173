#!/usr/bin/env bash
# hack/check-metric-names.py on small fixtures (fixtures/checker): it reads the metric names of
# every kind of expression and nothing else, passes when each is in the scrape, and fails naming
# what is missing or wrong: the names the old chart's alerts used, a broken dashboard.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
source "$ROOT/tests/lib/assert.sh"
F=$ROOT/tests/integration/chart/fixtures/checker
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
checker() { python3 "$ROOT/hack/check-metric-names.py" "$@" >"$TMP/out" 2>&1; }

checker --dashboard "$F/dashboard.json" --rules "$F/rules.yaml" --scrape "$F/scrape.prom"
equals "the fixtures pass: 7 expressions, only their 6 metric names (no label, function, keyword)" \
  "0: 7 expressions read 6 metric names, all in the scrape(s)" "$?: $(cat "$TMP/out")"

cat >"$TMP/old-rules.yaml" <<'YAML'
groups:
  - name: gearbox
    rules:
      - alert: GearboxReconcileErrors
        expr: sum by (namespace, policy) (rate(gearbox_reconcile_errors_total[10m])) > 0
      - alert: GearboxNoLeader
        expr: max(gearbox_leader) < 1
      - alert: Ready
        expr: demo_ready == 0
YAML
checker --rules "$TMP/old-rules.yaml" --scrape "$F/scrape.prom"
equals "names missing from the scrape fail, each listed with where it is used" \
  "1: gearbox_leader: not in the scrape(s), used by $TMP/old-rules.yaml: GearboxNoLeader|gearbox_reconcile_errors_total: not in the scrape(s), used by $TMP/old-rules.yaml: GearboxReconcileErrors" \
  "$?: $(paste -sd '|' "$TMP/out")"

checker --rules "$F/rules.yaml" --scrape <(grep -v -e '^# TYPE demo_lag_seconds' -e '^demo_lag_seconds_count' "$F/scrape.prom")
equals "without the histogram's TYPE line, its series count by their samples only (_count is missing)" \
  "1 demo_lag_seconds_count" "$? $(cut -d: -f1 "$TMP/out" | paste -sd ' ')"

python3 - "$F/dashboard.json" "$TMP/broken.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
del d["uid"]
d["panels"][2]["id"] = 2  # the id of "Lag"
d["panels"][1]["targets"][0]["expr"] = " "
d["panels"].append({"id": 9, "type": "stat", "title": "Empty"})
json.dump(d, open(sys.argv[2], "w"))
PY
checker --dashboard "$TMP/broken.json" --scrape "$F/scrape.prom"
rc=$?
check "a broken dashboard fails" test "$rc" = 1
for want in ": no uid" "panels 'Lag' and 'Ready' share id 2" "panel 'Lag' target A has no expr" "panel 'Empty' has no targets"; do
  check "  ... saying '$want'" grep -qF "$want" "$TMP/out"
done
echo '{"uid": "x", "title": "cut short",' >"$TMP/cut.json"
checker --dashboard "$TMP/cut.json" --scrape "$F/scrape.prom"
equals "a dashboard that is not JSON fails" "1 not a readable JSON dashboard" \
  "$? $(grep -o 'not a readable JSON dashboard' "$TMP/out")"
finish
