//! Files a refresh cannot read as SQL are refused before the database is touched.

use super::{
    database_with_marker, on, pg, refresh, strings, table_exists, three_schemas, APPLYING_FIVE, LINKED, SEEDING_THREE,
};

#[test]
fn unreadable_sql_files_are_refused_before_the_database_is_touched() {
    let cases: [(&str, &[u8], &str); 2] = [
        (
            "20251215120009_pay_nul.sql",
            b"create table pay.n (id int);\0\n",
            "a NUL byte at offset 28, so it is not SQL text",
        ),
        (
            "20251215120009_pay_latin1.sql",
            b"-- caf\xe9\ncreate table pay.l (id int);\n",
            "not UTF-8 (invalid bytes at offset 6)",
        ),
    ];
    for (name, content, why) in cases {
        let ws = three_schemas();
        std::fs::write(ws.path(&format!("pay/supabase/migrations/{name}")), content).unwrap();
        let mut client = database_with_marker("unreadable");
        // Never connected: no `resetting …`.
        refresh(&ws, "unreadable")
            .status(2)
            .stdout("linked: 7 created, 0 updated, 0 removed, 0 unchanged\n")
            .stderr(format!("error: supabase/migrations/{name} (pay): {why}; fix or remove it\n"))
            .go();
        assert!(table_exists(&mut client, "marker"));
    }

    // A FIFO in the platform's migrations folder: refused, not waited on.
    let ws = three_schemas();
    let fifo = ws.path("platform/supabase/migrations/20251215120009_fifo.sql");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    refresh(&ws, "unreadable")
        .status(2)
        .stdout(LINKED)
        .stderr("error: supabase/migrations/20251215120009_fifo.sql (platform): not a regular file; fix or remove it\n")
        .go();
    let _ = pg::server();
}

/// Two links in the platform's migrations folder that point at each other: the first is
/// named, exit 2, before the database is touched, after every other link was made (the
/// loop was exit 1 naming the folder).
#[test]
fn a_symlink_loop_among_the_platforms_migrations_is_named() {
    let ws = three_schemas();
    let (a, b) = ("20251215120009_loop_a.sql", "20251215120010_loop_b.sql");
    ws.symlink(b, &format!("platform/supabase/migrations/{a}"))
        .symlink(a, &format!("platform/supabase/migrations/{b}"));
    let mut client = database_with_marker("looped");
    let foreign = |name: &str, to: &str| {
        format!(
            "warning: supabase/migrations/{name} points to {to}, outside every linked project; left alone (remove it if it is stale)\n"
        )
    };
    refresh(&ws, "looped")
        .status(2)
        .stdout(LINKED)
        .stderr(format!(
            "{}{}error: supabase/migrations/{a} (platform): a symlink loop, not a regular file; fix or remove it\n",
            foreign(a, b),
            foreign(b, a)
        ))
        .go();
    assert_eq!(ws.links().len(), 6, "pay's and discord's four migration links beside the loop's two");
    assert!(table_exists(&mut client, "marker"));
}

/// A file that ends its transaction (`COMMIT`, `ROLLBACK`) or holds a statement that
/// cannot run in one would be applied in part and still recorded: refused, exit 1,
/// naming file, line and project, before the database is touched.
#[test]
fn transaction_control_and_a_concurrent_index_apply_as_the_supabase_cli_applies_them() {
    let ws = three_schemas();
    ws.migration(
        "pay",
        "20251215120009_pay_half.sql",
        "begin;\ncreate table pay.half (id int);\ncommit;\ncreate table pay.other (id int);\n",
    )
    .migration(
        "discord",
        "20251215120010_discord_index.sql",
        "create index concurrently links_member on discord.links (membernumber);\n",
    );
    refresh(&ws, "transactions")
        .stdout(format!(
            "linked: 8 created, 0 updated, 0 removed, 0 unchanged\nresetting {}\n{APPLYING_FIVE}\
             applying 20251215120009_pay_half.sql (pay)\n\
             applying 20251215120010_discord_index.sql (discord)\n\
             {SEEDING_THREE}refreshed: 7 migrations, 3 seed files in $SECS\n",
            on("transactions")
        ))
        .go();
    let mut client = pg::server().client("transactions");
    for name in ["pay.half", "pay.other", "discord.links_member"] {
        assert!(table_exists(&mut client, name), "{name}");
    }
    assert_eq!(
        strings(&mut client, "select array_to_string(statements, '|') from supabase_migrations.schema_migrations where version = '20251215120009'"),
        vec!["begin|create table pay.half (id int)|commit|create table pay.other (id int)"]
    );
}
