#!/usr/bin/env bash
# `make dev`: DynamoDB Local (data kept in .local/data), moto's KMS emulator, the tables, signing
# keys, a demo workspace, then the functions under `cargo lambda watch` on 127.0.0.1:$PORT.
# Ctrl-C stops everything it started.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
PORT=${PORT:-9000}
DDB_PORT=${DDB_PORT:-8000}
KMS_PORT=${KMS_PORT:-8001}

export AWS_ENDPOINT_URL_DYNAMODB="http://127.0.0.1:$DDB_PORT"
export AWS_REGION=${AWS_REGION:-us-east-1}
export AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local
export ISSUER=${ISSUER:-http://127.0.0.1:$PORT}
export AWS_ENDPOINT_URL_KMS="http://127.0.0.1:$KMS_PORT"
# moto keeps its keys in memory: each run seals new signing keys, which sign at once.
export KEY_PUBLISH_LEAD_SECONDS=0

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for p in "$DDB_PORT" "$KMS_PORT" "$PORT"; do
  if port_busy "$p"; then
    echo "Port $p is in use (another make dev?). Stop it, or set PORT / DDB_PORT." >&2
    exit 1
  fi
done

pids=()
cleanup() {
  trap - EXIT INT TERM
  [ ${#pids[@]} -eq 0 ] || kill -- "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

infra/local/run-dynamodb-local.sh "$DDB_PORT" "$root/.local/data" >"$root/.local/dynamodb.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do port_busy "$DDB_PORT" && break; sleep 0.2; done
port_busy "$DDB_PORT" || { echo "DynamoDB Local did not start; see .local/dynamodb.log" >&2; exit 1; }

.local/venv/bin/moto_server -H 127.0.0.1 -p "$KMS_PORT" >"$root/.local/moto.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do port_busy "$KMS_PORT" && break; sleep 0.2; done
port_busy "$KMS_PORT" || { echo "The KMS emulator did not start; see .local/moto.log" >&2; exit 1; }
SIGNING_KMS_KEY_ID=$(.local/venv/bin/python -c 'import boto3, os
kms = boto3.client("kms", endpoint_url=os.environ["AWS_ENDPOINT_URL_KMS"], region_name=os.environ["AWS_REGION"])
print(kms.create_key(Description="local: seals the JWT signing keys")["KeyMetadata"]["KeyId"])')
export SIGNING_KMS_KEY_ID

echo "Building the admin CLI..."
cargo build -q -p oauth-admin
admin="$root/target/debug/oauth-admin"
"$admin" tables create >/dev/null
"$admin" keys rotate >/dev/null
infra/local/seed-demo.sh "$admin" "http://127.0.0.1:$PORT"

echo "Starting the functions (the first request to each builds it)..."
.local/venv/bin/cargo-lambda lambda watch --disable-cors -A 127.0.0.1 -P "$PORT" &
pids+=($!)
wait "${pids[-1]}"
