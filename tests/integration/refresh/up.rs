//! The database's side: `status --db`, `up` and `repair` on the database in place, in a
//! three-repo workspace with real branch switches, checked against the real Supabase CLI.

use super::oracle::supabase_cli;
use super::{first_refresh, on, pg, refresh, strings, three_schemas, LINKED};
use crate::support::Ws;

/// `mynatca ARGS --db-url URL` of `database`, from the platform.
fn with_db<'a>(ws: &'a Ws, database: &str, args: &[&str]) -> crate::support::Test<'a> {
    ws.run("platform", args.iter().copied()).args(["--db-url", &pg::server().url(database)])
}

/// The `status --db` lines after the repo rows, for `rows` of (version, project, file, state).
fn db_rows(rows: &[(&str, &str, &str, &str)]) -> String {
    let width = rows.iter().map(|r| r.2.len()).max().unwrap_or(4).max(4);
    let project = rows.iter().map(|r| r.1.len()).max().unwrap_or(7).max(7);
    let mut out = format!("\n{:<16}{:<w$}  {:<f$}  STATE\n", "VERSION", "PROJECT", "FILE", w = project, f = width);
    for (version, proj, file, state) in rows {
        out.push_str(&format!("{version:<16}{proj:<project$}  {file:<width$}  {state}\n"));
    }
    out
}

/// The five migrations of [`three_schemas`], applied.
fn five() -> Vec<(&'static str, &'static str, &'static str, &'static str)> {
    vec![
        ("00000000000001", "platform", "supabase/migrations/00000000000001_baseline_public_schema.sql", "applied"),
        ("00000000000002", "pay", "supabase/migrations/00000000000002_baseline_pay_schema.sql", "applied"),
        ("00000000000003", "discord", "supabase/migrations/00000000000003_baseline_discord_schema.sql", "applied"),
        ("20251215120001", "pay", "supabase/migrations/20251215120001_pay_add_shifts.sql", "applied"),
        ("20251215120002", "discord", "supabase/migrations/20251215120002_discord_add_links.sql", "applied"),
    ]
}

/// Only the migration rows and summary: the repo rows depend on the branches, and the
/// list of mynatca's databases on the other tests sharing the server.
fn after_repos(text: &str) -> String {
    let rest = text.split_once("\n\n").map_or(String::new(), |(_, rest)| format!("\n{rest}"));
    rest.split_once("\nmynatca's databases").map_or(rest.clone(), |(head, _)| format!("{}\n", head.trim_end()))
}

