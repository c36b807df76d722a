//! The template cache: a warm refresh is a copy of what a cold one builds.

use std::process::Command;

use super::{first_refresh, on, pg, refresh, strings, three_schemas, APPLYING_FIVE, SEEDING_THREE};

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

/// What a refresh of [`three_schemas`] into `database` prints: `linked` summarises the
/// links, `applying` the migrations run (the rest come from the cache).
fn refreshed(database: &str, linked: &str, applying: &str, migrations: &str) -> String {
    format!(
        "linked: {linked}\nresetting {}\n{applying}{SEEDING_THREE}refreshed: {migrations}, 3 seed files in $SECS\n",
        on(database)
    )
}

const RATES: &str = "applying 20251215120003_pay_add_rates.sql (pay)\n";

#[test]
fn a_warm_refresh_builds_what_a_cold_one_does_from_the_longest_cached_prefix() {
    let ws = three_schemas();
    refresh(&ws, "cache_cold").arg("--no-cache").stdout(first_refresh("cache_cold")).go();
    assert_eq!(caches("cache_cold"), Vec::<String>::new(), "--no-cache writes no cache");

    let six = "0 created, 0 updated, 0 removed, 6 unchanged";
    refresh(&ws, "cache_warm").stdout(refreshed("cache_warm", six, APPLYING_FIVE, "5 migrations")).go();
    assert_eq!(caches("cache_warm").len(), 1);
    // Nothing applied.
    refresh(&ws, "cache_warm").stdout(refreshed("cache_warm", six, "", "5 migrations (5 from the cache)")).go();
    assert_eq!(schema_dump("cache_warm"), schema_dump("cache_cold"));
    assert_eq!(history("cache_warm"), history("cache_cold"));
    assert_eq!(
        strings(&mut pg::server().client("cache_warm"), "select seed from public.seed_log order by id"),
        vec!["platform", "pay", "discord"],
        "seeds run after the cached migrations"
    );

    // One more migration: the five come from the cache, the new one is applied.
    ws.migration("pay", "20251215120003_pay_add_rates.sql", "create table pay.rates (id int);\n");
    let (one_more, seven) =
        ("1 created, 0 updated, 0 removed, 6 unchanged", "0 created, 0 updated, 0 removed, 7 unchanged");
    refresh(&ws, "cache_cold")
        .arg("--no-cache")
        .stdout(refreshed("cache_cold", one_more, &format!("{APPLYING_FIVE}{RATES}"), "6 migrations"))
        .go();
    refresh(&ws, "cache_warm").stdout(refreshed("cache_warm", seven, RATES, "6 migrations (5 from the cache)")).go();
    assert_eq!(schema_dump("cache_warm"), schema_dump("cache_cold"));
    assert_eq!(history("cache_warm"), history("cache_cold"));

    // A changed file is a different chain from there on: never a stale copy.
    ws.migration("pay", "20251215120003_pay_add_rates.sql", "create table pay.rates (id int, hourly numeric);\n");
    refresh(&ws, "cache_warm").stdout(refreshed("cache_warm", seven, RATES, "6 migrations (5 from the cache)")).go();
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
        let name = format!("2025121512000{n}_pay_more_{n}.sql");
        ws.migration("pay", &name, "select 1;\n");
        let linked = format!("1 created, 0 updated, 0 removed, {n} unchanged", n = n + 3);
        let migrations = format!("{n} migrations ({} from the cache)", n + 2, n = n + 3);
        refresh(&ws, "cache_warm")
            .stdout(refreshed("cache_warm", &linked, &format!("applying {name} (pay)\n"), &migrations))
            .go();
    }
    assert_eq!(caches("cache_warm").len(), 3);
    assert_eq!(strings(&mut admin, "select datname::text from pg_database where datname = 'mynatca_cachex'").len(), 1);
}

/// Databases of mynatca's named `mynatca_<kind>_<target>_…`, with their OIDs.
fn named(kind: &str, target: &str) -> Vec<(String, u32)> {
    let mut admin = pg::server().client("postgres");
    let pattern = format!("mynatca\\_{kind}\\_{target}\\_%");
    let rows = admin.query("select datname::text, oid from pg_database where datname like $1 order by 1", &[&pattern]);
    rows.unwrap().iter().map(|row| (row.get(0), row.get(1))).collect()
}

