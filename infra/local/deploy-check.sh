#!/usr/bin/env bash
# `make deploy-check`: the template lints clean (cfn-lint, sam validate --lint) and, unless
# LINT_ONLY=1, `sam build` builds every function offline with cargo-lambda (zig), leaving a
# `bootstrap` per function under .aws-sam/build/. arm64 when this machine has Rust's
# aarch64-unknown-linux-gnu target, otherwise x86_64 (said so, and built from a copy of the
# template that differs only in Architectures).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
venv="$root/.local/venv"
cfn_lint_version=1.58.0
sam_version=1.170.0

"$root/infra/local/install-tools.sh"
have() { "$venv/bin/pip" show "$1" 2>/dev/null | sed -n 's/^Version: //p'; }
if [ "$(have cfn-lint)" != "$cfn_lint_version" ] || [ "$(have aws-sam-cli)" != "$sam_version" ]; then
  echo "Installing cfn-lint $cfn_lint_version and aws-sam-cli $sam_version into .local/venv"
  "$venv/bin/pip" install -q --disable-pip-version-check "cfn-lint==$cfn_lint_version" "aws-sam-cli==$sam_version"
fi
export PATH="$venv/bin:$PATH" SAM_CLI_TELEMETRY=0

echo "cfn-lint template.yaml"
cfn-lint template.yaml
echo "sam validate --lint"
sam validate --lint --region us-east-1
[ "${LINT_ONLY:-0}" = 1 ] && exit 0

template=template.yaml
if rustup target list --installed 2>/dev/null | grep -qx aarch64-unknown-linux-gnu; then
  echo "sam build (arm64, as deployed)"
else
  echo "sam build: this machine lacks Rust's aarch64-unknown-linux-gnu target, so this check"
  echo "builds x86_64 instead (sam build in an environment with that target builds arm64)."
  mkdir -p .aws-sam
  template=.aws-sam/template-x86_64.yaml
  sed 's/Architectures: \[arm64\]/Architectures: [x86_64]/' template.yaml >"$template"
fi
start=$(date +%s)
sam build --template-file "$template" --base-dir "$root"
for f in TokenFunction AuthorizeFunction AuthorizerFunction KeyRotationFunction; do
  test -x ".aws-sam/build/$f/bootstrap" || { echo "missing .aws-sam/build/$f/bootstrap" >&2; exit 1; }
  printf '%-20s bootstrap %s bytes\n' "$f" "$(stat -c %s ".aws-sam/build/$f/bootstrap")"
done
echo "sam build took $(( $(date +%s) - start )) s"
