#!/usr/bin/env bash
# The test command: installs what is missing, then runs every check CI runs. Exits non-zero if
# anything fails.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
export CARGO_TERM_COLOR=${CARGO_TERM_COLOR:-never}

step() { printf '\n\033[1;36m==> %s\033[0m\n' "$*"; }
start=$(date +%s)

step "cargo fmt --check"
cargo fmt --all --check

step "clippy (native)"
cargo clippy --workspace --exclude tarsier-web --all-targets --locked -- -D warnings

step "clippy (wasm32)"
cargo clippy -p scanner-core -p tarsier-web --target wasm32-unknown-unknown --locked -- -D warnings

step "sample image and Trivy (built once per machine)"
eval "$(scripts/sample.sh)"
export TARSIER_SAMPLE_DIR TARSIER_TRIVY TARSIER_SYFT

step "Rust tests"
cargo test --workspace --exclude tarsier-web --locked

step "release site build"
trunk build --release

step "browser end-to-end tests (headless Chromium)"
node --test --test-concurrency=1 tests/e2e/

printf '\n\033[1;32mall checks passed in %ss\033[0m\n' "$(( $(date +%s) - start ))"
