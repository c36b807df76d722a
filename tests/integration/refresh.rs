//! `mynatca refresh`: the built-in engine against a real PostgreSQL server started by the
//! tests (see `refresh/pg.rs`), and the Supabase engine through a stand-in `supabase`.

mod base;
mod cache;
mod connect;
mod cron;
mod extensions;
mod files;
mod fixture;
mod held;
mod kills;
mod marks;
pub(crate) mod oracle;
pub(crate) mod pg;
mod signals;
mod supabase;
mod up;

use std::net::TcpListener;
use std::path::Path;

use crate::support::{Test, Ws};
use supabase::Standin;

/// config.toml seeding the platform, then pay, then discord (what link-project writes).
const CONFIG_WITH_SEEDS: &str = r#"[api]
schemas = ["public", "graphql_public", "pay", "discord"]

[db.seed]
enabled = true
sql_paths = ["./seed.sql", "./seeds/pay/*.sql", "./seeds/discord/*.sql"]
"#;

/// platform + pay + discord, each with tables, grants and a seed that logs its turn.
/// Migrations: 3 baselines, then one pay and one discord migration.
fn three_schemas() -> Ws {
    let ws = Ws::new().with_project("pay").with_project("discord");
    ws.migration(
        "platform",
        "00000000000001_baseline_public_schema.sql",
        "-- The platform's core.\n\
         create table public.members (membernumber text primary key, name text not null);\n\
         create table public.seed_log (id serial primary key, seed text not null);\n\
         grant select on public.members to anon, authenticated;\n",
    )
    .migration(
        "pay",
        "20251215120001_pay_add_shifts.sql",
        "create table pay.shifts (\n    id serial primary key,\n    membernumber text references public.members,\n    hours numeric\n);\n\
         grant usage on schema pay to authenticated, service_role;\n\
         grant select on pay.shifts to authenticated;\n\
         grant all on pay.shifts to service_role;\n",
    )
    .migration(
        "discord",
        "20251215120002_discord_add_links.sql",
        "create table discord.links (discord_id bigint primary key, membernumber text references public.members);\n",
    )
    .write(
        "platform/supabase/seed.sql",
        "insert into public.members values ('1001', 'Ann');\ninsert into public.seed_log (seed) values ('platform');\n",
    )
    .write(
        "pay/supabase/seed.sql",
        "insert into pay.shifts (membernumber, hours) values ('1001', 8);\ninsert into public.seed_log (seed) values ('pay');\n",
    )
    .write(
        "discord/supabase/seed.sql",
        "insert into discord.links values (42, '1001');\ninsert into public.seed_log (seed) values ('discord');\n",
    )
    .write("platform/supabase/config.toml", CONFIG_WITH_SEEDS);
    for repo in ["platform", "pay", "discord"] {
        ws.commit_all(repo, "schema and seeds");
    }
    ws
}

/// What a first `link` of [`three_schemas`] prints.
const LINKED: &str = "linked: 6 created, 0 updated, 0 removed, 0 unchanged\n";

/// The migrations of [`three_schemas`] as a cold refresh applies them.
const APPLYING_FIVE: &str = "applying 00000000000001_baseline_public_schema.sql (platform)\n\
    applying 00000000000002_baseline_pay_schema.sql (pay)\n\
    applying 00000000000003_baseline_discord_schema.sql (discord)\n\
    applying 20251215120001_pay_add_shifts.sql (pay)\n\
    applying 20251215120002_discord_add_links.sql (discord)\n";

/// The seeds of [`three_schemas`], in the order config.toml gives.
const SEEDING_THREE: &str = "seeding supabase/seed.sql (platform)\n\
    seeding supabase/seed.sql (pay)\n\
    seeding supabase/seed.sql (discord)\n";

/// What a first refresh of [`three_schemas`] into `database` prints.
fn first_refresh(database: &str) -> String {
    format!(
        "{LINKED}resetting {}\n{APPLYING_FIVE}{SEEDING_THREE}refreshed: 5 migrations, 3 seed files in $SECS\n",
        on(database)
    )
}

fn refresh<'a>(ws: &'a Ws, database: &str) -> Test<'a> {
    ws.run("platform", ["refresh", "--db-url", &pg::server().url(database)]).filter(elapsed)
}

/// `database "NAME" on 127.0.0.1:PORT`, as the refresh names the test server's databases.
fn on(database: &str) -> String {
    format!("database \"{database}\" on 127.0.0.1:{}", pg::server().port)
}

