#!/usr/bin/env bash
# Runs the whole system on this machine:
#   - Keycloak 26 at http://localhost:8180 (realm sante-mali with the demo users; password
#     Demo-2026!, development only), data kept in ./.data/keycloak;
#   - the FHIR server at http://localhost:8080/fhir with its embedded PostgreSQL 16, data kept
#     in ./.data.
# Ctrl-C or SIGTERM stops both cleanly.
set -euo pipefail
cd "$(dirname "$0")"
mvn -q -B -DskipTests install
scripts/keycloak.sh install
scripts/keycloak.sh start --dev

export SRM_DATA_DIR="${SRM_DATA_DIR:-$PWD/.data}"
# Development: the demo users' Practitioner records (their fhirUser in the dev realm users).
# scripts/fhir-server.sh: the jar extracted, its class-data archive (made by a training start the
# first time after a build) and the JVM defaults of README.md; JAVA_OPTS come after them.
scripts/fhir-server.sh \
  --srm.demo.bundle="file:$PWD/keycloak-realm/dev/demo-practitioners.json" "$@" &
server=$!

stop() {
  trap - INT TERM
  kill -TERM "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  scripts/keycloak.sh stop || true
}
trap 'stop; exit 0' INT TERM
wait "$server" || status=$?
scripts/keycloak.sh stop || true
exit "${status:-0}"
