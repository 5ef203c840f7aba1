# Shared by bench/foundation.sh and bench/sync.sh (sourced, not run): build the server if needed,
# start the benchmark program first (it is the token issuer the server will trust), start the
# server on free 127.0.0.1 ports (never 8080/5433) with an empty temporary data directory, wait
# for readiness, hand the benchmark the server's address, show its output, stop everything.
#
# The sourcing script sets, before calling bench_run:
#   BENCH_NAME      prefix of log lines and of the temporary directory
#   SERVER_TIMEOUT  hard limit on the server process (s)
#   BENCH_TIMEOUT   limit on the benchmark program once the server is ready (s)
# and may set READY_TIMEOUT (start-up limit, default 240 s), ISSUER_TIMEOUT (the program
# publishing its JWKS, compiling first, default 120 s), SRM_BENCH_KEEP_LOG=<file> and
# BENCH_SOURCES (the .java files a program made of several files is compiled from: bench_run is
# then given its main class, not a file), or BENCH_CLASSPATH (a program already compiled, e.g. in
# fhir-server's test classes: bench_run is given its main class) with BENCH_JVM_OPTS for its JVM.
# After bench_run: BENCH_RC, STARTUP_MS, SHUTDOWN_MS and RESULT (the program's last RESULT line);
# bench_restart then starts the server once more on the data the benchmark left (RESTART_MS).
# SRM_BENCH_JCMD: jcmd commands (separated by ';') run on the loaded server before it stops.

ROOT=$PWD
JAR=fhir-server/target/fhir-server-0.1.0-SNAPSHOT.jar
READY_TIMEOUT=${READY_TIMEOUT:-240}
ISSUER_TIMEOUT=${ISSUER_TIMEOUT:-120}

log() { printf '[%s %s] %s\n' "$BENCH_NAME" "$(date +%H:%M:%S)" "$*"; }

# ---- build if needed (package, never install: ~/.m2 is shared with other builds)
bench_build() {
  if [[ "${SRM_BENCH_SKIP_BUILD:-0}" != 1 ]]; then
    if [[ ! -f $JAR ]] || [[ -n "$(find pom.xml */pom.xml */src/main -newer "$JAR" -print -quit 2>/dev/null)" ]]; then
      log "building: mvn -q -B -DskipTests package"
      mvn -q -B -DskipTests package
    else
      log "jar is up to date: $JAR"
    fi
  fi
  [[ -f $JAR ]] || { echo "no $JAR" >&2; exit 1; }
  # The server runs as run.sh runs it (scripts/fhir-server.sh: extracted jar, class-data archive,
  # README's JVM defaults). Extracting and the once-per-build training start happen here, before
  # any start is timed.
  scripts/fhir-server.sh --prepare
}

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

print_log_tail() {
  echo "---- last 50 lines of the server log (message field) ----"
  tail -n 50 "$LOG" 2>/dev/null | sed -E 's/.*"message":"(([^"\\]|\\.)*)".*/\1/' || true
  echo "---------------------------------------------------------"
}

