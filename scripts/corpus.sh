#!/usr/bin/env bash
# Runs mynatca and the real Supabase CLI over real projects' migrations, and reports.
#
#   scripts/corpus.sh [--out DIR] [--max-cli-runs N] [--exact] [--no-cli] CORPUS...
#   scripts/corpus.sh --pinned          print the pinned corpora: how to fetch them, how to run
#   scripts/corpus.sh --all             run over the pinned corpora, from mirrors in $MIRRORS
#   scripts/corpus.sh --report OUT      print the table of an earlier run's OUT folder again
#
# CORPUS is either
#   GITDIR[@COMMIT][:SUBPATH]  a (bare) git dir, e.g. a mirror; COMMIT defaults to HEAD,
#                              SUBPATH is the folder holding supabase/ (default: the top), e.g.
#                              /work/.mirror/tutur3u+platform/repo@6a5389fd0b:apps/database
#   FOLDER                     a folder holding supabase/migrations
# The project never holds anyone's SQL: it is read from the mirrors or folders named here.
#
#   --out DIR          where the report and logs go (default: a new
#                      /tmp/mynatca-corpus-XXXXXX.out, kept and named at the start)
#   --max-cli-runs N   at most N CLI runs per corpus (default 150, $CORPUS_MAX_CLI_RUNS)
#   --exact            no "predicted" files: one CLI run per failing file (slower)
#   --no-cli           mynatca only
#
# For each corpus, in a temporary workspace holding only a platform (an empty registry,
# the project's supabase/config.toml or a minimal one, its migrations copied in):
#   1. `mynatca check --json`: errors counted by rule;
#   2. `mynatca refresh --db-url URL --keep-going --allow-missing-extensions --no-seed
#      --no-cache --no-detach --json`, timed; the files applied are read back from
#      supabase_migrations.schema_migrations, the failed ones from the JSON;
#   3. the same database rebuilt with only mynatca's base (a refresh of an empty migrations
#      folder; the base's schemas then given to supabase_admin, as the Supabase image has
#      them, so the CLI's remote reset keeps them), then `supabase db reset --db-url URL
#      --yes --no-seed` in the platform (`--remote=URL` with a CLI that has it, as 3.x
#      does; `--db-url` is deprecated there). The CLI stops at the first failing file, so that
#      file is moved aside and `supabase migration up` continues from where it stopped,
#      until a run succeeds or --max-cli-runs runs were made (default 150): per-file
#      outcomes, the same keep-going semantics as mynatca's. A cascade (hundreds of files
#      failing on what a file before them failed to create) would take one CLI run per
#      file, so the files right after a failure that mynatca also failed, on a missing
#      object, in the same state, are set aside with it and reported as "predicted"
#      (see predict_block; --exact runs each). When the CLI refuses the project's
#      config.toml, a minimal one is used (and the report says so).
# One throwaway PostgreSQL server serves the whole run (initdb into a temp dir, as the
# `postgres` OS user when run as root, a free port, pg_cron preloaded for the database the
# corpora are refreshed into); it is stopped and removed on exit.
#
# Prints a Markdown table (also in OUT/report.md); per corpus, OUT/<corpus>/ keeps the
# check and refresh JSON, every CLI log, and files.tsv: each file's outcome in both, with
# the errors, and a first guess at why each failing file failed (a missing extension, a
# file before it that failed to create what it uses, a Supabase object the base lacks, the
# project's own SQL, or a difference between the two).

#
# Environment: MYNATCA_BIN (default target/release/mynatca, then target/debug/mynatca,
# else `cargo build --release --locked`), SUPABASE_BIN (default
# tests/cli/node_modules/.bin/supabase, then `supabase` on PATH), MIRRORS (for --all and
# --pinned, default /work/.mirror), CORPUS_PORT (default: a free one), CORPUS_DB (default
# corpus). Needs git, python3 and a PostgreSQL 15 server installation with pg_cron
# (scripts/prereqs.sh test).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
mirrors=${MIRRORS:-/work/.mirror}

# The pinned corpora: owner/name, commit, folder holding supabase/ (. for the top), files.
# Chosen 2026-12-07 from the stored GitHub snapshots (the search tool's fetch).
pinned=(
  "Cap-go/capgo 332b1a426b6ab1db5a4a1a8e35ce86077ea8feb9 . 350"            # the parent of the squash (#2669), 2026-07-15
  "tutur3u/platform 6a5389fd0b68889d57e0b7bf1de77464cc04ad44 apps/database 1262"
  "rosspathan/ipg-app fe0400c70aecc0fe58b15a724e08723e0f51bb4c . 778"     # a Lovable-generated app
  "supabase/dbdev 392149113c05bc8708ce89085049bd0c7a0dcbc9 . 54"
  "QuivrHQ/quivr eea702d5d11a0f5e7788c44b2515b4fb7c2197d5 backend 68"      # the last commit touching them, 2024-10-08; + 1 local_*.sql
  "pgflow-dev/pgflow 5c132f3cd0c220cb4213fe12ef6ac1799f219a77 pkgs/core 20"
  "usebasejump/basejump cfaeaa314e2bd336ff296c8b45fa5f0fa7e4856b . 4"
)
pinned_args() {
  local line owner_name commit sub
  for line in "${pinned[@]}"; do
    read -r owner_name commit sub _ <<<"$line"
    local arg="$mirrors/${owner_name/\//+}/repo@$commit"
    [ "$sub" = . ] || arg="$arg:$sub"
    printf '%s\n' "$arg"
  done
}