fn oid(database: &str) -> u32 {
    let mut admin = pg::server().client("postgres");
    admin.query_one("select oid from pg_database where datname = $1", &[&database]).unwrap().get(0)
}

#[test]
fn a_warm_refresh_renames_a_spare_into_place_and_the_upkeep_makes_it_again() {
    let ws = three_schemas();
    let six = "0 created, 0 updated, 0 removed, 6 unchanged";
    let warm = refreshed("spare", six, "", "5 migrations (5 from the cache)");
    refresh(&ws, "spare").arg("--no-detach").stdout(first_refresh("spare")).go();
    let spares = named("spare", "spare");
    assert_eq!(spares.len(), 2, "two ready copies of the newest cache: {spares:?}");
    assert_eq!(named("trash", "spare"), vec![], "the first refresh replaced nothing");

    refresh(&ws, "spare").arg("--no-detach").stdout(warm.clone()).go();
    assert!(spares.iter().any(|(_, spare)| *spare == oid("spare")), "the target is a spare renamed, not a copy");
    assert_eq!(named("spare", "spare").len(), 2, "made again by the upkeep");
    assert_eq!(named("trash", "spare"), vec![], "the replaced target was dropped by the upkeep");
    assert_eq!(
        strings(&mut pg::server().client("spare"), "select seed from public.seed_log order by id"),
        vec!["platform", "pay", "discord"]
    );
}

#[test]
fn back_to_back_refreshes_find_what_the_detached_upkeep_left() {
    let ws = three_schemas();
    refresh(&ws, "relay").arg("--no-detach").stdout(first_refresh("relay")).go();
    let six = "0 created, 0 updated, 0 removed, 6 unchanged";
    let warm = || refreshed("relay", six, "", "5 migrations (5 from the cache)");
    for _ in 0..5 {
        refresh(&ws, "relay").arg("--no-detach").stdout(warm()).go();
        let spares = named("spare", "relay");
        // The first takes spare 1; its detached upkeep makes spare 1 again. The second,
        // right after, must wait for that and take the new spare 1, not spare 2.
        // An upkeep slow to start (a loaded machine) must still go first.
        refresh(&ws, "relay").env("MYNATCA_TEST_UPKEEP_DELAY_MS", "300").stdout(warm()).go();
        refresh(&ws, "relay").stdout(warm()).go();
        let target = oid("relay");
        assert!(spares.iter().all(|(_, spare)| *spare != target), "took {target}, spares were {spares:?}");
    }
    // A new migration goes into two spares: one becomes the target, one the next cache.
    refresh(&ws, "relay").arg("--no-detach").stdout(warm()).go();
    let spares: Vec<u32> = named("spare", "relay").iter().map(|(_, oid)| *oid).collect();
    ws.migration("pay", "20251215120003_pay_add_rates.sql", "create table pay.rates (id int);\n");
    let one_more = "1 created, 0 updated, 0 removed, 6 unchanged";
    refresh(&ws, "relay").stdout(refreshed("relay", one_more, RATES, "6 migrations (5 from the cache)")).go();
    let caches: Vec<u32> = named("cache", "relay").iter().map(|(_, oid)| *oid).collect();
    assert_eq!(caches.len(), 2, "the cache of six is there when the refresh returns");
    assert!(spares.contains(&oid("relay")) && caches.iter().any(|c| spares.contains(c)), "{spares:?} {caches:?}");
    let seven = "0 created, 0 updated, 0 removed, 7 unchanged";
    refresh(&ws, "relay").stdout(refreshed("relay", seven, "", "6 migrations (6 from the cache)")).go();
    let last = refreshed("relay", seven, "", "6 migrations (6 from the cache)");
    refresh(&ws, "relay").arg("--no-detach").stdout(last).go();
    assert_eq!(named("trash", "relay"), vec![], "every replaced target dropped");
    assert_eq!(named("build", "relay"), vec![], "no build left behind");
}