/// Volatile: the run's duration (`in 1.23s` ending a line) becomes `in $SECS`.
fn elapsed(text: &str) -> String {
    let seconds = |t: &str| {
        let Some((whole, cents)) = t.strip_suffix('s').and_then(|t| t.split_once('.')) else { return false };
        !whole.is_empty() && cents.len() == 2 && whole.chars().chain(cents.chars()).all(|c| c.is_ascii_digit())
    };
    text.split_inclusive('\n')
        .map(|line| {
            let (body, end) = line.strip_suffix('\n').map_or((line, ""), |body| (body, "\n"));
            match body.rsplit_once(" in ") {
                Some((head, time)) if seconds(time) => format!("{head} in $SECS{end}"),
                _ => line.to_string(),
            }
        })
        .collect()
}

/// Volatile: the random suffix of a build database's name becomes `$BUILD`.
fn build_name(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find("\"mynatca_build_") {
        let name_end = rest[at + 1..].find('"').map_or(rest.len(), |end| at + 1 + end);
        out.push_str(&rest[..at + 1]);
        let name = &rest[at + 1..name_end];
        out.push_str(&name[..name.rfind('_').unwrap() + 1]);
        out.push_str("$BUILD");
        rest = &rest[name_end..];
    }
    out + rest
}

fn strings(client: &mut postgres::Client, sql: &str) -> Vec<String> {
    client.query(sql, &[]).unwrap().iter().map(|row| row.get(0)).collect()
}

fn count(client: &mut postgres::Client, sql: &str) -> i64 {
    client.query_one(sql, &[]).unwrap().get(0)
}

