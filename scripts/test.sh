#!/usr/bin/env bash
# Every check and test Tandem has, from a fresh machine: installs what is missing,
# then formatting, lints, unit and integration tests, the release build and browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
export PATH="$PWD/end2end/node_modules/.bin:$PATH"

# A one-off run gains nothing from incremental caches, which double the build tree on disk.
if [ "${CI:-}" = true ]; then export CARGO_INCREMENTAL=0; fi

step() { printf '\n==> %s\n' "$*"; }

step "formatting"
cargo fmt --all -- --check

step "lints (per target: building app for both targets at once would merge its features)"
cargo clippy -p app --features ssr --all-targets -- -D warnings
cargo clippy -p server --all-targets -- -D warnings
cargo clippy -p frontend --target wasm32-unknown-unknown -- -D warnings

step "PostgreSQL and Redis on loopback (started if down)"
scripts/services.sh
export TANDEM_TEST_POSTGRES="${TANDEM_TEST_POSTGRES:-postgres://postgres@127.0.0.1:5432/test}"
drop_test_databases() {
  psql "$TANDEM_TEST_POSTGRES" -Atqc "SELECT datname FROM pg_database WHERE datname LIKE 'tandem_test_%'" |
    while read -r db; do psql "$TANDEM_TEST_POSTGRES" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)"; done
}
drop_test_databases
trap drop_test_databases EXIT

step "unit and integration tests; the HTTP contract suite on SQLite"
cargo test -p app --features ssr
TANDEM_TEST_POSTGRES= cargo test -p server

step "the load generator, a short run against the built server: every event reaches every socket, in order"
BENCH_PROFILE=dev scripts/bench-ws.sh 200 --changes 20 --interval-ms 20 --check

step "the HTTP contract suite again, on PostgreSQL + Redis (a fresh database per test)"
TANDEM_TEST_REDIS="${TANDEM_TEST_REDIS:-redis://127.0.0.1:6379}" cargo test -p server --test api

step "release build"
# The debug tree has served its purpose; on a fresh clone the disk needs the room more.
if [ "${CI:-}" = true ]; then rm -rf target/debug; fi
cargo leptos build --release
wasm=target/site/pkg/tandem.wasm
printf 'release WASM: %s bytes raw, %s bytes gzip\n' "$(wc -c <"$wasm")" "$(gzip -9c "$wasm" | wc -c)"

step "browser tests, on SQLite"
scripts/e2e.sh

step "browser tests again, on PostgreSQL + Redis"
TANDEM_E2E_POSTGRES="$TANDEM_TEST_POSTGRES" TANDEM_E2E_REDIS="${TANDEM_TEST_REDIS:-redis://127.0.0.1:6379}" scripts/e2e.sh
