#!/usr/bin/env bash
# What hostile or huge input costs `mynatca check`: a 10 MB migration on one line with its
# syntax error at the start, the middle, the end and nowhere, a 10 MB line of a million
# `select 1;`, registries of 5,000 and 20,000 projects (one migration each); then pairs
# run in turn ROUNDS times (default 3) and compared by their medians: one file of 5,000
# and one of 40,000 `CREATE TABLE`s in `public` (each an `rls` error), registries of
# 2,000 and 20,000 entries whose folders are missing (each a `registry` error), and a
# minified dump (one line of tables, inserts, views, functions, DO blocks, each table,
# view and function a finding) of 1 MB and of 10 MB. Prints wall seconds and peak memory
# of each run, and each pair's ratio.
# Targets: the 10 MB file in under 3 s and 512 MiB wherever its error is; 20,000
# registry entries in under 2 s; 40,000 tables within 12x the time of 5,000 (linear
# would be 8x); 20,000 missing entries within 3x of 2,000 entries' time per entry; the
# 10 MB dump within 2x of the 1 MB dump's time per byte.
#   scripts/bench-limits.sh [ROUNDS]   (needs python3 and GNU time at /usr/bin/time)
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/../bench/lib.sh"
[ -x /usr/bin/time ] || { echo "error: /usr/bin/time (GNU time) not found; install the 'time' package" >&2; exit 2; }
rounds="${1:-3}"
bench_setup limits

run_check() { # DIR -> "SECONDS KB" of one `check`
  /usr/bin/time -o "$work/time" -f '%e %M' "$mynatca" --platform "$1" check >/dev/null 2>&1 || true
  tail -n 1 "$work/time"
}

measure() { # LABEL DIR -> one Markdown row
  local seconds kb
  read -r seconds kb < <(run_check "$2")
  printf '| %s | %s | %d |\n' "$1" "$seconds" "$((kb / 1024))"
}

one_file_workspace() { # DIR: a platform, no projects, an empty migrations folder
  mkdir -p "$1/platform/supabase/migrations"
  printf '{"version": 1, "projects": []}\n' >"$1/platform/.linked-projects.json"
}

echo '| input | seconds | peak MiB |'
echo '|---|---:|---:|'
for where in start middle end none; do
  ws="$work/big-$where"
  one_file_workspace "$ws"
  WHERE=$where OUT="$ws/platform/supabase/migrations/00000000000001_big.sql" python3 - <<'PY'
