#!/usr/bin/env bash
# Sync benchmark (not part of the test suite; see bench/README.md, "Sync benchmark").
#
#   bench/sync.sh
#
# Builds the server if its jar is missing or older than the sources (mvn -B -q -o -DskipTests
# package: nothing is installed into ~/.m2), then starts bench/SyncBenchmark.java, which is its own
# token issuer (as FoundationBenchmark) and shapes the network with a throttling TCP proxy of its
# own. Starts the server on free ports (never 8080/5433) with an empty temporary data directory,
# trusting only that issuer, tells the benchmark to go, stops the server with SIGTERM and removes
# the data directory. Everything stays on 127.0.0.1.
#
# Environment: JAVA_OPTS (server JVM), SRM_BENCH_SKIP_BUILD=1 (use the jar as is),
# SRM_SYNC_LOAD (resources in the pulled site, default 20000, a multiple of 100),
# SRM_SYNC_BATCHES (measured push batches per link, default 20), SRM_SYNC_WARMUP (default 3),
# SRM_SYNC_PAGE_SIZES (default 100,500,1000), SRM_SYNC_DRAIN_WAIT (longest wait for the audit
# outbox to drain, s, default 900), SRM_SYNC_KEEP_LOG=<file> (keep the server log).
# psql (optional) lets the benchmark read the audit outbox of the embedded PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
JAR=fhir-server/target/fhir-server-0.1.0-SNAPSHOT.jar
SERVER_TIMEOUT=5400     # hard limit on the server process (s)
READY_TIMEOUT=240       # limit on start-up (s)
BENCH_TIMEOUT=4800      # limit on the client program once the server is ready (s)
ISSUER_TIMEOUT=120      # limit on the client program publishing its JWKS (compiles first) (s)

log() { printf '[sync-bench %s] %s\n' "$(date +%H:%M:%S)" "$*"; }

# ---- build if needed (package, never install: ~/.m2 is shared with other builds)
if [[ "${SRM_BENCH_SKIP_BUILD:-0}" != 1 ]]; then
  if [[ ! -f $JAR ]] || [[ -n "$(find pom.xml */pom.xml */src/main -newer "$JAR" -print -quit 2>/dev/null)" ]]; then
    log "building: mvn -B -q -o -DskipTests package"
    mvn -B -q -o -DskipTests package
  else
    log "jar is up to date: $JAR"
  fi
fi
[[ -f $JAR ]] || { echo "no $JAR" >&2; exit 1; }

# ---- can the kernel shape with netem? (informational: the benchmark shapes with its own proxy)
probe_netem() {
  command -v tc >/dev/null && command -v ip >/dev/null || { echo "no tc/ip command"; return; }
  local ns="srm-netem-probe-$$" out
  if ! out=$(ip netns add "$ns" 2>&1); then echo "ip netns add: ${out:-refused}"; return; fi
  ip netns exec "$ns" ip link set lo up 2>/dev/null || true
  if out=$(ip netns exec "$ns" tc qdisc add dev lo root netem delay 150ms 2>&1); then
    echo "netem works here (not used: the benchmark's proxy does the shaping)"
  else
    echo "tc qdisc netem: ${out:-refused} (network namespaces work; the kernel has no sch_netem)"
  fi
  ip netns del "$ns" 2>/dev/null || true
}
log "netem probe: $(probe_netem)"

# ---- free ports on 127.0.0.1, never the developer defaults
port_in_use() { [[ -n "$(ss -Htln "sport = :$1" 2>/dev/null)" ]]; }
free_port() {  # [port to avoid]
  local p i
  for i in $(seq 1 200); do
    p=$(( 20000 + RANDOM % 30000 ))
    [[ $p == 8080 || $p == 5433 || $p == "${1:-0}" ]] && continue
    port_in_use "$p" || { echo "$p"; return 0; }
  done
  echo "no free port found" >&2; return 1
}

WORK=$(mktemp -d "${TMPDIR:-/tmp}/srm-sync-bench.XXXXXX")
LOG=$WORK/server.log
OUT=$WORK/bench.out
HANDSHAKE=$WORK/handshake
mkdir "$HANDSHAKE"
TPID=""; JPID=""; BPID=""

print_log_tail() {
  echo "---- last 50 lines of the server log (message field) ----"
  tail -n 50 "$LOG" 2>/dev/null | sed -E 's/.*"message":"(([^"\\]|\\.)*)".*/\1/' || true
  echo "---------------------------------------------------------"
}

stop_server() {
  [[ -n $TPID ]] || return 0
  if kill -0 "$TPID" 2>/dev/null; then
    local t0=$(date +%s%N)
    kill -TERM "${JPID:-$TPID}" 2>/dev/null || true
    local i
    for i in $(seq 1 60); do kill -0 "$TPID" 2>/dev/null || break; sleep 0.5; done
    if kill -0 "$TPID" 2>/dev/null; then
      log "server still running after 30 s; sending SIGKILL"
      kill -KILL "${JPID:-$TPID}" 2>/dev/null || true
    fi
    wait "$TPID" 2>/dev/null || true
    SHUTDOWN_MS=$(( ($(date +%s%N) - t0) / 1000000 ))
  fi
  TPID=""
}

