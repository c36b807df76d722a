//! The checkout hooks skip the relink when git's old and new trees hold the same
//! migrations and seeds: nothing the checkout did can have changed the links.

use std::process::Output;

use crate::support::Ws;

const BASELINE: &str = "00000000000002_baseline_pay_schema.sql";
const PERIODS: &str = "20251215120001_pay_add_periods.sql";

/// platform + pay, linked, hooks in both; pay has a branch `docs` that only edits a
/// README and a branch `periods` that adds a migration.
fn workspace() -> Ws {
    let ws = Ws::new().with_project("pay");
    ws.mynatca("platform")
        .args(["-q", "link"])
        .assert()
        .success()
        .stdout("linked: 2 created, 0 updated, 0 removed, 0 unchanged\n")
        .stderr("");
    for repo in ["platform", "pay"] {
        ws.mynatca(repo).args(["-q", "setup-hooks"]).assert().success().stdout("").stderr("");
    }
    ws.git("pay", &["switch", "-q", "-c", "docs"]);
    ws.write("pay/README.md", "# pay\n");
    ws.commit_all("pay", "docs");
    ws.git("pay", &["switch", "-q", "-c", "periods", "main"]);
    ws.migration("pay", PERIODS, "create table pay.periods (id int);\n");
    ws.commit_all("pay", "periods");
    ws.git("pay", &["switch", "-q", "main"]);
    ws
}

/// A link removed by hand, so a relink would be seen: the hook puts it back only if it
/// reads the links.
fn remove_baseline_link(ws: &Ws) {
    ws.remove(&format!("platform/supabase/migrations/{BASELINE}"));
}

/// git hands a hook's stdout to its own stderr: the hook's lines land there.
fn assert_hook_said(output: &Output, line: &str) {
    assert_eq!(String::from_utf8_lossy(&output.stdout), "");
    assert_eq!(String::from_utf8_lossy(&output.stderr), line);
}

fn assert_quiet(output: &Output) {
    assert_eq!(String::from_utf8_lossy(&output.stdout), "");
    assert_eq!(String::from_utf8_lossy(&output.stderr), "");
}

#[test]
fn a_branch_switch_that_leaves_migrations_alone_reads_no_link() {
    let ws = workspace();
    remove_baseline_link(&ws);
    assert_quiet(&ws.git("pay", &["switch", "-q", "docs"]));
    assert_eq!(ws.link(BASELINE), None, "relinked although the migrations are the same trees");
    // Creating a branch where you stand changes nothing either.
    assert_quiet(&ws.git("pay", &["switch", "-q", "-c", "docs-2"]));
    assert_eq!(ws.link(BASELINE), None);
}

#[test]
fn a_branch_switch_that_changes_migrations_relinks() {
    let ws = workspace();
    remove_baseline_link(&ws);
    let out = ws.git("pay", &["switch", "-q", "periods"]);
    assert_hook_said(&out, "linked: 2 created, 0 updated, 0 removed, 1 unchanged\n");
    assert!(ws.link(BASELINE).is_some() && ws.link(PERIODS).is_some());
}

#[test]
fn a_file_checkout_always_relinks() {
    let ws = workspace();
    ws.git("pay", &["switch", "-q", "docs"]);
    remove_baseline_link(&ws);
    ws.write("pay/README.md", "edited\n");
    let out = ws.git("pay", &["checkout", "--", "README.md"]);
    assert_hook_said(&out, "linked: 1 created, 0 updated, 0 removed, 1 unchanged\n");
    assert!(ws.link(BASELINE).is_some());
}

#[test]
fn a_merge_relinks_only_when_it_brings_migrations() {
    let ws = workspace();
    remove_baseline_link(&ws);
    assert_quiet(&ws.git("pay", &["merge", "-q", "--no-edit", "docs"]));
    assert_eq!(ws.link(BASELINE), None, "relinked after a merge that brought no migration");

    let out = ws.git("pay", &["merge", "-q", "--no-edit", "periods"]);
    assert_hook_said(&out, "linked: 2 created, 0 updated, 0 removed, 1 unchanged\n");
    assert!(ws.link(BASELINE).is_some() && ws.link(PERIODS).is_some());
}
