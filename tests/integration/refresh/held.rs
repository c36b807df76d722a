//! Another session holding a lock on the target's catalog row during the swap (an open
//! `COMMENT ON DATABASE`, `GRANT … ON DATABASE`, `SELECT … FOR UPDATE` of `pg_database`):
//! the wait is bounded and names the holder, Ctrl-C stops it, a `kill -9` leaves the
//! target reachable, and the target is never left closed or renamed.

use std::process::Stdio;
use std::time::{Duration, Instant};

use super::{count, database_with_marker, on, pg, table_exists, three_schemas, APPLYING_FIVE, SEEDING_THREE};
use crate::support::{finish, spawn, Killer, RUN_LIMIT};

/// A session of application `holder` in a transaction holding `how`'s lock on `database`.
fn hold(database: &str, how: &str) -> postgres::Client {
    let mut holder = pg::server().client("postgres");
    holder.batch_execute("set application_name = 'holder'; begin").unwrap();
    holder.batch_execute(&how.replace("$DB", database)).unwrap();
    holder
}

const HOLDS: [&str; 3] = [
    "comment on database $DB is 'busy'",
    "grant connect on database $DB to public",
    "select 1 from pg_database where datname = '$DB' for update",
];

/// The target is there, open to sessions, with the test's marker: as it was.
fn intact(database: &str) {
    let mut client = pg::server().client(database);
    assert!(table_exists(&mut client, "marker"), "{database} is the old database");
    let mut admin = pg::server().client("postgres");
    let open =
        count(&mut admin, &format!("select count(*) from pg_database where datname = '{database}' and datallowconn"));
    assert_eq!(open, 1, "{database} is open to sessions");
    let left = count(
        &mut admin,
        &format!("select count(*) from pg_database where datname ~ '^mynatca_(build|prev)_{database}_'"),
    );
    assert_eq!(left, 0, "no build or set-aside database is left");
}

#[test]
fn a_held_lock_is_waited_for_no_longer_than_wait_and_its_holder_is_named() {
    for (round, how) in HOLDS.iter().enumerate() {
        let database = format!("held_{round}");
        let ws = three_schemas();
        database_with_marker(&database);
        let mut holder = hold(&database, how);
        let pid: i32 = holder.query_one("select pg_backend_pid()", &[]).unwrap().get(0);
        ws.run("platform", ["--wait", "1", "refresh", "--no-cache", "--db-url", &pg::server().url(&database)])
            .status(2)
            .stdout(format!(
                "linked: 6 created, 0 updated, 0 removed, 0 unchanged\nresetting {}\n{APPLYING_FIVE}{SEEDING_THREE}",
                on(&database)
            ))
            .stderr(format!(
                "error: {} was left as it was: a lock on it held by pid {pid} (holder, idle in transaction) did not go \
                 within 1 s (--wait); end that transaction (or `SELECT pg_terminate_backend({pid})`) and refresh again\n",
                on(&database)
            ))
            .go();
        holder.batch_execute("rollback").unwrap();
        intact(&database);
    }
}

/// The refresh of `database`, started in the background, once it waits on the lock.
fn waiting_refresh(database: &str) -> (Killer, crate::support::Ws) {
    let ws = three_schemas();
    let mut command = ws.mynatca_std("platform");
    command.args(["refresh", "--no-cache", "--db-url", &pg::server().url(database)]);
    command.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let child = Killer(Some(spawn(&mut command)));
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut admin = pg::server().client("postgres");
    // This test's refresh only: the others run at the same time.
    let waiting = format!(
        "select count(*) from pg_stat_activity where wait_event_type = 'Lock' and query like 'ALTER DATABASE \"{database}\" RENAME%'"
    );
    while count(&mut admin, &waiting) == 0 {
        assert!(
            Instant::now() < deadline,
            "the refresh never waited on the held lock: {:?}",
            super::strings(&mut admin, "select coalesce(wait_event_type, '') || ' ' || query from pg_stat_activity")
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    (child, ws)
}

#[test]
fn ctrl_c_stops_a_swap_waiting_on_a_lock_and_the_target_stays() {
    for (round, how) in HOLDS.iter().enumerate() {
        let database = format!("held_int_{round}");
        database_with_marker(&database);
        let mut holder = hold(&database, how);
        let (mut child, _ws) = waiting_refresh(&database);
        // SAFETY: signals the child this test spawned, by its id.
        assert_eq!(unsafe { libc::kill(child.child().id() as i32, libc::SIGINT) }, 0);
        let out = finish(child.0.take().unwrap(), RUN_LIMIT);
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(130), "{err}");
        assert_eq!(
            err,
            format!(
                "error: interrupted by SIGINT: {} was left as it was and the unfinished build was dropped\n",
                on(&database)
            )
        );
        holder.batch_execute("rollback").unwrap();
        intact(&database);
    }
}

#[test]
fn a_kill_9_during_a_held_swap_leaves_the_target_reachable_while_the_lock_is_still_held() {
    for (round, how) in HOLDS.iter().enumerate() {
        let database = format!("held_kill_{round}");
        database_with_marker(&database);
        let mut holder = hold(&database, how);
        let (mut child, _ws) = waiting_refresh(&database);
        let pid = child.child().id();
        child.child().kill().unwrap();
        let _ = child.0.take().unwrap().wait();
        // The server notices the client is gone and rolls the swap back: the target is
        // reachable again while the holder still holds its lock.
        let deadline = Instant::now() + Duration::from_secs(30);
        let reached = loop {
            match postgres::Config::new()
                .host("127.0.0.1")
                .port(pg::server().port)
                .user("postgres")
                .dbname(&database)
                .connect_timeout(Duration::from_secs(2))
                .connect(postgres::NoTls)
            {
                Ok(client) => break client,
                Err(_) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(100)),
                Err(err) => panic!("{database} unreachable after the refresh was killed: {err}"),
            }
        };
        drop(reached);
        holder.batch_execute("rollback").unwrap();
        let mut admin = pg::server().client("postgres");
        admin
            .batch_execute(&format!("drop database if exists \"mynatca_build_{database}_{pid}\" with (force)"))
            .unwrap();
        let mut client = pg::server().client(&database);
        assert!(table_exists(&mut client, "marker"), "{database} is the old database");
    }
}
