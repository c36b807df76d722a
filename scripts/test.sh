#!/usr/bin/env bash
# Quick start, step 2: the whole test suite (unit and integration, against real git
# repos and a throwaway PostgreSQL server), installing missing prerequisites first.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/prereqs.sh test
# Formatting and lints first: a clone checks exactly what CI checks.
cargo fmt --check
cargo clippy --all-targets --locked --quiet -- -D warnings
exec cargo test --locked "$@"