out="" max_cli_runs=${CORPUS_MAX_CLI_RUNS:-150} use_cli=1 predict=1 corpora=() report_only=""
while [ $# -gt 0 ]; do
  case $1 in
    --pinned)
      echo "# The pinned corpora (repo, commit, folder holding supabase/, migration files):"
      printf '#   %s\n' "${pinned[@]}"
      echo "# Fetch each as a bare mirror under $mirrors/<owner>+<name>/repo, e.g.:"
      for line in "${pinned[@]}"; do
        read -r owner_name _ <<<"$line"
        echo "git clone --bare https://github.com/$owner_name.git $mirrors/${owner_name/\//+}/repo"
      done
      echo "# then run:"
      printf 'scripts/corpus.sh'
      while read -r arg; do printf ' \\\n  %s' "$arg"; done < <(pinned_args)
      echo
      exit 0 ;;
    --all) while read -r arg; do corpora+=("$arg"); done < <(pinned_args) ;;
    --report) report_only=$2; shift ;;
    --out) out=$2; shift ;;
    --max-cli-runs) max_cli_runs=$2; shift ;;
    --no-cli) use_cli=0 ;;
    --exact) predict=0 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) echo "error: unknown option $1 (see --help)" >&2; exit 2 ;;
    *) corpora+=("$1") ;;
  esac
  shift
