#!/usr/bin/env bash
# Seeds workspace `default` of the local stack with a demo confidential client, a demo public
# client and a demo user, once; their credentials live in .local/demo.env (git-ignored,
# local only). Prints them with ready-to-run requests.
set -euo pipefail
admin=$1
base=$2
root=$(cd "$(dirname "$0")/../.." && pwd)
env_file="$root/.local/demo.env"
callback="http://127.0.0.1:8080/callback"

json_field() { python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }

[ -f "$env_file" ] && . "$env_file"
if [ -z "${DEMO_CLIENT_ID:-}" ] || ! "$admin" client show "$DEMO_CLIENT_ID" >/dev/null 2>&1; then
  out=$("$admin" client create --name "Demo confidential client" --redirect-uri "$callback" \
    --grant-type authorization_code --grant-type refresh_token --grant-type client_credentials \
    --grant-type password --scope "read write" --introspect)
  DEMO_CLIENT_ID=$(json_field client_id <<<"$out")
  DEMO_CLIENT_SECRET=$(json_field client_secret <<<"$out")
fi
if [ -z "${DEMO_PUBLIC_CLIENT_ID:-}" ] || ! "$admin" client show "$DEMO_PUBLIC_CLIENT_ID" >/dev/null 2>&1; then
  out=$("$admin" client create --name "Demo public client" --public --redirect-uri "$callback" \
    --grant-type authorization_code --grant-type refresh_token --grant-type implicit --scope "read write")
  DEMO_PUBLIC_CLIENT_ID=$(json_field client_id <<<"$out")
fi
DEMO_USERNAME=${DEMO_USERNAME:-demo}
if [ -z "${DEMO_PASSWORD:-}" ]; then
  DEMO_PASSWORD=$(python3 -c 'import secrets; print(secrets.token_urlsafe(12))')
fi
if ! "$admin" user create --username "$DEMO_USERNAME" --password-stdin <<<"$DEMO_PASSWORD" >/dev/null 2>&1; then
  "$admin" user set-password --username "$DEMO_USERNAME" --password-stdin <<<"$DEMO_PASSWORD" >/dev/null
fi
umask 077
cat >"$env_file" <<ENV
DEMO_CLIENT_ID=$DEMO_CLIENT_ID
DEMO_CLIENT_SECRET=$DEMO_CLIENT_SECRET
DEMO_PUBLIC_CLIENT_ID=$DEMO_PUBLIC_CLIENT_ID
DEMO_USERNAME=$DEMO_USERNAME
DEMO_PASSWORD=$DEMO_PASSWORD
ENV

# A PKCE pair for the printed authorize URL (RFC 7636, S256).
read -r verifier challenge < <(python3 -c '
import base64, hashlib, secrets
v = secrets.token_urlsafe(48)
c = base64.urlsafe_b64encode(hashlib.sha256(v.encode()).digest()).rstrip(b"=").decode()
print(v, c)')
enc_cb=$(python3 -c 'import urllib.parse,sys; print(urllib.parse.quote(sys.argv[1], safe=""))' "$callback")

cat <<TXT

Local OAuth server: $base   (DynamoDB Local on $AWS_ENDPOINT_URL_DYNAMODB, data in .local/data)

Demo workspace "default" (credentials kept in .local/demo.env, local only):
  confidential client  $DEMO_CLIENT_ID
  client secret        $DEMO_CLIENT_SECRET
  public client        $DEMO_PUBLIC_CLIENT_ID
  user                 $DEMO_USERNAME / $DEMO_PASSWORD

Client credentials:
  curl -u '$DEMO_CLIENT_ID:$DEMO_CLIENT_SECRET' -d grant_type=client_credentials $base/oauth2/token

Password grant:
  curl -u '$DEMO_CLIENT_ID:$DEMO_CLIENT_SECRET' -d grant_type=password -d username=$DEMO_USERNAME -d 'password=$DEMO_PASSWORD' -d 'scope=*' $base/oauth2/token

Authorization code with PKCE: open in a browser, log in, then exchange the code from the redirect:
  $base/oauth2/authorize?response_type=code&client_id=$DEMO_CLIENT_ID&redirect_uri=$enc_cb&scope=read&state=demo&code_challenge=$challenge&code_challenge_method=S256
  curl -u '$DEMO_CLIENT_ID:$DEMO_CLIENT_SECRET' -d grant_type=authorization_code -d code=CODE -d redirect_uri=$callback -d code_verifier=$verifier $base/oauth2/token

Refresh:
  curl -u '$DEMO_CLIENT_ID:$DEMO_CLIENT_SECRET' -d grant_type=refresh_token -d refresh_token=REFRESH_TOKEN $base/oauth2/token

TXT
