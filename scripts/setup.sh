#!/usr/bin/env bash
# Installs everything Tandem's build and tests need, skipping what is already present.
# Safe to run again and again; used by the README's commands and by CI.
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_LEPTOS_VERSION=0.3.10
WASM_BINDGEN_VERSION=0.2.130

log() { printf '==> %s\n' "$*" >&2; }

for component in rustfmt clippy; do
  if ! rustup component list --installed 2>/dev/null | grep -q "^$component"; then
    log "adding the $component component"
    rustup component add "$component"
  fi
done

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if ! cargo leptos --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then
  log "installing cargo-leptos $CARGO_LEPTOS_VERSION (takes a while on two cores)"
  cargo install cargo-leptos --locked --version "$CARGO_LEPTOS_VERSION"
fi

if ! wasm-bindgen --version 2>/dev/null | grep -q "$WASM_BINDGEN_VERSION"; then
  log "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION"
  # --locked fails for this version: one of its pinned dependencies is gone from the registry.
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi

if [ "${TANDEM_SKIP_BROWSER:-}" != 1 ] && ! [ -x /usr/bin/chromium ]; then
  log "installing Debian's chromium for the browser tests"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi

if [ "${TANDEM_SKIP_SERVICES:-}" != 1 ] && ! [ -x /usr/sbin/nginx ]; then
  log "installing Debian's nginx for the load-balancer test"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nginx-light >/dev/null 2>&1 ||
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nginx >/dev/null
  # Only the tests run it, each on its own port; the packaged service stays off.
  $SUDO service nginx stop >/dev/null 2>&1 || true
fi

if ! .venv/bin/python -c 'import aiosmtpd' 2>/dev/null; then
  log "installing the SMTP server the email tests send to (aiosmtpd, in .venv)"
  python3 -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check aiosmtpd==1.4.6
fi

if ! [ -x end2end/node_modules/.bin/wasm-opt ] || ! [ -d end2end/node_modules/@playwright/test ] ||
  ! [ -d end2end/node_modules/oidc-provider ]; then
  log "installing the end-to-end test packages (Playwright, binaryen's wasm-opt, oidc-provider)"
  (cd end2end && npm ci --no-audit --no-fund --silent)
fi