done
[ ${#corpora[@]} -gt 0 ] || [ -n "$report_only" ] || { echo "error: name at least one corpus, or --all (see --help)" >&2; exit 2; }

# Per-file outcomes (files.tsv) and the row of the table (summary.json) of one corpus folder.
summarize() {
  python3 - "$@" <<'PY'
import json, os, re, sys
d, use_cli = sys.argv[1], sys.argv[2] == "1"
mig_dir = sys.argv[3] if len(sys.argv) > 3 else None   # the files, for the first guesses
read = lambda n: open(os.path.join(d, n), encoding="utf-8", errors="replace").read()
lines = lambda n: [l for l in read(n).splitlines() if l.strip()]
files = lines("files.txt")
version = lambda f: f.split("_", 1)[0]

def document(n):
    # the last line holding a JSON object (a stray line before the document is tolerated)
    for line in reversed(read(n).splitlines()):
        if line.startswith("{"):
            try:
                return json.loads(line)
            except ValueError:
                pass
    return {}

# check: errors by rule
check = document("check.json")
by_rule = {}
for e in check.get("errors", []):
    by_rule[e.get("kind", "?")] = by_rule.get(e.get("kind", "?"), 0) + 1

# refresh: applied from the history table, failures from the JSON
refresh = document("refresh.json")
stray = [l for l in read("refresh.json").splitlines() if l.strip() and not l.startswith("{")]
refused = None
refresh_rc = int(read("refresh.rc").strip() or -1)
if "migrations" not in refresh:
    err = [l.strip() for l in read("refresh.err").splitlines() if l.strip()]
    msgs = [e.get("message", "") for e in refresh.get("errors", [])]
    panic = [err[i + 1] for i, l in enumerate(err[:-1]) if "panicked at" in l]
    if panic:
        refused = f"crashed (exit {refresh_rc}): panic: {panic[0]}"
    elif msgs and msgs[0].strip():
        refused = "refused: " + msgs[0].strip().splitlines()[0]
    else:
        refused = f"no result (exit {refresh_rc}): " + (err[0] if err else "no output")
m_applied = set(lines("mynatca-applied.txt")) if refused is None else set()
m_failed = {}
for e in refresh.get("errors", []):
    if e.get("kind") == "migration-failed" and e.get("path"):
        m_failed[os.path.basename(e["path"])] = e.get("message", "")
skipped_ext = refresh.get("skipped_extensions", [])

c_applied = set(lines("cli-applied.txt"))
c_failed = {}
for l in lines("cli-failed.tsv"):
    f, _, msg = l.partition("\t")
    c_failed[f] = msg
c_predicted = {l.partition("\t")[0] for l in lines("cli-predicted.tsv")}
cli_ran = use_cli and os.path.exists(os.path.join(d, "cli-001.log"))

ext_re = re.compile(r'extension "([^"]+)" (is not available|does not exist)|could not open extension control file ".*/([^/]+)\.control"')
# Objects that come with an extension the server may lack, by schema or type name.
EXT_SCHEMAS = {"net": "pg_net", "pgmq": "pgmq", "cron": "pg_cron", "vault": "supabase_vault", "graphql": "pg_graphql",
               "pgsodium": "pgsodium", "pgtle": "pg_tle", "extensions.vector": "vector"}
EXT_TYPES = {"vector": "vector", "halfvec": "vector", "sparsevec": "vector", "geometry": "postgis", "geography": "postgis"}
SUPABASE_SCHEMAS = {"auth", "storage", "realtime", "supabase_functions", "graphql_public", "supabase_migrations", "pgbouncer", "extensions"}
missing_re = re.compile(r'(relation|type|function|schema|column|trigger|policy|constraint|index|sequence|view|operator|role|server)s? '
                        r'("[^"]+"|[\w.\[\]]+)(?:\(.*?\))?(?: of relation "?[\w.]+"?)?(?: for table "?[\w.]+"?)? does not exist')
text_cache = {}
def text(f):
    if not mig_dir:
        return ""
    if f not in text_cache:
        try:
            text_cache[f] = open(os.path.join(mig_dir, f), encoding="utf-8", errors="replace").read()
        except OSError:
            text_cache[f] = ""
    return text_cache[f]
create_kinds = r"(table|type|function|procedure|schema|view|materialized\s+view|sequence|domain|trigger|policy|index|extension|server)"
def missing(msg):
    x = missing_re.search(msg)
    if not x:
        return None
    kind, name = x.group(1), x.group(2).strip('"').replace("[]", "").replace('"', "")
    return kind, name
def creator(name, failed_before):
    """An earlier failed file that creates `name` (by its last component)."""
    short = name.split(".")[-1]
    pat = re.compile(r"(create\s+(or\s+replace\s+)?(unique\s+)?" + create_kinds + r"\s+(if\s+not\s+exists\s+)?(concurrently\s+)?"
                     r'|rename\s+(column\s+)?("?\w+"?\s+)?to\s+|add\s+(column\s+)?(if\s+not\s+exists\s+)?)'
                     r'("?[\w]+"?\s*\.\s*)?"?' + re.escape(short) + r'"?(\s|\(|;|,|$)', re.I)
    ext = EXT_SCHEMAS.get(name) or EXT_SCHEMAS.get(name.split(".")[0])
    for g in reversed(failed_before):
        t = text(g)
        if pat.search(t) or (ext and re.search(r"create\s+extension\s+(if\s+not\s+exists\s+)?\"?" + re.escape(ext), t, re.I)):
            return g
    return None
def first_cause(f, msg, failed_before):
    """A first guess at why `f` failed with `msg`."""
    x = ext_re.search(msg)
    if x:
        return "missing extension " + (x.group(1) or x.group(3))
    mo = missing(msg)
    if mo:
        kind, name = mo
        parts = name.split(".")
        g = creator(name, failed_before)
        if g:
            return "follows from " + g
        if parts[0] in EXT_SCHEMAS and len(parts) > 1 or (kind == "schema" and name in EXT_SCHEMAS):
            return "missing extension " + EXT_SCHEMAS.get(parts[0], EXT_SCHEMAS.get(name, "?"))
        if kind == "type" and parts[-1] in EXT_TYPES:
            return "missing extension " + EXT_TYPES[parts[-1]]
        if len(parts) > 1 and parts[0] in SUPABASE_SCHEMAS:
            return "base gap? %s %s" % (kind, name)
    return "the project's own SQL"

rows, differ, unreached, classes = [], 0, 0, {}
m_failed_before, c_failed_before = [], []
for f in files:
    v = version(f)
    m = "refused" if refused else ("applied" if v in m_applied else "failed" if f in m_failed else "not run")
    c = ("applied" if v in c_applied else "failed" if f in c_failed else "predicted" if f in c_predicted else "not run") if cli_ran else "-"
    mm, cm = m_failed.get(f, "").replace("\t", " ").replace("\n", " "), c_failed.get(f, "")
    why = ""
    if m == "failed" and c == "applied":
        why = "mynatca fails, the CLI applies: mynatca bug or base gap"
    elif m == "applied" and c == "failed":
        cause = first_cause(f, cm, c_failed_before)
        why = ("the CLI fails, mynatca applies: " + cause) if cause.startswith(("missing extension", "follows from")) else \
              "the CLI fails, mynatca applies: mynatca differs (" + cause + ")"
    elif m == "failed" or (m in ("refused", "not run", "-") and c == "failed") or c == "failed":
        cause = first_cause(f, mm or cm, m_failed_before if mm else c_failed_before)
        both = " (both)" if m == "failed" and c in ("failed", "predicted") else ""
        why = cause + both
    if why:
        key = re.sub(r"(follows from) \S+", r"\1 an earlier failure", why.replace(" (both)", ""))
        key = re.sub(r"^(base gap\? \w+) .*", r"\1", key)
        classes[key] = classes.get(key, 0) + 1
    if m == "failed":
        m_failed_before.append(f)
    if c == "failed":
        c_failed_before.append(f)
    if cli_ran and m in ("applied", "failed", "refused") and c in ("applied", "failed", "predicted") and (m == "applied") != (c == "applied"):
        differ += 1
    if cli_ran and c == "not run":
        unreached += 1
    rows.append((f, m, mm, c, cm, why))
with open(os.path.join(d, "files.tsv"), "w") as out:
    out.write("file\tmynatca\tmynatca error\tcli\tcli error\tfirst guess at the cause\n")
    for r in rows:
        out.write("\t".join(r) + "\n")

corpus = json.loads(read("corpus.json"))
summary = {
    **corpus,
    "files": len(files), "sql_files": len(lines("sql-files.txt")),
    "check_rc": int(read("check.rc").strip() or -1), "check_errors": by_rule,
    "refresh_rc": refresh_rc, "refused": refused,
    "mynatca_applied": len([f for f in files if version(f) in m_applied]),
    "mynatca_failed": len(m_failed), "skipped_extensions": skipped_ext,
    "mynatca_seconds": float(read("refresh.secs")), "mynatca_reported_seconds": refresh.get("seconds"),
    "cli_ran": cli_ran, "cli_applied": len([f for f in files if version(f) in c_applied]) if cli_ran else None,
    "cli_failed": len(c_failed), "cli_predicted": len(c_predicted), "cli_runs": int(read("cli.runs")), "cli_seconds": float(read("cli.secs")),
    "cli_notes": lines("cli-notes.txt"), "refresh_stdout_not_json": stray[:3], "differ": differ if cli_ran else None, "cli_unreached": unreached, "classes": classes,
}
json.dump(summary, open(os.path.join(d, "summary.json"), "w"), indent=1)
print("   %d files differ (files.tsv)" % differ if cli_ran else "   (no CLI run)", file=sys.stderr)
PY
}

# --- the table ---------------------------------------------------------------------------
render_table() {
  python3 - "$1" <<'PY'
import glob, json, os, sys
out = sys.argv[1]
mv, cv, pv = (open(os.path.join(out, "versions.txt")).read().splitlines() + ["?"] * 3)[:3]
rows = [json.load(open(p)) for p in sorted(glob.glob(os.path.join(out, "*", "summary.json")))]
print(f"{mv}; Supabase CLI {cv}; {pv} (contrib, pg_cron)\n")
print("| corpus | commit | files | applied by mynatca | applied by the CLI | differ | check errors by rule | mynatca refresh s | CLI s (runs) |")
print("|---|---|---:|---:|---:|---:|---|---:|---:|")
for r in rows:
    rules = ", ".join(f"{k} {v}" for k, v in sorted(r["check_errors"].items(), key=lambda kv: (-kv[1], kv[0]))) or "none"
    if r["check_rc"] not in (0, 1):
        rules = f"crashed (exit {r['check_rc']})"
    m = f"0 ({r['refused'].split(':')[0]} †)" if r["refused"] else f"{r['mynatca_applied']} ({r['mynatca_failed']} failed)"
    c = f"{r['cli_applied']} ({r['cli_failed']} failed" + (f", {r['cli_predicted']} predicted" if r.get("cli_predicted") else "") + ")" if r["cli_ran"] else "-"
    if r["cli_notes"]:
        c += " *"
    commit = r["commit"][:10] if r["commit"] else "(folder)"
    cs = f"{r['cli_seconds']:.1f} ({r['cli_runs']})" if r["cli_ran"] else "-"
    differ = r["differ"] if r["differ"] is not None else "-"
    if r.get("cli_unreached"):
        differ = f"{differ} ({r['cli_unreached']} not reached by the CLI)"
    print(f"| {r['name']} | {commit} | {r['files']} | {m} | {c} | {differ} | {rules} | {r['mynatca_seconds']:.1f} | {cs} |")
print("\n\"predicted\": files right after a failure that mynatca failed too on a missing object, with both"
      " databases in the same state, set aside without a CLI run each (`--exact` runs each).\n")
grouped = {}
for r in rows:
    notes = [("\\*", n) for n in r["cli_notes"]]
    if r["refused"]:
        notes.append(("†", "mynatca's refresh " + r["refused"][:300]))
    if r["skipped_extensions"]:
        notes.append(("", "mynatca left out `CREATE EXTENSION` " + ", ".join(r["skipped_extensions"])))
    if r.get("refresh_stdout_not_json"):
        notes.append(("", "`refresh --json` also printed on stdout: " + " / ".join(r["refresh_stdout_not_json"])))
    for mark, n in notes:
        grouped.setdefault((mark, n), []).append(r["name"])
for (mark, n), names in grouped.items():
    print(f"- {mark + ' ' if mark else ''}{n} ({', '.join(names)})")
if any(r.get("classes") for r in rows):
    print("\nA first guess at why each failing file failed (files.tsv has each file; \"(both)\" is not told apart here):\n")
    print("| corpus | failing files by first guess |")
    print("|---|---|")
    for r in rows:
        cl = r.get("classes") or {}
        print(f"| {r['name']} | " + (", ".join(f"{k} {v}" for k, v in sorted(cl.items(), key=lambda kv: (-kv[1], kv[0]))) or "none") + " |")
PY
}
if [ -n "$report_only" ]; then
  for d in "$report_only"/*/; do
    [ -f "$d/corpus.json" ] || continue
    mig=""
    eval "$(python3 -c 'import json, shlex, sys; c = json.load(open(sys.argv[1])); print(" ".join("c_%s=%s" % (k, shlex.quote(str(v))) for k, v in c.items()))' "$d/corpus.json")"
    if [ "$c_kind" = git ]; then
      gitdir=${c_spec%%@*}; gitdir=${gitdir%%:*}
      prefix=${c_subpath:+$c_subpath/}; prefix=${prefix#./}
      mig=$(mktemp -d); mkdir -p "$mig"
      git --git-dir="$gitdir" archive --format=tar "$c_commit:${prefix}supabase/migrations" 2>/dev/null | tar -x -C "$mig" 2>/dev/null || true
    elif [ -d "$c_spec/supabase/migrations" ]; then
      mig=$c_spec/supabase/migrations
    fi
    if [ -f "$d/cli-001.log" ]; then summarize "${d%/}" 1 $mig; else summarize "${d%/}" 0 $mig; fi
    [ "$c_kind" != git ] || rm -rf "$mig"
  done
  render_table "$report_only"
  exit 0
fi

# --- tools -------------------------------------------------------------------------------
bindir=""
for dir in "$(pg_config --bindir 2>/dev/null || true)" $(ls -d /usr/lib/postgresql/15/bin /usr/lib/postgresql/*/bin /opt/homebrew/opt/postgresql@*/bin /usr/local/opt/postgresql@*/bin 2>/dev/null); do
  if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ] && [ -x "$dir/psql" ]; then bindir=$dir; break; fi
