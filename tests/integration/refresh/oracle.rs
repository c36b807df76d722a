//! The real Supabase CLI as the oracle (pinned in tests/cli/package.json, installed by
//! `scripts/prereqs.sh test`): each case's files go through `mynatca refresh --db-url`
//! and through `supabase db reset --db-url` on the same server, both from the base
//! mynatca lays, and what each leaves is compared: the exit status, every object of
//! schema `public` and the history rows (version, name, statements). These cases are
//! the README's "How a file is applied" table, measured.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use super::pg;
use crate::support::{finish, spawn, Ws};

/// The Supabase CLI the suite measures against.
pub(super) fn supabase_cli() -> PathBuf {
    let cli = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/cli/node_modules/.bin/supabase");
    assert!(
        cli.exists(),
        "{} is missing: run scripts/prereqs.sh test (it installs the pinned Supabase CLI)",
        cli.display()
    );
    cli
}

/// What a database holds after a run: `public`'s objects, then the history rows.
fn left(database: &str) -> Vec<String> {
    listing(database, "n.nspname = 'public'").into_iter().filter(|line| !line.starts_with("schema ")).collect()
}

/// The objects of the schemas `which` selects (a condition on `pg_namespace n`), then the
/// history rows.
fn listing(database: &str, which: &str) -> Vec<String> {
    let mut client = pg::server().client(database);
    let sql = format!(
        "with ns as (select n.oid, n.nspname from pg_namespace n where {which})
         select 'schema ' || ns.nspname || ' ' || pg_get_userbyid(n2.nspowner)::text from ns join pg_namespace n2 using (oid)
         union all select 'relation ' || ns.nspname || '.' || c.relname || ' ' || c.relkind::text || ' ' || pg_get_userbyid(c.relowner)
           || ' rls=' || c.relrowsecurity::text from pg_class c join ns on ns.oid = c.relnamespace
         union all select 'column ' || ns.nspname || '.' || c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
           from pg_attribute a join pg_class c on c.oid = a.attrelid join ns on ns.oid = c.relnamespace
           where a.attnum > 0 and not a.attisdropped
         union all select 'index ' || indexdef from pg_indexes i join ns on ns.nspname = i.schemaname
         union all select 'routine ' || ns.nspname || '.' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')'
           from pg_proc p join ns on ns.oid = p.pronamespace
         union all select 'enum ' || ns.nspname || '.' || t.typname || ' ' || e.enumlabel
           from pg_enum e join pg_type t on t.oid = e.enumtypid join ns on ns.oid = t.typnamespace
         union all select 'policy ' || p.schemaname || '.' || p.tablename || ' ' || p.policyname
           from pg_policies p join ns on ns.nspname = p.schemaname
         union all select 'trigger ' || ns.nspname || '.' || c.relname || ' ' || t.tgname
           from pg_trigger t join pg_class c on c.oid = t.tgrelid join ns on ns.oid = c.relnamespace where not t.tgisinternal
         union all select 'publication ' || pubname || ' ' || schemaname || '.' || tablename from pg_publication_tables
         union all select 'history ' || version || ' ' || coalesce(name, '') || ' ' || array_to_json(statements)::text
           from supabase_migrations.schema_migrations
         order by 1"
    );
    client.query(&sql, &[]).unwrap().iter().map(|row| row.get(0)).collect()
}

/// Every schema but PostgreSQL's own.
const ALL_SCHEMAS: &str = "n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg\\_to%' \
    and n.nspname not like 'pg\\_temp%'";

/// A workspace whose platform holds `files` as migrations `20240101000001_f1.sql`, …
fn workspace(files: &[&str]) -> Ws {
    let ws = Ws::new();
    for (i, sql) in files.iter().enumerate() {
        ws.migration("platform", &format!("2024010100000{}_f{}.sql", i + 1, i + 1), sql);
    }
    ws
}

