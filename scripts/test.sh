#!/usr/bin/env bash
# Every check and test Tandem has, from a fresh machine: installs what is missing,
# then formatting, lints, unit and integration tests, the release build and browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
export PATH="$PWD/end2end/node_modules/.bin:$PATH"

step() { printf '\n==> %s\n' "$*"; }

step "formatting"
cargo fmt --all -- --check

step "lints (per target: building app for both targets at once would merge its features)"
cargo clippy -p app --features ssr --all-targets -- -D warnings
cargo clippy -p server --all-targets -- -D warnings
cargo clippy -p frontend --target wasm32-unknown-unknown -- -D warnings

step "unit and integration tests"
cargo test -p app --features ssr
cargo test -p server

step "release build"
cargo leptos build --release
wasm=target/site/pkg/tandem.wasm
printf 'release WASM: %s bytes raw, %s bytes gzip\n' "$(wc -c <"$wasm")" "$(gzip -9c "$wasm" | wc -c)"

step "browser tests"
scripts/e2e.sh
