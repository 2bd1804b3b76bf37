#!/usr/bin/env bash
# Browser tests: starts the release build on a free port with a fresh SQLite database,
# runs Playwright (Debian's Chromium) against it, and stops it again. With
# TANDEM_E2E_POSTGRES (a PostgreSQL server URL) the databases are fresh PostgreSQL ones
# made on that server instead, and TANDEM_E2E_REDIS adds Redis.
# Expects `cargo leptos build --release` to have run (scripts/test.sh does it).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! [ -x target/release/tandem ] || ! [ -f target/site/pkg/tandem.wasm ]; then
  echo "build first: cargo leptos build --release" >&2
  exit 1
fi

dir=$(mktemp -d)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
url="http://127.0.0.1:$port"
databases=()
# A database for the shared server and one for the test that runs a server of its own.
if [ -n "${TANDEM_E2E_POSTGRES:-}" ]; then
  for role in shared own; do
    name="tandem_test_e2e_${role}_$$"
    psql "$TANDEM_E2E_POSTGRES" -qc "DROP DATABASE IF EXISTS $name WITH (FORCE)" -c "CREATE DATABASE $name"
    databases+=("$name")
  done
  database_url="${TANDEM_E2E_POSTGRES%/*}/${databases[0]}"
  export TANDEM_E2E_OWN_DATABASE_URL="${TANDEM_E2E_POSTGRES%/*}/${databases[1]}"
else
  database_url="sqlite://$dir/e2e.db?mode=rwc"
fi
if [ -n "${TANDEM_E2E_REDIS:-}" ]; then export REDIS_URL="$TANDEM_E2E_REDIS"; fi
cleanup() {
  for p in $pid $oidc_pid $smtp_pid; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  rm -rf "$dir"
  for name in "${databases[@]}"; do psql "$TANDEM_E2E_POSTGRES" -qc "DROP DATABASE IF EXISTS $name WITH (FORCE)"; done
}
# A real OpenID Connect provider on loopback, offered as "Local ID".
oidc_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
(cd end2end && OIDC_PORT="$oidc_port" OIDC_REDIRECT_URIS="$url/auth/local/callback" \
  exec node oidc/provider.mjs >"$dir/oidc.log" 2>&1) &
oidc_pid=$!
pid=""
smtp_pid=""
trap cleanup EXIT
# A real SMTP server on loopback: each message it takes lands as JSON in $TANDEM_E2E_MAIL_DIR.
smtp_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export TANDEM_E2E_MAIL_DIR="$dir/mail"
mkdir -p "$TANDEM_E2E_MAIL_DIR"
.venv/bin/python server/tests/smtp/sink.py --forever --port "$smtp_port" --out "$TANDEM_E2E_MAIL_DIR" \
  >"$dir/smtp.log" 2>&1 </dev/null &
smtp_pid=$!
for _ in $(seq 1 100); do
  if grep -q "smtp sink ready" "$dir/smtp.log"; then break; fi
  if ! kill -0 "$smtp_pid" 2>/dev/null; then cat "$dir/smtp.log" >&2; exit 1; fi
  sleep 0.2
done
export TANDEM_SMTP_URL="smtp://127.0.0.1:$smtp_port" TANDEM_SMTP_FROM="Tandem <tandem@example.com>"
export TANDEM_OAUTH_LOCAL_CLIENT_ID=tandem TANDEM_OAUTH_LOCAL_CLIENT_SECRET=tandem-test-secret \
  TANDEM_OAUTH_LOCAL_ISSUER="http://127.0.0.1:$oidc_port" TANDEM_OAUTH_LOCAL_LABEL="Local ID"
for _ in $(seq 1 100); do
  if python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$oidc_port/.well-known/openid-configuration', timeout=1)" 2>/dev/null; then break; fi
  if ! kill -0 "$oidc_pid" 2>/dev/null; then cat "$dir/oidc.log" >&2; exit 1; fi
  sleep 0.2
done

# Reminders every 2 seconds, so a browser test sees one arrive without waiting a minute.
# Pushes may go to a push service a test runs on loopback.
TANDEM_ADDR="127.0.0.1:$port" DATABASE_URL="$database_url" TANDEM_PUBLIC_URL="$url" \
  TANDEM_REMINDER_CRON="*/2 * * * * *" TANDEM_PUSH_HOSTS="127.0.0.1" RUST_LOG=warn \
  target/release/tandem serve >"$dir/server.log" 2>&1 &
pid=$!

for _ in $(seq 1 150); do
  if python3 -c "import urllib.request, sys; urllib.request.urlopen('$url/healthz', timeout=1)" 2>/dev/null; then break; fi
  if ! kill -0 "$pid" 2>/dev/null; then cat "$dir/server.log" >&2; exit 1; fi
  sleep 0.2
done

# An instance admin with known credentials, for the tests of the accounts page.
export TANDEM_E2E_ADMIN_EMAIL="admin.$$@example.com" TANDEM_E2E_ADMIN_PASSWORD="admin password $$"
DATABASE_URL="$database_url" RUST_LOG=warn target/release/tandem create-admin --name "Instance Admin" \
  --email "$TANDEM_E2E_ADMIN_EMAIL" --password "$TANDEM_E2E_ADMIN_PASSWORD" >/dev/null

if ! (cd end2end && TANDEM_E2E_URL="$url" ./node_modules/.bin/playwright test "$@"); then
  echo "--- server log (last 40 lines) ---" >&2
  tail -n 40 "$dir/server.log" >&2
  exit 1
fi
