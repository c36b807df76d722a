//! Only mynatca's own databases are ever dropped: a name alone is no proof. Builds a
//! kill cut short are swept; a target a killed refresh set aside is named, with the
//! command that puts it back.

use std::process::{Command, Stdio};

use super::{database_with_marker, first_refresh, on, pg, refresh, strings, table_exists, three_schemas, wait_until};
use crate::support::{spawn, Killer};

fn names_like(database: &str) -> Vec<String> {
    let mut admin = pg::server().client("postgres");
    strings(
        &mut admin,
        &format!("select datname::text from pg_database where datname like 'mynatca\\_%\\_{database}\\_%' order by 1"),
    )
}

#[test]
fn databases_named_like_mynatcas_but_made_by_hand_survive_and_are_named() {
    let database = "by_hand";
    let ws = three_schemas();
    let mut admin = pg::server().client("postgres");
    let hand = [
        format!("mynatca_build_{database}_4242"),
        format!("mynatca_cache_{database}_0000000000000000"),
        format!("mynatca_spare_{database}_00000000000000_1"),
        format!("mynatca_trash_{database}_4242"),
    ];
    for name in &hand {
        admin.batch_execute(&format!("drop database if exists \"{name}\"")).unwrap();
        admin.batch_execute(&format!("create database \"{name}\"")).unwrap();
    }
    let warnings: String = hand
        .iter()
        .map(|name| {
            format!(
                "warning: database \"{name}\" has a name mynatca uses for {} but not its mark, so it is left alone; \
                 rename it if it is yours\n",
                on(database)
            )
        })
        .collect();
    // Cold, then warm from the cache with its spares and the replaced target in trash.
    refresh(&ws, database).arg("--no-detach").stdout(first_refresh(database)).stderr(warnings.clone()).go();
    refresh(&ws, database)
        .arg("--no-detach")
        .stdout(format!(
            "linked: 0 created, 0 updated, 0 removed, 6 unchanged\nresetting {}\n{}refreshed: 5 migrations (5 from the cache), 3 seed files in $SECS\n",
            on(database),
            super::SEEDING_THREE
        ))
        .stderr(warnings)
        .go();
    let left = names_like(database);
    for name in &hand {
        assert!(left.contains(name), "{name} was dropped: {left:?}");
    }
    for name in &hand {
        admin.batch_execute(&format!("drop database \"{name}\"")).unwrap();
    }
}

#[test]
fn a_build_killed_before_it_was_marked_is_swept_by_the_next_refresh() {
    for round in 0..2 {
        let database = format!("killed_copy_{round}");
        let ws = three_schemas();
        database_with_marker(&database);
        let mut command = ws.mynatca_std("platform");
        command
            .args(["refresh", "--db-url", &pg::server().url(&database)])
            .env("MYNATCA_TEST_PAUSE_IN", "mark")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = Killer(Some(spawn(&mut command)));
        let build = format!("mynatca_build_{database}_{}", child.child().id());
        wait_until(
            &format!(
                "select count(*) from pg_database where datname = '{build}' \
                 and exists (select from pg_stat_activity where query like '%mynatca failpoint mark */')"
            ),
            "the build created, its mark not yet set",
        );
        let mut admin = pg::server().client("postgres");
        child.child().kill().unwrap();
        let _ = child.0.take().unwrap().wait();
        // The failpoint's statement would go on for ten minutes: end it.
        let failpoint = "select pg_terminate_backend(pid) from pg_stat_activity \
                         where query like '%mynatca failpoint mark%' and pid <> pg_backend_pid()";
        admin.batch_execute(failpoint).unwrap();
        assert_eq!(names_like(&database), vec![build.clone()], "the build the kill left, never marked");
        refresh(&ws, &database)
            .arg("--no-detach")
            .stdout(format!(
                "linked: 0 created, 0 updated, 0 removed, 6 unchanged\nresetting {}\n{}{}refreshed: 5 migrations, 3 seed files in $SECS\n",
                on(&database),
                super::APPLYING_FIVE,
                super::SEEDING_THREE
            ))
            .go();
        let left: Vec<String> = names_like(&database).into_iter().filter(|n| n.starts_with("mynatca_build_")).collect();
        assert_eq!(left, Vec::<String>::new(), "swept");
    }
}

#[test]
fn a_target_a_killed_refresh_set_aside_is_named_with_the_command_that_puts_it_back() {
    let database = "set_aside_left";
    let aside = format!("mynatca_prev_{database}_99999999");
    let mut admin = pg::server().client("postgres");
    admin.batch_execute(&format!("drop database if exists \"{aside}\" with (force)")).unwrap();
    drop(database_with_marker(database));
    // What a refresh killed between its renames leaves: the target under the aside name,
    // a half-made build under the target's.
    admin.batch_execute(&format!("alter database \"{database}\" rename to \"{aside}\"")).unwrap();
    admin.batch_execute(&format!("create database \"{database}\"")).unwrap();
    let port = pg::server().port;
    let command = format!(
        "psql -h 127.0.0.1 -p {port} -U postgres -d postgres -c 'ALTER DATABASE \"{database}\" RENAME TO \"{database}_before_restore\"' \
         -c 'ALTER DATABASE \"{aside}\" RENAME TO \"{database}\"' -c 'ALTER DATABASE \"{database}\" ALLOW_CONNECTIONS true'"
    );
    let ws = three_schemas();
    refresh(&ws, database)
        .args(["--no-detach", "--no-cache"])
        .stdout(first_refresh(database))
        .stderr(format!(
            "warning: database \"{aside}\" is {} as a refresh killed mid-way set it aside; to put it back: {command}\n",
            on(database)
        ))
        .go();
    // The command, run as printed, gives the target back with its data, open.
    let out = Command::new("sh").arg("-c").arg(&command).env("PGCONNECT_TIMEOUT", "10").output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mut client = pg::server().client(database);
    assert!(table_exists(&mut client, "marker"), "the set-aside data is back under its name");
    admin.batch_execute(&format!("drop database \"{database}_before_restore\" with (force)")).unwrap();
}
