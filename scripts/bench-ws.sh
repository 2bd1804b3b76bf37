#!/usr/bin/env bash
# Live-update benchmark: starts a release Tandem on a fresh SQLite file and runs the
# load generator against it (server/examples/loadgen.rs). Figures: docs/benchmarks.md.
#   scripts/bench-ws.sh 1000            # sockets; extra arguments go to the generator
#   scripts/bench-ws.sh 10000 --changes 100 --interval-ms 100
#   BENCH_PROFILE=dev scripts/bench-ws.sh 200 --changes 10 --check   # the tests' smoke run
set -euo pipefail
cd "$(dirname "$0")/.."

sockets="${1:-1000}"
shift || true
port="${BENCH_PORT:-3900}"
profile="${BENCH_PROFILE:-release}"
cargo build --profile "$profile" -p server --bin tandem --example loadgen
bin="target/$([ "$profile" = dev ] && echo debug || echo "$profile")"

dir="$(mktemp -d)"
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$dir"' EXIT
TANDEM_ADDR="127.0.0.1:$port" TANDEM_PUBLIC_URL="http://127.0.0.1:$port" \
  DATABASE_URL="sqlite://$dir/bench.db?mode=rwc" RUST_LOG=warn \
  "$bin/tandem" serve &
server=$!
for _ in $(seq 1 100); do
  curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break
  sleep 0.1
done

"$bin/examples/loadgen" --base "http://127.0.0.1:$port" --sockets "$sockets" --server-pid "$server" "$@"
