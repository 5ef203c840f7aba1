#!/usr/bin/env bash
# Reporting benchmark (issue 15; not part of the test suite; see bench/README.md, "Reporting benchmark").
#
#   bench/reporting.sh
#   SRM_REPORT_SITES=10 SRM_VALIDATION_ENABLED=false bench/reporting.sh
#
# Builds the server if its jar is missing or older than the sources (mvn package: nothing is
# installed into ~/.m2), compiles bench/ReportingBenchmark.java with bench/SyncBenchmark.java (its
# token issuer and sync batches), starts the server on free ports (never 8080/5433) with an empty
# temporary data directory, trusting only the benchmark's issuer, and stops it afterwards
# (bench/harness.sh). Loads a month (March 2025) of consultations at each CSCOM, then times the
# month's RMA of every CSCOM as one dry-run $dhis2-export. Everything stays on 127.0.0.1.
#
# Environment: JAVA_OPTS (server JVM), SRM_BENCH_SKIP_BUILD=1 (use the jar as is),
# SRM_REPORT_SITES (CSCOMs loaded, default 95), SRM_REPORT_PER_DAY (consultations a day at each,
# default 30), SRM_REPORT_LOADERS (concurrent loading connections, default 2),
# SRM_VALIDATION_ENABLED=false (load faster; the measured computation does not validate),
# SRM_BENCH_KEEP_LOG=<file> (keep the server log).
set -euo pipefail
cd "$(dirname "$0")/.."
BENCH_NAME=reporting
SERVER_TIMEOUT=14400    # hard limit on the server process (s): the full load takes hours here
BENCH_TIMEOUT=14000
BENCH_SOURCES="bench/SyncBenchmark.java bench/ReportingBenchmark.java"
source bench/harness.sh

bench_build
bench_run ReportingBenchmark
[[ -n $RESULT ]] && echo "$RESULT"
exit "$BENCH_RC"
