#!/usr/bin/env bash
# hack/services.sh -- the real systems Gearbox reads metrics from, on loopback, for the demo and
# the e2e test: Redis and Prometheus from Debian's packages.
#
#   hack/services.sh up      start redis-server and prometheus (scraping $SCRAPE_TARGETS every
#                            $SCRAPE_INTERVAL, default 1s)
#   hack/services.sh down    stop exactly what "up" started
#   hack/services.sh stop NAME / start NAME   stop or start one of them (redis-server, prometheus)
#                            again with the same flags: the fault tests (tests/e2e/test_faults.sh)
#   hack/services.sh env     REDIS_URL and PROMETHEUS_URL for a shell
#
# SCRAPE_TARGETS: comma-separated host:port list of /metrics endpoints (e.g. the load simulator).
set -euo pipefail

DIR=${GEARBOX_SERVICES_DIR:-/tmp/gearbox-services}
REDIS_PORT=${REDIS_PORT:-16379}
PROM_PORT=${PROM_PORT:-19090}
SCRAPE_TARGETS=${SCRAPE_TARGETS:-}
SCRAPE_INTERVAL=${SCRAPE_INTERVAL:-1s}

log() { echo "[services] $*" >&2; }
die() { echo "[services] ERROR: $*" >&2; exit 1; }

pid_of() {
  local f=$DIR/$1.pid pid
  [[ -f $f ]] || return 1
  pid=$(<"$f")
  # No pipe into grep -q: under pipefail, tr dying of SIGPIPE would hide a running server.
  [[ -r /proc/$pid/cmdline && $(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) == *"$1"* ]] || return 1
  echo "$pid"
}

# Whether the process started as NAME has not exited (a zombie, state Z, has). Not pid_of: just
# after `NAME ... &` the process is still the forked shell, whose command line is not NAME's yet.
alive() {
  local pid state
  pid=$(<"$DIR/$1.pid")
  [[ -r /proc/$pid/stat ]] && read -r _ _ state _ <"/proc/$pid/stat" && [[ $state != Z ]]
}

wait_for() {  # wait_for NAME SECONDS CMD...
  local name=$1 t=$2 i
  shift 2
  for ((i = 0; i < t * 4; i++)); do
    "$@" >/dev/null 2>&1 && { log "$name ready"; return 0; }
    alive "$name" || break
    sleep 0.25
  done
  echo "[services] ERROR: $name did not start; last lines of $DIR/$name.log:" >&2
  tail -n 30 "$DIR/$name.log" >&2 || true
  down
  exit 1
}

start_redis() {
  mkdir -p "$DIR/redis"
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save '' --appendonly no --dir "$DIR/redis" \
    >"$DIR/redis-server.log" 2>&1 </dev/null &
  echo $! >"$DIR/redis-server.pid"
  wait_for redis-server 10 redis-cli -p "$REDIS_PORT" ping
}

start_prometheus() {
  mkdir -p "$DIR/prometheus-data"
  local targets="'127.0.0.1:$PROM_PORT'" t
  IFS=, read -ra extra <<<"$SCRAPE_TARGETS"
  for t in "${extra[@]}"; do targets+=", '$t'"; done
  cat >"$DIR/prometheus.yml" <<YAML
global: {scrape_interval: $SCRAPE_INTERVAL, evaluation_interval: $SCRAPE_INTERVAL}
scrape_configs:
  - job_name: gearbox-demo
    static_configs: [{targets: [$targets]}]
YAML
  rm -rf "$DIR/prometheus-data"
  prometheus --config.file="$DIR/prometheus.yml" --storage.tsdb.path="$DIR/prometheus-data" \
    --web.listen-address="127.0.0.1:$PROM_PORT" >"$DIR/prometheus.log" 2>&1 </dev/null &
  echo $! >"$DIR/prometheus.pid"
  wait_for prometheus 30 curl -fs --max-time 2 "http://127.0.0.1:$PROM_PORT/-/ready"
}

up() {
  pid_of redis-server >/dev/null && die "already running: $0 down first"
  start_redis
  start_prometheus
}

stop() {  # stop NAME
  local name=$1 pid
  if pid=$(pid_of "$name"); then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -9 "$pid" 2>/dev/null || true
    log "stopped $name (pid $pid)"
  fi
  rm -f "$DIR/$name.pid"
}

down() {
  stop prometheus
  stop redis-server
}

case ${1:-} in
up) up ;;
down) down ;;
stop) stop "${2:?which: redis-server or prometheus}" ;;
start)
  case ${2:-} in
  redis-server) pid_of redis-server >/dev/null || start_redis ;;
  prometheus) pid_of prometheus >/dev/null || start_prometheus ;;
  *) die "start redis-server or prometheus" ;;
  esac
  ;;
env)
  echo "export REDIS_URL=redis://127.0.0.1:$REDIS_PORT/0"
  echo "export PROMETHEUS_URL=http://127.0.0.1:$PROM_PORT"
  ;;
*) echo "usage: $0 up|down|env|stop NAME|start NAME" >&2; exit 2 ;;
esac
