#!/usr/bin/env bash
# Benchmark of `mynatca refresh --db-url` (the built-in engine), side by side in one run on
# 3,003 migrations (platform, pay and discord: a baseline and 1,000 one-table files each):
#   cold     --no-cache: build from scratch into a build database, swap
#   warm     nothing changed: a spare copy of the cache renamed in, the seeds run
#   warm+1   one migration added: applied to two spares (the target, the next cache)
#   b2b      warm again right after another refresh: it waits for that one's upkeep
#   psql -f  one psql process per file into a fresh database (what db-refresh.sh did)
#   floor    every file through one `psql -1` session: the server's own work
# cold and floor alternate, each after a CHECKPOINT, so neither pays for the other's
# dirty pages; warm and warm+1 start once the previous refresh's detached upkeep is done
# (as between two refreshes of a developer), b2b does not. Each row is the median of
# RUNS runs (default 3), psql -f runs once. Prints a Markdown table and ratios.
#
# Needs only this repo, cargo, python3 and a PostgreSQL server installation
# (scripts/prereqs.sh test): it writes its own workspace and starts its own throwaway
# server (initdb into a temp dir, a free port, as the `postgres` OS user when run as root).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
runs=${RUNS:-3}
per_project=${PER_PROJECT:-1000}

bindir=""
for dir in "$(pg_config --bindir 2>/dev/null || true)" $(ls -d /usr/lib/postgresql/*/bin /opt/homebrew/opt/postgresql@*/bin /usr/local/opt/postgresql@*/bin 2>/dev/null | sort -rV); do
  if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ] && [ -x "$dir/psql" ]; then bindir=$dir; break; fi
done
[ -n "$bindir" ] || { echo "error: no PostgreSQL server found (initdb, pg_ctl, psql); run scripts/prereqs.sh test" >&2; exit 2; }

now() { python3 -c 'import time; print(time.time())'; }
seconds() { python3 -c "print(f'{$2 - $1:.3f}')"; }
# Median of the per-run ratios a[i] / b[i]: each pair ran back to back, so a machine that
# is slower for a while slows both.
paired() { python3 -c "import sys; a, b = sys.argv[1].split(), sys.argv[2].split(); r = sorted(float(x) / float(y) for x, y in zip(a, b)); print(f'{r[len(r)//2]:.2f}')" "$1" "$2"; }
median() { printf '%s\n' "$@" | sort -g | python3 -c 'import sys; v=[float(x) for x in sys.stdin]; print(f"{sorted(v)[len(v)//2]:.3f}")'; }
ratio() { python3 -c "print(f'{$1 / $2:.2f}')"; }

echo "building mynatca (release)" >&2
target_dir=${CARGO_TARGET_DIR:-$repo/target}
(cd "$repo" && cargo build --release --locked --quiet)
mynatca=$target_dir/release/mynatca

# shellcheck source=scripts/throwaway-pg.sh
. "$(dirname "$0")/throwaway-pg.sh"
throwaway_pg mynatca-bench

echo "writing the workspace ($((per_project * 3 + 3)) migrations)" >&2
python3 - "$work/ws" "$per_project" <<'PY'
import datetime, json, os, sys
root, n = sys.argv[1], int(sys.argv[2])
start = datetime.datetime(2025, 12, 15, 12, 0, 0)
for k, (name, schema) in enumerate([("platform", "public"), ("pay", "pay"), ("discord", "discord")]):
    mig = os.path.join(root, name, "supabase", "migrations")
    os.makedirs(mig)
    prefix = "" if name == "platform" else f"{name}_"
    with open(os.path.join(mig, f"{k + 1:014d}_baseline_{schema}_schema.sql"), "w") as f:
        if schema == "public":
            f.write("create table public.members (membernumber text primary key, name text);\n")
        else:
            f.write(f"create schema {schema};\ncreate table {schema}.items (id bigserial primary key, "
                    "membernumber text references public.members);\n")
    for i in range(n):
        ts = (start + datetime.timedelta(seconds=3 * i + k)).strftime("%Y%m%d%H%M%S")
        with open(os.path.join(mig, f"{ts}_{prefix}add_thing_{i}.sql"), "w") as f:
            f.write(f"create table {schema}.thing_{i} (id bigserial primary key);\n")
    with open(os.path.join(root, name, "supabase", "seed.sql"), "w") as f:
        f.write("insert into public.members values ('1001', 'Ann');\n" if schema == "public"
                else f"insert into {schema}.items (membernumber) values ('1001');\n")
with open(os.path.join(root, "platform", "supabase", "config.toml"), "w") as f:
    f.write('[db.seed]\nenabled = true\nsql_paths = ["./seed.sql", "./seeds/pay/*.sql", "./seeds/discord/*.sql"]\n')
with open(os.path.join(root, "platform", ".linked-projects.json"), "w") as f:
    json.dump({"version": 1, "projects": [{"name": p, "path": f"../{p}", "schema": p} for p in ("pay", "discord")]}, f)
PY
platform=$work/ws/platform

echo "starting a throwaway PostgreSQL server" >&2
"${as_server_user[@]}" "$bindir/initdb" -D "$work/data" -U postgres -A trust -E UTF8 --locale=C >/dev/null
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"${as_server_user[@]}" "$bindir/pg_ctl" -D "$work/data" -l "$work/server.log" -w \
  -o "-p $port -k $work -c listen_addresses=127.0.0.1" start >/dev/null
