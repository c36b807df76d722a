//! The checkout hooks skip the relink when git's old and new trees hold the same
//! migrations and seeds: nothing the checkout did can have changed the links.

use crate::support::Ws;

const BASELINE: &str = "00000000000002_baseline_pay_schema.sql";
const PERIODS: &str = "20251215120001_pay_add_periods.sql";

/// platform + pay, linked, hooks in both; pay has a branch `docs` that only edits a
/// README and a branch `periods` that adds a migration.
fn workspace() -> Ws {
    let ws = Ws::new().with_project("pay");
    ws.commit_all("platform", "link pay");
    ws.run("platform", ["-q", "link"]).stdout("linked: 2 created, 0 updated, 0 removed, 0 unchanged\n").go();
    for repo in ["platform", "pay"] {
        ws.run(repo, ["-q", "setup-hooks"]).go();
    }
    ws.run_git("pay", &["switch", "-q", "-c", "docs"]).go();
    ws.write("pay/README.md", "# pay\n");
    ws.commit_all("pay", "docs");
    ws.run_git("pay", &["switch", "-q", "-c", "periods", "main"]).go();
    ws.migration("pay", PERIODS, "create table pay.periods (id int);\n");
    ws.commit_all("pay", "periods");
    ws.run_git("pay", &["switch", "-q", "main"]).go();
    ws
}

/// A link removed by hand, so a relink would be seen: the hook puts it back only if it
/// reads the links.
fn remove_baseline_link(ws: &Ws) {
    ws.remove(&format!("platform/supabase/migrations/{BASELINE}"));
}

#[test]
fn a_branch_switch_that_leaves_migrations_alone_reads_no_link() {
    let ws = workspace();
    remove_baseline_link(&ws);
    ws.run_git("pay", &["switch", "-q", "docs"]).go();
    assert_eq!(ws.link(BASELINE), None, "relinked although the migrations are the same trees");
    // Creating a branch where you stand changes nothing either.
    ws.run_git("pay", &["switch", "-q", "-c", "docs-2"]).go();
    assert_eq!(ws.link(BASELINE), None);
}

// git hands a hook's stdout to its own stderr: the hook's summary lands there.

#[test]
fn a_branch_switch_that_changes_migrations_relinks() {
    let ws = workspace();
    remove_baseline_link(&ws);
    ws.run_git("pay", &["switch", "-q", "periods"])
        .stderr("linked: 2 created, 0 updated, 0 removed, 1 unchanged\n")
        .go();
    assert!(ws.link(BASELINE).is_some() && ws.link(PERIODS).is_some());
}

#[test]
fn a_file_checkout_always_relinks() {
    let ws = workspace();
    ws.run_git("pay", &["switch", "-q", "docs"]).go();
    remove_baseline_link(&ws);
    ws.write("pay/README.md", "edited\n");
    ws.run_git("pay", &["checkout", "--", "README.md"])
        .stderr("linked: 1 created, 0 updated, 0 removed, 1 unchanged\n")
        .go();
    assert!(ws.link(BASELINE).is_some());
}

#[test]
fn a_merge_relinks_only_when_it_brings_migrations() {
    let ws = workspace();
    remove_baseline_link(&ws);
    ws.run_git("pay", &["merge", "-q", "--no-edit", "docs"]).go();
    assert_eq!(ws.link(BASELINE), None, "relinked after a merge that brought no migration");

    ws.run_git("pay", &["merge", "-q", "--no-edit", "periods"])
        .stderr("linked: 2 created, 0 updated, 0 removed, 1 unchanged\n")
        .go();
    assert!(ws.link(BASELINE).is_some() && ws.link(PERIODS).is_some());
}

#[test]
fn a_platform_branch_that_registers_a_project_relinks() {
    let ws = workspace();
    ws.add_project_repo("discord");
    ws.run_git("platform", &["switch", "-q", "-c", "with-discord"]).go();
    ws.register("discord", "../discord", "discord");
    ws.commit_all("platform", "link discord");
    ws.run_git("platform", &["switch", "-q", "main"]).go();
    ws.run_git("platform", &["switch", "-q", "with-discord"])
        .stderr("linked: 2 created, 0 updated, 0 removed, 2 unchanged\n")
        .go();
    assert!(ws.path("platform/supabase/seeds/discord/seed.sql").is_symlink());
}
