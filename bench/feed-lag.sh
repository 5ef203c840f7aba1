#!/usr/bin/env bash
# Feed lag benchmark (not part of the test suite; see bench/README.md, "Feed lag benchmark").
#
#   bench/feed-lag.sh
#   SRM_LAG_WRITERS=8 SRM_LAG_SECONDS=120 bench/feed-lag.sh
#
# Builds the server if its jar is missing or older than the sources (mvn package: nothing is
# installed into ~/.m2), compiles bench/FeedLagBenchmark.java with bench/SyncBenchmark.java (it
# reuses its token issuer, sync batches and feed checks), starts the server on free ports
# (never 8080/5433) with an empty temporary data directory, trusting only the benchmark's issuer,
# and stops it afterwards (bench/harness.sh, shared with foundation.sh and sync.sh). Everything
# stays on 127.0.0.1.
#
# Environment: JAVA_OPTS (server JVM), SRM_BENCH_SKIP_BUILD=1 (use the jar as is),
# SRM_LAG_WRITERS (concurrent writing devices, default 4), SRM_LAG_SECONDS (how long they write,
# default 60), SRM_LAG_WARMUP (unmeasured batches first, default 5), SRM_LAG_POLL_MS (the
# poller's pause between pulls, default 50), SRM_LAG_GRACE_SECONDS (how long the poller may
# still wait for the last writes, default 30), SRM_BENCH_KEEP_LOG=<file> (keep the server log).
# psql (optional) lets the benchmark read the audit outbox of the embedded PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
BENCH_NAME=feed-lag
SERVER_TIMEOUT=1800     # hard limit on the server process (s)
BENCH_TIMEOUT=$(( ${SRM_LAG_SECONDS:-60} + ${SRM_LAG_GRACE_SECONDS:-30} + 600 ))
BENCH_SOURCES="bench/SyncBenchmark.java bench/FeedLagBenchmark.java"
source bench/harness.sh

bench_build
bench_run FeedLagBenchmark
[[ -n $RESULT ]] && echo "$RESULT"
exit "$BENCH_RC"
