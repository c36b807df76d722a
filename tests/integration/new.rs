//! `mynatca new`: a migration with a workspace-unique version, in the right repo, linked.

use std::collections::HashSet;
use std::path::PathBuf;
use std::time::SystemTime;

use mynatca::migration::{free_version, version_at};

use crate::check::summary;
use crate::check_branches::{behind, team, teammate_pushes};
use crate::support::{rewrite_versions, Done, Test, Ws};

fn now() -> u64 {
    SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).unwrap().as_secs()
}

fn workspace() -> Ws {
    Ws::new().with_project("pay").with_project("discord")
}

/// Replaces with `<version>` every 14-digit version that `new` may pick during the run:
/// the first second not taken in the workspace, from the clock's second when the run
/// starts to its second when the output is compared. Any other version stays, and fails.
fn from_the_clock<'a>(ws: &Ws, test: Test<'a>) -> Test<'a> {
    let taken: HashSet<String> = ["platform", "pay", "discord"]
        .iter()
        .flat_map(|repo| ws.entries(&format!("{repo}/supabase/migrations")))
        .map(|name| name.chars().take(14).collect())
        .collect();
    let first_free = move |second| free_version(second, |version| taken.contains(version));
    let before = first_free(now());
    test.filter(move |text| {
        let after = first_free(now());
        rewrite_versions(text, |run| (before.as_str() <= run && run <= after.as_str()).then(|| "<version>".into()))
    })
}

/// The version in the file name a run printed.
fn version(done: &Done) -> String {
    let name = done.stdout.trim_end().rsplit('/').next().unwrap();
    name[..14].to_string()
}

#[test]
fn in_pay_the_schema_is_prefixed_the_header_written_and_the_file_linked() {
    let ws = workspace();
    let done = from_the_clock(&ws, ws.run("pay", ["new", "add_shifts"]))
        .stdout("supabase/migrations/<version>_pay_add_shifts.sql\n")
        .go();
    let name = format!("{}_pay_add_shifts.sql", version(&done));
    assert_eq!(
        ws.read(&format!("pay/supabase/migrations/{name}")),
        "-- Migration: pay_add_shifts\n\
         -- Owner: pay (schema pay)\n\
         -- Rollback notes: how to undo this by hand (the Supabase CLI has no down migrations)\n\n"
    );
    assert_eq!(ws.link(&name).unwrap(), PathBuf::from(format!("../../../pay/supabase/migrations/{name}")));
}

#[test]
fn a_description_that_already_has_the_prefix_keeps_it_once() {
    let ws = workspace();
    from_the_clock(&ws, ws.run("pay", ["new", "pay_add_leave_tracking"]))
        .stdout("supabase/migrations/<version>_pay_add_leave_tracking.sql\n")
        .go();
}

#[test]
fn in_the_platform_there_is_no_prefix() {
    let ws = workspace();
    let done = from_the_clock(&ws, ws.run("platform", ["new", "add_member_status"]))
        .stdout("supabase/migrations/<version>_add_member_status.sql\n")
        .go();
    let rel = format!("platform/supabase/migrations/{}_add_member_status.sql", version(&done));
    assert!(!ws.path(&rel).is_symlink(), "the platform's own file is a real file");
    assert_eq!(
        ws.read(&rel),
        "-- Migration: add_member_status\n\
         -- Owner: platform (schema public)\n\
         -- Rollback notes: how to undo this by hand (the Supabase CLI has no down migrations)\n\n"
    );
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
    ws.run("discord", ["new", "add_roles"])
        .stdout(format!("supabase/migrations/{}_discord_add_roles.sql\n", version_at(start + 300)))
        .go();
}

#[test]
fn a_bad_description_is_a_usage_error_with_the_corrected_suggestion() {
    let ws = workspace();
    let before = ws.entries("pay/supabase/migrations");
    ws.run("pay", ["new", "add-Member Status"])
        .status(2)
        .stderr(
            "error: \"add-Member Status\": a migration description uses lowercase letters, digits and underscores only; \
             did you mean `mynatca new add_member_status`?\n",
        )
        .go();
    assert_eq!(ws.entries("pay/supabase/migrations"), before, "nothing written");

    ws.run("pay", ["new", ""])
        .status(2)
        .stderr(
            "error: \"\": a migration description uses lowercase letters, digits and underscores only; \
             say what it does, e.g. `mynatca new add_member_status`\n",
        )
        .go();
    assert_eq!(ws.entries("pay/supabase/migrations"), before, "nothing written");
}