import os
body = "insert into public.t values (1, 'abc'); "
n, where = 250_000, os.environ["WHERE"]
bad = "selec oops; "
sql = {"start": bad + body * n, "middle": body * (n // 2) + bad + body * (n // 2),
       "end": body * n + bad, "none": body * n}[where]
open(os.environ["OUT"], "w").write(sql)
PY
  measure "10 MB on one line, error: $where" "$ws/platform"
done
for n in 5000 20000; do
  ws="$work/registry-$n"
  N=$n WS="$ws" python3 - <<'PY'
import json, os
root, n = os.environ["WS"], int(os.environ["N"])
os.makedirs(f"{root}/platform/supabase/migrations")
projects = []
for i in range(n):
    name = f"p{i}"
    os.makedirs(f"{root}/{name}/supabase/migrations")
    open(f"{root}/{name}/supabase/migrations/{10**13 + i:014d}_{name}_x.sql", "w").write(f"create schema {name};\n")
    projects.append({"name": name, "path": f"../{name}", "schema": name})
json.dump({"version": 1, "projects": projects}, open(f"{root}/platform/.linked-projects.json", "w"), indent=2)
PY
  "$mynatca" --platform "$ws/platform" -q link >/dev/null 2>&1 || true
  measure "$n registry entries, linked" "$ws/platform"
done
ws="$work/selects"
one_file_workspace "$ws"
OUT="$ws/platform/supabase/migrations/00000000000001_selects.sql" python3 -c \
  'import os; open(os.environ["OUT"], "w").write("select 1; " * 1_000_000)'
measure "10 MB on one line, a million \`select 1;\`" "$ws/platform"
rm -rf "$ws"

# One file of N tables in public, an exposed schema: each is an `rls` error, so every
# table's line and allow comments are looked up (once quadratic).
for n in 5000 40000; do
  one_file_workspace "$work/tables-$n"
  N=$n OUT="$work/tables-$n/platform/supabase/migrations/00000000000001_tables.sql" python3 - <<'PY'
import os
n = int(os.environ["N"])
open(os.environ["OUT"], "w").write("".join(f"create table public.t{i} (id int primary key, name text);\n" for i in range(n)))
PY
done
# A registry of N entries whose folders are missing: each is a `registry` error at its
# entry's line (once found by a search of the whole text per entry: quadratic).
for n in 2000 20000; do
  mkdir -p "$work/missing-$n/platform/supabase/migrations"
  N=$n OUT="$work/missing-$n/platform/.linked-projects.json" python3 - <<'PY'
import json, os
projects = [{"name": f"p{i}", "path": f"../p{i}", "schema": f"p{i}"} for i in range(int(os.environ["N"]))]
json.dump({"version": 1, "projects": projects}, open(os.environ["OUT"], "w"), indent=2)
PY
done
# A minified dump of SIZE bytes on one line, findings all on line 1.
for mb in 1 10; do
  one_file_workspace "$work/dump-$mb"
  SIZE=$((mb * 1000000)) OUT="$work/dump-$mb/platform/supabase/migrations/00000000000001_dump.sql" python3 - <<'PY'
import os
size, parts, total, i = int(os.environ["SIZE"]), ["SET client_encoding = 'UTF8';BEGIN;"], 0, 0
while total < size:
    rows = ",".join(f"({j}, 'a;b {j}')" for j in range(30))
    chunk = (f"/* t{i} */CREATE TABLE public.t{i} (id bigint NOT NULL, name text, CONSTRAINT t{i}_pk PRIMARY KEY (id));"
             f"INSERT INTO public.t{i} VALUES {rows};CREATE VIEW public.v{i} AS SELECT id FROM public.t{i};"
             f"CREATE FUNCTION public.f{i}() RETURNS int LANGUAGE sql SECURITY DEFINER AS $$ SELECT {i} $$;"
             f"DO $$BEGIN RAISE NOTICE 'x{i};'; END$$;GRANT SELECT ON public.t{i} TO anon;")
    parts.append(chunk)
    total, i = total + len(chunk), i + 1
open(os.environ["OUT"], "w").write("".join(parts) + "COMMIT;")
PY
done

declare -A seconds peak
for _ in $(seq "$rounds"); do
  for case in tables-5000 tables-40000 missing-2000 missing-20000 dump-1 dump-10; do
    read -r s kb < <(run_check "$work/$case/platform")
    seconds[$case]+="$s "
    peak[$case]=$((kb / 1024))
  done
done
median() { tr ' ' '\n' | sed '/^$/d' | sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
declare -A med
row() { # CASE LABEL -> one Markdown row; sets med[CASE]
  med[$1]="$(median <<<"${seconds[$1]}")"
  printf '| %s (median of %d) | %s | %d |\n' "$2" "$rounds" "${med[$1]}" "${peak[$1]}"
}
row tables-5000 "5,000 CREATE TABLE in public, one file"
row tables-40000 "40,000 CREATE TABLE in public, one file"
row missing-2000 "2,000 registry entries, folders missing"
row missing-20000 "20,000 registry entries, folders missing"
row dump-1 "1 MB minified dump on one line"
row dump-10 "10 MB minified dump on one line"
ratio() { python3 -c "print(f'{$1 / max($2, 0.01):.1f}x')"; }
echo
echo "40,000 / 5,000 tables: $(ratio "${med[tables-40000]}" "${med[tables-5000]}") (target: at most 12x; linear is 8x)"
echo "20,000 / 2,000 missing registry entries, per entry: $(ratio "${med[missing-20000]} / 10" "${med[missing-2000]}") (target: at most 3x; linear is 1x)"
echo "10 MB / 1 MB dump, per byte: $(ratio "${med[dump-10]} / 10" "${med[dump-1]}") (target: at most 2x; linear is 1x)"