/// `mynatca refresh` into `database`; true when it exited 0 (1: a file failed).
fn by_mynatca(ws: &Ws, database: &str) -> bool {
    let url = pg::server().url(database);
    let mut cmd = ws.mynatca_std("platform");
    cmd.args(["refresh", "--keep-going", "--no-detach", "--no-seed", "--db-url", &url]);
    let out = finish(spawn(cmd.stdout(Stdio::piped()).stderr(Stdio::piped())), Duration::from_secs(120));
    let code = out.status.code();
    assert!(matches!(code, Some(0 | 1)), "mynatca refresh: {code:?}\n{}", String::from_utf8_lossy(&out.stderr));
    code == Some(0)
}

/// `supabase db reset` into `database`, after mynatca laid its base there (a refresh of
/// no migration); true when the CLI exited 0.
fn by_cli(ws: &Ws, database: &str) -> bool {
    assert!(by_mynatca(&Ws::new(), database), "the base alone refreshes");
    let url = pg::server().url(database);
    let mut cmd = ws.command(&supabase_cli(), "platform");
    cmd.args(["db", "reset", "--db-url", &url, "--yes", "--no-seed"]).env("SUPABASE_TELEMETRY_DISABLED", "1");
    let out = finish(spawn(cmd.stdout(Stdio::piped()).stderr(Stdio::piped())), Duration::from_secs(120));
    let code = out.status.code();
    assert!(matches!(code, Some(0 | 1)), "supabase db reset: {code:?}\n{}", String::from_utf8_lossy(&out.stderr));
    code == Some(0)
}

/// Both engines on `files`; they must leave the same and agree on success, but where
/// `mynatca_fails_alone` (mynatca fails a file the CLI calls applied and drops anyway).
fn same(name: &str, files: &[&str], cleanup: &str, mynatca_fails_alone: bool) -> Vec<String> {
    let ws = workspace(files);
    let mut admin = pg::server().client("postgres");
    // One statement a call: DROP DATABASE refuses a multi-statement query.
    let mut clean =
        || cleanup.split(';').filter(|s| !s.trim().is_empty()).for_each(|s| admin.batch_execute(s).unwrap());
    let ours = by_mynatca(&ws, &format!("oracle_{name}_m"));
    clean();
    let theirs = by_cli(&ws, &format!("oracle_{name}_c"));
    clean();
    let (left_ours, left_theirs) = (left(&format!("oracle_{name}_m")), left(&format!("oracle_{name}_c")));
    assert_eq!(left_ours, left_theirs, "{name}: mynatca (left) and the Supabase CLI (right) leave different databases");
    assert_eq!(ours, theirs && !mynatca_fails_alone, "{name}: mynatca's success against the CLI's ({theirs})");
    assert!(theirs || !mynatca_fails_alone, "{name}: the CLI reports success there");
    left_ours
}

fn ok(name: &str, files: &[&str]) -> Vec<String> {
    same(name, files, "", false)
}

