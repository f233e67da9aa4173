# tests/e2e/lifecycle_quickstart.sh -- sourced by test_lifecycle.sh --registry after the uninstall:
# docs/quickstart.md's own commands (the blocks marked "<!-- quick start -->"), read from the page
# and run as a user with a cluster and the pushed release runs them. REGISTRY on the page is the
# local registry; the helm install gets --plain-http (the registry is http) and this cluster's
# node values (where the Pods run, how they reach the API server). Prints how many commands the
# page takes and how long from the first to the policy's first scale-up; fails above 6 or 5 min.
QS_NS=quickstart
QS_DIR=$WORK/quickstart

# The page's commands, in order: each line of a ```sh block that follows the marker.
page_commands() {
  awk '/^<!-- quick start -->$/ {marked = 1; next}
       marked && /^```sh$/ {inside = 1; next}
       inside && /^```$/ {inside = 0; marked = 0; next}
       inside && NF && !/^#/ {print}' "$ROOT/docs/quickstart.md"
}
mapfile -t QS_COMMANDS < <(page_commands)
check "docs/quickstart.md marks its commands (helm install, kubectl apply)" \
  bash -c '[[ $1 == *"helm install"* && $1 == *"kubectl apply"* ]]' _ "${QS_COMMANDS[*]}"
page_version=$(printf '%s\n' "${QS_COMMANDS[@]}" | sed -n 's/.*--version \([^ ]*\).*/\1/p')
equals "the page installs the chart's version" "$TAG" "$page_version"

# A cluster that never had Gearbox: the CRD (kept by the uninstall) goes, with its policies.
setup "the CRD is removed, as on a cluster without Gearbox" \
  kubectl delete crd scalingpolicies.gearbox.dev --wait --timeout 60s
kubectl create namespace "$QS_NS" >/dev/null
setup "the user's Deployment web (2 pods at 95% CPU) applies" \
  kubectl -n "$QS_NS" apply -f "$HERE/quickstart-web.yaml"
# The user works in web's namespace, with the page's policy saved as quickstart.yaml.
mkdir -p "$QS_DIR" && cp "$ROOT/manifests/examples/quickstart.yaml" "$QS_DIR/"
kubectl config set-context --current --namespace="$QS_NS" >/dev/null

# run_page_command LINE: the line as the page gives it, REGISTRY swapped for the local one.
run_page_command() {
  local line=${1//REGISTRY/$REGISTRY}
  local -a words
  read -r -a words <<<"$line"
  [[ ${words[0]} != helm ]] || words+=(--plain-http "${NODE_VALUES[@]}" --timeout 180s)
  (cd "$QS_DIR" && "${words[@]}")
}
web_scaled() { [[ $(kubectl -n "$QS_NS" get deploy web -o jsonpath='{.spec.replicas}') == 3 ]]; }
q0=$(date +%s)
for line in "${QS_COMMANDS[@]}"; do
  setup "quick start: $line" run_page_command "$line"
done
eventually 180 "the quick start's policy scales web 2 -> 3 (CPU 95% above 70%)" web_scaled
qs_seconds=$(($(date +%s) - q0))
log "quick start: ${#QS_COMMANDS[@]} commands, ${qs_seconds} s from helm install to web scaled 2 -> 3"
check "the quick start takes at most 6 commands (${#QS_COMMANDS[@]})" test "${#QS_COMMANDS[@]}" -le 6
check "the quick start takes at most 5 minutes (${qs_seconds} s)" test "$qs_seconds" -le 300
kubectl config set-context --current --namespace=default >/dev/null