done
[ -n "$bindir" ] || { echo "error: no PostgreSQL server found (initdb, pg_ctl, psql); run scripts/prereqs.sh test" >&2; exit 2; }
command -v python3 >/dev/null || { echo "error: python3 is needed" >&2; exit 2; }

mynatca=${MYNATCA_BIN:-}
if [ -z "$mynatca" ]; then
  for candidate in "$repo/target/release/mynatca" "$repo/target/debug/mynatca"; do
    if [ -x "$candidate" ]; then mynatca=$candidate; break; fi
  done
fi
if [ -z "$mynatca" ]; then
  echo "building mynatca (cargo build --release --locked)" >&2
  (cd "$repo" && cargo build --release --locked --quiet)
  mynatca=$repo/target/release/mynatca
fi
supabase=""
if [ "$use_cli" = 1 ]; then
  supabase=${SUPABASE_BIN:-}
  [ -n "$supabase" ] || { [ -x "$repo/tests/cli/node_modules/.bin/supabase" ] && supabase=$repo/tests/cli/node_modules/.bin/supabase; } || true
  [ -n "$supabase" ] || supabase=$(command -v supabase || true)
  if [ -z "$supabase" ]; then
    echo "warning: no Supabase CLI (SUPABASE_BIN, tests/cli/node_modules/.bin/supabase, PATH): the CLI columns stay empty" >&2
    use_cli=0
  fi
