#!/usr/bin/env bash
# Foundation benchmark (not part of the test suite; see bench/README.md).
#
#   bench/foundation.sh [readSeconds]        # readSeconds per read phase, default 20
#
# Builds the server if its jar is missing or older than the sources, then starts
# bench/FoundationBenchmark.java, which is its own token issuer: it serves a JWKS on 127.0.0.1 and
# waits. Starts the server on free ports (never 8080/5433) with an empty temporary data directory,
# trusting only that issuer (no Keycloak), measures start-up to the first 200 on
# /actuator/health/readiness, tells the benchmark to go, stops the server with SIGTERM, starts it
# again on the same data directory (restart to ready), stops it and removes the data directory.
# Everything stays on 127.0.0.1.
#
# Runs twice: with the implementation guide's validation on (the default), then off, and prints
# the difference (SRM_BENCH_VALIDATION_COMPARE=0: the first run only).
#
# Environment: JAVA_OPTS (passed to the server JVM), SRM_BENCH_SKIP_BUILD=1 (use the jar as is),
# SRM_BENCH_EXTRA_WARMUP_BUNDLES, SRM_BENCH_KEEP_LOG=<file> (keep the server log),
# SRM_BENCH_JCMD (jcmd commands on the loaded server, e.g. "VM.native_memory summary"). The start, stop
# and clean-up are bench/harness.sh, shared with bench/sync.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
BENCH_NAME=bench
SERVER_TIMEOUT=420      # hard limit on the server process (s)
BENCH_TIMEOUT=300       # limit on the client program once the server is ready (s)
READ_SECONDS=${1:-20}
BENCH_SOURCES="bench/FoundationBenchmark.java bench/HistoryPull.java"
source bench/harness.sh

field() { grep -o "\"$2\":[0-9.]*" <<<"$1" | head -n 1 | cut -d: -f2; }

bench_build
bench_run FoundationBenchmark "$READ_SECONDS"
# A restart on the data the benchmark left (issue 17: ready in under 15 s).
RESTART_MS=""
(( BENCH_RC == 0 )) && bench_restart
echo
echo "Start-up (launch -> first 200 on /actuator/health/readiness, empty database): $STARTUP_MS ms"
[[ -n $RESTART_MS ]] && echo "Restart (same data directory, launch -> ready): $RESTART_MS ms, JVM RSS at ready $RESTART_RSS_MB MB"
[[ -n $SHUTDOWN_MS ]] && echo "Shutdown (SIGTERM -> exit): $SHUTDOWN_MS ms"
if [[ -n $RESULT && -n $SHUTDOWN_MS ]]; then
  RESULT="${RESULT%\}},\"shutdown_ms\":$SHUTDOWN_MS}"
fi
if [[ -n $RESULT && -n $RESTART_MS ]]; then
  RESULT="${RESULT%\}},\"restart_ms\":$RESTART_MS,\"restart_rss_mb\":$RESTART_RSS_MB}"
fi
[[ -n $RESULT ]] && echo "$RESULT"
(( BENCH_RC == 0 )) || exit "$BENCH_RC"

# The same writes with the implementation guide's validation switched off (srm.validation.enabled),
# to print what validation costs (issue 12: at most +25 % on the steady 100-entry transaction, +5 ms
# on a single create). SRM_BENCH_VALIDATION_COMPARE=0 skips this second server run.
if [[ "${SRM_BENCH_VALIDATION_COMPARE:-1}" == 1 ]]; then
  ON=$RESULT; ON_STARTUP=$STARTUP_MS
  rm -rf "$WORK"
  log "second run: the same benchmark with SRM_VALIDATION_ENABLED=false"
  export SRM_VALIDATION_ENABLED=false
  bench_run FoundationBenchmark "$READ_SECONDS"
  unset SRM_VALIDATION_ENABLED
  OFF=$RESULT
  echo
  echo "Validation (implementation guide) on / off, same machine, one after the other:"
  printf '  %-52s %10s %10s\n' "figure" "on" "off"
  printf '  %-52s %10s %10s\n' "start-up to ready (ms)" "$ON_STARTUP" "$STARTUP_MS"
  for f in tx_steady_p50_ms tx_steady_p95_ms tx_steady_server_cpu_ms_per_bundle tx_steady_jit_cpu_ms tx_steady_gc_cpu_ms tx_steady_quiet_wait_ms tx_p50_ms create_p50_ms create_p95_ms; do
    printf '  %-52s %10s %10s\n' "$f" "$(field "$ON" "$f")" "$(field "$OFF" "$f")"
  done
  on_tx=$(field "$ON" tx_steady_p50_ms); off_tx=$(field "$OFF" tx_steady_p50_ms)
  on_c=$(field "$ON" create_p50_ms); off_c=$(field "$OFF" create_p50_ms)
  if [[ -n $on_tx && -n $off_tx && -n $on_c && -n $off_c ]]; then
    awk -v a="$on_tx" -v b="$off_tx" -v c="$on_c" -v d="$off_c" 'BEGIN {
      printf "  100-entry transaction, steady median: %+.0f %% (target <= +25 %%)\n", (a - b) * 100 / b;
      printf "  single create, median: %+.0f ms (target <= +5 ms)\n", c - d }'
  fi
fi
exit "$BENCH_RC"
