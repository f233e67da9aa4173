# The steps the e2e scripts of issue 17 share (tests/e2e/test_operations.sh, test_schedules.sh,
# test_hpa_behavior.sh). Source it after assert.sh.

# setup DESCRIPTION CMD...: a check the rest of the script needs; when it fails, the script ends.
setup() { check "$@" || { finish; exit 1; }; }

# fresh_namespace NS: waits (up to 90 s) until the namespace a previous run deleted is gone, since
# a namespace being deleted accepts nothing new; then creates it.
fresh_namespace() {
  local _
  for _ in $(seq 90); do
    kubectl get ns "$1" >/dev/null 2>&1 || break
    sleep 1
  done
  kubectl create namespace "$1" >/dev/null
}

# begin_e2e WORK NS: WORK emptied, and at exit — and now, for what a killed run left — the
# processes of WORK/*.pid stopped and the namespace NS deleted.
begin_e2e() {
  E2E_WORK=$1 E2E_NS=$2
  trap end_e2e EXIT
  end_e2e
  rm -rf "$1" && mkdir -p "$1"
}
end_e2e() {
  stop_processes "$E2E_WORK"
  kubectl delete namespace "$E2E_NS" --wait=false >/dev/null 2>&1
  true
}

# stop_processes DIR: kills the process of every DIR/*.pid.
stop_processes() {
  local f
  for f in "$1"/*.pid; do [[ -f $f ]] && kill "$(cat "$f")" 2>/dev/null; done
  true
}

# start_controller BIN WORK NS PROBE_PORT [METRICS_ADDRESS]: the controller for the policies of
# namespace NS, with the cluster's kubeconfig and no leader election, its log in WORK/controller.log
# and its pid in WORK/controller.pid; returns once /readyz answers (fails after 30 s).
start_controller() {
  "$1" --kubeconfig "$KUBECONFIG" --namespace "$3" --metrics-bind-address "${5:-0}" \
    --source-allow 127.0.0.0/8 --metrics-secure=false \
    --health-probe-bind-address "127.0.0.1:$4" --log-format text >"$2/controller.log" 2>&1 &
  echo $! >"$2/controller.pid"
  eventually 30 "the controller is ready (/readyz)" curl -fs "http://127.0.0.1:$4/readyz" ||
    { tail -n 20 "$2/controller.log"; return 1; }
}