fi
mynatca_version=$("$mynatca" --version)
cli_version=$([ "$use_cli" = 1 ] && "$supabase" --version 2>/dev/null | tail -1 || echo none)
# v3 of the CLI spells the target --remote=URL (--db-url still works, with a warning).
cli_target() {
  if "$supabase" db reset --help 2>&1 | grep -q -- '--remote\['; then printf '%s\n' "--remote=$1"; else printf '%s\n' --db-url "$1"; fi
}

# --- the server --------------------------------------------------------------------------
# shellcheck source=scripts/throwaway-pg.sh
. "$(dirname "$0")/throwaway-pg.sh"
throwaway_pg mynatca-corpus
out=${out:-$work.out}
mkdir -p "$out"
out=$(cd "$out" && pwd)
trap 'exit 130' INT
trap 'exit 143' TERM

db=${CORPUS_DB:-corpus}
"${as_server_user[@]}" "$bindir/initdb" -D "$work/data" -U postgres -A trust -E UTF8 --locale=C --no-sync >/dev/null
free_port() {
  local port
  for port in $(python3 -c 'import random; print(*random.sample(range(20000, 50000), 50))'); do
    case $port in 55432|55433|55442) continue ;; esac
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return; }
  done
  return 1
}
port=${CORPUS_PORT:-$(free_port)}
"${as_server_user[@]}" "$bindir/pg_ctl" -D "$work/data" -l "$work/server.log" -w -t 60 -o \
  "-p $port -k $work -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c shared_preload_libraries=pg_cron -c cron.database_name=$db" \
  start >/dev/null || { cat "$work/server.log" >&2; exit 1; }