#[test]
fn a_new_migration_failing_under_keep_going_leaves_no_spare_copy_behind() {
    // The two spares take the new file; it fails, so neither becomes the next cache.
    let ws = three_schemas();
    refresh(&ws, "pair_fails").arg("--no-detach").stdout(first_refresh("pair_fails")).go();
    ws.migration("pay", "20251215120003_pay_broken.sql", "create table pay.x (id int);\nselec 1;\n");
    refresh(&ws, "pair_fails")
        .args(["--keep-going", "--no-detach"])
        .status(1)
        .stdout(format!(
            "linked: 1 created, 0 updated, 0 removed, 6 unchanged\nresetting {on}\n\
             applying 20251215120003_pay_broken.sql (pay)\n{SEEDING_THREE}\
             failed: 1 file, grouped by first cause:\n  syntax error at or near \"selec\" × 1\n    \
             supabase/migrations/20251215120003_pay_broken.sql:2 (pay)\n\
             refreshed with failures: 5 of 6 migrations applied (5 from the cache), 1 failed; 3 of 3 seed files, 0 failed; \
             {on} is the result anyway (--keep-going), in $SECS\n",
            on = on("pair_fails")
        ))
        .go();
    assert_eq!(named("build", "pair_fails"), vec![], "neither the build nor the second spare is left");
    assert_eq!(named("cache", "pair_fails").len(), 1, "no cache of a failed chain");
}

#[test]
fn an_upkeep_touches_only_its_own_targets_spares_and_trash() {
    // `pfx` is a prefix of `pfx_more`: names are matched by their whole shape.
    let ws = three_schemas();
    let six = "0 created, 0 updated, 0 removed, 6 unchanged";
    refresh(&ws, "pfx_more").arg("--no-detach").stdout(first_refresh("pfx_more")).go();
    let mut admin = pg::server().client("postgres");
    admin.batch_execute("create database mynatca_trash_pfx_more_1").unwrap();
    let theirs = named("spare", "pfx\\_more");
    assert_eq!(theirs.len(), 2);
    refresh(&ws, "pfx").arg("--no-detach").stdout(refreshed("pfx", six, APPLYING_FIVE, "5 migrations")).go();
    refresh(&ws, "pfx").arg("--no-detach").stdout(refreshed("pfx", six, "", "5 migrations (5 from the cache)")).go();
    assert_eq!(named("spare", "pfx\\_more"), theirs, "another target's spares are not this upkeep's");
    assert_eq!(named("trash", "pfx\\_more").len(), 1, "nor its trash");
    admin.batch_execute("drop database mynatca_trash_pfx_more_1").unwrap();
}

#[test]
fn the_upkeep_sweeps_builds_of_killed_refreshes_but_not_kept_ones_or_other_targets() {
    let ws = three_schemas();
    let mut admin = pg::server().client("postgres");
    // As a `kill -9` leaves them (marked as being built): a build and the second spare of
    // another; a kept build; a build an older mynatca kept (no mark); and a build of a
    // target whose name starts the same.
    for name in ["mynatca_build_orphans_11", "mynatca_build_orphans_12c"] {
        admin.batch_execute(&format!("create database {name}")).unwrap();
        admin.batch_execute(&format!("comment on database {name} is 'mynatca: building'")).unwrap();
    }
    for name in ["mynatca_build_orphans_13", "mynatca_build_orphans_15", "mynatca_build_orphans_x_14"] {
        admin.batch_execute(&format!("create database {name}")).unwrap();
    }
    admin.batch_execute("comment on database mynatca_build_orphans_13 is 'mynatca: kept by --keep-failed'").unwrap();
    admin.batch_execute("comment on database mynatca_build_orphans_x_14 is 'mynatca: building'").unwrap();
    // A build with no mark at all is not known to be mynatca's: left, and named.
    refresh(&ws, "orphans")
        .arg("--no-detach")
        .stdout(first_refresh("orphans"))
        .stderr(format!(
            "warning: database \"mynatca_build_orphans_15\" has a name mynatca uses for {} but not its mark, \
             so it is left alone; rename it if it is yours\n",
            on("orphans")
        ))
        .go();
    let left: Vec<String> = named("build", "orphans").into_iter().map(|(name, _)| name).collect();
    assert_eq!(left, vec!["mynatca_build_orphans_13", "mynatca_build_orphans_15", "mynatca_build_orphans_x_14"]);
    assert_eq!(named("trash", "orphans"), vec![], "swept, then dropped");
    let mark =
        "select coalesce(shobj_description(oid, 'pg_database'), 'none') from pg_database where datname = 'orphans'";
    assert_eq!(strings(&mut admin, mark), vec!["none"], "the target does not keep the build's mark");
    for name in ["mynatca_build_orphans_13", "mynatca_build_orphans_15", "mynatca_build_orphans_x_14"] {
        admin.batch_execute(&format!("drop database {name}")).unwrap();
    }
}

