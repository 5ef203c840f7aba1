#!/usr/bin/env bash
# Load and soak drills (issue 16; not part of the test suite, whose short mode is LoadDrillTest;
# see bench/README.md, "Load and soak drills").
#
#   bench/load.sh           # 50 then 500 sites at the peak, then 10x, 20x, 40x, 80x the peak
#                           # until the server gives way; then every batch checked in storage
#   bench/load.sh --soak    # 500 sites at the peak for 30 minutes: memory trend, errors, outbox age
#
# The program is ml.santerurale.server.load.LoadDrillMain in fhir-server's test classes (shared
# with LoadDrillTest), run on those classes and the server's own libraries (the extracted jar's
# lib/): no Maven at run time. Builds with `mvn -B -q -o -DskipTests package` (which compiles the
# test classes too; never install) when the jar or those classes are older than their sources.
# The server starts as for the other benchmarks (bench/harness.sh: free ports, a temporary data
# directory, trusting only the program's token issuer), with the rate limits ON (production's
# defaults; SRM_RATE_LIMIT_ENABLED=false to measure without them).
#
# Environment: SRM_LOAD_SITES (default 50,500: one step at the peak each), SRM_LOAD_MULTIPLIERS
# (10,20,40,80: steps at the largest site count, up to the first that gives way),
# SRM_LOAD_STEP_SECONDS (120), SRM_LOAD_DRAIN_SECONDS (300: the devices' last retries),
# SRM_LOAD_SOAK_MINUTES (30), JAVA_OPTS (server JVM), SRM_BENCH_SKIP_BUILD=1, SRM_BENCH_KEEP_LOG=<file>.
# Exit status 1 when anything was lost, doubled or half-written, or a 5xx other than 503 answered
# (soak: also any error, memory that grows where it can leak, or a committed audit event waiting
# in the outbox more than 5 s; bench/README.md, "What is printed").
set -euo pipefail
cd "$(dirname "$0")/.."
MODE=load
case "${1:-}" in
  "") ;;
  --soak) MODE=soak ;;
  *) echo "usage: bench/load.sh [--soak]" >&2; exit 2 ;;
esac
BENCH_NAME=load-$MODE
SERVER_TIMEOUT=7200     # hard limit on the server process (s)
BENCH_TIMEOUT=6000      # limit on the drill once the server is ready (s)
export SRM_RATE_LIMIT_ENABLED=${SRM_RATE_LIMIT_ENABLED:-true}
source bench/harness.sh

bench_build
MAIN_CLASS=fhir-server/target/test-classes/ml/santerurale/server/load/LoadDrillMain.class
if [[ "${SRM_BENCH_SKIP_BUILD:-0}" != 1 ]] && { [[ ! -f $MAIN_CLASS ]] || [[ -n "$(find fhir-server/src/test/java -newer "$MAIN_CLASS" -print -quit)" ]]; }; then
  log "compiling the drill: mvn -B -q -o -DskipTests package"
  mvn -B -q -o -DskipTests package
fi
[[ -f $MAIN_CLASS ]] || { echo "no $MAIN_CLASS" >&2; exit 1; }
BENCH_CLASSPATH="fhir-server/target/test-classes:fhir-server/target/app/$(basename "$JAR"):fhir-server/target/app/lib/*"
BENCH_JVM_OPTS="-Xmx1g -XX:+UseSerialGC"
bench_run ml.santerurale.server.load.LoadDrillMain "$MODE"
exit "$BENCH_RC"
