#!/usr/bin/env bash
# Foundation benchmark (not part of the test suite; see bench/README.md).
#
#   bench/foundation.sh [readSeconds]        # readSeconds per read phase, default 20
#
# Builds the server if its jar is missing or older than the sources, then starts
# bench/FoundationBenchmark.java, which is its own token issuer: it serves a JWKS on 127.0.0.1 and
# waits. Starts the server on free ports (never 8080/5433) with an empty temporary data directory,
# trusting only that issuer (no Keycloak), measures start-up to the first 200 on
# /actuator/health/readiness, tells the benchmark to go, stops the server with SIGTERM and removes
# the data directory. Everything stays on 127.0.0.1.
#
# Environment: JAVA_OPTS (passed to the server JVM), SRM_BENCH_SKIP_BUILD=1 (use the jar as is),
# SRM_BENCH_EXTRA_WARMUP_BUNDLES, SRM_BENCH_KEEP_LOG=<file> (keep the server log). The start, stop
# and clean-up are bench/harness.sh, shared with bench/sync.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
BENCH_NAME=bench
SERVER_TIMEOUT=420      # hard limit on the server process (s)
BENCH_TIMEOUT=300       # limit on the client program once the server is ready (s)
READ_SECONDS=${1:-20}
source bench/harness.sh

bench_build
bench_run bench/FoundationBenchmark.java "$READ_SECONDS"
echo
echo "Start-up (launch -> first 200 on /actuator/health/readiness, empty database): $STARTUP_MS ms"
[[ -n $SHUTDOWN_MS ]] && echo "Shutdown (SIGTERM -> exit): $SHUTDOWN_MS ms"
if [[ -n $RESULT && -n $SHUTDOWN_MS ]]; then
  RESULT="${RESULT%\}},\"shutdown_ms\":$SHUTDOWN_MS}"
fi
[[ -n $RESULT ]] && echo "$RESULT"
exit "$BENCH_RC"