/// `role` made once on the shared server (roles are cluster-wide).
fn role(name: &str, attributes: &str) {
    let mut admin = pg::server().client("postgres");
    let make =
        format!("do $$ begin create role {name} {attributes}; exception when duplicate_object then null; end $$");
    admin.batch_execute(&make).unwrap();
}

#[test]
fn a_role_set_by_a_migration_carries_into_later_files_warm_as_cold() {
    // The Supabase CLI applies every file on one session, and RESET ALL keeps the role.
    role("app_owner", "nologin");
    let ws = three_schemas();
    ws.migration(
        "pay",
        "20251215120003_pay_as_owner.sql",
        "grant usage on schema supabase_migrations to app_owner;\n\
         grant insert on supabase_migrations.schema_migrations to app_owner;\n\
         grant create on schema pay to app_owner;\n\
         set role app_owner;\n",
    );
    let owner = |database: &str| {
        strings(
            &mut pg::server().client(database),
            "select relname::text || ' ' || pg_get_userbyid(relowner) from pg_class where relname in ('shifts', 'late') order by 1",
        )
    };
    let six = "applying 20251215120003_pay_as_owner.sql (pay)\n";
    let run = |target: &str, linked: &str, applying: &str, count: usize| {
        let cache = if target == "role_cold" { "--no-cache" } else { "--no-detach" };
        refresh(&ws, target)
            .args([cache, "--no-seed"])
            .stdout(format!(
                "linked: {linked}\nseeding skipped (--no-seed)\nresetting {}\n{APPLYING_FIVE}{applying}\
                 refreshed: {count} migrations, 0 seed files in $SECS\n",
                on(target)
            ))
            .go();
    };
    run("role_warm", "7 created, 0 updated, 0 removed, 0 unchanged", six, 6);
    run("role_cold", "0 created, 0 updated, 0 removed, 7 unchanged", six, 6);
    // A later file runs as app_owner in both: the warm one has no cache to start from.
    ws.migration("pay", "20251215120004_pay_late.sql", "create table pay.late (id int);\n");
    let late = format!("{six}applying 20251215120004_pay_late.sql (pay)\n");
    run("role_warm", "1 created, 0 updated, 0 removed, 7 unchanged", &late, 7);
    run("role_cold", "0 created, 0 updated, 0 removed, 8 unchanged", &late, 7);
    assert_eq!(owner("role_warm"), ["late app_owner", "shifts postgres"]);
    assert_eq!(owner("role_warm"), owner("role_cold"));
    assert_eq!(schema_dump("role_warm"), schema_dump("role_cold"));
    assert_eq!(history("role_warm"), history("role_cold"));
}

#[test]
fn a_cache_made_by_one_user_is_never_another_users_start() {
    role("alice", "login createdb createrole");
    let ws = three_schemas();
    let url = |user: &str, database: &str| format!("postgres://{user}@127.0.0.1:{}/{database}", pg::server().port);
    // As postgres: a cache of the five, then the target is dropped (alice could not replace it).
    refresh(&ws, "by_user").arg("--no-detach").stdout(first_refresh("by_user")).go();
    pg::server().client("postgres").batch_execute("drop database by_user with (force)").unwrap();
    let six = "0 created, 0 updated, 0 removed, 6 unchanged";
    for target in ["by_user", "by_user_cold"] {
        ws.run("platform", ["refresh", "--no-detach", "--db-url", &url("alice", target)])
            .filter(super::elapsed)
            .stdout(refreshed(target, six, APPLYING_FIVE, "5 migrations"))
            .go();
    }
    assert_eq!(schema_dump("by_user"), schema_dump("by_user_cold"));
    let owners = strings(
        &mut pg::server().client("by_user"),
        "select distinct pg_get_userbyid(relowner)::text from pg_class where relnamespace = 'pay'::regnamespace",
    );
    assert_eq!(owners, ["alice"]);
}
