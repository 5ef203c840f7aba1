#!/usr/bin/env bash
# Fault drill (issue 16), long mode: devices push consultation sync batches (Patient + Encounter +
# Observation) to a FHIR server running as a process of its own, retrying as docs/SYNC.md says,
# while a fault is injected mid-stream:
#   1  kill -9 of the server JVM, restart on the same data directory
#   2  kill -9 of the server JVM and its embedded postmaster together, restart
#   3  PostgreSQL fast shutdown (kill -INT of the postmaster); the server starts it again
#   4  the disk holding the audit outbox full (a tmpfs tablespace; skipped where mount is refused)
# After each: nothing lost, nothing doubled or half-written, every stored write audited, the
# full-text index complete. Prints the [faults] lines and exits non-zero on any failure.
#
#   ops/drills/faults.sh [batches per scenario, default 300]
#
# Environment: SRM_DRILL_DEVICES (devices pushing at once, default 4), SRM_DRILL_SCENARIOS
# (default 1,2,3,4), SRM_DRILL_LIMIT (longest a scenario's pushes may take, ISO-8601, default PT30M),
# MVN_FLAGS (e.g. -o for offline). The short mode is FaultDrillTest in the build (12 batches).
#
# It runs that same test class through Maven (the server's class path is the test class path;
# nothing is installed into ~/.m2), so it builds the modules the server needs first.
set -uo pipefail
cd "$(dirname "$0")/../.."
batches=${1:-300}
report=fhir-server/target/surefire-reports/ml.santerurale.server.drills.FaultDrillTest-output.txt
echo "[faults] $(date -u +%FT%TZ) load average $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs; $batches batches per scenario"
# shellcheck disable=SC2086 # MVN_FLAGS is a list of flags
mvn -B -q ${MVN_FLAGS:-} -pl interceptors,ig,pwa,mappings/dhis2,keycloak-smart,fhir-server verify \
  -Dtest=FaultDrillTest -Dsurefire.failIfNoSpecifiedTests=false \
  -Dsrm.drill.batches="$batches" -Dsrm.drill.devices="${SRM_DRILL_DEVICES:-4}" \
  -Dsrm.drill.scenarios="${SRM_DRILL_SCENARIOS:-1,2,3,4}" -Dsrm.drill.scenario-limit="${SRM_DRILL_LIMIT:-PT30M}" \
  >/tmp/faults-mvn.$$.log 2>&1
rc=$?
if [[ -f $report ]]; then
  grep -a '\[faults\]' "$report"
else
  tail -n 60 /tmp/faults-mvn.$$.log
fi
if (( rc == 0 )); then
  rm -f /tmp/faults-mvn.$$.log
else
  echo "[faults] FAILED (maven exit $rc; full output $report, build log /tmp/faults-mvn.$$.log)"
fi
exit $rc
