#!/usr/bin/env bash
# Runs the whole system on this machine: the FHIR server at http://localhost:8080/fhir with its
# embedded PostgreSQL 16 (data kept in ./.data). Ctrl-C or SIGTERM stops it cleanly.
set -euo pipefail
cd "$(dirname "$0")"
mvn -q -B -DskipTests install
export SRM_DATA_DIR="${SRM_DATA_DIR:-$PWD/.data}"
exec java ${JAVA_OPTS:-} -jar fhir-server/target/fhir-server-0.1.0-SNAPSHOT.jar "$@"
