#!/usr/bin/env bash
# Runs DynamoDB Local in the foreground: `run-dynamodb-local.sh PORT [DATA_DIR]`.
# With DATA_DIR the data survives restarts; without it, it lives in memory.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
dir="$root/.local/dynamodb"
port=${1:?port}
storage=(-inMemory)
if [ -n "${2:-}" ]; then mkdir -p "$2"; storage=(-dbPath "$2"); fi
exec java -Djava.library.path="$dir/DynamoDBLocal_lib" -jar "$dir/DynamoDBLocal.jar" \
  "${storage[@]}" -sharedDb -port "$port" -disableTelemetry
