#!/usr/bin/env bash
# Quick start, step 1: build mynatca and link the bundled sample workspace
# (examples/workspace: platform, pay, discord).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/prereqs.sh build
cargo build --release --locked --quiet
exec target/release/mynatca --platform examples/workspace/platform link "$@"
