//! Ctrl-C and SIGTERM during the apply: the previous database stays as it was, the
//! build is dropped (or kept with --keep-failed, and named).

use std::process::Stdio;
use std::time::{Duration, Instant};

use super::{count, database_with_marker, on, pg, table_exists, three_schemas, wait_until, APPLYING_FIVE};
use crate::support::{finish, spawn, Killer, RUN_LIMIT};

/// Sessions on this target's build databases (tests run in parallel: another test's
/// refresh must not count).
fn build_sessions(database: &str, also: &str) -> String {
    format!("select count(*) from pg_stat_activity where datname like 'mynatca\\_build\\_{database}\\_%' {also}")
}

/// Waits (bounded) until this target's build runs the slow migration.
fn wait_for_sleeping_session(database: &str) {
    wait_until(&build_sessions(database, "and query like '%pg_sleep(600)%'"), "the slow migration");
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

/// `mynatca refresh` of `database` paused (by the debug-build failpoint) in `phase`, on a
/// statement a signal cancels as it would the phase's own.
fn paused_in(phase: &str, database: &str, warm: bool) -> (Killer, crate::support::Ws) {
    let ws = three_schemas();
    let url = pg::server().url(database);
    if warm {
        // A cache to copy from: the next refresh's build is a copy of it.
        let mut first = ws.mynatca_std("platform");
        first.args(["refresh", "--no-detach", "--db-url", &url]).stdout(Stdio::null()).stderr(Stdio::null());
        assert!(first.status().unwrap().success());
        let mut admin = pg::server().client("postgres");
        // No spare: the build must be a copy.
        for name in crate::refresh::strings(
            &mut admin,
            &format!("select datname::text from pg_database where datname like 'mynatca\\_spare\\_{database}\\_%'"),
        ) {
            admin.batch_execute(&format!("drop database \"{name}\"")).unwrap();
        }
    }
    let mut command = ws.mynatca_std("platform");
    command.args(["refresh", "--db-url", &url]).env("MYNATCA_TEST_PAUSE_IN", phase);
    command.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let child = Killer(Some(spawn(&mut command)));
    let paused = format!("select count(*) from pg_stat_activity where query like '%mynatca failpoint {phase} */'");
    wait_until(&paused, phase);
    (child, ws)
}

#[test]
fn a_signal_in_any_phase_is_an_interruption_with_its_exit_code() {
    // (phase, signal, warm, what became of the build)
    let cases = [
        ("roles", libc::SIGINT, false, ""),
        ("copy", libc::SIGTERM, true, " and the unfinished build was dropped"),
        ("copy", libc::SIGINT, false, " and the unfinished build was dropped"),
        ("base", libc::SIGTERM, false, " and the unfinished build was dropped"),
    ];
    for (round, (phase, signal, warm, build)) in cases.into_iter().enumerate() {
        let database = format!("phase_{phase}_{round}");
        let mut target = database_with_marker(&database);
        let (mut child, _ws) = paused_in(phase, &database, warm);
        if warm {
            target = pg::server().client(&database);
        }
        // SAFETY: signals the child this test spawned, by its id.
        assert_eq!(unsafe { libc::kill(child.child().id() as i32, signal) }, 0);
        let out = finish(child.0.take().unwrap(), RUN_LIMIT);
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(128 + signal), "{phase}: {err}");
        let name = if signal == libc::SIGINT { "SIGINT" } else { "SIGTERM" };
        assert_eq!(err, format!("error: interrupted by {name}: {} was left as it was{build}\n", on(&database)));
        if !warm {
            assert!(table_exists(&mut target, "marker"), "the previous database is untouched");
        }
        let mut admin = pg::server().client("postgres");
        let builds = format!("select count(*) from pg_database where datname like 'mynatca\\_build\\_{database}\\_%'");
        assert_eq!(count(&mut admin, &builds), 0, "{phase}: no build left");
    }
}

#[test]
fn a_signal_after_refreshed_is_printed_changes_nothing_and_exits_0() {
    for (round, signal) in [libc::SIGINT, libc::SIGTERM].into_iter().enumerate() {
        let database = format!("handoff_{round}");
        let ws = three_schemas();
        let mut command = ws.mynatca_std("platform");
        // An upkeep slow to start: the refresh waits for it to take the lock (the hand-off).
        command
            .args(["refresh", "--db-url", &pg::server().url(&database)])
            .env("MYNATCA_TEST_UPKEEP_DELAY_MS", "3000")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = Killer(Some(spawn(&mut command)));
        let mut stdout = std::io::BufReader::new(child.child().stdout.take().unwrap());
        let mut seen = String::new();
        while !seen.contains("refreshed: ") {
            let mut line = String::new();
            assert!(std::io::BufRead::read_line(&mut stdout, &mut line).unwrap() > 0, "ended before refreshed: {seen}");
            seen.push_str(&line);
        }
        // SAFETY: signals the child this test spawned, by its id.
        assert_eq!(unsafe { libc::kill(child.child().id() as i32, signal) }, 0);
        let out = finish(child.0.take().unwrap(), RUN_LIMIT);
        assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(String::from_utf8(out.stderr).unwrap(), "");
        assert!(table_exists(&mut pg::server().client(&database), "pay.shifts"), "the target was replaced");
    }
}

#[test]
fn a_refresh_of_postgres_keeps_no_session_in_template1() {
    // Its own server: a refresh of `postgres` ends every session on it.
    let server = pg::private();
    let ws = three_schemas();
    let mut command = ws.mynatca_std("platform");
    command
        .args(["refresh", "--db-url", &server.url("postgres")])
        .env("MYNATCA_TEST_PAUSE_IN", "roles")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = Killer(Some(spawn(&mut command)));
    let mut other = server.client("template1");
    let deadline = Instant::now() + Duration::from_secs(60);
    let paused = "select datname::text from pg_stat_activity where query like '%mynatca failpoint roles */'";
    let session = loop {
        if let Some(row) = other.query_opt(paused, &[]).unwrap() {
            break row.get::<_, String>(0);
        }
        assert!(Instant::now() < deadline, "the refresh never paused");
        std::thread::sleep(Duration::from_millis(20));
    };
    drop(other);
    assert_eq!(session, "mynatca_maintenance");
    // Another client's CREATE DATABASE copies template1: nothing of mynatca's is in it.
    let mut client = server.client("postgres");
    client.batch_execute("create database made_meanwhile").unwrap();
    // SAFETY: signals the child this test spawned, by its id.
    assert_eq!(unsafe { libc::kill(child.child().id() as i32, libc::SIGINT) }, 0);
    let out = finish(child.0.take().unwrap(), RUN_LIMIT);
    assert_eq!(out.status.code(), Some(130), "{}", String::from_utf8_lossy(&out.stderr));
}
