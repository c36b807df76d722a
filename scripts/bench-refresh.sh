#!/usr/bin/env bash
# Benchmark of `mynatca refresh --db-url` (the built-in engine) against applying the same
# files one by one with `psql -f` into a fresh database, on a 3,000-migration workspace
# (bench/workspace.py --platform 1000 --pay 1000 --discord 1000), in one run.
#
# Starts its own throwaway PostgreSQL server (initdb into a temp dir, a free port, as the
# `postgres` OS user when run as root) and removes it at the end. Needs python3, cargo and
# a PostgreSQL server installation (scripts/prereqs.sh test). Prints a Markdown table.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
mkws=$repo/bench/workspace.py

bindir=""
for dir in "$(pg_config --bindir 2>/dev/null || true)" $(ls -d /usr/lib/postgresql/*/bin /opt/homebrew/opt/postgresql@*/bin /usr/local/opt/postgresql@*/bin 2>/dev/null | sort -rV); do
  if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ] && [ -x "$dir/psql" ]; then bindir=$dir; break; fi
done
[ -n "$bindir" ] || { echo "error: no PostgreSQL server found (initdb, pg_ctl, psql); run scripts/prereqs.sh test" >&2; exit 2; }

now() { python3 -c 'import time; print(time.time())'; }
seconds() { python3 -c "print(f'{$2 - $1:.2f}')"; }

echo "building mynatca (release)" >&2
(cd "$repo" && cargo build --release --locked --quiet)
mynatca=$repo/target/release/mynatca

work=$(mktemp -d "${TMPDIR:-/tmp}/mynatca-bench-XXXXXX")
as_server_user=()
if [ "$(id -u)" -eq 0 ]; then
  chown postgres: "$work"
  as_server_user=(runuser -u postgres --)
fi
cleanup() {
  "${as_server_user[@]}" "$bindir/pg_ctl" -D "$work/data" stop -m immediate >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "making the workspace" >&2
python3 "$mkws" "$work/ws" --platform 1000 --pay 1000 --discord 1000

echo "starting a throwaway PostgreSQL server" >&2
"${as_server_user[@]}" "$bindir/initdb" -D "$work/data" -U postgres -A trust -E UTF8 --locale=C >/dev/null
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"${as_server_user[@]}" "$bindir/pg_ctl" -D "$work/data" -l "$work/server.log" -w \
  -o "-p $port -k $work -c listen_addresses=127.0.0.1" start >/dev/null
url() { echo "postgres://postgres@127.0.0.1:$port/$1"; }

platform=$work/ws/platform
echo "mynatca refresh --db-url" >&2
start=$(now)
"$mynatca" --platform "$platform" --quiet refresh --db-url "$(url bench_mynatca)"
builtin=$(seconds "$start" "$(now)")
migrations=$(ls "$platform/supabase/migrations" | grep -c '^[0-9][0-9]*_.*\.sql$')

# The same files, after the links above, in the same byte-wise order, then the seed.
files=$(cd "$platform/supabase/migrations" && ls | LC_ALL=C sort | grep '^[0-9][0-9]*_.*\.sql$' | sed "s|^|$platform/supabase/migrations/|")
files="$files $platform/supabase/seed.sql"
psql_each() { # DATABASE: one psql process per file, as db-refresh.sh did
  "$bindir/psql" -X -q -d "$(url postgres)" -c "create database $1" >/dev/null
  for file in $files; do
    "$bindir/psql" -X -q -v ON_ERROR_STOP=1 -d "$(url "$1")" -f "$file" >/dev/null
  done
}
echo "psql -f, one file at a time" >&2
start=$(now); psql_each bench_psql; psql_time=$(seconds "$start" "$(now)")
# mynatca turns synchronous_commit off for its session (a reset is rebuilt from files):
# the same for psql, to show what is left (a process and a connection per file).
echo "psql -f, one file at a time, synchronous_commit=off" >&2
start=$(now); PGOPTIONS="-c synchronous_commit=off" psql_each bench_psql_async; async_time=$(seconds "$start" "$(now)")
# The floor: the server's own work, every file in one psql session and one transaction.
echo "one psql session" >&2
"$bindir/psql" -X -q -d "$(url postgres)" -c "create database bench_floor" >/dev/null
start=$(now)
# shellcheck disable=SC2086
cat $files | "$bindir/psql" -X -q -1 -v ON_ERROR_STOP=1 -d "$(url bench_floor)" >/dev/null
floor_time=$(seconds "$start" "$(now)")

cat <<EOF
| how | files | seconds |
|---|---|---|
| \`mynatca refresh --db-url\` (drop, create, base, a transaction and a history row per file) | $migrations migrations + 1 seed | $builtin |
| \`psql -f\` per file into a fresh database (no history) | same | $psql_time |
| \`psql -f\` per file, \`synchronous_commit=off\` | same | $async_time |
| floor: all files through one \`psql -1\` session | same | $floor_time |
EOF