stop_bench() {
  [[ -n $BPID ]] || return 0
  kill -TERM "$BPID" 2>/dev/null || true
  wait "$BPID" 2>/dev/null || true
  BPID=""
}

cleanup() {
  local rc=$?
  stop_bench
  stop_server
  if [[ -n "${SRM_SYNC_KEEP_LOG:-}" && -f $LOG ]]; then cp "$LOG" "$SRM_SYNC_KEEP_LOG" || true; fi
  rm -rf "$WORK"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- the benchmark first: it is the token issuer the server will trust
LOADAVG_BEFORE=$(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo "")
log "1-min load average before start: ${LOADAVG_BEFORE:-?} on $(nproc) CPUs (other work distorts every figure)"
SRM_BENCH_LOADAVG_BEFORE=$LOADAVG_BEFORE SRM_BENCH_PG_DATA=$WORK/data/postgres \
  timeout --kill-after=10s $(( ISSUER_TIMEOUT + READY_TIMEOUT + BENCH_TIMEOUT )) \
  java bench/SyncBenchmark.java "$HANDSHAKE" >"$OUT" 2>&1 &
BPID=$!
ISSUER_START=$(date +%s)
until [[ -f $HANDSHAKE/issuer ]]; do
  if ! kill -0 "$BPID" 2>/dev/null || (( $(date +%s) - ISSUER_START > ISSUER_TIMEOUT )); then
    log "the benchmark did not publish its token issuer"; cat "$OUT"; exit 1
  fi
  sleep 0.1
done
{ read -r ISSUER; read -r JWKS_URI; } <"$HANDSHAKE/issuer"
log "token issuer: $ISSUER (JWKS $JWKS_URI, served by the benchmark)"

# ---- start (ports chosen now, so that the JWKS port is already taken)
HTTP_PORT=$(free_port)
DB_PORT=$(free_port "$HTTP_PORT")
log "starting server: http://127.0.0.1:$HTTP_PORT (embedded PostgreSQL on $DB_PORT, data in $WORK/data)"
START_NS=$(date +%s%N)
SRM_DATA_DIR=$WORK/data SRM_EMBEDDED_DB_PORT=$DB_PORT PORT=$HTTP_PORT SERVER_ADDRESS=127.0.0.1 \
  timeout --kill-after=20s "$SERVER_TIMEOUT" java ${JAVA_OPTS:-} -jar "$ROOT/$JAR" \
    "--srm.security.issuers[0].issuer=$ISSUER" "--srm.security.issuers[0].jwks-uri=$JWKS_URI" >"$LOG" 2>&1 &
TPID=$!
for i in $(seq 1 50); do JPID=$(pgrep -P "$TPID" java || true); [[ -n $JPID ]] && break; sleep 0.1; done
[[ -n $JPID ]] || { log "server JVM did not start"; print_log_tail; exit 1; }

READY_URL="http://127.0.0.1:$HTTP_PORT/actuator/health/readiness"
while :; do
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$READY_URL" || true)
  [[ $code == 200 ]] && break
  if ! kill -0 "$JPID" 2>/dev/null; then
    log "server exited before it was ready"; print_log_tail; exit 1
  fi
  if (( ($(date +%s%N) - START_NS) / 1000000000 > READY_TIMEOUT )); then
    log "server not ready after ${READY_TIMEOUT} s"; print_log_tail; exit 1
  fi
  sleep 0.2
done
STARTUP_MS=$(( ($(date +%s%N) - START_NS) / 1000000 ))
log "ready after $STARTUP_MS ms (pid $JPID)"

# ---- measure
printf 'base_url=http://127.0.0.1:%s\npid=%s\nstartup_ms=%s\npg_port=%s\n' "$HTTP_PORT" "$JPID" "$STARTUP_MS" "$DB_PORT" >"$HANDSHAKE/go.tmp"
mv "$HANDSHAKE/go.tmp" "$HANDSHAKE/go"
tail -n +1 -s 0.2 -f --pid="$BPID" "$OUT"
set +e
wait "$BPID"
BENCH_RC=$?
set -e
BPID=""
if (( BENCH_RC != 0 )); then
  log "benchmark failed (exit $BENCH_RC)"; print_log_tail
fi

# ---- stop
SHUTDOWN_MS=""
stop_server
log "server stopped${SHUTDOWN_MS:+ in $SHUTDOWN_MS ms}; removing $WORK"
RESULT=$(grep '^RESULT {' "$OUT" | tail -n 1 || true)
[[ -n $RESULT ]] && echo "$RESULT"
exit "$BENCH_RC"
