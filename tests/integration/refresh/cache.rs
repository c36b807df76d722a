//! The template cache: a warm refresh is a copy of what a cold one builds.

use std::process::Command;

use super::{pg, refresh_cmd as refresh, strings, three_schemas};
use crate::support::{stderr, stdout};

/// `pg_dump --schema-only` of a database, from the server's own binaries.
fn schema_dump(database: &str) -> String {
    let bin = Command::new("pg_config")
        .arg("--bindir")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string());
    let dir = bin.filter(|dir| std::path::Path::new(dir).join("pg_dump").exists()).unwrap_or_else(|| {
        let mut dirs: Vec<_> = std::fs::read_dir("/usr/lib/postgresql").unwrap().map(|e| e.unwrap().path()).collect();
        dirs.sort();
        dirs.last().unwrap().join("bin").display().to_string()
    });
    let out = Command::new(format!("{dir}/pg_dump"))
        .args(["--schema-only", "--no-comments", "-d", &pg::server().url(database)])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // Less the random key of pg_dump's \restrict lines.
    let text = String::from_utf8(out.stdout).unwrap();
    text.lines()
        .filter(|line| !line.starts_with("\\restrict") && !line.starts_with("\\unrestrict"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn history(database: &str) -> Vec<String> {
    strings(
        &mut pg::server().client(database),
        "select version || ' ' || name || ' ' || array_to_string(statements, ' | ') from supabase_migrations.schema_migrations order by 1",
    )
}

fn caches(target: &str) -> Vec<String> {
    strings(
        &mut pg::server().client("postgres"),
        &format!(
            "select datname::text from pg_database where datname like 'mynatca\\_cache\\_{target}\\_%' order by 1"
        ),
    )
}

fn summary(out: &std::process::Output) -> String {
    assert_eq!(stderr(out), "");
    let text = stdout(out);
    let last = text.lines().last().unwrap();
    last.rsplit_once(" in ").unwrap().0.to_string()
}

#[test]
fn a_warm_refresh_builds_what_a_cold_one_does_from_the_longest_cached_prefix() {
    let ws = three_schemas();
    let cold = refresh(&ws, "cache_cold").arg("--no-cache").assert().success().get_output().clone();
    assert_eq!(summary(&cold), "refreshed: 5 migrations, 3 seed files");
    assert_eq!(caches("cache_cold"), Vec::<String>::new(), "--no-cache writes no cache");

    let first = refresh(&ws, "cache_warm").assert().success().get_output().clone();
    assert_eq!(summary(&first), "refreshed: 5 migrations, 3 seed files");
    assert_eq!(caches("cache_warm").len(), 1);
    let warm = refresh(&ws, "cache_warm").assert().success().get_output().clone();
    assert_eq!(summary(&warm), "refreshed: 5 migrations (5 from the cache), 3 seed files");
    assert!(!stdout(&warm).contains("applying "), "nothing applied: {}", stdout(&warm));
    assert_eq!(schema_dump("cache_warm"), schema_dump("cache_cold"));
    assert_eq!(history("cache_warm"), history("cache_cold"));
    assert_eq!(
        strings(&mut pg::server().client("cache_warm"), "select seed from public.seed_log order by id"),
        vec!["platform", "pay", "discord"],
        "seeds run after the cached migrations"
    );

    // One more migration: the five come from the cache, the new one is applied.
    ws.migration("pay", "20251215120003_pay_add_rates.sql", "create table pay.rates (id int);\n");
    refresh(&ws, "cache_cold").arg("--no-cache").assert().success();
    let added = refresh(&ws, "cache_warm").assert().success().get_output().clone();
    assert_eq!(summary(&added), "refreshed: 6 migrations (5 from the cache), 3 seed files");
    assert!(stdout(&added).contains("applying 20251215120003_pay_add_rates.sql (pay)\nseeding"));
    assert_eq!(schema_dump("cache_warm"), schema_dump("cache_cold"));
    assert_eq!(history("cache_warm"), history("cache_cold"));

    // A changed file is a different chain from there on: never a stale copy.
    ws.migration("pay", "20251215120003_pay_add_rates.sql", "create table pay.rates (id int, hourly numeric);\n");
    let changed = refresh(&ws, "cache_warm").assert().success().get_output().clone();
    assert_eq!(summary(&changed), "refreshed: 6 migrations (5 from the cache), 3 seed files");
    let columns = strings(
        &mut pg::server().client("cache_warm"),
        "select column_name::text from information_schema.columns where table_name = 'rates' order by 1",
    );
    assert_eq!(columns, vec!["hourly", "id"]);

    // At most three per target, the least recently used dropped; other databases untouched.
    let mut admin = pg::server().client("postgres");
    admin.batch_execute("drop database if exists mynatca_cachex").unwrap();
    admin.batch_execute("create database mynatca_cachex").unwrap();
    for n in 4..=6 {
        ws.migration("pay", &format!("2025121512000{n}_pay_more_{n}.sql"), "select 1;\n");
        refresh(&ws, "cache_warm").assert().success();
    }
    assert_eq!(caches("cache_warm").len(), 3);
    assert_eq!(strings(&mut admin, "select datname::text from pg_database where datname = 'mynatca_cachex'").len(), 1);
}