#[test]
fn from_a_subfolder_the_file_goes_to_the_repo_you_stand_in() {
    let ws = workspace();
    ws.mkdir("pay/src/calculator");
    let done = from_the_clock(&ws, ws.run("pay/src/calculator", ["new", "add_rates"]))
        .stdout("../../supabase/migrations/<version>_pay_add_rates.sql\n")
        .go();
    let name = format!("{}_pay_add_rates.sql", version(&done));
    assert!(ws.path(&format!("pay/supabase/migrations/{name}")).is_file());
    assert!(ws.link(&name).is_some());
}

#[test]
fn project_flag_picks_the_repo_from_anywhere_in_the_workspace() {
    let ws = workspace();
    from_the_clock(&ws, ws.run("platform", ["new", "add_role_sync", "--project", "discord"]))
        .stdout("../discord/supabase/migrations/<version>_discord_add_role_sync.sql\n")
        .go();
    from_the_clock(&ws, ws.run("pay", ["new", "fix_positions", "--project", "platform"]))
        .stdout("../platform/supabase/migrations/<version>_fix_positions.sql\n")
        .go();
    ws.run("pay", ["new", "x", "--project", "bid"])
        .status(2)
        .stderr("error: --project bid: no such project in $WS/platform/.linked-projects.json; pass one of: pay, discord, platform\n")
        .go();
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
    let done = from_the_clock(&ws, ws.run("pay", ["new", "add_x"]))
        .status(1)
        .stdout("supabase/migrations/<version>_pay_add_x.sql\n")
        .stderr(
            "error: duplicate version 20240101000000: 20240101000000_discord_b.sql (discord), 20240101000000_pay_a.sql (pay); \
             `supabase db reset` would fail on schema_migrations_pkey: give all but one a new version \
             (`mynatca new` picks a free one)\n",
        )
        .go();
    assert!(ws.path(&format!("pay/supabase/migrations/{}_pay_add_x.sql", version(&done))).is_file());
}

#[test]
fn outside_every_repo_without_project_is_a_usage_error() {
    let ws = workspace();
    ws.mkdir("elsewhere");
    ws.run("elsewhere", ["--platform", "../platform", "new", "add_x"])
        .status(2)
        .stderr(
            "error: $WS/elsewhere is not inside the platform or a linked repo; run this there or pass --project NAME\n",
        )
        .go();
    assert_eq!(ws.entries("elsewhere"), Vec::<String>::new());
    // With the flag it works from there too.
    from_the_clock(&ws, ws.run("elsewhere", ["--platform", "../platform", "new", "add_x", "--project", "pay"]))
        .stdout("../pay/supabase/migrations/<version>_pay_add_x.sql\n")
        .go();
}

#[test]
fn the_version_comes_after_a_teammates_later_one_on_the_base_or_in_a_work_tree() {
    let ws = team();
    // A teammate whose clock is an hour ahead merges to pay's main; this branch fetches it.
    let ahead = now() + 3600;
    let late = format!("{}_pay_late.sql", version_at(ahead));
    ws.git("pay", &["switch", "-q", "-c", "feature/rates"]);
    teammate_pushes(&ws, "pay", &late);
    ws.git("pay", &["fetch", "-q"]);
    ws.run("pay", ["new", "add_rates"])
        .stdout(format!("supabase/migrations/{}_pay_add_rates.sql\n", version_at(ahead + 1)))
        .go();
    // So `check` has nothing against it: the branch is only behind.
    ws.run("platform", ["check"])
        .stdout(format!("{}{}", behind("../pay/supabase/migrations", &late, "1 migration"), summary(5, 0, 1)))
        .go();
    // A later version in another repo's work tree, not yet committed, counts too.
    ws.migration("discord", &format!("{}_discord_soon.sql", version_at(ahead + 3600)), "select 1;\n");
    ws.run("platform", ["new", "add_regions"])
        .stdout(format!("supabase/migrations/{}_add_regions.sql\n", version_at(ahead + 3601)))
        .go();
}
