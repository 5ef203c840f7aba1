#!/usr/bin/env bash
# Sync benchmark (not part of the test suite; see bench/README.md, "Sync benchmark").
#
#   bench/sync.sh
#
# Builds the server if its jar is missing or older than the sources (mvn package: nothing is
# installed into ~/.m2), then starts bench/SyncBenchmark.java, which is its own token issuer (as
# FoundationBenchmark) and shapes the network with a throttling TCP proxy of its own. Starts the
# server on free ports (never 8080/5433) with an empty temporary data directory, trusting only
# that issuer, tells the benchmark to go, stops the server with SIGTERM and removes the data
# directory (bench/harness.sh, shared with bench/foundation.sh). Everything stays on 127.0.0.1.
#
# Environment: JAVA_OPTS (server JVM), SRM_BENCH_SKIP_BUILD=1 (use the jar as is),
# SRM_SYNC_LOAD (resources in the pulled site, default 20000, a multiple of 100),
# SRM_SYNC_BATCHES (measured push batches per link, default 20), SRM_SYNC_WARMUP (default 3),
# SRM_SYNC_PAGE_SIZES (default 100,500,1000), SRM_SYNC_DRAIN_WAIT (longest wait for the audit
# outbox to drain, s, default 900), SRM_SYNC_KEEP_LOG=<file> (keep the server log).
# psql (optional) lets the benchmark read the audit outbox of the embedded PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
BENCH_NAME=sync-bench
SERVER_TIMEOUT=5400     # hard limit on the server process (s)
BENCH_TIMEOUT=4800      # limit on the client program once the server is ready (s)
SRM_BENCH_KEEP_LOG=${SRM_SYNC_KEEP_LOG:-${SRM_BENCH_KEEP_LOG:-}}
source bench/harness.sh

bench_build

# ---- can the kernel shape with netem? (informational: the benchmark shapes with its own proxy)
probe_netem() {
  command -v tc >/dev/null && command -v ip >/dev/null || { echo "no tc/ip command"; return; }
  local ns="srm-netem-probe-$$" out
  if ! out=$(ip netns add "$ns" 2>&1); then echo "ip netns add: ${out:-refused}"; return; fi
  ip netns exec "$ns" ip link set lo up 2>/dev/null || true
  if out=$(ip netns exec "$ns" tc qdisc add dev lo root netem delay 150ms 2>&1); then
    echo "netem works here (not used: the benchmark's proxy does the shaping)"
  else
    echo "tc qdisc netem: ${out:-refused} (network namespaces work; the kernel has no sch_netem)"
  fi
  ip netns del "$ns" 2>/dev/null || true
}
log "netem probe: $(probe_netem)"

bench_run bench/SyncBenchmark.java
[[ -n $RESULT ]] && echo "$RESULT"
exit "$BENCH_RC"
