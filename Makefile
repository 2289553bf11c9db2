# The two commands of the README: `make dev` and `make test`. Both install what is missing.
.PHONY: dev test tools fmt lint

tools:
	@infra/local/install-tools.sh

dev: tools
	@infra/local/dev.sh

test: tools
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings
	infra/local/run-tests.sh

fmt:
	cargo fmt --all
