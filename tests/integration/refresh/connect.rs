//! Connecting: a wrong password and a server that is not running each say so (exit 2),
//! before `resetting …`; arguments after `--` belong to `supabase db reset` only.

use std::net::TcpListener;

use super::supabase::RESET;
use super::{elapsed, first_refresh, pg, three_schemas, Standin, LINKED};
use crate::support::Ws;

/// Runs `refresh --db-url URL`, expecting exit 2, only the link summary on stdout and `error` on stderr.
fn refused(ws: &Ws, url: &str, error: String) {
    // Links are made first; `resetting …` is printed only once connected.
    ws.run("platform", ["refresh", "--db-url", url]).status(2).stdout(LINKED).stderr(error).go();
}

#[test]
fn a_wrong_or_missing_password_says_authentication_failed() {
    let ws = three_schemas();
    let role = pg::PASSWORD_ROLE;
    pg::server()
        .client("postgres")
        .batch_execute(&format!(
            "do $$ begin create role {role} login superuser; exception when duplicate_object then null; end $$;
             alter role {role} password 'right'"
        ))
        .unwrap();
    let port = pg::server().port;
    let url = |password: &str| format!("postgres://{role}{password}@127.0.0.1:{port}/password_db");
    let hint = "fix the user or password in the URL (--db-url or $MYNATCA_DB_URL)";

    refused(
        &ws,
        &url(":wrong"),
        format!(
            "error: authentication failed for user \"{role}\" on database \"password_db\" on 127.0.0.1:{port} \
             (password authentication failed for user \"{role}\"); {hint}\n"
        ),
    );
    let ws = three_schemas();
    refused(
        &ws,
        &url(""),
        format!(
            "error: authentication failed for user \"{role}\" on database \"password_db\" on 127.0.0.1:{port} \
             (the server asks for a password and the URL has none); {hint}\n"
        ),
    );
    // The right password gets in: the server really does ask for it.
    ws.run("platform", ["refresh", "--db-url", &url(":right")])
        .filter(elapsed)
        .stdout(
            first_refresh("password_db").replace(
                "6 created, 0 updated, 0 removed, 0 unchanged",
                "0 created, 0 updated, 0 removed, 6 unchanged",
            ),
        )
        .go();
}

#[test]
fn no_server_says_it_is_not_running_and_how_to_start_it() {
    let hint = "start it (`supabase start` starts Supabase's, on port 54322), or put the port your server listens on in the URL";
    // A port nothing listens on: bound, then let go.
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let ws = three_schemas();
    refused(
        &ws, &format!("postgres://postgres@127.0.0.1:{port}/not_running"),
        format!(
            "error: no server is running for database \"not_running\" on 127.0.0.1:{port} (connection refused); {hint}\n"
        ),
    );

    // A socket folder without the server's socket.
    let dir = ws.tmp().join("no-socket");
    std::fs::create_dir_all(&dir).unwrap();
    let ws = three_schemas();
    refused(
        &ws,
        &format!("postgresql:///not_running?host={}&port={port}&user=postgres", dir.display()),
        format!(
            "error: no server is running for database \"not_running\" on {}:{port} (no socket file); {hint}\n",
            dir.display()
        ),
    );
}

#[test]
fn arguments_after_a_double_dash_go_to_supabase_db_reset() {
    let ws = three_schemas();
    let standin = Standin::new(&ws, 0);
    let platform = std::fs::canonicalize(ws.path("platform")).unwrap().display().to_string();

    standin
        .run(&ws, "platform", &["--no-seed", "--", "--debug", "--version", "15"])
        .stdout(format!("{LINKED}{RESET}"))
        .go();
    assert_eq!(
        standin.recorded(),
        vec![platform.as_str(), "db", "reset", "--no-seed", "--debug", "--version", "15", "linked"]
    );
}

#[test]
fn arguments_after_a_double_dash_with_a_url_are_a_usage_error() {
    let ws = three_schemas();
    let standin = Standin::new(&ws, 0);
    let url = pg::server().url("double_dash");

    standin
        .run(&ws, "platform", &["--db-url", &url, "--", "--debug"])
        .status(2)
        .stderr(
            "error: the argument '--db-url <URL>' cannot be used with '[ARGS]...'\n\n\
             Usage: mynatca refresh --db-url <URL> [-- <ARGS>...]\n\nFor more information, try '--help'.\n",
        )
        .go();
    assert!(!standin.record.exists(), "supabase was run");
    assert!(ws.links().is_empty(), "refused before anything changed");
}
