#!/usr/bin/env bash
# Local Keycloak 26 for development and integration tests, with the sante-mali realm.
#
#   scripts/keycloak.sh install         fetch keycloak-quarkus-dist from Maven Central, unpack it
#   scripts/keycloak.sh start [--dev]   start in the background, import the realm (and, with --dev,
#                                       the demo users), wait until the realm answers
#   scripts/keycloak.sh stop            SIGTERM, wait up to 20 s
#   scripts/keycloak.sh status
#
# Environment (all optional):
#   SRM_KEYCLOAK_HOME   where the dist is unpacked           (default <repo>/.keycloak)
#   SRM_KEYCLOAK_DATA   H2 database, import dir, pid, log    (default <repo>/.data/keycloak)
#   SRM_KEYCLOAK_PORT   HTTP port on 127.0.0.1               (default 8180)
#   SRM_KEYCLOAK_JAVA_HOME  JDK used to run Keycloak         (default Temurin 25)
#   SRM_KEYCLOAK_START_TIMEOUT  seconds a start may take       (default 180)
#   KC_BOOTSTRAP_ADMIN_USERNAME / KC_BOOTSTRAP_ADMIN_PASSWORD  master-realm admin, created on the
#                       first start only (DEVELOPMENT defaults: admin / admin)
#   SRM_DHIS2_CLIENT_SECRET  secret of the dhis2-export client, read at import time
#                       (development default: dev-only-dhis2-export-secret)
#   SRM_SMART_DEMO_BACKEND_JWKS  public JWKS of the smart-demo-backend client, read at import time
#                       (--dev default: keycloak-realm/dev/smart-demo-backend-jwks.json; else none)
#   SRM_SMART_DEMO_BACKEND_ES384_JWKS  the same for smart-demo-backend-es384
#                       (--dev default: keycloak-realm/dev/smart-demo-backend-es384-jwks.json)
#
# DEVELOPMENT ONLY: start-dev, H2 file database, HTTP. The data dir remembers a hash of the files
# it imported; when the realm file (or the --dev choice) changes, the H2 database is wiped so the
# new realm is imported (Keycloak's import skips a realm that already exists).
set -euo pipefail

KC_VERSION=26.5.6
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
KC_BASE="${SRM_KEYCLOAK_HOME:-$REPO/.keycloak}"
KC_DIR="$KC_BASE/keycloak-$KC_VERSION"
DATA="${SRM_KEYCLOAK_DATA:-$REPO/.data/keycloak}"
PORT="${SRM_KEYCLOAK_PORT:-8180}"
KC_JAVA_HOME="${SRM_KEYCLOAK_JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
REALM=sante-mali
REALM_FILE="$REPO/keycloak-realm/$REALM-realm.json"
USERS_FILE="$REPO/keycloak-realm/dev/$REALM-users-0.json"
PID_FILE="$DATA/keycloak.pid"
LOG_FILE="$DATA/keycloak.log"
WELL_KNOWN="http://localhost:$PORT/realms/$REALM/.well-known/openid-configuration"
START_TIMEOUT="${SRM_KEYCLOAK_START_TIMEOUT:-180}"

log() { echo "[keycloak] $*" >&2; }
die() { echo "[keycloak] ERROR: $*" >&2; exit 1; }

