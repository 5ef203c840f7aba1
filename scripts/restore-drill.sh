#!/usr/bin/env bash
# Restore drill (issue 16): restores the latest base backup of the embedded PostgreSQL to an
# instant (default: now) in a fresh directory, replaying the archived WAL, starts the FHIR server
# on it on free ports (never 8080, 8180 or 5433), and compares resource counts and checksums of
# every current version with the source database at that instant. Prints the RPO achieved (last
# transaction recovered vs the target) and the time to restore; exits 1 on any mismatch.
#
#   scripts/restore-drill.sh [--target 2026-12-05T06:30:00Z] [--backup-dir DIR] \
#       [--source-url jdbc:postgresql://localhost:5433/postgres?user=postgres] [--work-dir NEW_DIR] [--max-wait PT10M]
#
# Defaults: --backup-dir $SRM_BACKUP_DIR (else $SRM_DATA_DIR/backup, else .data/backup), the
# source on localhost:$SRM_EMBEDDED_DB_PORT (5433): the running server's embedded PostgreSQL.
# The source must be running (the drill forces a WAL switch there so the archive covers the
# target). The restored copy is deleted when it matches, kept (path printed) when not.
# Uses the built jar (mvn -B -DskipTests package); SRM_JAR overrides its path.
set -euo pipefail
cd "$(dirname "$0")/.."
jar="${SRM_JAR:-$(ls fhir-server/target/fhir-server-*.jar 2>/dev/null | grep -v '\.original$' | head -n 1 || true)}"
if [ -z "$jar" ] || [ ! -f "$jar" ]; then
  echo "No fhir-server jar: build it first with  mvn -B -DskipTests package" >&2
  exit 2
fi
exec java ${JAVA_OPTS:-} -Dloader.main=ml.santerurale.server.backup.RestoreDrill \
  -cp "$jar" org.springframework.boot.loader.launch.PropertiesLauncher "$@"
