//! The extension preflight, `--allow-missing-extensions` and `--keep-going`.

use super::{count, database_with_marker, pg, refresh_cmd as refresh, strings, table_exists};
use crate::support::{stderr, stdout, Ws};

/// Migrations needing pg_net and vector (neither is in stock PostgreSQL), a file that
/// uses vector's type twice over, and one genuine error.
fn needs_missing_extensions() -> Ws {
    let ws = Ws::new();
    ws.migration(
        "platform",
        "20240101000000_extensions.sql",
        "create extension if not exists pg_trgm with schema extensions;\n\
         create extension if not exists \"pg_net\"\n  with schema \"net\";\n\
         create extension vector;\n",
    )
    .migration("platform", "20240102000000_items.sql", "create table public.items (id int, embedding vector(3));\n")
    .migration("platform", "20240103000000_more.sql", "create table public.more (e extensions.vector(3));\n")
    .migration("platform", "20240104000000_typo.sql", "create table public.ok (id int);\nselec 1;\n")
    .migration("platform", "20240105000000_after.sql", "create table public.after (id int);\n")
    .write("platform/supabase/seed.sql", "insert into public.after values (1);\n");
    ws.commit_all("platform", "extensions");
    ws
}

#[test]
fn missing_extensions_are_listed_with_file_line_and_remedy_before_anything_is_dropped() {
    let ws = needs_missing_extensions();
    let mut client = database_with_marker("preflight");
    let out = refresh(&ws, "preflight").assert().code(2).get_output().clone();
    let port = pg::server().port;
    assert_eq!(
        stdout(&out),
        format!("linked: 0 created, 0 updated, 0 removed, 0 unchanged\nresetting database \"preflight\" on 127.0.0.1:{port}\n")
    );
    assert_eq!(
        stderr(&out),
        "error: the server lacks extensions the migrations create, so nothing was changed:\n  \
         supabase/migrations/20240101000000_extensions.sql:2 (platform): pg_net not on this server: no Debian package has it; run the supabase/postgres image (see the README's extension table)\n  \
         supabase/migrations/20240101000000_extensions.sql:4 (platform): vector not on this server: install the package postgresql-15-pgvector (PGDG)\n\
         install them, or pass --allow-missing-extensions to leave those statements out\n"
    );
    assert!(table_exists(&mut client, "marker"), "the database was neither dropped nor changed");
}

#[test]
fn keep_going_reports_every_failure_grouped_by_cause_and_the_result_becomes_the_target() {
    let ws = needs_missing_extensions();
    let out = refresh(&ws, "keep_going")
        .args(["--allow-missing-extensions", "--keep-going"])
        .assert()
        .code(1)
        .get_output()
        .clone();
    assert_eq!(
        stderr(&out),
        "warning: supabase/migrations/20240101000000_extensions.sql:2 (platform): left out CREATE EXTENSION pg_net (not on this server; --allow-missing-extensions); created schema net instead\n\
         warning: supabase/migrations/20240101000000_extensions.sql:4 (platform): left out CREATE EXTENSION vector (not on this server; --allow-missing-extensions)\n"
    );
    let text = stdout(&out);
    let report = text.split_once("failed: ").map(|(_, rest)| format!("failed: {rest}")).unwrap();
    let port = pg::server().port;
    let (body, summary) = report.rsplit_once(" in ").unwrap();
    assert_eq!(
        body,
        format!(
            "failed: 3 files, grouped by first cause:\n  \
             type \"vector\" does not exist × 1 (after `CREATE EXTENSION vector` was left out)\n    \
             supabase/migrations/20240102000000_items.sql:1 (platform)\n  \
             type \"extensions.vector\" does not exist × 1 (after `CREATE EXTENSION vector` was left out)\n    \
             supabase/migrations/20240103000000_more.sql:1 (platform)\n  \
             syntax error at or near \"selec\" × 1\n    \
             supabase/migrations/20240104000000_typo.sql:2 (platform)\n\
             refreshed with failures: 2 of 5 migrations applied, 3 failed; 1 of 1 seed files, 0 failed; \
             database \"keep_going\" on 127.0.0.1:{port} is the result anyway (--keep-going),"
        )
    );
    assert!(summary.ends_with("s\n"), "{summary}");

    let mut client = pg::server().client("keep_going");
    assert!(table_exists(&mut client, "public.after"), "files after a failure ran");
    assert!(!table_exists(&mut client, "public.ok"), "a failing file is rolled back whole");
    assert_eq!(count(&mut client, "select count(*) from pg_namespace where nspname = 'net'"), 1);
    assert_eq!(count(&mut client, "select count(*) from public.after"), 1, "seeded");
    assert_eq!(
        strings(&mut client, "select version from supabase_migrations.schema_migrations order by 1"),
        vec!["20240101000000", "20240105000000"]
    );

    // The same as one JSON document.
    let out = refresh(&ws, "keep_going")
        .args(["--allow-missing-extensions", "--keep-going", "--json"])
        .assert()
        .code(1)
        .get_output()
        .clone();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["migrations"], serde_json::json!({"total": 5, "applied": 2, "from_cache": 0, "failed": 3}));
    assert_eq!(doc["seeds"], serde_json::json!({"total": 1, "applied": 1, "failed": 0}));
    assert_eq!(doc["skipped_extensions"], serde_json::json!(["pg_net", "vector"]));
    assert_eq!(doc["failures"][0]["after_skipped_extension"], "vector");
    assert_eq!(
        doc["failures"][2]["files"][0],
        serde_json::json!({"project": "platform", "path": "supabase/migrations/20240104000000_typo.sql"})
    );
    assert_eq!(
        doc["errors"][2],
        serde_json::json!({"kind": "migration-failed", "path": "supabase/migrations/20240104000000_typo.sql",
            "project": "platform", "line": 2, "message": "syntax error at or near \"selec\""})
    );
    let skipped: Vec<&str> = doc["warnings"].as_array().unwrap().iter().map(|w| w["kind"].as_str().unwrap()).collect();
    assert_eq!(skipped, ["missing-extension", "missing-extension"], "{doc}");
    assert_eq!((&doc["command"], &doc["ok"]), (&"refresh".into(), &false.into()));
}

#[test]
fn without_keep_going_the_first_failure_stops_after_skipped_extensions() {
    let ws = needs_missing_extensions();
    let err = super::refresh_fails_with(&ws, "skip_then_stop", &["--allow-missing-extensions"]);
    let (warnings, error) = err.split_at(err.find("error: ").unwrap());
    assert_eq!(warnings.lines().count(), 2, "{warnings}");
    assert!(
        error.starts_with(
            "error: migration supabase/migrations/20240102000000_items.sql:1 (project platform) failed: type \"vector\" does not exist; \
             the file was rolled back, nothing after it ran and database \"skip_then_stop\" on 127.0.0.1:"
        ),
        "{error}"
    );
}