/// Waits (a minute at most) until the count `sql` asks the server for is above zero: a run
/// in the background reached the point `what` names.
fn wait_until(sql: &str, what: &str) {
    let mut admin = pg::server().client("postgres");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while count(&mut admin, sql) == 0 {
        assert!(std::time::Instant::now() < deadline, "never reached: {what}");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

fn table_exists(client: &mut postgres::Client, name: &str) -> bool {
    client.query_one("select to_regclass($1) is not null", &[&name]).unwrap().get(0)
}

/// A database made by the test itself, with a marker table a reset would remove.
fn database_with_marker(name: &str) -> postgres::Client {
    let mut admin = pg::server().client("postgres");
    admin.batch_execute(&format!("drop database if exists {name} with (force)")).unwrap();
    admin.batch_execute(&format!("create database {name}")).unwrap();
    let mut client = pg::server().client(name);
    client.batch_execute("create table marker (id int)").unwrap();
    client
}

#[test]
fn refreshes_every_schema_with_history_and_seeds_in_order() {
    let ws = three_schemas();
    // Pipes, not a terminal: no progress bar, and nothing on stderr.
    refresh(&ws, "full_refresh").stdout(first_refresh("full_refresh")).go();

    let mut client = pg::server().client("full_refresh");
    for table in ["public.members", "pay.shifts", "discord.links"] {
        assert!(table_exists(&mut client, table), "{table}");
    }
    let history = strings(
        &mut client,
        "select version || ' ' || name || ' ' || array_length(statements, 1) from supabase_migrations.schema_migrations order by version",
    );
    assert_eq!(
        history,
        vec![
            "00000000000001 baseline_public_schema 3",
            "00000000000002 baseline_pay_schema 1",
            "00000000000003 baseline_discord_schema 1",
            "20251215120001 pay_add_shifts 4",
            "20251215120002 discord_add_links 1",
        ]
    );
    let statements = strings(
        &mut client,
        "select unnest(statements) from supabase_migrations.schema_migrations where version = '00000000000001'",
    );
    // As the Supabase CLI records it: the comment before a statement belongs to it.
    assert_eq!(
        statements[0],
        "-- The platform's core.\ncreate table public.members (membernumber text primary key, name text not null)"
    );
    assert_eq!(
        strings(&mut client, "select seed from public.seed_log order by id"),
        vec!["platform", "pay", "discord"]
    );
    assert_eq!(count(&mut client, "select count(*) from pay.shifts"), 1);
}

#[test]
fn a_second_refresh_is_a_clean_reset_not_a_double_seed() {
    let ws = three_schemas();
    refresh(&ws, "second_refresh").stdout(first_refresh("second_refresh")).go();
    // Changes made by hand, and a session still open on the database.
    let mut open = pg::server().client("second_refresh");
    open.batch_execute("create table public.by_hand (id int); insert into public.members values ('2002', 'Ben')")
        .unwrap();

    // Through the Unix socket this time: a socket is local too.
    let socket = pg::server().socket_url("second_refresh");
    let socket_dir = pg::server().socket_dir.display().to_string();
    ws.run("platform", ["refresh", "--db-url", &socket])
        .filter(elapsed)
        .subst(socket_dir, "$SOCKET_DIR")
        .stdout(
            "linked: 0 created, 0 updated, 0 removed, 6 unchanged\n\
             resetting database \"second_refresh\" on $SOCKET_DIR:$PORT\n\
             seeding supabase/seed.sql (platform)\n\
             seeding supabase/seed.sql (pay)\n\
             seeding supabase/seed.sql (discord)\n\
             refreshed: 5 migrations (5 from the cache), 3 seed files in $SECS\n"
                .replace("$PORT", &pg::server().port.to_string()),
        )
        .go();

    let mut client = pg::server().client("second_refresh");
    assert_eq!(count(&mut client, "select count(*) from public.members"), 1, "seeded once, by-hand row gone");
    assert_eq!(count(&mut client, "select count(*) from public.seed_log"), 3);
    assert_eq!(count(&mut client, "select count(*) from supabase_migrations.schema_migrations"), 5);
    assert!(!table_exists(&mut client, "public.by_hand"));
    assert!(open.batch_execute("select 1").is_err(), "the open session was ended by the reset");
}

#[test]
fn a_failing_migration_names_file_project_line_and_cause_and_leaves_the_database_as_it_was() {
    let ws = three_schemas();
    refresh(&ws, "failing_migration").stdout(first_refresh("failing_migration")).go();
    ws.migration(
        "pay",
        "20251215120003_pay_add_broken.sql",
        "-- Adds a table, fills it, then reads a table that does not exist.\n\
         create table pay.broken (id int);\n\
         \n\
         insert into pay.broken values (1);\n\
         select *\n  from pay.missing_table;\n",
    )
    .migration("discord", "20251215120004_discord_add_later.sql", "create table discord.later (id int);\n");

    let failed = |kept: &str| {
        format!(
            "error: migration supabase/migrations/20251215120003_pay_add_broken.sql:6 (project pay) failed: \
             relation \"pay.missing_table\" does not exist; nothing after it ran and \
             {} was left as it was{kept}: fix it and run `mynatca refresh` again\n",
            on("failing_migration")
        )
    };
    let applying = |linked: &str| {
        format!(
            "linked: {linked}\n\
             resetting {}\n\
             applying 20251215120003_pay_add_broken.sql (pay)\n",
            on("failing_migration")
        )
    };
    // The build's name ends in the binary's pid.
    let done = refresh(&ws, "failing_migration")
        .arg("--keep-failed")
        .filter(build_name)
        .status(1)
        .stdout(applying("2 created, 0 updated, 0 removed, 6 unchanged"))
        .stderr(failed(" (the build is kept as database \"mynatca_build_failing_migration_$BUILD\")"))
        .go();
    let kept = done.stderr.split('"').find(|part| part.starts_with("mynatca_build_")).unwrap().to_string();

    let mut target = pg::server().client("failing_migration");
    assert_eq!(count(&mut target, "select count(*) from public.seed_log"), 3, "the previous database, seeds and all");
    assert!(!table_exists(&mut target, "pay.broken"));
    let mut client = pg::server().client(&kept);
    assert!(table_exists(&mut client, "pay.shifts"), "files before it are applied");
    assert!(!table_exists(&mut client, "pay.broken"), "the whole failing file is rolled back");
    assert!(!table_exists(&mut client, "discord.later"), "nothing after it runs");
    let versions = strings(&mut client, "select version from supabase_migrations.schema_migrations order by version");
    assert_eq!(versions.last().unwrap(), "20251215120002");
    assert_eq!(count(&mut client, "select count(*) from public.seed_log"), 0, "no seeds after a failure");
    drop(client);
    pg::server().client("postgres").batch_execute(&format!("drop database \"{kept}\"")).unwrap();

    // Without --keep-failed the build is dropped.
    refresh(&ws, "failing_migration")
        .status(1)
        .stdout(applying("0 created, 0 updated, 0 removed, 8 unchanged"))
        .stderr(failed(""))
        .go();
    assert_eq!(builds("failing_migration"), Vec::<String>::new());
}

/// The build databases of a target left on the server.
fn builds(target: &str) -> Vec<String> {
    strings(
        &mut pg::server().client("postgres"),
        &format!(
            "select datname::text from pg_database where datname like 'mynatca\\_build\\_{target}\\_%' order by 1"
        ),
    )
}

#[test]
fn a_failing_seed_names_its_own_repo_file() {
    let ws = three_schemas();
    ws.write("discord/supabase/seed.sql", "insert into discord.links values (7, 'no-such-member');\n");

    // Every migration and seed up to the failing one is reported as it runs.
    let ran = first_refresh("failing_seed");
    refresh(&ws, "failing_seed")
        .status(1)
        .stdout(ran.strip_suffix("refreshed: 5 migrations, 3 seed files in $SECS\n").unwrap())
        .stderr(format!(
            "error: seed supabase/seed.sql:1 (project discord) failed: insert or update on table \"links\" \
             violates foreign key constraint \"links_membernumber_fkey\" (detail: Key (membernumber)=(no-such-member) \
             is not present in table \"members\".); nothing after it ran and {} \
             was left as it was: fix it and run `mynatca refresh` again\n",
            on("failing_seed")
        ))
        .go();
    let exists = |name: &str| {
        count(
            &mut pg::server().client("postgres"),
            &format!("select count(*) from pg_database where datname = '{name}'"),
        )
    };
    assert_eq!(exists("failing_seed"), 0, "never created: a failed refresh changes nothing");
    assert_eq!(builds("failing_seed"), Vec::<String>::new());
}

#[test]
fn duplicate_versions_are_refused_before_the_database_is_touched() {
    let ws = three_schemas();
    ws.migration("pay", "20251215120002_pay_add_rates.sql", "create table pay.rates (id int);\n");
    let mut client = database_with_marker("duplicates_refused");

    let refused = "error: duplicate version 20251215120002: 20251215120002_discord_add_links.sql (discord), \
        20251215120002_pay_add_rates.sql (pay); `supabase db reset` would fail on schema_migrations_pkey: \
        give all but one a new version (`mynatca new` picks a free one)\n\
        error: refresh refused: the links have the problems above, so the database was not touched; \
        fix them and run `mynatca refresh` again\n";
    let linked = "linked: 7 created, 0 updated, 0 removed, 0 unchanged\n";
    refresh(&ws, "duplicates_refused").status(1).stdout(linked).stderr(refused).go();
    assert!(table_exists(&mut client, "marker"), "the database was neither dropped nor changed");
    assert!(!table_exists(&mut client, "pay.rates"));

    // The Supabase engine is not called either.
    let standin = Standin::new(&ws, 0);
    standin
        .run(&ws, "platform", &[])
        .status(1)
        .stdout("linked: 0 created, 0 updated, 0 removed, 7 unchanged\n")
        .stderr(refused)
        .go();
    assert!(!standin.record.exists(), "supabase was run");
}

#[test]
fn a_remote_host_is_refused_without_a_connection_attempt() {
    let ws = three_schemas();
    // 0.0.0.0 reaches this machine but is not a loopback address: refused by the rule.
    let listener = TcpListener::bind("0.0.0.0:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let url = format!("postgres://postgres@0.0.0.0:{port}/remote_refused");

    ws.run("platform", ["refresh", "--db-url", &url])
        .status(2)
        .stderr(format!(
            "error: refusing to reset database \"remote_refused\" on 0.0.0.0:{port}: 0.0.0.0 is not localhost, \
             127.0.0.0/8, ::1 or a Unix socket; a reset drops the database, pass --allow-remote if you really mean it\n"
        ))
        .go();
    listener.set_nonblocking(true).unwrap();
    assert_eq!(listener.accept().unwrap_err().kind(), std::io::ErrorKind::WouldBlock, "a connection was attempted");
    assert!(ws.links().is_empty(), "refused before anything changed");

    // With --allow-remote it does connect (and fails: the listener is no server).
    listener.set_nonblocking(false).unwrap();
    let accepted = std::thread::spawn(move || listener.accept().map(drop).is_ok());
    // Volatile: how the client sees the listener hang up ("connection closed", or an error
    // communicating: a reset) depends on whether its startup message went out before the close.
    let cause = |text: &str| match text.split_once("is the URL right?: ") {
        Some((head, _)) => format!("{head}is the URL right?: $CAUSE\n"),
        None => text.to_string(),
    };
    ws.run("platform", ["refresh", "--allow-remote", "--db-url", &url])
        .filter(cause)
        .status(1)
        .stdout(LINKED)
        .stderr(format!(
            "error: cannot connect to the server of database \"remote_refused\" on 0.0.0.0:{port} \
             (through database postgres or template1); is it running, and is the URL right?: $CAUSE\n"
        ))
        .go();
    assert!(accepted.join().unwrap());
}

#[test]
fn the_summary_counts_one_migration_and_one_seed_file_in_the_singular() {
    let ws = Ws::new();
    ws.migration("platform", "20251215120000_add_members.sql", "create table public.members (id int);\n")
        .write("platform/supabase/seed.sql", "insert into public.members values (1);\n");
    refresh(&ws, "singular")
        .stdout(format!(
            "linked: 0 created, 0 updated, 0 removed, 0 unchanged\n\
             resetting {}\n\
             applying 20251215120000_add_members.sql (platform)\n\
             seeding supabase/seed.sql (platform)\n\
             refreshed: 1 migration, 1 seed file in $SECS\n",
            on("singular")
        ))
        .go();
}

#[test]
fn no_seed_and_disabled_seeding_apply_migrations_only() {
    let ws = three_schemas();
    // The URL from the environment chooses the built-in engine too.
    ws.run("platform", ["refresh", "--no-seed"])
        .env("MYNATCA_DB_URL", pg::server().url("no_seed"))
        .filter(elapsed)
        .stdout(format!(
            "linked: 6 created, 0 updated, 0 removed, 0 unchanged\n\
             seeding skipped (--no-seed)\n\
             resetting {}\n{APPLYING_FIVE}\
             refreshed: 5 migrations, 0 seed files in $SECS\n",
            on("no_seed")
        ))
        .go();
    let mut client = pg::server().client("no_seed");
    assert!(table_exists(&mut client, "discord.links"));
    assert_eq!(count(&mut client, "select count(*) from public.members"), 0);

    ws.write("platform/supabase/config.toml", &CONFIG_WITH_SEEDS.replace("enabled = true", "enabled = false"));
    refresh(&ws, "no_seed")
        .stdout(format!(
            "linked: 0 created, 0 updated, 0 removed, 6 unchanged\n\
             seeding disabled ([db.seed] enabled = false in $WS/platform/supabase/config.toml)\n\
             resetting {}\n\
             refreshed: 5 migrations (5 from the cache), 0 seed files in $SECS\n",
            on("no_seed")
        ))
        .go();
    let mut client = pg::server().client("no_seed");
    assert_eq!(count(&mut client, "select count(*) from public.seed_log"), 0);
}

#[test]
fn the_base_gives_supabase_roles_that_grants_work_for() {
    let ws = three_schemas();
    ws.migration(
        "platform",
        "20251215120005_use_the_base.sql",
        "create function extensions.shout(t text) returns text language sql as $$ select upper(t) $$;\n\
         -- Unqualified: resolves through Supabase's search path.\n\
         create view public.loud_members as select shout(name) as name from public.members;\n\
         grant select on public.loud_members to anon;\n",
    );
    refresh(&ws, "supabase_roles")
        .stdout(format!(
            "linked: 6 created, 0 updated, 0 removed, 0 unchanged\n\
             resetting {}\n{APPLYING_FIVE}\
             applying 20251215120005_use_the_base.sql (platform)\n{SEEDING_THREE}\
             refreshed: 6 migrations, 3 seed files in $SECS\n",
            on("supabase_roles")
        ))
        .go();

    let mut client = pg::server().client("supabase_roles");
    let roles = strings(
        &mut client,
        "select rolname || ' ' || rolcanlogin from pg_roles where rolname in ('anon', 'authenticated', 'service_role') order by 1",
    );
    assert_eq!(roles, vec!["anon false", "authenticated false", "service_role false"]);

    let mut as_role = |role: &str, sql: &str| -> Result<i64, String> {
        let mut tx = client.transaction().unwrap();
        tx.batch_execute(&format!("set local role {role}")).unwrap();
        tx.query_one(sql, &[]).map(|row| row.get(0)).map_err(|e| e.as_db_error().unwrap().message().to_string())
    };
    assert_eq!(as_role("anon", "select count(*) from public.members"), Ok(1));
    assert_eq!(as_role("anon", "select count(*) from public.loud_members where name = 'ANN'"), Ok(1));
    assert_eq!(as_role("anon", "select count(*) from pay.shifts"), Err("permission denied for schema pay".into()));
    assert_eq!(as_role("authenticated", "select count(*) from pay.shifts"), Ok(1));
    assert_eq!(
        as_role("authenticated", "select count(*) from discord.links"),
        Err("permission denied for schema discord".into())
    );
    assert_eq!(as_role("service_role", "select count(*) from pay.shifts"), Ok(1));
}

#[test]
fn the_bundled_sample_workspace_refreshes_cleanly() {
    let ws = Ws::empty();
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/workspace");
    // Regular files only: links made by `scripts/example.sh` are not part of the sample.
    for entry in walkdir::WalkDir::new(&sample).into_iter().map(Result::unwrap) {
        if entry.file_type().is_file() {
            let to = ws.root.join(entry.path().strip_prefix(&sample).unwrap());
            std::fs::create_dir_all(to.parent().unwrap()).unwrap();
            std::fs::copy(entry.path(), to).unwrap();
        }
    }
    refresh(&ws, "sample_workspace")
        .stdout(format!(
            "linked: 6 created, 0 updated, 0 removed, 0 unchanged\n\
             resetting {}\n\
             applying 00000000000001_baseline_platform_schema.sql (platform)\n\
             applying 00000000000002_baseline_pay_schema.sql (pay)\n\
             applying 00000000000003_baseline_discord_schema.sql (discord)\n\
             applying 20251215120000_add_facility_ratings_table.sql (platform)\n\
             applying 20251215130000_pay_add_leave_tracking.sql (pay)\n\
             applying 20251215140000_discord_add_verification_logs.sql (discord)\n{SEEDING_THREE}\
             refreshed: 6 migrations, 3 seed files in $SECS\n",
            on("sample_workspace")
        ))
        .go();
    let mut client = pg::server().client("sample_workspace");
    assert_eq!(count(&mut client, "select count(*) from public.members"), 2);
    assert_eq!(count(&mut client, "select count(*) from pay.member_hours"), 2);
    assert_eq!(count(&mut client, "select count(*) from discord.verification_logs"), 1);
}

#[test]
fn each_file_starts_from_the_database_settings_as_the_supabase_cli_resets_the_session() {
    // A `supabase db dump` baseline empties the search path for the rest of its session.
    let ws = Ws::new();
    ws.migration(
        "platform",
        "20240101000000_remote_schema.sql",
        "SET statement_timeout = 0;\nSELECT pg_catalog.set_config('search_path', '', false);\n\
         CREATE TYPE public.app_role AS ENUM ('admin', 'member');\n",
    )
    .migration(
        "platform",
        "20240102000000_roles.sql",
        "create table user_roles (role app_role);\n\
         create table commits as select current_setting('synchronous_commit') as setting;\n",
    )
    .write("platform/supabase/seed.sql", "insert into user_roles values ('admin');\n");
    refresh(&ws, "reset_all")
        .stdout(format!(
            "linked: 0 created, 0 updated, 0 removed, 0 unchanged\n\
             resetting {}\n\
             applying 20240101000000_remote_schema.sql (platform)\n\
             applying 20240102000000_roles.sql (platform)\n\
             seeding supabase/seed.sql (platform)\n\
             refreshed: 2 migrations, 1 seed file in $SECS\n",
            on("reset_all")
        ))
        .go();
    let mut client = pg::server().client("reset_all");
    assert_eq!(count(&mut client, "select count(*) from public.user_roles"), 1);
    // The reset does not undo the build's one relaxed setting: commits need not wait for the disk.
    assert_eq!(strings(&mut client, "select setting from public.commits"), vec!["off"]);
}

#[test]
fn refresh_json_without_seeds_prints_the_document_alone() {
    let ws = three_schemas();
    let out = ws
        .mynatca_std("platform")
        .args(["refresh", "--json", "--no-seed", "--no-detach", "--db-url", &pg::server().url("json_alone")])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stdout is one JSON document");
    assert_eq!(doc["ok"], true);
    assert_eq!(String::from_utf8(out.stderr).unwrap(), "");
}
