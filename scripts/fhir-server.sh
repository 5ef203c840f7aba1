#!/usr/bin/env bash
# Starts the FHIR server the way run.sh and the benchmarks (bench/harness.sh) do, with the JVM
# settings documented in README.md ("Performance"):
#
#   scripts/fhir-server.sh [--prepare] [server arguments...]
#
# - Runs the jar extracted (Spring Boot's `-Djarmode=tools extract`, into fhir-server/target/app,
#   redone when the jar is newer): plain jars on the class path load classes far faster than the
#   jars nested in the executable jar (a third of start-up was spent in the nested-jar loader).
# - Uses an AppCDS archive of the classes a start loads (fhir-server/target/app/app.jsa), made
#   once per build by a training start: the server is started on a throw-away data directory and
#   free ports (never 8080/5433) with -XX:DumpLoadedClassList until ready, stopped, and the list
#   dumped with -Xshare:dump. JDK 17.0.15 crashes (SIGSEGV in
#   SystemDictionaryShared::adjust_lambda_proxy_class_dictionary) when it archives this
#   application's lambda proxies, with -XX:ArchiveClassesAtExit as with -Xshare:dump, so the
#   archive is static and holds classes only (the list's @lambda-proxy lines are dropped; lambdas
#   are spun at run time as without an archive). A stale or unusable archive is ignored by the
#   JVM (-Xshare:auto), never fatal. SRM_CDS=0 runs without it.
# - JVM defaults (each can be overridden by JAVA_OPTS, which comes after them):
#   SRM_JVM_DEFAULTS below; MALLOC_ARENA_MAX=2 unless set.
# The extraction is redone, and the archive with it, only when the jar's content changed.
#
# --prepare: extract and build the archive if needed, then exit (the benchmarks call it before
# they time a start, so a start-up figure never includes the once-per-build training).
# Environment: SRM_SERVER_JAR (default the module's jar), JAVA_OPTS, SRM_CDS, SRM_DATA_DIR etc.
# (as for the server). Does not guarantee the archive helps on another JDK build: the JVM checks
# it and silently runs without it when it does not match.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
JAR=${SRM_SERVER_JAR:-$ROOT/fhir-server/target/fhir-server-0.1.0-SNAPSHOT.jar}
APP=$(dirname "$JAR")/app
RUN_JAR=$APP/$(basename "$JAR")
ARCHIVE=$APP/app.jsa
: "${SRM_JVM_DEFAULTS:=-Xms256m -Xmx768m -XX:+UseSerialGC}"
export MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-2}

log() { printf '[fhir-server.sh] %s\n' "$*" >&2; }

[[ -f $JAR ]] || { log "no $JAR: build it first (mvn -B -DskipTests package)"; exit 1; }

# What the jar holds (entry names and CRCs, not timestamps): `mvn package` rewrites the jar even
# when nothing changed, and a new extraction would invalidate the archive for nothing.
# Without unzip: the jar's size and time (a rebuild then extracts again).
fingerprint() {
  if command -v unzip >/dev/null; then
    unzip -v "$JAR" | awk 'NF >= 8 && $7 ~ /^[0-9a-f]+$/ && length($7) == 8 {print $7, $8}' | sha256sum | cut -d' ' -f1
  else
    stat -c '%s %Y' "$JAR"
  fi
}

extract() {
  local print
  print=$(fingerprint)
  if [[ -f $RUN_JAR && "$(cat "$APP/.fingerprint" 2>/dev/null)" == "$print" ]]; then return 0; fi
  log "extracting $JAR into $APP"
  rm -rf "$APP.tmp"
  java -Djarmode=tools -jar "$JAR" extract --destination "$APP.tmp" >&2
  echo "$print" >"$APP.tmp/.fingerprint"
  rm -rf "$APP"
  mv "$APP.tmp" "$APP"
}

free_port() {
  local p
  while :; do
    p=$(( 20000 + RANDOM % 30000 ))
    [[ $p == 8080 || $p == 5433 || $p == 8180 ]] && continue
    [[ -z "$(ss -Htln "sport = :$p" 2>/dev/null)" ]] && { echo "$p"; return; }
  done
}

# A training start: the classes a start loads, then the archive. Best effort: on failure the
# server runs without an archive.
archive() {
  [[ ${SRM_CDS:-1} == 1 ]] || return 0
  [[ -f $ARCHIVE ]] && return 0
  local work http db pid code i
  work=$(mktemp -d "${TMPDIR:-/tmp}/srm-cds.XXXXXX")
  http=$(free_port); db=$(free_port)
  log "building the class-data archive (once per build): a training start on $work"
  # Always on its own embedded database, whatever the environment points the real server at.
  # shellcheck disable=SC2086 # SRM_JVM_DEFAULTS is a list of flags
  SRM_DATABASE_MODE=embedded SRM_DATA_DIR=$work/data SRM_EMBEDDED_DB_PORT=$db PORT=$http SERVER_ADDRESS=127.0.0.1 \
    java $SRM_JVM_DEFAULTS -XX:DumpLoadedClassList="$work/classes.lst" -jar "$RUN_JAR" >"$work/training.log" 2>&1 &
  pid=$!
  for i in $(seq 1 3000); do
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$http/actuator/health/readiness" || true)
    [[ $code == 200 ]] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  if [[ $code == 200 && -s $work/classes.lst ]]; then
    grep -v '^@lambda-proxy' "$work/classes.lst" >"$work/classes-only.lst" || true
    # shellcheck disable=SC2086
    if java $SRM_JVM_DEFAULTS -Xshare:dump -XX:SharedClassListFile="$work/classes-only.lst" \
        -XX:SharedArchiveFile="$ARCHIVE.tmp" -jar "$RUN_JAR" >"$work/dump.log" 2>&1; then
      mv "$ARCHIVE.tmp" "$ARCHIVE"
      log "class-data archive written: $ARCHIVE ($(du -m "$ARCHIVE" | cut -f1) MB)"
    else
      log "could not write the class-data archive (see the last lines below); running without it"
      tail -n 5 "$work/dump.log" >&2 || true
      rm -f "$ARCHIVE.tmp"
    fi
  else
    log "the training start did not become ready; running without a class-data archive"
    tail -n 5 "$work/training.log" >&2 || true
  fi
  rm -rf "$work"
}

extract
archive
[[ ${1:-} == --prepare ]] && exit 0

cds=()
[[ ${SRM_CDS:-1} == 1 && -f $ARCHIVE ]] && cds=(-XX:SharedArchiveFile="$ARCHIVE" -Xshare:auto -Xlog:cds=off -Xlog:cds+dynamic=off)
# shellcheck disable=SC2086 # flag lists
exec java $SRM_JVM_DEFAULTS "${cds[@]}" ${JAVA_OPTS:-} -jar "$RUN_JAR" "$@"
