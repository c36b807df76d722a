# Sourced by scripts/bench-*.sh: what every benchmark needs first.
#   bench_setup NAME   checks for python3, builds the release binary (sets $mynatca, $repo)
#                      and makes a temp folder removed on exit (sets $work)
#   bench_workspace DIR ARGS...   bench/workspace.py DIR ARGS... (see that file)

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

bench_setup() {
  command -v python3 >/dev/null 2>&1 || { echo "error: python3 not found; the benchmarks need it (install python3)" >&2; exit 2; }
  echo "building mynatca (release)" >&2
  (cd "$repo" && cargo build --release --locked --quiet)
  # Wherever cargo puts it: CARGO_TARGET_DIR and .cargo/config are honoured.
  local target
  target="$(cd "$repo" && cargo metadata --format-version 1 --no-deps |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')"
  mynatca="$target/release/mynatca"
  work="$(mktemp -d "${TMPDIR:-/tmp}/mynatca-$1.XXXXXX")"
  # shellcheck disable=SC2064
  trap "rm -rf '$work'" EXIT
}

bench_workspace() {
  echo "making the workspace ($*)" >&2
  python3 "$repo/bench/workspace.py" "$@"
}