#[test]
fn status_db_names_each_state_across_branch_switches() {
    let ws = three_schemas();
    let database = "db_states";
    refresh(&ws, database).arg("--no-detach").stdout(first_refresh(database)).go();
    // `status --db`: its exit, the migration rows, then the summary line.
    let status = |code: i32, rows: &[(&str, &str, &str, &str)], applied: usize, rest: &str| {
        with_db(&ws, database, &["status", "--db"])
            .status(code)
            .filter(after_repos)
            .stdout(format!("{}{}: {applied} applied, {rest}\n", db_rows(rows), on(database)))
            .go();
    };
    status(0, &five(), 5, "0 pending, 0 applied but missing here, 0 edited since applied");

    // A teammate's branch of pay with a new migration: pending, then applied by `up`.
    ws.git("pay", &["switch", "-q", "-c", "feature/x"]);
    ws.migration("pay", "20251215120003_pay_add_rates.sql", "create table pay.rates (id int);\n");
    ws.commit_all("pay", "rates");
    ws.run("platform", ["link"]).stdout("linked: 1 created, 0 updated, 0 removed, 6 unchanged\n").go();
    let rates = ("20251215120003", "pay", "supabase/migrations/20251215120003_pay_add_rates.sql", "pending");
    let mut rows = five();
    rows.push(rates);
    status(1, &rows, 5, "1 pending, 0 applied but missing here, 0 edited since applied");
    with_db(&ws, database, &["up"])
        .stdout(format!(
            "linked: 0 created, 0 updated, 0 removed, 7 unchanged\napplying 20251215120003_pay_add_rates.sql (pay)\n\
             up: 1 migration applied to {}\n",
            on(database)
        ))
        .go();

    // Back on main: the database holds what no work tree has, and says where it is.
    ws.git("pay", &["switch", "-q", "main"]);
    ws.run("platform", ["link"]).stdout("linked: 0 created, 0 updated, 1 removed, 6 unchanged\n").go();
    let mut rows = five();
    rows.push(("20251215120003", "-", "-", "applied, missing here (on pay's feature/x, not on its current main)"));
    status(1, &rows, 5, "0 pending, 1 applied but missing here, 0 edited since applied");

    // Edited since applied (a comment only, then code), and an older version pulled in.
    ws.write(
        "pay/supabase/migrations/20251215120001_pay_add_shifts.sql",
        &format!("-- reviewed\n{}", ws.read("pay/supabase/migrations/20251215120001_pay_add_shifts.sql")),
    );
    ws.write(
        "discord/supabase/migrations/20251215120002_discord_add_links.sql",
        "create table discord.links (id int);\n",
    );
    ws.migration("pay", "20251215110000_pay_early.sql", "create table pay.early (id int);\n");
    ws.run("platform", ["link"]).stdout("linked: 1 created, 0 updated, 0 removed, 6 unchanged\n").go();
    let mut rows = five();
    rows.insert(
        3,
        ("20251215110000", "pay", "supabase/migrations/20251215110000_pay_early.sql", "pending, out of order"),
    );
    rows[4].3 = "edited since applied (comments or white space only)";
    rows[5].3 = "edited since applied";
    rows.push(("20251215120003", "-", "-", "applied, missing here (on pay's feature/x, not on its current main)"));
    status(1, &rows, 3, "1 pending (1 out of order), 1 applied but missing here, 2 edited since applied");
    // `up` refuses every unsafe case at once, applying nothing.
    let before = strings(
        &mut pg::server().client(database),
        "select version from supabase_migrations.schema_migrations order by 1",
    );
    with_db(&ws, database, &["up"])
        .status(1)
        .stdout("linked: 0 created, 0 updated, 0 removed, 7 unchanged\n")
        .stderr(
            "error: nothing was applied:\n  \
             supabase/migrations/20251215110000_pay_early.sql (pay): pending, out of order (older than the newest applied): pass --include-all to apply it anyway\n  \
             supabase/migrations/20251215120001_pay_add_shifts.sql (pay): edited since applied: `mynatca refresh` rebuilds with it, or restore the applied text\n  \
             supabase/migrations/20251215120002_discord_add_links.sql (discord): edited since applied: `mynatca refresh` rebuilds with it, or restore the applied text\n  \
             version 20251215120003: applied, missing here: `git switch` back to the branch that has it, or `mynatca refresh` to rebuild, or `mynatca repair 20251215120003 --status reverted`\n",
        )
        .go();
    let after = strings(
        &mut pg::server().client(database),
        "select version from supabase_migrations.schema_migrations order by 1",
    );
    assert_eq!(before, after, "nothing applied");
}

#[test]
fn up_leaves_what_refresh_leaves_and_the_cli_agrees() {
    let ws = three_schemas();
    let (by_up, by_refresh) = ("db_by_up", "db_by_refresh");
    refresh(&ws, by_up).arg("--no-detach").stdout(first_refresh(by_up)).go();
    ws.migration(
        "pay",
        "20251215120003_pay_add_rates.sql",
        "begin;\ncreate table pay.rates (id int);\ncommit;\ncreate index concurrently rates_id on pay.rates (id);\n",
    );
    ws.migration("discord", "20251215120004_discord_add_roles.sql", "-- roles\ncreate table discord.roles (id int);\n");
    with_db(&ws, by_up, &["up", "--dry-run"])
        .stdout(format!(
            "linked: 2 created, 0 updated, 0 removed, 6 unchanged\nwould apply 2 migrations to {}:\n  \
             20251215120003_pay_add_rates.sql (pay)\n  20251215120004_discord_add_roles.sql (discord)\n",
            on(by_up)
        ))
        .go();
    with_db(&ws, by_up, &["up"])
        .stdout(format!(
            "linked: 0 created, 0 updated, 0 removed, 8 unchanged\napplying 20251215120003_pay_add_rates.sql (pay)\n\
             applying 20251215120004_discord_add_roles.sql (discord)\nup: 2 migrations applied to {}\n",
            on(by_up)
        ))
        .go();
    refresh(&ws, by_refresh)
        .args(["--no-detach", "--no-seed"])
        .stdout(format!(
            "linked: 0 created, 0 updated, 0 removed, 8 unchanged\nseeding skipped (--no-seed)\nresetting {}\n{}\
             applying 20251215120003_pay_add_rates.sql (pay)\napplying 20251215120004_discord_add_roles.sql (discord)\n\
             refreshed: 7 migrations, 0 seed files in $SECS\n",
            on(by_refresh),
            super::APPLYING_FIVE
        ))
        .go();
    let history = "select version || ' ' || name || ' ' || array_to_json(statements)::text from supabase_migrations.schema_migrations order by 1";
    assert_eq!(
        strings(&mut pg::server().client(by_up), history),
        strings(&mut pg::server().client(by_refresh), history)
    );
    let tables = "select relname::text || ' ' || relkind::text from pg_class where relnamespace in ('pay'::regnamespace, 'discord'::regnamespace) order by 1";
    assert_eq!(strings(&mut pg::server().client(by_up), tables), strings(&mut pg::server().client(by_refresh), tables));
    // The real CLI: every version on both sides, nothing to do.
    let url = pg::server().url(by_up);
    let mut cli = ws.command(&supabase_cli(), "platform");
    let out = cli.args(["migration", "up", "--db-url", &url, "--yes"]).output().unwrap();
    let said = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success() && said.contains("Remote database is up to date."), "{said}");
}

