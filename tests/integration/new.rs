//! `mynatca new`: a migration with a workspace-unique version, in the right repo, linked.

use std::path::PathBuf;
use std::time::SystemTime;

use mynatca::migration::version_at;

use crate::support::{stderr, stdout, Ws};

fn now() -> u64 {
    SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).unwrap().as_secs()
}

fn workspace() -> Ws {
    Ws::new().with_project("pay").with_project("discord")
}

/// Runs `mynatca new ARGS` in `dir`, expects exit 0, and returns the printed path and the
/// versions the run could have picked from the clock (before, after).
fn new_in(ws: &Ws, dir: &str, args: &[&str]) -> (String, String, String) {
    let before = version_at(now());
    let out = ws.mynatca(dir).arg("new").args(args).assert().success().get_output().clone();
    let after = version_at(now());
    assert_eq!(stderr(&out), "");
    let printed = stdout(&out);
    assert_eq!(printed.lines().count(), 1, "only the path on stdout: {printed:?}");
    (printed.trim_end().to_string(), before, after)
}

/// The version of a printed path, checked to be `<14 digits>_<expected description>.sql`.
fn version_of(printed: &str, description: &str) -> String {
    let name = printed.rsplit('/').next().unwrap();
    let (version, rest) = name.split_at(14);
    assert!(version.bytes().all(|b| b.is_ascii_digit()), "{name}");
    assert_eq!(rest, format!("_{description}.sql"), "{name}");
    version.to_string()
}

#[test]
fn in_pay_the_schema_is_prefixed_the_header_written_and_the_file_linked() {
    let ws = workspace();
    let (printed, before, after) = new_in(&ws, "pay", &["add_shifts"]);

    assert!(printed.starts_with("supabase/migrations/"), "{printed}");
    let version = version_of(&printed, "pay_add_shifts");
    assert!(before <= version && version <= after, "{before} <= {version} <= {after}");
    let name = format!("{version}_pay_add_shifts.sql");
    assert_eq!(
        ws.read(&format!("pay/{printed}")),
        "-- Migration: pay_add_shifts\n\
         -- Owner: pay (schema pay)\n\
         -- Rollback notes: how to undo this by hand (the Supabase CLI has no down migrations)\n\n"
    );
    assert_eq!(ws.link(&name).unwrap(), PathBuf::from(format!("../../../pay/supabase/migrations/{name}")));
}

#[test]
fn a_description_that_already_has_the_prefix_keeps_it_once() {
    let ws = workspace();
    let (printed, _, _) = new_in(&ws, "pay", &["pay_add_leave_tracking"]);
    version_of(&printed, "pay_add_leave_tracking");
}

#[test]
fn in_the_platform_there_is_no_prefix() {
    let ws = workspace();
    let (printed, _, _) = new_in(&ws, "platform", &["add_member_status"]);
    let version = version_of(&printed, "add_member_status");
    let rel = format!("platform/supabase/migrations/{version}_add_member_status.sql");
    assert!(!ws.path(&rel).is_symlink(), "the platform's own file is a real file");
    assert!(ws.read(&rel).starts_with("-- Migration: add_member_status\n-- Owner: platform (schema public)\n"));
}

#[test]
fn a_taken_version_is_bumped_past_every_file_in_the_workspace() {
    let ws = workspace();
    // Occupy the next five minutes, spread over the three repos: the run starts inside
    // that window, so the only free second it may pick is the one just after it.
    let start = now();
    let repos = ["platform", "pay", "discord"];
    for (i, second) in (start..start + 300).enumerate() {
        ws.migration(repos[i % 3], &format!("{}_taken_{i}.sql", version_at(second)), "select 1;\n");
    }
    let (printed, _, _) = new_in(&ws, "discord", &["add_roles"]);
    assert_eq!(version_of(&printed, "discord_add_roles"), version_at(start + 300));
}

#[test]
fn a_bad_description_is_a_usage_error_with_the_corrected_suggestion() {
    let ws = workspace();
    let before = ws.entries("pay/supabase/migrations");
    let out = ws.mynatca("pay").args(["new", "add-Member Status"]).assert().code(2).get_output().clone();
    assert_eq!(stdout(&out), "");
    assert_eq!(
        stderr(&out),
        "error: \"add-Member Status\": a migration description uses lowercase letters, digits and underscores only; \
         did you mean `mynatca new add_member_status`?\n"
    );
    assert_eq!(ws.entries("pay/supabase/migrations"), before, "nothing written");

    let out = ws.mynatca("pay").args(["new", ""]).assert().code(2).get_output().clone();
    assert!(stderr(&out).contains("e.g. `mynatca new add_member_status`"), "{}", stderr(&out));
}

#[test]
fn from_a_subfolder_the_file_goes_to_the_repo_you_stand_in() {
    let ws = workspace();
    ws.mkdir("pay/src/calculator");
    let (printed, _, _) = new_in(&ws, "pay/src/calculator", &["add_rates"]);
    assert!(printed.starts_with("../../supabase/migrations/"), "{printed}");
    let version = version_of(&printed, "pay_add_rates");
    assert!(ws.path(&format!("pay/supabase/migrations/{version}_pay_add_rates.sql")).is_file());
    assert!(ws.link(&format!("{version}_pay_add_rates.sql")).is_some());
}

#[test]
fn project_flag_picks_the_repo_from_anywhere_in_the_workspace() {
    let ws = workspace();
    let (printed, _, _) = new_in(&ws, "platform", &["add_role_sync", "--project", "discord"]);
    assert!(printed.starts_with("../discord/supabase/migrations/"), "{printed}");
    version_of(&printed, "discord_add_role_sync");

    let (printed, _, _) = new_in(&ws, "pay", &["fix_positions", "--project", "platform"]);
    assert!(printed.starts_with("../platform/supabase/migrations/"), "{printed}");
    version_of(&printed, "fix_positions");

    let out = ws.mynatca("pay").args(["new", "x", "--project", "bid"]).assert().code(2).get_output().clone();
    assert!(
        stderr(&out).starts_with("error: --project bid: no such project in ")
            && stderr(&out).ends_with("; pass one of: pay, discord, platform\n"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn the_file_is_created_even_when_link_then_finds_problems() {
    let ws = workspace();
    // Two files that already share a version: `link` reports them, so `new` exits 1.
    ws.migration("pay", "20240101000000_pay_a.sql", "select 1;\n").migration(
        "discord",
        "20240101000000_discord_b.sql",
        "select 1;\n",
    );
    let out = ws.mynatca("pay").args(["new", "add_x"]).assert().code(1).get_output().clone();
    let printed = stdout(&out);
    let version = version_of(printed.trim_end(), "pay_add_x");
    assert!(ws.path(&format!("pay/supabase/migrations/{version}_pay_add_x.sql")).is_file());
    assert!(stderr(&out).contains("error: duplicate version 20240101000000"), "{}", stderr(&out));
}

#[test]
fn outside_every_repo_without_project_is_a_usage_error() {
    let ws = workspace();
    ws.mkdir("elsewhere");
    let out = ws.mynatca("elsewhere").args(["--platform", "../platform", "new", "add_x"]).assert().code(2);
    let err = stderr(out.get_output());
    assert!(
        err.ends_with("is not inside the platform or a linked repo; run this there or pass --project NAME\n"),
        "{err}"
    );
    // With the flag it works from there too.
    let out = ws
        .mynatca("elsewhere")
        .args(["--platform", "../platform", "new", "add_x", "--project", "pay"])
        .assert()
        .success();
    assert!(stdout(out.get_output()).starts_with("../pay/supabase/migrations/"));
}
