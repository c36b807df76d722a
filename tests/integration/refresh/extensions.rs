//! The extension preflight, `--allow-missing-extensions` and `--keep-going`.

use super::{count, database_with_marker, on, pg, refresh, strings, table_exists};
use serde_json::json;

use crate::support::Ws;

/// Names no server has, standing in for pg_net and vector (so the suite passes the same
/// on a machine that has them), a file using the missing type twice over, and one
/// genuine error.
fn needs_missing_extensions() -> Ws {
    let ws = Ws::new();
    ws.migration(
        "platform",
        "20240101000000_extensions.sql",
        "create extension if not exists pg_trgm with schema extensions;\n\
         create extension if not exists \"absent_net\"\n  with schema \"net\";\n\
         create extension absent_vec;\n",
    )
    .migration("platform", "20240102000000_items.sql", "create table public.items (id int, embedding absent_vec(3));\n")
    .migration("platform", "20240103000000_more.sql", "create table public.more (e extensions.absent_vec(3));\n")
    .migration("platform", "20240104000000_typo.sql", "create table public.ok (id int);\nselec 1;\n")
    .migration("platform", "20240105000000_after.sql", "create table public.after (id int);\n")
    .write("platform/supabase/seed.sql", "insert into public.after values (1);\n");
    ws.commit_all("platform", "extensions");
    ws
}

/// What a run with --allow-missing-extensions says of the two statements it leaves out.
const WARNINGS: &str = "warning: supabase/migrations/20240101000000_extensions.sql:2 (platform): left out CREATE EXTENSION absent_net (not on this server; --allow-missing-extensions); created schema net instead\n\
         warning: supabase/migrations/20240101000000_extensions.sql:4 (platform): left out CREATE EXTENSION absent_vec (not on this server; --allow-missing-extensions)\n";

/// An extension Debian packages for this server's version that the server lacks, asked of
/// the server (None when it has them all).
fn packaged_but_absent() -> Option<(&'static str, &'static str)> {
    let mut client = pg::server().client("postgres");
    [("hll", "hll"), ("semver", "semver"), ("orafce", "orafce"), ("rum", "rum"), ("hypopg", "hypopg")].into_iter().find(
        |(ext, _)| {
            count(&mut client, &format!("select count(*) from pg_available_extensions where name = '{ext}'")) == 0
        },
    )
}

#[test]
fn missing_extensions_are_listed_with_file_line_and_remedy_before_anything_is_dropped() {
    let ws = needs_missing_extensions();
    let packaged = packaged_but_absent();
    if let Some((ext, _)) = packaged {
        ws.migration("platform", "20240106000000_packaged.sql", &format!("create extension {ext};\n"));
    }
    let mut client = database_with_marker("preflight");
    let major = count(
        &mut pg::server().client("postgres"),
        "select (current_setting('server_version_num')::int / 10000)::bigint",
    );
    let packaged_line = packaged.map_or(String::new(), |(ext, package)| {
        format!("  supabase/migrations/20240106000000_packaged.sql:1 (platform): {ext} not on this server: apt-get install postgresql-{major}-{package}\n")
    });
    let unknown = "not on this server: no Debian package has it; run the supabase/postgres image (see the README's extension table), or --allow-missing-extensions";
    refresh(&ws, "preflight")
        .status(2)
        .stdout(format!("linked: 0 created, 0 updated, 0 removed, 0 unchanged\nresetting {}\n", on("preflight")))
        .stderr(format!(
            "error: the server lacks extensions the migrations create, so nothing was changed:\n  \
             supabase/migrations/20240101000000_extensions.sql:2 (platform): absent_net {unknown}\n  \
             supabase/migrations/20240101000000_extensions.sql:4 (platform): absent_vec {unknown}\n\
             {packaged_line}\
             install them, or pass --allow-missing-extensions to leave those statements out\n",
        ))
        .go();
    assert!(table_exists(&mut client, "marker"), "the database was neither dropped nor changed");
}

