#!/usr/bin/env bash
# Builds Tandem (release) and runs it on the embedded default: a SQLite file under data/,
# no other service. Open http://localhost:3000 (or $TANDEM_ADDR).
set -euo pipefail
cd "$(dirname "$0")/.."

TANDEM_SKIP_BROWSER=1 TANDEM_SKIP_SERVICES=1 scripts/setup.sh
export PATH="$PWD/end2end/node_modules/.bin:$PATH"
cargo leptos build --release
exec target/release/tandem serve