install() {
  if [[ -x "$KC_DIR/bin/kc.sh" ]]; then
    return 0
  fi
  command -v mvn >/dev/null || die "mvn not found (needed to fetch keycloak-quarkus-dist from Maven Central)"
  mkdir -p "$KC_BASE"
  local dl="$KC_BASE/download"
  local zip="$dl/keycloak-quarkus-dist-$KC_VERSION.zip"
  if [[ ! -s "$zip" ]]; then
    log "fetching org.keycloak:keycloak-quarkus-dist:$KC_VERSION:zip (about 160 MB)"
    mkdir -p "$dl"
    if ! mvn -B -ntp dependency:copy "-Dartifact=org.keycloak:keycloak-quarkus-dist:$KC_VERSION:zip" \
      "-DoutputDirectory=$dl" >"$dl/mvn.log" 2>&1; then
      tail -n 30 "$dl/mvn.log" >&2
      die "could not fetch keycloak-quarkus-dist $KC_VERSION with Maven (full log: $dl/mvn.log)"
    fi
  fi
  log "unpacking into $KC_BASE"
  local tmp="$KC_BASE/.unpack.$$"
  rm -rf "$tmp" && mkdir -p "$tmp"
  if command -v unzip >/dev/null; then
    unzip -q "$zip" -d "$tmp"
  else
    # The JDK's jar tool: no extra package needed (it loses exec bits, fixed below).
    (cd "$tmp" && jar xf "$zip")
  fi
  [[ -f "$tmp/keycloak-$KC_VERSION/bin/kc.sh" ]] || die "unexpected zip layout in $zip"
  chmod +x "$tmp/keycloak-$KC_VERSION"/bin/*.sh
  rm -rf "$KC_DIR"
  mv "$tmp/keycloak-$KC_VERSION" "$KC_DIR"
  rm -rf "$tmp" "$dl"
  log "installed $KC_DIR"
}

running_pid() {
  # Prints the PID if the recorded process is alive.
  [[ -f "$PID_FILE" ]] || return 1
  local pid
  pid="$(cat "$PID_FILE")"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null && { echo "$pid"; return 0; }
  return 1
}

http_code() { curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$1" 2>/dev/null || true; }

start() {
  local dev=false
  for a in "$@"; do
    case "$a" in
      --dev) dev=true ;;
      *) die "unknown option for start: $a" ;;
    esac
  done
  [[ -x "$KC_JAVA_HOME/bin/java" ]] || die "Keycloak $KC_VERSION needs Java 21+: no JDK at $KC_JAVA_HOME (set SRM_KEYCLOAK_JAVA_HOME)"
  [[ -f "$REALM_FILE" ]] || die "missing $REALM_FILE"
  if pid="$(running_pid)"; then
    log "already running (pid $pid)"
    wait_ready "$pid"
    return 0
  fi
  if [[ "$(http_code "http://127.0.0.1:$PORT/")" != "000" ]]; then
    die "port $PORT on 127.0.0.1 is already in use by another process (set SRM_KEYCLOAK_PORT)"
  fi
  install

  # The project's Keycloak provider (keycloak-smart/: the SMART on FHIR patient picker), built by
  # Maven. start-dev re-augments itself when providers/ changes (about a minute, once).
  local provider="$REPO/keycloak-smart/target/keycloak-smart.jar"
  if [[ -f "$provider" ]]; then
    cmp -s "$provider" "$KC_DIR/providers/keycloak-smart.jar" || cp "$provider" "$KC_DIR/providers/keycloak-smart.jar"
  else
    log "WARNING: $provider is not built (mvn -pl keycloak-smart package): SMART apps asking for launch/patient cannot log in"
  fi

  mkdir -p "$DATA"
  # Import dir: the realm and, for --dev only, the demo users (split-file format
  # <realm>-users-<n>.json). Rebuilt on every start.
  local import="$DATA/import"
  rm -rf "$import" && mkdir -p "$import"
  cp "$REALM_FILE" "$import/"
  if $dev; then cp "$USERS_FILE" "$import/"; fi

  # The sample SMART backend's public key (dev only): the realm reads it from the environment at
  # import time; production leaves it unset, so smart-demo-backend cannot authenticate there.
  if $dev && [[ -z "${SRM_SMART_DEMO_BACKEND_JWKS:-}" ]]; then
    # Keycloak replaces ${...} in the file's text before parsing it: one line, quotes escaped.
    SRM_SMART_DEMO_BACKEND_JWKS="$(tr -d ' \n' < "$REPO/keycloak-realm/dev/smart-demo-backend-jwks.json" | sed 's/"/\\"/g')"
    export SRM_SMART_DEMO_BACKEND_JWKS
  fi
  if $dev && [[ -z "${SRM_SMART_DEMO_BACKEND_ES384_JWKS:-}" ]]; then
    SRM_SMART_DEMO_BACKEND_ES384_JWKS="$(tr -d ' \n' < "$REPO/keycloak-realm/dev/smart-demo-backend-es384-jwks.json" | sed 's/"/\\"/g')"
    export SRM_SMART_DEMO_BACKEND_ES384_JWKS
  fi

  # Wipe the H2 database when what would be imported changed: import skips an existing realm.
  local hash
  # The dhis2-export secret is read from the environment at import time: part of the hash too.
  hash="$( { echo "dev=$dev secret=${SRM_DHIS2_CLIENT_SECRET:-} jwks=${SRM_SMART_DEMO_BACKEND_JWKS:-} es384=${SRM_SMART_DEMO_BACKEND_ES384_JWKS:-}"; cat "$import"/*.json; } | sha256sum | cut -d' ' -f1)"
  if [[ -d "$DATA/data/h2" && "$(cat "$DATA/import.sha256" 2>/dev/null || true)" != "$hash" ]]; then
    log "realm files (or --dev, or SRM_DHIS2_CLIENT_SECRET) changed since the database was created: wiping $DATA/data/h2 (dev only)"
    rm -rf "$DATA/data/h2"
  fi
  echo "$hash" > "$DATA/import.sha256"

  export KC_BOOTSTRAP_ADMIN_USERNAME="${KC_BOOTSTRAP_ADMIN_USERNAME:-admin}"
  export KC_BOOTSTRAP_ADMIN_PASSWORD="${KC_BOOTSTRAP_ADMIN_PASSWORD:-admin}"
  export JAVA_HOME="$KC_JAVA_HOME"
  # --add-opens: silences an IllegalAccessError Java 25 prints at shutdown.
  # keycloak.migration.dir: what --import-realm sets, but --import-realm only knows the dist's own
  # <home>/data/import, shared by every data dir; this points the same startup import (skip an
  # existing realm, ${ENV} placeholders replaced) at our per-data-dir import folder.
  export JAVA_OPTS_APPEND="--add-opens=java.base/java.lang=ALL-UNNAMED -Dkeycloak.migration.dir=$import ${JAVA_OPTS_APPEND:-}"

  log "starting Keycloak $KC_VERSION on http://localhost:$PORT (data: $DATA, log: $LOG_FILE$($dev && echo ', demo users'))"
  : > "$LOG_FILE"
  # setsid: own process group, so it outlives this script and a Ctrl-C in the caller's terminal.
  setsid "$KC_DIR/bin/kc.sh" start-dev \
    --http-host=127.0.0.1 \
    "--http-port=$PORT" \
    "--hostname=http://localhost:$PORT" \
    --db=dev-file \
    "--db-url-path=$DATA" \
    --health-enabled=true \
    </dev/null >>"$LOG_FILE" 2>&1 &
  local pid=$!
  echo "$pid" > "$PID_FILE"
  wait_ready "$pid"
}

wait_ready() {
  local pid="$1" t0=$SECONDS code
  while :; do
    code="$(http_code "$WELL_KNOWN")"
    if [[ "$code" == 200 ]]; then
      log "ready after $((SECONDS - t0)) s: $WELL_KNOWN"
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 40 "$LOG_FILE" >&2 || true
      rm -f "$PID_FILE"
      die "Keycloak exited during start-up (log: $LOG_FILE)"
    fi
    if (( SECONDS - t0 >= START_TIMEOUT )); then
      tail -n 40 "$LOG_FILE" >&2 || true
      die "not ready after ${START_TIMEOUT} s (pid $pid still running; log: $LOG_FILE)"
    fi
    if (( (SECONDS - t0) % 10 == 0 )); then
      log "waiting for the realm... $((SECONDS - t0)) s (last HTTP status $code)"
    fi
    sleep 1
  done
}

stop() {
  local pid
  if ! pid="$(running_pid)"; then
    log "not running"
    rm -f "$PID_FILE"
    return 0
  fi
  log "stopping pid $pid"
  kill -TERM "$pid" 2>/dev/null || true
  local i
  for ((i = 0; i < 20; i++)); do
    kill -0 "$pid" 2>/dev/null || { rm -f "$PID_FILE"; log "stopped"; return 0; }
    sleep 1
  done
  die "pid $pid still alive 20 s after SIGTERM"
}

status() {
  local pid
  if pid="$(running_pid)"; then
    echo "running (pid $pid), realm endpoint HTTP $(http_code "$WELL_KNOWN"): $WELL_KNOWN"
  else
    echo "stopped"
    return 3
  fi
}

cmd="${1:-}"
[[ $# -gt 0 ]] && shift
case "$cmd" in
  install) install ;;
  start) start "$@" ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 install | start [--dev] | stop | status" >&2; exit 2 ;;
esac