#[test]
fn keep_going_groups_what_fails_for_want_of_an_extension_under_it_and_the_result_becomes_the_target() {
    let ws = needs_missing_extensions();
    refresh(&ws, "keep_going")
        .args(["--allow-missing-extensions", "--keep-going"])
        .status(1)
        .stdout(format!(
            "linked: 0 created, 0 updated, 0 removed, 0 unchanged\n\
             resetting {on}\n\
             applying 20240101000000_extensions.sql (platform)\n\
             applying 20240102000000_items.sql (platform)\n\
             applying 20240103000000_more.sql (platform)\n\
             applying 20240104000000_typo.sql (platform)\n\
             applying 20240105000000_after.sql (platform)\n\
             seeding supabase/seed.sql (platform)\n\
             failed: 3 files, grouped by first cause:\n  \
             after `CREATE EXTENSION absent_vec` was left out: 2 files\n    \
             type \"absent_vec\" does not exist × 1\n      \
             supabase/migrations/20240102000000_items.sql:1 (platform)\n    \
             type \"extensions.absent_vec\" does not exist × 1\n      \
             supabase/migrations/20240103000000_more.sql:1 (platform)\n  \
             syntax error at or near \"selec\" × 1\n    \
             supabase/migrations/20240104000000_typo.sql:2 (platform)\n\
             refreshed with failures: 2 of 5 migrations applied, 3 failed; 1 of 1 seed files, 0 failed; \
             {on} is the result anyway (--keep-going), in $SECS\n",
            on = on("keep_going")
        ))
        .stderr(WARNINGS)
        .go();
    let mut client = pg::server().client("keep_going");
    assert!(table_exists(&mut client, "public.after"), "files after a failure ran");
    assert!(!table_exists(&mut client, "public.ok"), "a failing file is rolled back whole");
    assert_eq!(count(&mut client, "select count(*) from pg_namespace where nspname = 'net'"), 1);
    assert_eq!(count(&mut client, "select count(*) from public.after"), 1, "seeded");
    assert_eq!(
        strings(&mut client, "select version from supabase_migrations.schema_migrations order by 1"),
        vec!["20240101000000", "20240105000000"]
    );

    // The same as one JSON document; stderr names each failed file too.
    let failed = "error: supabase/migrations/20240102000000_items.sql:1 (platform): type \"absent_vec\" does not exist\n\
                  error: supabase/migrations/20240103000000_more.sql:1 (platform): type \"extensions.absent_vec\" does not exist\n\
                  error: supabase/migrations/20240104000000_typo.sql:2 (platform): syntax error at or near \"selec\"\n";
    refresh(&ws, "keep_going")
        .args(["--allow-missing-extensions", "--keep-going", "--json"])
        .status(1)
        .filter(seconds)
        .stdout_json(keep_going_report())
        .stderr(format!("{WARNINGS}{failed}"))
        .go();
}

#[test]
fn without_keep_going_the_first_failure_stops_after_skipped_extensions() {
    let ws = needs_missing_extensions();
    refresh(&ws, "skip_then_stop")
        .arg("--allow-missing-extensions")
        .status(1)
        .stdout(format!(
            "linked: 0 created, 0 updated, 0 removed, 0 unchanged\n\
             resetting {}\n\
             applying 20240101000000_extensions.sql (platform)\n\
             applying 20240102000000_items.sql (platform)\n",
            on("skip_then_stop")
        ))
        .stderr(format!(
            "{WARNINGS}error: migration supabase/migrations/20240102000000_items.sql:1 (project platform) failed: \
             type \"absent_vec\" does not exist; nothing after it ran and {} \
             was left as it was: fix it and run `mynatca refresh` again\n",
            on("skip_then_stop")
        ))
        .go();
}

/// Volatile: the run's duration in a JSON report (`"seconds": 0.67`) becomes `"$SECS"`.
fn seconds(text: &str) -> String {
    let Some(at) = text.find("\"seconds\":") else { return text.to_string() };
    let (head, tail) = text.split_at(at + "\"seconds\":".len());
    let number = tail.trim_start().len();
    let rest = tail.trim_start().trim_start_matches(|c: char| c.is_ascii_digit() || c == '.');
    assert!(rest.len() < number, "no number after \"seconds\": {text}");
    format!("{head} \"$SECS\"{rest}")
}

/// The `--json` report of the `--keep-going` run: the human report, field by field.
fn keep_going_report() -> serde_json::Value {
    let file = |name: &str| json!([{"project": "platform", "path": format!("supabase/migrations/{name}")}]);
    let problem = |kind: &str, message: &str, name: &str, line: u64| {
        json!({"kind": kind, "message": message, "project": "platform",
            "path": format!("supabase/migrations/{name}"), "line": line})
    };
    let (vector, qualified, selec) = (
        "type \"absent_vec\" does not exist",
        "type \"extensions.absent_vec\" does not exist",
        "syntax error at or near \"selec\"",
    );
    json!({
        "schema": 1,
        "command": "refresh",
        "platform": "$WS/platform",
        "ok": false,
        "database": "keep_going",
        "migrations": {"total": 5, "applied": 2, "from_cache": 0, "failed": 3},
        "seeds": {"total": 1, "applied": 1, "failed": 0},
        "skipped_extensions": ["absent_net", "absent_vec"],
        "failures": [
            {"cause": vector, "count": 1, "after_skipped_extension": "absent_vec", "files": file("20240102000000_items.sql")},
            {"cause": qualified, "count": 1, "after_skipped_extension": "absent_vec", "files": file("20240103000000_more.sql")},
            {"cause": selec, "count": 1, "after_skipped_extension": null, "files": file("20240104000000_typo.sql")},
        ],
        "seconds": "$SECS",
        "errors": [
            problem("migration-failed", vector, "20240102000000_items.sql", 1),
            problem("migration-failed", qualified, "20240103000000_more.sql", 1),
            problem("migration-failed", selec, "20240104000000_typo.sql", 2),
        ],
        "warnings": [
            problem("missing-extension", "left out CREATE EXTENSION absent_net (not on this server; --allow-missing-extensions); \
                created schema net instead", "20240101000000_extensions.sql", 2),
            problem("missing-extension", "left out CREATE EXTENSION absent_vec (not on this server; --allow-missing-extensions)",
                "20240101000000_extensions.sql", 4),
        ],
    })
}
