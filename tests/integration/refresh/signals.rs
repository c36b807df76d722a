//! Ctrl-C and SIGTERM during the apply: the previous database stays as it was, the
//! build is dropped (or kept with --keep-failed, and named).

use std::process::Stdio;
use std::time::{Duration, Instant};

use super::{count, database_with_marker, pg, table_exists, three_schemas};

/// Sessions on this target's build databases (tests run in parallel: another test's
/// refresh must not count).
fn build_sessions(database: &str, also: &str) -> String {
    format!("select count(*) from pg_stat_activity where datname like 'mynatca\\_build\\_{database}\\_%' {also}")
}

/// Waits (bounded) until this target's build runs the slow migration.
fn wait_for_sleeping_session(database: &str) {
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut admin = pg::server().client("postgres");
    while count(&mut admin, &build_sessions(database, "and query like '%pg_sleep(600)%'")) == 0 {
        assert!(Instant::now() < deadline, "the refresh never reached the slow migration");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn interrupt(signal: i32, keep_failed: bool, database: &str) {
    let ws = three_schemas();
    ws.migration("pay", "20251215120003_pay_slow.sql", "create table pay.slow (id int);\nselect pg_sleep(600);\n");
    let mut target = database_with_marker(database);
    let mut command = ws.mynatca_std("platform");
    command.args(["refresh", "--no-cache", "--db-url", &pg::server().url(database)]);
    if keep_failed {
        command.arg("--keep-failed");
    }
    let child = command.stdout(Stdio::null()).stderr(Stdio::piped()).spawn().unwrap();
    wait_for_sleeping_session(database);
    // SAFETY: signals the child this test spawned, by its id.
    assert_eq!(unsafe { libc::kill(child.id() as i32, signal) }, 0);
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();

    assert_eq!(out.status.code(), Some(128 + signal), "{err}");
    let name = if signal == libc::SIGINT { "SIGINT" } else { "SIGTERM" };
    let port = pg::server().port;
    let left = format!("error: interrupted by {name}: database \"{database}\" on 127.0.0.1:{port} was left as it was");
    assert!(err.starts_with(&left), "{err}");
    assert!(table_exists(&mut target, "marker"), "the previous database is untouched");
    let mut admin = pg::server().client("postgres");
    let builds = count(
        &mut admin,
        &format!("select count(*) from pg_database where datname like 'mynatca\\_build\\_{database}\\_%'"),
    );
    if keep_failed {
        assert!(err.contains("; the unfinished build is kept as database \"mynatca_build_"), "{err}");
        assert_eq!(builds, 1);
        let kept = err.split('"').find(|part| part.starts_with("mynatca_build_")).unwrap().to_string();
        admin.batch_execute(&format!("drop database \"{kept}\" with (force)")).unwrap();
    } else {
        assert_eq!(err, format!("{left} and the unfinished build was dropped\n"));
        assert_eq!(builds, 0);
    }
    assert_eq!(count(&mut admin, &build_sessions(database, "")), 0, "the statement was cancelled");
}

#[test]
fn sigint_during_the_apply_leaves_the_previous_database_and_drops_the_build() {
    for round in 0..3 {
        interrupt(libc::SIGINT, false, &format!("sigint_{round}"));
    }
}

#[test]
fn sigterm_with_keep_failed_keeps_and_names_the_build() {
    for round in 0..2 {
        interrupt(libc::SIGTERM, true, &format!("sigterm_{round}"));
    }
}
