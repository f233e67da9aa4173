# tests/lib/registry.sh -- a real OCI registry for the tests of the user's release path: the CNCF
# distribution registry (built from its Go module into the cache by "hack/cluster.sh tool"), on
# 127.0.0.1:PORT, plain HTTP, its storage in a directory of the test's. Source it (ROOT set).
REGISTRY_VERSION=${REGISTRY_VERSION:-v3.1.2}
REGISTRY_PID=

registry_binary() {
  bash "$ROOT/hack/cluster.sh" tool registry "$REGISTRY_VERSION" \
    github.com/distribution/distribution/v3/cmd/registry \
    "-X github.com/distribution/distribution/v3/version.version=$REGISTRY_VERSION"
}

# start_registry PORT DIR: returns once it answers GET /v2/ (fails if the port is taken).
start_registry() {
  local port=$1 dir=$2 bin i
  bin=$(registry_binary) || return 1
  if curl -s -o /dev/null "http://127.0.0.1:$port/"; then
    echo "something already listens on 127.0.0.1:$port" >&2
    return 1
  fi
  rm -rf "$dir" && mkdir -p "$dir/data"
  cat >"$dir/config.yml" <<YAML
version: 0.1
log: {level: warn}
storage:
  filesystem: {rootdirectory: $dir/data}
  delete: {enabled: true}
http: {addr: "127.0.0.1:$port"}
YAML
  # No OpenTelemetry export: nothing listens for it here.
  OTEL_TRACES_EXPORTER=none OTEL_METRICS_EXPORTER=none OTEL_LOGS_EXPORTER=none \
    "$bin" serve "$dir/config.yml" >"$dir/registry.log" 2>&1 &
  REGISTRY_PID=$!
  for ((i = 0; i < 100; i++)); do
    curl -fsS -o /dev/null "http://127.0.0.1:$port/v2/" 2>/dev/null && return 0
    kill -0 "$REGISTRY_PID" 2>/dev/null || break
    sleep 0.1
  done
  echo "the registry did not answer on 127.0.0.1:$port:" >&2
  tail -5 "$dir/registry.log" >&2
  return 1
}

stop_registry() {
  [[ -n $REGISTRY_PID ]] || return 0
  kill "$REGISTRY_PID" 2>/dev/null
  wait "$REGISTRY_PID" 2>/dev/null
  REGISTRY_PID=
}

# loopback_only CMD...: CMD with no way out but 127.0.0.1. cosign's verify commands look for
# Sigstore's trust root on the internet (and, not finding it, carry on with the key they are
# given); through a proxy on a closed loopback port that attempt ends here, not in a DNS query.
loopback_only() {
  HTTPS_PROXY=http://127.0.0.1:9 HTTP_PROXY=http://127.0.0.1:9 NO_PROXY=127.0.0.1,localhost "$@"
}