#[test]
fn a_failing_statement_leaves_nothing_of_a_plain_file() {
    let left = ok("plain_fails", &["create table x1 (id int);\nselect 1/0;\n"]);
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn begin_commit_in_a_file_commits_each_part_on_its_own() {
    let left =
        ok("explicit", &["BEGIN;\ncreate table c1 (id int);\nCOMMIT;\ncreate table c2 (id int);\nselect 1/0;\n"]);
    assert_eq!(left.iter().filter(|l| l.starts_with("relation")).count(), 2, "c1 and c2, no history: {left:?}");
    let left = ok("explicit_ok", &["begin;\ncreate table ok1 (id int);\ncommit;\ncreate table ok2 (id int);\n"]);
    assert!(left.iter().any(|l| l.starts_with("history 20240101000001 f1 [\"begin\",")), "{left:?}");
    ok("rollback", &["begin;\ncreate table e3 (id int);\nrollback;\ncreate table e3z (id int);\n"]);
    ok("abort_two_phase", &["create table w (id int);\ncommit and chain;\ncreate table z (id int);\n"]);
}

#[test]
fn a_concurrent_index_applies_alone_first_or_after_other_statements() {
    ok("concurrent_alone", &["create table u (id int);\n", "create unique index concurrently ui on u (id);\n"]);
    ok("concurrent_after", &["create table t (id int);\ncreate index concurrently ti on t (id);\n"]);
    let left = ok(
        "concurrent_then_fails",
        &["create table t2 (id int);\ncreate index concurrently i2 on t2 (id);\ncreate table t3 (id int);\nselect 1/0;\n"],
    );
    assert!(left.iter().any(|l| l.contains("i2")) && !left.iter().any(|l| l.contains("t3")), "{left:?}");
    let left = ok(
        "concurrent_in_block",
        &["BEGIN;\ncreate table b (id int);\ncreate index concurrently bi on b (id);\nCOMMIT;\n"],
    );
    assert!(left.is_empty(), "{left:?}");
    ok(
        "drop_reindex_concurrently",
        &["create table di (id int);\ncreate index dii on di (id);\ndrop index concurrently dii;\n\
           create index dij on di (id);\nreindex index concurrently dij;\n"],
    );
    ok(
        "concurrent_commented",
        &["create table g (id int);\n/* c */ -- d\n CREATE   INDEX\n CONCURRENTLY gj ON g (id);\n"],
    );
}

#[test]
fn statements_refused_in_a_transaction_follow_the_cli() {
    ok("vacuum", &["create table v1 (id int);\nvacuum v1;\nvacuum analyze v1;\ncluster;\n"]);
    ok("alter_system", &["alter system set work_mem = '5MB';\nalter system reset work_mem;\n"]);
    ok("enum_in_same_file", &["create type e as enum ('a');\nalter type e add value 'b';\nselect 'b'::e;\n"]);
    ok(
        "enum_next_file",
        &["create type e2 as enum ('a');\nalter type e2 add value 'b';\n", "create table uses (v e2 default 'b');\n"],
    );
    let cleanup = "drop database if exists oracle_cdb1; drop database if exists oracle_cdb2";
    same("create_database_after", &["create table cd (id int);\ncreate database oracle_cdb1;\n"], cleanup, false);
    same("create_database_alone", &["create database oracle_cdb2;\n"], cleanup, false);
    ok(
        "savepoint_without_block",
        &["create table sp (id int);\nsavepoint s1;\ncreate table sp2 (id int);\nrollback to savepoint s1;\n"],
    );
    ok(
        "savepoint_in_block",
        &["begin;\ncreate table sp (id int);\nsavepoint s1;\ncreate table sp2 (id int);\nrollback to savepoint s1;\ncommit;\n"],
    );
}

#[test]
fn transaction_control_inside_routines_runs_in_the_pipeline() {
    ok("do_commit", &["create table dd (id int);\ndo $$ begin commit; end $$;\n"]);
    let left = ok(
        "do_commit_then_fails",
        &["do $$ begin create table e8a (); commit; create table e8b (); end $$;\nselect 1/0;\n"],
    );
    assert!(left.iter().any(|l| l.contains("e8a")) && !left.iter().any(|l| l.contains("e8b")), "{left:?}");
    ok(
        "call_commit",
        &["create table e9t (id int);\ncreate procedure p() language plpgsql as $$ begin commit; end $$;\ncall p();\ncreate table e9u (id int);\n"],
    );
}

#[test]
fn begin_without_commit_leaves_nothing_and_mynatca_says_so() {
    let left = same("begin_no_commit", &["begin;\ncreate table nb (id int);\n"], "", true);
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn empty_and_comment_only_files_apply_as_the_cli_applies_them() {
    ok("empty_files", &["", "  \n\t\n", "-- only a comment\n", "create table after_empty (id int);\n"]);
}

#[test]
fn history_rows_hold_the_statements_as_the_cli_cuts_them() {
    ok(
        "statements",
        &[
            "-- lead comment\ncreate table a1 (id int); -- trailing\n\n/* block */ create table a2 (id int);;\n;\n\
             create function f() returns int language sql as $f$ select 1; $f$;\ncreate table a3 (id int)",
            "create table s1 (id int)   ;\nselect 'a;b' as x; select E'it\\'s;' ;\n\
             select \"we;ird\" from (select 1 as \"we;ird\") q; -- c; d\n\
             /* outer /* inner; */ still; */ select 2;\nselect $tag$ ; $$ ; $tag$;\n\
             create rule r1 as on insert to s1 do also (select 1; select 2);\n\
             create function fa() returns int language sql begin atomic select case when true then 1 end; end;\n\
             select 3\n;\n\t\n-- end comment\n",
            "create table s2 (id int);\r\nselect 1;\r\n",
        ],
    );
}

/// The real CLI run in `ws`'s platform with `args`: exit 0 expected, stdout returned.
fn cli_ok(ws: &Ws, args: &[&str]) -> String {
    let mut cmd = ws.command(&supabase_cli(), "platform");
    cmd.args(args).env("SUPABASE_TELEMETRY_DISABLED", "1");
    let out = finish(spawn(cmd.stdout(Stdio::piped()).stderr(Stdio::piped())), Duration::from_secs(120));
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "supabase {args:?}: {:?}\n{stdout}{stderr}", out.status);
    stdout.into_owned() + &stderr
}

#[test]
fn after_a_refresh_the_cli_finds_every_migration_applied_across_repos() {
    let ws = super::three_schemas();
    super::refresh(&ws, "oracle_agree").stdout(super::first_refresh("oracle_agree")).go();
    let url = pg::server().url("oracle_agree");
    // `migration list`: every local version (the platform's own and the linked projects') is remote too.
    let said = cli_ok(&ws, &["migration", "list", "--db-url", &url, "--output-format", "json"]);
    let listed: serde_json::Value =
        serde_json::from_str(said.lines().find(|line| line.starts_with('{')).expect("a JSON line")).unwrap();
    let pairs: Vec<(String, String)> = listed["migrations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["local"].as_str().unwrap_or("").to_string(), m["remote"].as_str().unwrap_or("").to_string()))
        .collect();
    let versions = ["00000000000001", "00000000000002", "00000000000003", "20251215120001", "20251215120002"];
    assert_eq!(pairs, versions.map(|v| (v.to_string(), v.to_string())).to_vec());
    // `migration up` and `db push` have nothing to do.
    for args in [["migration", "up", "--yes"], ["db", "push", "--dry-run"]] {
        let said = cli_ok(&ws, &[args[0], args[1], "--db-url", &url, args[2]]);
        assert!(said.contains("Remote database is up to date."), "supabase {args:?}: {said}");
    }
}

#[test]
fn the_supabase_engine_runs_the_real_cli_over_the_links() {
    let ws = super::three_schemas();
    let target = "oracle_engine";
    let mut admin = pg::server().client("postgres");
    admin.batch_execute(&format!("drop database if exists {target} with (force)")).unwrap();
    admin.batch_execute(&format!("create database {target}")).unwrap();
    // The base first, as a Supabase stack has it; then `supabase db reset` through mynatca.
    assert!(by_mynatca(&Ws::new(), target));
    let url = pg::server().url(target);
    let bin = supabase_cli().parent().unwrap().to_path_buf();
    let path = std::env::join_paths(
        std::iter::once(bin).chain(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())),
    )
    .unwrap();
    let mut cmd = ws.mynatca_std("platform");
    cmd.args(["refresh", "--", "--db-url", &url, "--yes"]).env("PATH", &path).env("SUPABASE_TELEMETRY_DISABLED", "1");
    let out = finish(spawn(cmd.stdout(Stdio::piped()).stderr(Stdio::piped())), Duration::from_secs(120));
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{stdout}{stderr}");
    // Between mynatca's first and last lines, the CLI's own output (its version's wording).
    assert!(stdout.starts_with(super::LINKED), "links first: {stdout}");
    assert!(stdout.lines().last().unwrap().starts_with("refreshed: supabase db reset in "), "{stdout}");
    let mut client = pg::server().client(target);
    let history = super::strings(&mut client, "select version from supabase_migrations.schema_migrations order by 1");
    assert_eq!(history, ["00000000000001", "00000000000002", "00000000000003", "20251215120001", "20251215120002"]);
    assert_eq!(
        super::strings(&mut client, "select seed from public.seed_log order by id"),
        ["platform", "pay", "discord"],
        "the seeds of every repo, through the links, in config.toml's order"
    );

    // mynatca's own engine records the seeds as the CLI does.
    super::refresh(&ws, "oracle_engine_m")
        .stdout(format!(
            "linked: 0 created, 0 updated, 0 removed, 6 unchanged\nresetting {}\n{}{}refreshed: 5 migrations, 3 seed files in $SECS\n",
            super::on("oracle_engine_m"),
            super::APPLYING_FIVE,
            super::SEEDING_THREE
        ))
        .go();
    let seeds = "select path || ' ' || hash from supabase_migrations.seed_files order by 1";
    let ours = super::strings(&mut pg::server().client("oracle_engine_m"), seeds);
    assert_eq!(ours, super::strings(&mut client, seeds));
    assert_eq!(ours.len(), 3, "{ours:?}");
    drop(client);

    // From a linked repo: the platform is found, the CLI runs there, and --no-seed reaches it.
    let mut cmd = ws.mynatca_std("pay");
    cmd.args(["refresh", "--no-seed", "--", "--db-url", &url, "--yes"])
        .env("PATH", &path)
        .env("SUPABASE_TELEMETRY_DISABLED", "1");
    let out = finish(spawn(cmd.stdout(Stdio::piped()).stderr(Stdio::piped())), Duration::from_secs(120));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mut client = pg::server().client(target);
    let history = super::strings(&mut client, "select version from supabase_migrations.schema_migrations order by 1");
    assert_eq!(history.len(), 5, "{history:?}");
    assert_eq!(super::strings(&mut client, "select seed from public.seed_log"), Vec::<String>::new(), "no seed ran");
}

#[test]
fn a_cli_reset_keeps_the_base_whole() {
    // Owned as Supabase owns them, the base's schemas survive the CLI's clean-up.
    let database = "oracle_base_kept";
    assert!(by_mynatca(&Ws::new(), database));
    let before = listing(database, ALL_SCHEMAS);
    assert!(before.iter().any(|l| l.starts_with("relation auth.sessions ")), "{before:?}");
    let ws = Ws::new();
    let url = pg::server().url(database);
    cli_ok(&ws, &["db", "reset", "--db-url", &url, "--yes", "--no-seed"]);
    assert_eq!(listing(database, ALL_SCHEMAS), before);
}

#[test]
fn migrations_using_the_base_apply_as_on_supabase() {
    // auth.sessions, the MFA enums and tables, realtime.messages policies with send and
    // broadcast_changes, storage's columns and helpers, a webhook, vault.
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/supabase-base");
    let mut names: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    names.sort();
    let files: Vec<String> = names.iter().map(|path| std::fs::read_to_string(path).unwrap()).collect();
    let files: Vec<&str> = files.iter().map(String::as_str).collect();
    let ws = workspace(&files);
    assert!(by_mynatca(&ws, "oracle_base_m"), "mynatca applies them all");
    assert!(by_cli(&ws, "oracle_base_c"), "the CLI applies them all");
    assert_eq!(listing("oracle_base_m", ALL_SCHEMAS), listing("oracle_base_c", ALL_SCHEMAS));
}