url() { echo "postgres://postgres@127.0.0.1:$port/$1"; }
refresh() { "$mynatca" --platform "$platform" --quiet refresh --db-url "$(url bench)" "$@" >/dev/null; }
timed() { local start; start=$(now); "$@"; seconds "$start" "$(now)"; }

psql_admin() { PGOPTIONS='-c client_min_messages=warning' "$bindir/psql" -X -q -d "$(url postgres)" "$@" >/dev/null; }
# Until the detached upkeep of the last refresh has finished.
settle() {
  while [ "$("$bindir/psql" -X -At -d "$(url postgres)" -c "select count(*) from pg_stat_activity where application_name like 'mynatca upkeep %'")" != 0 ]; do
    sleep 0.05
  done
}
refresh --no-detach # links, the first cache and its spares

# The same files, after the links above, in the same byte-wise order, then the seeds.
files=$(cd "$platform/supabase/migrations" && ls | LC_ALL=C sort | grep '^[0-9][0-9]*_.*\.sql$' | sed "s|^|$platform/supabase/migrations/|")
files="$files $platform/supabase/seed.sql $work/ws/pay/supabase/seed.sql $work/ws/discord/supabase/seed.sql"
# shellcheck disable=SC2086
printf '%s\n' $files > "$work/files"
floor_once() {
  psql_admin -c "drop database if exists bench_floor" -c "create database bench_floor" -c checkpoint
  timed sh -c "xargs cat < '$work/files' | '$bindir/psql' -X -q -1 -v ON_ERROR_STOP=1 -d '$(url bench_floor)' >/dev/null"
}

echo "floor and cold (--no-cache) alternating, then warm, warm+1, b2b; $runs runs each" >&2
floor=() cold=() warm=() added=() b2b=()
for run in $(seq "$runs"); do
  floor+=("$(floor_once)")
  settle
  psql_admin -c checkpoint
  cold+=("$(timed refresh --no-cache)")
  refresh --no-detach # the spares back
  warm+=("$(timed refresh)")
  settle
  file=$work/ws/pay/supabase/migrations/20991231000000_pay_added_$run.sql
  echo "create table pay.added_$run (id int);" > "$file"
  added+=("$(timed refresh)")
  rm "$file"
  settle
  refresh --no-detach # back to the 3,003 (from the cache)
  refresh
  b2b+=("$(timed refresh)")
  settle
done
echo "runs (s): floor ${floor[*]}; cold ${cold[*]}; warm ${warm[*]}; warm+1 ${added[*]}; b2b ${b2b[*]}" >&2
floor_s=$(median "${floor[@]}") cold_s=$(median "${cold[@]}") warm_s=$(median "${warm[@]}")
added_s=$(median "${added[@]}") b2b_s=$(median "${b2b[@]}")
migrations=$(ls "$platform/supabase/migrations" | grep -c '^[0-9][0-9]*_.*\.sql$')

echo "psql -f, one file at a time" >&2
psql_admin -c "create database bench_psql"
start=$(now)
for file in $files; do
  "$bindir/psql" -X -q -v ON_ERROR_STOP=1 -d "$(url bench_psql)" -f "$file" >/dev/null
done
psql_s=$(seconds "$start" "$(now)")

cat <<TABLE
| how ($migrations migrations + 3 seeds) | seconds | vs floor |
|---|---:|---:|
| \`mynatca refresh\` cold (\`--no-cache\`) | $cold_s | $(ratio "$cold_s" "$floor_s")x |
| \`mynatca refresh\` warm, nothing changed | $warm_s | $(ratio "$warm_s" "$floor_s")x |
| \`mynatca refresh\` warm, one migration added | $added_s | $(ratio "$added_s" "$floor_s")x |
| \`mynatca refresh\` warm, right after another refresh | $b2b_s | $(ratio "$b2b_s" "$floor_s")x |
| \`psql -f\` per file into a fresh database (no history) | $psql_s | $(ratio "$psql_s" "$floor_s")x |
| floor: every file through one \`psql -1\` session | $floor_s | 1.00x |

per run, side by side: cold / floor $(paired "${cold[*]}" "${floor[*]}")x, warm+1 / warm $(paired "${added[*]}" "${warm[*]}")x (medians of the ratios)
cold / floor: $(ratio "$cold_s" "$floor_s")x (target <= 1.15); warm: ${warm_s}s (target <= 0.5); cold / warm: $(ratio "$cold_s" "$warm_s")x (target >= 10); warm+1 / warm: $(ratio "$added_s" "$warm_s")x (target <= 1.2); psql -f / cold: $(ratio "$psql_s" "$cold_s")x
TABLE

# `status --db` against `status` plus one query's round trip, on the same 3,003 migrations.
status_plain=() status_db=() query=()
for run in $(seq "$runs"); do
  status_plain+=("$(timed sh -c "'$mynatca' --platform '$platform' status >/dev/null")")
  status_db+=("$(timed sh -c "'$mynatca' --platform '$platform' status --db --db-url '$(url bench)' >/dev/null; true")")
  query+=("$(timed sh -c "'$bindir/psql' -X -At -d '$(url bench)' -c 'select version, name, statements from supabase_migrations.schema_migrations' >/dev/null")")
done
plain_s=$(median "${status_plain[@]}") db_s=$(median "${status_db[@]}") query_s=$(median "${query[@]}")
budget=$(python3 -c "print(f'{2 * ($plain_s + $query_s):.3f}')")
echo "status: ${plain_s}s; status --db: ${db_s}s; one query of the history: ${query_s}s; status --db / (status + query): $(ratio "$db_s" "$(python3 -c "print($plain_s + $query_s)")")x (target <= 2, budget ${budget}s)"