url=postgres://postgres@127.0.0.1:$port/$db
cli_url="$url?sslmode=disable"
psql_on() { "$bindir/psql" -X -q -v ON_ERROR_STOP=1 "postgres://postgres@127.0.0.1:$port/$1" "${@:2}"; }
now() { date +%s.%N; }
elapsed() { python3 -c "print(f'{$2 - $1:.2f}')"; }

# Drop the corpus database and whatever mynatca kept of it (caches, spares, trash, builds).
drop_all() {
  local name
  for name in $(psql_on postgres -Atc "select datname from pg_database where datname = '$db' or datname like 'mynatca\_%'"); do
    psql_on postgres -c "drop database if exists \"$name\" with (force)" 2>/dev/null || true
  done
}
applied_versions() {
  psql_on "$db" -Atc "select version from supabase_migrations.schema_migrations order by 1" 2>/dev/null || true
}

printf '%s\n' "$mynatca_version" "$cli_version" "$("$bindir/postgres" --version)" >"$out/versions.txt"
echo "mynatca: $mynatca_version ($mynatca)" >&2
echo "supabase CLI: $cli_version${supabase:+ ($supabase)}" >&2
echo "PostgreSQL: $("$bindir/postgres" --version) on 127.0.0.1:$port, database $db; output in $out" >&2

# After the CLI failed at FILE: the files right after it that mynatca failed too, each on a
# missing object ("... does not exist"), when the CLI's database is in the state mynatca's
# was (the same files applied before and at FILE, on the same base). Nothing between them
# changes that state in either engine (each failed file is rolled back), so the CLI meets
# the same missing object: they are moved aside with FILE rather than run one CLI
# invocation each (a cascade after a missing extension is hundreds of files). The block
# stops at the first file mynatca applied or failed for another reason, or that holds
# transaction control or CONCURRENTLY (it may half apply). --exact runs each.
predict_block() {
  python3 - "$@" <<'PY'
import sys
d, failing, cli_now = sys.argv[1:4]
rd = lambda n: [l for l in open(n, encoding="utf-8", errors="replace").read().splitlines() if l.strip()]
failed = dict(l.split("\t", 1) if "\t" in l else (l, "") for l in rd(d + "/mynatca-failed.tsv"))
if "#ran" not in failed:
    sys.exit()
files = rd(d + "/files.txt")
m_applied = set(rd(d + "/mynatca-applied.txt"))
# Files holding transaction control or CONCURRENTLY (check's `transaction` rule) may half
# apply when they fail, in either engine: they are always run.
import json
half = set()
for line in reversed(open(d + "/check.json", encoding="utf-8", errors="replace").read().splitlines()):
    if line.startswith("{"):
        try:
            doc = json.loads(line)
        except ValueError:
            continue
        half = {e.get("path", "").rsplit("/", 1)[-1] for e in doc.get("errors", []) + doc.get("warnings", [])
                if e.get("kind") == "transaction"}
        break
c_applied = set(rd(cli_now))
v = lambda f: f.split("_", 1)[0]
if failing not in failed or failing not in files:
    sys.exit()
i = files.index(failing)
before = {v(f) for f in files[: i + 1]}
if (m_applied & before) != (c_applied & before):
    sys.exit()      # the states differ: run every file
for f in files[i + 1:]:
    if f not in failed or "does not exist" not in failed[f] or f in half:
        break
    print(f)
PY
}

# --- one corpus --------------------------------------------------------------------------
minimal_config='project_id = "corpus"

[db]
major_version = 15
'

