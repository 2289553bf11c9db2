# The two commands of the README: `make dev` and `make test`. Both install what is missing.
.PHONY: dev test tools fmt deploy-check bench fuzz

tools:
	@infra/local/install-tools.sh

dev: tools
	@infra/local/dev.sh

test: tools
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings
	LINT_ONLY=1 infra/local/deploy-check.sh
	infra/local/run-tests.sh

# cfn-lint, sam validate --lint, and an offline `sam build` of every function (slow: release
# builds with LTO; not part of `make test`).
deploy-check:
	@infra/local/deploy-check.sh

# Cold start, latency, memory, DynamoDB calls, size and cost; writes BENCHMARKS.md.
bench: tools
	cargo build --release -p token -p authorize -p authorizer -p rotate-keys
	cargo build --release -p hello-floor
	cd infra/bench/node-peer && npm ci --no-audit --no-fund --loglevel=error
	cargo run --release -p oauth-bench

# The no-panic properties (tests/tests/service/properties.rs) a million times each; `make test`
# runs them 256 times.
fuzz:
	PROPTEST_CASES=$${PROPTEST_CASES:-1000000} cargo test -p oauth-tests --test service properties

fmt:
	cargo fmt --all