stop_server() {
  [[ -n $TPID ]] || return 0
  if kill -0 "$TPID" 2>/dev/null; then
    local t0 i
    t0=$(date +%s%N)
    # SIGTERM to the JVM (timeout would forward it too); graceful shutdown stops PostgreSQL.
    kill -TERM "${JPID:-$TPID}" 2>/dev/null || true
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

bench_cleanup() {
  local rc=$?
  stop_bench
  stop_server
  if [[ -n "${SRM_BENCH_KEEP_LOG:-}" && -f ${LOG:-} ]]; then cp "$LOG" "$SRM_BENCH_KEEP_LOG" || true; fi
  [[ -n ${WORK:-} ]] && rm -rf "$WORK"
  exit $rc
}

# start_server: the server on new free ports with the data directory $WORK/data (empty on a first
# start, kept on a restart), trusting $ISSUER; waits for readiness. Sets TPID, JPID, STARTUP_MS,
# http_port, db_port.
start_server() {
  local start_ns code i
  http_port=$(free_port)
  db_port=$(free_port "$http_port")
  log "starting server: http://127.0.0.1:$http_port (embedded PostgreSQL on $db_port, data in $WORK/data)"
  start_ns=$(date +%s%N)
  # Benchmarks measure throughput: the rate limits (README, "Rate limits") are off unless asked for.
  SRM_RATE_LIMIT_ENABLED=${SRM_RATE_LIMIT_ENABLED:-false} \
  SRM_DATA_DIR=$WORK/data SRM_EMBEDDED_DB_PORT=$db_port PORT=$http_port SERVER_ADDRESS=127.0.0.1 \
    timeout --kill-after=20s "$SERVER_TIMEOUT" "$ROOT/scripts/fhir-server.sh" \
      "--srm.security.issuers[0].issuer=$ISSUER" "--srm.security.issuers[0].jwks-uri=$JWKS_URI" >"$LOG" 2>&1 &
  TPID=$!
  for i in $(seq 1 50); do JPID=$(pgrep -P "$TPID" java || true); [[ -n $JPID ]] && break; sleep 0.1; done
  [[ -n $JPID ]] || { log "server JVM did not start"; print_log_tail; exit 1; }

  local ready_url="http://127.0.0.1:$http_port/actuator/health/readiness"
  while :; do
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$ready_url" || true)
    [[ $code == 200 ]] && break
    if ! kill -0 "$JPID" 2>/dev/null; then
      log "server exited before it was ready"; print_log_tail; exit 1
    fi
    if (( ($(date +%s%N) - start_ns) / 1000000000 > READY_TIMEOUT )); then
      log "server not ready after ${READY_TIMEOUT} s"; print_log_tail; exit 1
    fi
    sleep 0.2
  done
  STARTUP_MS=$(( ($(date +%s%N) - start_ns) / 1000000 ))
  log "CPU by thread until ready (on a core, waiting for one): $(thread_times)"
}

# thread_times: where the server's CPU went so far, by thread name (numbers dropped, so that a
# pool is one line), the busiest first: time on a core and time runnable but waiting for one
# (/proc/<pid>/task/*/schedstat). Threads that exited are not counted. During a start on 2 cores
# the JIT's compiler threads take more CPU than the main thread (docs/PERFORMANCE.md).
thread_times() {
  local t
  for t in /proc/"$JPID"/task/*; do
    printf '%s|%s\n' "$(cat "$t/comm" 2>/dev/null)" "$(cat "$t/schedstat" 2>/dev/null)"
  done | awk -F'|' '$2 != "" { n = $1; sub(/[-#0-9]+$/, "", n); split($2, a, " ");
      run[n] += a[1] / 1e9; wait[n] += a[2] / 1e9 }
    END { for (k in run) if (run[k] >= 0.3) printf "%.1f|%s %.1f s (waited %.1f s)\n", run[k], k, run[k], wait[k] }' \
    | sort -t'|' -k1,1 -rn | cut -d'|' -f2 | paste -sd';' | sed 's/;/; /g' || true
}

# bench_restart: after bench_run, the server started again on the data directory the benchmark
# left, nothing else running, as a CSCOM's server starts after a power cut; sets RESTART_MS and
# RESTART_RSS_MB (at readiness), then stops it. STARTUP_MS keeps the first start's figure.
bench_restart() {
  local first=$STARTUP_MS
  LOG=$WORK/server-restart.log
  TPID=""; JPID=""
  start_server
  RESTART_MS=$STARTUP_MS
  STARTUP_MS=$first
  RESTART_RSS_MB=$(( $(awk '/^VmRSS/ {print $2}' "/proc/$JPID/status") / 1024 ))
  log "restarted on the same data: ready after $RESTART_MS ms, RSS $RESTART_RSS_MB MB"
  stop_server
}

# bench_run <program.java> [program arguments...]
bench_run() {
  local program=$1 code i
  shift
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/srm-$BENCH_NAME.XXXXXX")
  LOG=$WORK/server.log
  OUT=$WORK/bench.out
  HANDSHAKE=$WORK/handshake
  mkdir "$HANDSHAKE"
  TPID=""; JPID=""; BPID=""; SHUTDOWN_MS=""
  trap bench_cleanup EXIT
  trap 'exit 130' INT TERM

  # A program of several files is compiled first; a single file is run as a source program.
  local launch=("$program")
  if [[ -n ${BENCH_SOURCES:-} ]]; then
    log "compiling $BENCH_SOURCES"
    # shellcheck disable=SC2086 # a list of file names without spaces
    javac -d "$WORK/classes" $BENCH_SOURCES
    launch=(-cp "$WORK/classes" "$program")
  elif [[ -n ${BENCH_CLASSPATH:-} ]]; then
    # shellcheck disable=SC2206 # JVM options without spaces inside one option
    launch=(${BENCH_JVM_OPTS:-} -cp "$BENCH_CLASSPATH" "$program")
  fi

  # The benchmark first: it is the token issuer the server will trust.
  LOADAVG_BEFORE=$(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo "")
  log "1-min load average before start: ${LOADAVG_BEFORE:-?} on $(nproc) CPUs (other work distorts every figure)"
  SRM_BENCH_LOADAVG_BEFORE=$LOADAVG_BEFORE SRM_BENCH_PG_DATA=$WORK/data/postgres \
    timeout --kill-after=10s $(( ISSUER_TIMEOUT + READY_TIMEOUT + BENCH_TIMEOUT )) \
    java "${launch[@]}" "$HANDSHAKE" "$@" >"$OUT" 2>&1 &
  BPID=$!
  local issuer_start
  issuer_start=$(date +%s)
  until [[ -f $HANDSHAKE/issuer ]]; do
    if ! kill -0 "$BPID" 2>/dev/null || (( $(date +%s) - issuer_start > ISSUER_TIMEOUT )); then
      log "the benchmark did not publish its token issuer"; cat "$OUT"; exit 1
    fi
    sleep 0.1
  done
  { read -r ISSUER; read -r JWKS_URI; } <"$HANDSHAKE/issuer"
  log "token issuer: $ISSUER (JWKS $JWKS_URI, served by the benchmark)"

  # Ports chosen now, so that the JWKS port is already taken.
  start_server
  log "ready after $STARTUP_MS ms (pid $JPID)"

  # Measure: tell the waiting benchmark where the server is, show its output as it comes.
  printf 'base_url=http://127.0.0.1:%s\npid=%s\nstartup_ms=%s\npg_port=%s\n' "$http_port" "$JPID" "$STARTUP_MS" "$db_port" \
    >"$HANDSHAKE/go.tmp"
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

  # SRM_BENCH_JCMD="VM.native_memory summary;GC.heap_info": diagnostic commands on the loaded
  # server before it stops (NMT needs JAVA_OPTS=-XX:NativeMemoryTracking=summary).
  if [[ -n ${SRM_BENCH_JCMD:-} ]]; then
    local cmds c
    IFS=';' read -ra cmds <<<"$SRM_BENCH_JCMD"
    # shellcheck disable=SC2086 # a jcmd command and its arguments
    for c in "${cmds[@]}"; do log "jcmd $c"; jcmd "$JPID" $c || true; done
  fi

  stop_server
  log "server stopped${SHUTDOWN_MS:+ in $SHUTDOWN_MS ms}"
  RESULT=$(grep '^RESULT {' "$OUT" | tail -n 1 || true)
}