run_corpus() {
  local spec=$1 index=$2 kind gitdir="" commit="" sub="" name folder
  # GITDIR[@COMMIT][:SUBPATH], or a plain folder
  local rest=$spec
  if [ ! -d "$rest/supabase/migrations" ]; then
    case $rest in *:*) sub=${rest##*:}; rest=${rest%:*} ;; esac
    case ${rest##*/} in *@*) commit=${rest##*@}; rest=${rest%@*} ;; esac
  fi
  if [ -d "$rest/supabase/migrations" ] && [ -z "$commit" ] && [ -z "$sub" ]; then
    kind=folder folder=$(cd "$rest" && pwd)
    name=$(basename "$folder")
  elif git --git-dir="$rest" rev-parse --git-dir >/dev/null 2>&1; then
    kind=git gitdir=$rest
    commit=$(git --git-dir="$gitdir" rev-parse --verify "${commit:-HEAD}^{commit}") ||
      { echo "error: $spec: no commit ${commit:-HEAD}; skipped" >&2; return 0; }
    case $gitdir in
      */*+*/repo|*/*+*/repo/) name=$(basename "$(dirname "$gitdir")"); name=${name/+//} ;;
      *) name=$(basename "${gitdir%/}" .git) ;;
    esac
    [ -z "$sub" ] || name="$name:$sub"
  else
    echo "error: $spec is neither a folder holding supabase/migrations nor a git dir; skipped" >&2
    return 0
  fi
  local slug
  slug=$(printf '%02d-%s' "$index" "$name" | tr '/:' '__')
  local d=$out/$slug ws=$work/ws-$index
  rm -rf "$d"
  mkdir -p "$d" "$ws/platform/supabase/migrations" "$ws/base/supabase/migrations" "$ws/aside" "$ws/src"
  local p=$ws/platform
  echo >&2
  echo "== $name${commit:+ @ ${commit:0:12}}" >&2

  # The migrations and config.toml, at the commit.
  local prefix=${sub:+$sub/}
  prefix=${prefix#./}
  local has_config=0
  if [ "$kind" = git ]; then
    # the tree itself, not the commit with a pathspec: a snapshot may lack unrelated big blobs
    mkdir -p "$ws/src/${prefix}supabase/migrations"
    git --git-dir="$gitdir" archive --format=tar "$commit:${prefix}supabase/migrations" | tar -x -C "$ws/src/${prefix}supabase/migrations"
    if git --git-dir="$gitdir" cat-file -e "$commit:${prefix}supabase/config.toml" 2>/dev/null; then
      git --git-dir="$gitdir" show "$commit:${prefix}supabase/config.toml" >"$p/supabase/config.toml"
      has_config=1
    fi
    find "$ws/src/${prefix}supabase/migrations" -maxdepth 1 -type f -name '*.sql' -exec cp -t "$p/supabase/migrations" {} +
  else
    find "$folder/supabase/migrations" -maxdepth 1 \( -type f -o -type l \) -name '*.sql' -exec cp -L -t "$p/supabase/migrations" {} +
    if [ -f "$folder/supabase/config.toml" ]; then cp "$folder/supabase/config.toml" "$p/supabase/config.toml"; has_config=1; fi
  fi
  [ "$has_config" = 1 ] || printf '%s' "$minimal_config" >"$p/supabase/config.toml"
  cp "$p/supabase/config.toml" "$ws/base/supabase/config.toml"
  echo '{"version": 1, "projects": []}' >"$p/.linked-projects.json"
  cp "$p/.linked-projects.json" "$ws/base/.linked-projects.json"
  (cd "$p/supabase/migrations" && ls | LC_ALL=C sort) >"$d/sql-files.txt"
  grep -E '^[0-9]+_.*\.sql$' "$d/sql-files.txt" >"$d/files.txt" || true
  cat >"$d/corpus.json" <<EOF
{"name": "$name", "spec": "$spec", "kind": "$kind", "commit": "$commit", "subpath": "$sub", "project_config": $has_config}
EOF
  echo "   $(wc -l <"$d/files.txt") migration files ($(wc -l <"$d/sql-files.txt") *.sql)" >&2

  # 1. check
  local rc=0
  (cd "$p" && timeout 600 "$mynatca" check --json --platform "$p") >"$d/check.json" 2>"$d/check.err" || rc=$?
  echo "$rc" >"$d/check.rc"
  echo "   mynatca check: exit $rc" >&2

  # 2. mynatca refresh
  drop_all
  local t0 t1
  t0=$(now); rc=0
  (cd "$p" && timeout 1200 "$mynatca" refresh --platform "$p" --db-url "$url" --keep-going --allow-missing-extensions \
    --no-seed --no-cache --no-detach --json) >"$d/refresh.json" 2>"$d/refresh.err" || rc=$?
  t1=$(now)
  echo "$rc" >"$d/refresh.rc"
  elapsed "$t0" "$t1" >"$d/refresh.secs"
  applied_versions >"$d/mynatca-applied.txt"
  python3 - "$d/refresh.json" >"$d/mynatca-failed.tsv" <<'PY'
import json, os, sys
doc = {}
for line in reversed(open(sys.argv[1], encoding="utf-8", errors="replace").read().splitlines()):
    if line.startswith("{"):
        try:
            doc = json.loads(line)
            break
        except ValueError:
            pass
if "migrations" in doc:   # a refresh that ran, not a refusal
    for e in doc.get("errors", []):
        if e.get("kind") == "migration-failed" and e.get("path"):
            print(os.path.basename(e["path"]) + "\t" + " ".join(e.get("message", "").split()))
    print("#ran")
PY
  echo "   mynatca refresh: exit $rc, $(wc -l <"$d/mynatca-applied.txt") applied, $(cat "$d/refresh.secs") s" >&2

  # 3. the Supabase CLI on mynatca's base
  : >"$d/cli-failed.tsv"
  : >"$d/cli-predicted.tsv"
  : >"$d/cli-notes.txt"
  : >"$d/cli-applied.txt"
  echo 0 >"$d/cli.secs"
  echo 0 >"$d/cli.runs"
  if [ "$use_cli" = 1 ]; then
    drop_all
    rc=0
    (cd "$ws/base" && timeout 600 "$mynatca" refresh --platform "$ws/base" --db-url "$url" --no-seed --no-cache --no-detach -q) \
      >"$d/base.out" 2>&1 || rc=$?
    if [ "$rc" != 0 ]; then
      echo "the base refresh failed (exit $rc): $(head -c 300 "$d/base.out")" >>"$d/cli-notes.txt"
    else
      # The Supabase image's own schemas belong to supabase_admin, and the CLI's remote reset
      # drops every other schema but public and extensions: give mynatca's base ones to it.
      psql_on "$db" -Atc "select format('alter schema %I owner to supabase_admin;', nspname) from pg_namespace
          where nspowner = current_user::regrole and nspname not in ('public', 'extensions', 'supabase_migrations', 'information_schema')
          and nspname not like 'pg\_%'" >"$d/base-owner-changes.sql"
      psql_on "$db" -f "$d/base-owner-changes.sql" >/dev/null
      [ ! -s "$d/base-owner-changes.sql" ] ||
        echo "mynatca's base left schemas to the connecting user; given to supabase_admin: $(sed 's/alter schema \(.*\) owner.*/\1/' "$d/base-owner-changes.sql" | tr '\n' ' ')" >>"$d/cli-notes.txt"
      local target=() runs=0 secs=0 failing log config_swapped=0
      mapfile -t target < <(cli_target "$cli_url")
      local cmd=(db reset "${target[@]}" --yes --no-seed)
      while :; do
        runs=$((runs + 1))
        log=$d/cli-$(printf '%03d' "$runs").log
        t0=$(now); rc=0
        (cd "$p" && DO_NOT_TRACK=1 timeout 900 "$supabase" "${cmd[@]}") >"$log" 2>&1 </dev/null || rc=$?
        t1=$(now)
        secs=$(python3 -c "print(f'{$secs + $t1 - $t0:.2f}')")
        [ "$rc" != 0 ] || break
        failing=$(sed -n 's/^Applying migration \(.*\.sql\)\.\.\.$/\1/p' "$log" | tail -1)
        if [ -z "$failing" ]; then
          if [ "$runs" = 1 ] && [ "$config_swapped" = 0 ] && grep -q 'config.toml' "$log"; then
            echo "the CLI refused the project's config.toml ($(grep -m1 'config.toml' "$log")): a minimal config.toml was used for the CLI" >>"$d/cli-notes.txt"
            printf '%s' "$minimal_config" >"$p/supabase/config.toml"
            config_swapped=1 runs=0
            continue
          fi
          echo "run $runs failed before any migration (exit $rc): $(grep -v '^\(│\|▲\|Target:\|Confirmed\|Warning: --db-url\)' "$log" | grep . | head -3 | tr '\n' ' ')" >>"$d/cli-notes.txt"
          break
        fi
        if psql_on "$db" -Atc "select 1 from supabase_migrations.schema_migrations where version = '${failing%%_*}'" 2>/dev/null | grep -q 1; then
          echo "run $runs failed after its last migration $failing was recorded (exit $rc): see $(basename "$log")" >>"$d/cli-notes.txt"
          break
        fi
        printf '%s\t%s\n' "$failing" "$(grep -m1 -E '^(ERROR|error|failed|Error)' "$log" | tr '\t' ' ')" >>"$d/cli-failed.tsv"
        mv "$p/supabase/migrations/$failing" "$ws/aside/"
        if [ "$predict" = 1 ]; then
          applied_versions >"$ws/cli-applied-now.txt"
          while IFS= read -r next; do
            printf '%s\t%s\n' "$next" "not run: predicted to fail as in mynatca (same state, a missing object)" >>"$d/cli-predicted.tsv"
            mv "$p/supabase/migrations/$next" "$ws/aside/"
          done < <(predict_block "$d" "$failing" "$ws/cli-applied-now.txt")
        fi
        if [ "$runs" -ge "$max_cli_runs" ]; then
          echo "stopped after $runs runs (--max-cli-runs): the files after $failing were not run" >>"$d/cli-notes.txt"
          break
        fi
        cmd=(migration up "${target[@]}" --yes)
      done
      echo "$secs" >"$d/cli.secs"
      echo "$runs" >"$d/cli.runs"
      applied_versions >"$d/cli-applied.txt"
      [ -n "$(psql_on "$db" -Atc "select to_regclass('auth.users')" 2>/dev/null)" ] ||
        echo "auth.users is gone after the CLI's reset: its drop step removed the base" >>"$d/cli-notes.txt"
      # put the files moved aside back, for whoever looks at the workspace
      find "$ws/aside" -maxdepth 1 -name '*.sql' -exec mv -t "$p/supabase/migrations" {} +
    fi
    echo "   supabase CLI: $runs run(s), $(wc -l <"$d/cli-applied.txt") applied, $(cat "$d/cli.secs") s" >&2
    [ ! -s "$d/cli-notes.txt" ] || sed 's/^/   note: /' "$d/cli-notes.txt" >&2
  fi
  drop_all
  summarize "$d" "$use_cli" "$p/supabase/migrations"
}

index=0
for spec in "${corpora[@]}"; do
  index=$((index + 1))
  run_corpus "$spec" "$index"
done

render_table "$out" | tee "$out/report.md"
echo "per-file outcomes: $out/*/files.tsv" >&2
