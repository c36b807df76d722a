//! pg_cron: its `CREATE EXTENSION` works only in the database named by `cron.database_name`
//! (the test server's is [`pg::CRON_DATABASE`]), so a refresh of that database builds under
//! the target's own name, the previous one set aside until the build succeeds.

use super::{count, on, pg, refresh, strings, table_exists};
use crate::support::Ws;

/// As Supabase projects schedule jobs: the extension in pg_catalog, then a job.
fn schedules_a_job() -> Ws {
    let ws = Ws::new();
    ws.migration(
        "platform",
        "20240101000000_cron.sql",
        "create extension if not exists \"pg_cron\" with schema \"pg_catalog\";\n\
         select cron.schedule('nightly-cleanup', '0 3 * * *', 'delete from public.items');\n",
    )
    .migration("platform", "20240102000000_items.sql", "create table public.items (id int);\n")
    .write("platform/supabase/seed.sql", "insert into public.items values (1);\n");
    ws.commit_all("platform", "cron");
    ws
}

/// The platform's own migrations: nothing to link.
const LINKED: &str = "linked: 0 created, 0 updated, 0 removed, 0 unchanged";

const APPLYING_TWO: &str = "applying 20240101000000_cron.sql (platform)\n\
    applying 20240102000000_items.sql (platform)\n";

fn refreshed(applying: &str, migrations: &str) -> String {
    format!(
        "{LINKED}\nresetting {}\n{applying}seeding supabase/seed.sql (platform)\n\
         refreshed: {migrations}, 1 seed file in $SECS\n",
        on(pg::CRON_DATABASE)
    )
}

fn leftovers() -> Vec<String> {
    strings(
        &mut pg::server().client("postgres"),
        &format!(
            "select datname::text from pg_database where datname like 'mynatca\\_build\\_{db}\\_%' \
             or datname like 'mynatca\\_prev\\_{db}\\_%' order by 1",
            db = pg::CRON_DATABASE
        ),
    )
}

#[test]
fn pg_cron_is_built_in_its_own_database_and_a_failure_puts_the_previous_one_back() {
    let ws = schedules_a_job();
    let jobs = "select count(*) from cron.job where jobname = 'nightly-cleanup'";
    // Then from the cache: a copy of a database under pg_cron's name, closed while copied.
    for (applying, migrations) in [(APPLYING_TWO, "2 migrations"), ("", "2 migrations (2 from the cache)")] {
        refresh(&ws, pg::CRON_DATABASE).arg("--no-detach").stdout(refreshed(applying, migrations)).go();
        let mut client = pg::server().client(pg::CRON_DATABASE);
        assert_eq!(count(&mut client, jobs), 1, "the job scheduled once, in a clean database");
        assert_eq!(leftovers(), Vec::<String>::new());
    }
    pg::server().client(pg::CRON_DATABASE).batch_execute("create table public.marker (id int)").unwrap();

    // Ctrl-C or a failing file: the build under the target's name is dropped and the
    // previous database renamed back, open to sessions again.
    ws.migration("platform", "20240103000000_typo.sql", "create table public.more (id int);\nselec 1;\n");
    refresh(&ws, pg::CRON_DATABASE)
        .status(1)
        .stdout(format!("{LINKED}\nresetting {}\napplying 20240103000000_typo.sql (platform)\n", on(pg::CRON_DATABASE)))
        .stderr(format!(
            "error: migration supabase/migrations/20240103000000_typo.sql:2 (project platform) failed: \
             syntax error at or near \"selec\"; nothing after it ran and {} \
             was left as it was: fix it and run `mynatca refresh` again\n",
            on(pg::CRON_DATABASE)
        ))
        .go();
    let mut client = pg::server().client(pg::CRON_DATABASE);
    assert!(table_exists(&mut client, "marker"), "the previous database is back");
    assert_eq!(count(&mut client, jobs), 1);
    assert_eq!(leftovers(), Vec::<String>::new());
}

#[test]
fn pg_cron_for_another_database_is_refused_before_anything_changes() {
    let ws = schedules_a_job();
    refresh(&ws, "cron_elsewhere")
        .status(2)
        .stdout(format!("{LINKED}\nresetting {}\n", on("cron_elsewhere")))
        .stderr(format!(
            "error: the server lacks extensions the migrations create, so nothing was changed:\n  \
             supabase/migrations/20240101000000_cron.sql:1 (platform): pg_cron created only in database \"{db}\" \
             (cron.database_name): refresh that database, or set cron.database_name to this one in postgresql.conf \
             and restart the server\n\
             install them, or pass --allow-missing-extensions to leave those statements out\n",
            db = pg::CRON_DATABASE
        ))
        .go();
}
