//! Ctrl-C and SIGTERM during the apply: the previous database stays as it was, the
//! build is dropped (or kept with --keep-failed, and named).

use std::process::Stdio;
use std::time::{Duration, Instant};

use super::{count, database_with_marker, on, pg, table_exists, three_schemas, APPLYING_FIVE};
use crate::support::{finish, spawn, Killer, RUN_LIMIT};

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
    command.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    // Killed (never left behind) if the test fails before it ends.
    let mut child = Killer(Some(spawn(&mut command)));
    wait_for_sleeping_session(database);
    let pid = child.child().id();
    // SAFETY: signals the child this test spawned, by its id.
    assert_eq!(unsafe { libc::kill(pid as i32, signal) }, 0);
    let out = finish(child.0.take().unwrap(), RUN_LIMIT);
    let err = String::from_utf8(out.stderr).unwrap();

    assert_eq!(out.status.code(), Some(128 + signal), "{err}");
    // Everything up to the slow migration ran.
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        format!(
            "linked: 7 created, 0 updated, 0 removed, 0 unchanged\nresetting {}\n{APPLYING_FIVE}\
             applying 20251215120003_pay_slow.sql (pay)\n",
            on(database)
        )
    );
    let name = match signal {
        libc::SIGINT => "SIGINT",
        libc::SIGHUP => "SIGHUP",
        _ => "SIGTERM",
    };
    let left = format!("error: interrupted by {name}: {} was left as it was", on(database));
    assert!(table_exists(&mut target, "marker"), "the previous database is untouched");
    let mut admin = pg::server().client("postgres");
    let builds = count(
        &mut admin,
        &format!("select count(*) from pg_database where datname like 'mynatca\\_build\\_{database}\\_%'"),
    );
    if keep_failed {
        // The build's name ends in the binary's pid.
        let kept = format!("mynatca_build_{database}_{pid}");
        assert_eq!(err, format!("{left}; the unfinished build is kept as database \"{kept}\"\n"));
        assert_eq!(builds, 1);
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

#[test]
fn sighup_from_a_closed_terminal_cleans_up_as_ctrl_c_does() {
    for round in 0..2 {
        interrupt(libc::SIGHUP, false, &format!("sighup_{round}"));
    }
}