#[test]
fn repair_marks_versions_as_the_cli_does() {
    let ws = three_schemas();
    let database = "db_repair";
    refresh(&ws, database).arg("--no-detach").stdout(first_refresh(database)).go();
    ws.migration(
        "pay",
        "20251215120003_pay_add_rates.sql",
        "-- made in staging by hand\ncreate table pay.rates (id int);\n",
    );
    ws.run("platform", ["link"]).stdout("linked: 1 created, 0 updated, 0 removed, 6 unchanged\n").go();
    with_db(&ws, database, &["repair", "20251215120003", "--status", "applied"])
        .stdout("20251215120003 (pay): marked applied\n")
        .go();
    with_db(&ws, database, &["repair", "20251215120003", "--status", "applied"])
        .stdout("20251215120003 (pay): already applied, unchanged\n")
        .go();
    let row = "select name || ' ' || array_to_json(statements)::text from supabase_migrations.schema_migrations where version = '20251215120003'";
    let ours = strings(&mut pg::server().client(database), row);
    // The CLI's own repair writes the same row.
    pg::server()
        .client(database)
        .batch_execute("delete from supabase_migrations.schema_migrations where version = '20251215120003'")
        .unwrap();
    let url = pg::server().url(database);
    let out = ws
        .command(&supabase_cli(), "platform")
        .args(["migration", "repair", "20251215120003", "--status", "applied", "--db-url", &url, "--yes"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(ours, strings(&mut pg::server().client(database), row));
    with_db(&ws, database, &["repair", "20251215120003", "--status", "reverted"])
        .stdout("20251215120003 (pay): marked reverted\n")
        .go();
    assert!(strings(&mut pg::server().client(database), row).is_empty());
    with_db(&ws, database, &["repair", "20991231000000", "--status", "applied"])
        .status(2)
        .stderr("error: no migration of the workspace has version 20991231000000, so there is nothing to record as applied; check the version (`mynatca status --db` lists them)\n")
        .go();
}

#[test]
fn the_database_url_comes_from_the_flag_the_environment_dotenv_then_config_toml() {
    let ws = three_schemas();
    for (n, database) in ["url_flag", "url_env", "url_dotenv"].into_iter().enumerate() {
        let linked = if n == 0 { LINKED } else { "linked: 0 created, 0 updated, 0 removed, 6 unchanged\n" };
        refresh(&ws, database).arg("--no-detach").stdout(first_refresh(database).replace(LINKED, linked)).go();
        pg::server()
            .client(database)
            .batch_execute(&format!(
                "create table public.which (name text); insert into public.which values ('{database}')"
            ))
            .unwrap();
    }
    let which = |args: &[&str], env: Option<&str>| {
        let mut cmd = ws.mynatca_std("platform");
        cmd.args(["status", "--db", "--json"]).args(args);
        match env {
            Some(url) => cmd.env("MYNATCA_DB_URL", url),
            None => cmd.env_remove("MYNATCA_DB_URL"),
        };
        let out = cmd.output().unwrap();
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let target = doc["database"]["target"].as_str().map(str::to_string);
        target.unwrap_or_else(|| panic!("{doc} {}", String::from_utf8_lossy(&out.stderr)))
    };
    let url = |database: &str| pg::server().url(database);
    ws.write("platform/.env", &format!("MYNATCA_DB_URL={}\n", url("url_dotenv")));
    assert_eq!(which(&["--db-url", &url("url_flag")], Some(&url("url_env"))), on("url_flag"));
    assert_eq!(which(&[], Some(&url("url_env"))), on("url_env"));
    assert_eq!(which(&[], None), on("url_dotenv"));
    // -v says which rule gave the URL (never the URL itself: it may hold a password).
    let out = ws
        .mynatca_std("platform")
        .args(["-v", "status", "--db", "--json"])
        .env_remove("MYNATCA_DB_URL")
        .output()
        .unwrap();
    let said = String::from_utf8(out.stderr).unwrap();
    assert!(said.contains("the database URL source=MYNATCA_DB_URL in ") && !said.contains("url_dotenv"), "{said}");
    // A .env git tracks: its password is everyone's, and the run says so.
    ws.git("platform", &["add", "-f", ".env"]);
    let out =
        ws.mynatca_std("platform").args(["status", "--db", "--json"]).env_remove("MYNATCA_DB_URL").output().unwrap();
    let platform = std::fs::canonicalize(ws.path("platform")).unwrap();
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        format!(
            "warning: {}/.env is tracked by git, so the database URL in it (and its password) is everyone's; \
             add .env to .gitignore and `git rm --cached .env`\n",
            platform.display()
        )
    );
    ws.git("platform", &["rm", "-q", "--cached", ".env"]);
    // config.toml's local stack: its port, user and database postgres.
    std::fs::remove_file(ws.path("platform/.env")).unwrap();
    let config = format!("[db]\nport = {}\n\n{}", pg::server().port, ws.read("platform/supabase/config.toml"));
    ws.write("platform/supabase/config.toml", &config);
    assert_eq!(which(&[], None), on("postgres"));
    // No server there: the user's to fix, exit 2, saying so.
    let out = ws
        .mynatca_std("platform")
        .args(["status", "--db", "--db-url", "postgres://postgres@127.0.0.1:1/nowhere"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let said = String::from_utf8(out.stderr).unwrap();
    assert!(said.starts_with("error: no server is running for database \"nowhere\" on 127.0.0.1:1"), "{said}");
}

#[test]
fn status_db_lists_mynatcas_databases_and_drop_caches_removes_a_targets() {
    let ws = three_schemas();
    for database in ["owned_a", "owned_b"] {
        let linked =
            if database == "owned_a" { LINKED } else { "linked: 0 created, 0 updated, 0 removed, 6 unchanged\n" };
        refresh(&ws, database).arg("--no-detach").stdout(first_refresh(database).replace(LINKED, linked)).go();
    }
    let kinds = |target: &str| {
        let out = ws
            .mynatca_std("platform")
            .args(["status", "--db", "--json", "--db-url", &pg::server().url(target)])
            .output()
            .unwrap();
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let mut kinds: Vec<String> = doc["database"]["mynatca_databases"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|db| db["target"] == target && db["bytes"].as_i64().unwrap() > 0)
            .map(|db| db["kind"].as_str().unwrap().to_string())
            .collect();
        kinds.sort();
        kinds
    };
    assert_eq!(kinds("owned_a"), ["cache", "spare", "spare"]);
    assert_eq!(kinds("owned_b"), ["cache", "spare", "spare"]);
    let cache = strings(
        &mut pg::server().client("postgres"),
        "select datname::text from pg_database where datname like 'mynatca\\_cache\\_owned\\_a\\_%'",
    );
    let spares = strings(
        &mut pg::server().client("postgres"),
        "select datname::text from pg_database where datname like 'mynatca\\_spare\\_owned\\_a\\_%' order by 1",
    );
    ws.run("platform", ["refresh", "--drop-caches", "--db-url", &pg::server().url("owned_a")])
        .stdout(format!(
            "dropped {}\ndropped {}\ndropped {}\ndropped 3 databases of {}\n",
            cache[0],
            spares[0],
            spares[1],
            on("owned_a")
        ))
        .go();
    assert_eq!(kinds("owned_a"), Vec::<String>::new());
    assert_eq!(kinds("owned_b"), ["cache", "spare", "spare"], "another target's stay");
}

#[test]
fn the_hook_says_in_one_line_when_the_database_no_longer_matches() {
    let ws = three_schemas();
    let database = "hook_hint";
    refresh(&ws, database).arg("--no-detach").stdout(first_refresh(database)).go();
    ws.run("pay", ["setup-hooks"])
        .stdout("hooks in $WS/pay/.git/hooks\ninstalled post-checkout\ninstalled post-merge\ninstalled post-rewrite\ninstalled pre-commit\nrecorded mynatca.platform = $WS/platform in the repo's git config\n")
        .go();
    ws.write("platform/.env", &format!("MYNATCA_DB_URL={}\n", pg::server().url(database)));
    ws.git("pay", &["switch", "-q", "-c", "feature/rates"]);
    ws.migration("pay", "20251215120003_pay_add_rates.sql", "create table pay.rates (id int);\n");
    ws.commit_all("pay", "rates");
    let (to_main, to_branch) = (
        "Switched to branch 'main'\nlinked: 0 created, 0 updated, 1 removed, 6 unchanged\n",
        "Switched to branch 'feature/rates'\nlinked: 1 created, 0 updated, 0 removed, 6 unchanged\n",
    );
    // Back on main: the database matches again; on the branch, one migration is pending.
    // The branch's file was never linked: nothing to unlink the first time.
    ws.run_git("pay", &["switch", "main"]).env("MYNATCA_DB_HINT", "1").stderr("Switched to branch 'main'\n").go();
    ws.run_git("pay", &["switch", "feature/rates"])
        .env("MYNATCA_DB_HINT", "1")
        .stderr(format!("{to_branch}{}: 1 migration pending: mynatca up\n", on(database)))
        .go();
    // Off on request, and silent when the database does not answer.
    ws.run_git("pay", &["switch", "main"]).env("MYNATCA_DB_HINT", "1").stderr(to_main).go();
    ws.run_git("pay", &["switch", "feature/rates"]).stderr(to_branch).go();
    ws.write("platform/.env", "MYNATCA_DB_URL=postgres://postgres@127.0.0.1:1/nowhere\n");
    ws.run_git("pay", &["switch", "main"]).env("MYNATCA_DB_HINT", "1").stderr(to_main).go();
}

#[test]
fn up_waits_for_a_refresh_of_the_same_database_and_ctrl_c_stops_it_between_files() {
    use crate::support::{finish, spawn, Killer, RUN_LIMIT};
    use std::process::Stdio;

    let ws = three_schemas();
    let database = "up_turns";
    refresh(&ws, database).arg("--no-detach").stdout(first_refresh(database)).go();
    ws.migration("pay", "20251215120003_pay_slow.sql", "create table pay.slow (id int);\nselect pg_sleep(600);\n");
    ws.migration("pay", "20251215120004_pay_after.sql", "create table pay.after (id int);\n");
    let url = pg::server().url(database);
    let mut admin = pg::server().client("postgres");
    let count = |admin: &mut postgres::Client, sql: &str| -> i64 { admin.query_one(sql, &[]).unwrap().get(0) };
    // A refresh holds the database's lock (paused in its roles phase): `up` waits for it.
    let mut paused = ws.mynatca_std("platform");
    paused.args(["refresh", "--db-url", &url]).env("MYNATCA_TEST_PAUSE_IN", "roles");
    let mut refreshing = Killer(Some(spawn(paused.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()))));
    super::wait_until(
        "select count(*) from pg_stat_activity where query like '%mynatca failpoint roles */'",
        "the paused refresh",
    );
    let mut up = ws.mynatca_std("platform");
    up.args(["up", "--db-url", &url]);
    let mut upping = Killer(Some(spawn(up.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()))));
    super::wait_until(
        "select count(*) from pg_locks where locktype = 'advisory' and not granted",
        "up waiting for the lock",
    );
    assert_eq!(
        count(
            &mut admin,
            "select count(*) from pg_stat_activity where datname = 'up_turns' and query like '%pg_sleep(600)%'"
        ),
        0,
        "up waits"
    );
    // SAFETY: signals the children this test spawned, by their ids.
    assert_eq!(unsafe { libc::kill(refreshing.child().id() as i32, libc::SIGINT) }, 0);
    let out = finish(refreshing.0.take().unwrap(), RUN_LIMIT);
    assert_eq!(out.status.code(), Some(130));
    // Then `up` runs; Ctrl-C during its slow file stops it, the file rolled back, nothing after it.
    super::wait_until(
        "select count(*) from pg_stat_activity where datname = 'up_turns' and query like '%pg_sleep(600)%'",
        "up's slow file",
    );
    assert_eq!(unsafe { libc::kill(upping.child().id() as i32, libc::SIGINT) }, 0);
    let out = finish(upping.0.take().unwrap(), RUN_LIMIT);
    assert_eq!(out.status.code(), Some(130), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        format!(
            "error: interrupted by SIGINT: {}: the file running was rolled back and nothing after it ran; 0 migrations this run applied before it stay\n",
            on(database)
        )
    );
    let history = strings(
        &mut pg::server().client(database),
        "select version from supabase_migrations.schema_migrations where version > '2025121512000' order by 1",
    );
    assert_eq!(history, ["20251215120001", "20251215120002"], "neither the slow file nor the one after it");
}
