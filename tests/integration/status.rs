//! `mynatca status`: one row per repo, read from real git repos, and the branch-mix warning.

use crate::support::{stderr, stdout, Ws};

/// platform + pay + discord on `main`, linked, everything committed.
fn linked_workspace() -> Ws {
    let ws = Ws::new().with_project("pay").with_project("discord");
    ws.migration("platform", "00000000000000_baseline_public_schema.sql", "create table public.members (id int);\n");
    ws.commit_all("platform", "platform baseline migration");
    ws.mynatca("platform").arg("link").assert().success();
    ws
}

/// pay on `feature/new-calculator` with one more migration, relinked.
fn pay_on_a_feature_branch() -> Ws {
    let ws = linked_workspace();
    ws.git("pay", &["checkout", "-q", "-b", "feature/new-calculator"]);
    ws.migration("pay", "20251215120001_pay_add_periods.sql", "create table pay.periods (id int);\n");
    ws.commit_all("pay", "pay periods");
    ws.mynatca("platform").arg("link").assert().success();
    ws
}

#[test]
fn one_row_per_repo_platform_first_and_a_warning_for_the_branch_mix() {
    let ws = pay_on_a_feature_branch();
    let out = ws.mynatca("platform").arg("status").assert().success().get_output().clone();
    assert_eq!(
        stdout(&out),
        "REPO      PATH        BRANCH                  STATE  MIGRATIONS  LINKED  NEWEST\n\
         platform  .           main                    clean           1       3  00000000000000\n\
         pay       ../pay      feature/new-calculator  clean           2       2  20251215120001\n\
         discord   ../discord  main                    clean           1       1  00000000000003\n"
    );
    assert_eq!(
        stderr(&out),
        "warning: repos are on different branches (platform main, pay feature/new-calculator, discord main); \
         `db reset` will apply this mix of migrations (check out matching branches if that is not what you want)\n"
    );
}

#[test]
fn json_has_the_same_fields() {
    let ws = pay_on_a_feature_branch();
    let out = ws.mynatca("pay").args(["status", "--json"]).assert().success().get_output().clone();
    let doc: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("one JSON document on stdout");
    assert_eq!(
        doc["repos"][1],
        serde_json::json!({
            "name": "pay",
            "path": "../pay",
            "branch": "feature/new-calculator",
            "state": "clean",
            "dirty": false,
            "migrations": 2,
            "linked": 2,
            "newest": "20251215120001",
        })
    );
    let names: Vec<&str> = doc["repos"].as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["platform", "pay", "discord"]);
    assert_eq!(doc["repos"][0]["linked"], 3, "the platform counts every managed link");
    assert_eq!(doc["repos"][0]["branch"], "main");
    let warnings = doc["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 1);
    assert_eq!(warnings[0]["kind"], "branch-mix");
    assert!(warnings[0]["message"].as_str().unwrap().starts_with("repos are on different branches"), "{warnings:?}");
}

#[test]
fn one_branch_everywhere_prints_no_warning() {
    let ws = linked_workspace();
    let out = ws.mynatca("discord").arg("status").assert().success().get_output().clone();
    assert_eq!(stderr(&out), "");
    // Paths are as typed from where you stand.
    assert!(stdout(&out).contains("\nplatform  ../platform  main"), "{}", stdout(&out));
    assert!(stdout(&out).contains("\ndiscord   .            main"), "{}", stdout(&out));
}

#[test]
fn uncommitted_or_untracked_changes_are_dirty_but_managed_links_never_are() {
    let ws = linked_workspace();
    ws.write("pay/supabase/seed.sql", "-- changed, not committed\n").write("discord/notes.txt", "todo\n");
    // Without the exclude block the links would be untracked files: still not dirt.
    std::fs::remove_file(ws.path("platform/.git/info/exclude")).unwrap();

    let out = ws.mynatca("platform").args(["status", "--json"]).assert().success().get_output().clone();
    let doc: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let states: Vec<(&str, bool)> = doc["repos"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["state"].as_str().unwrap(), r["dirty"].as_bool().unwrap()))
        .collect();
    assert_eq!(states, [("clean", false), ("dirty", true), ("dirty", true)]);

    // A file of the platform's own does count.
    ws.migration("platform", "20251215120000_add_ratings.sql", "create table public.ratings (id int);\n");
    let out = ws.mynatca("platform").arg("status").assert().success().get_output().clone();
    assert!(stdout(&out).contains("\nplatform  .           main    dirty           2"), "{}", stdout(&out));
}

#[test]
fn a_detached_head_shows_its_commit_and_counts_as_a_different_branch() {
    let ws = linked_workspace();
    ws.git("discord", &["checkout", "-q", "--detach"]);
    let sha = ws.git_stdout("discord", &["rev-parse", "--short", "HEAD"]);

    let out = ws.mynatca("platform").arg("status").assert().success().get_output().clone();
    let row = stdout(&out).lines().find(|l| l.starts_with("discord")).unwrap().to_string();
    assert!(row.contains(&format!("  detached@{sha}  clean")), "{row}");
    assert!(stderr(&out).contains(&format!("(platform main, pay main, discord detached@{sha})")), "{}", stderr(&out));
}

#[test]
fn a_missing_repo_is_a_row_and_a_warning_not_a_failure() {
    let ws = linked_workspace();
    ws.remove("discord");

    let out = ws.mynatca("platform").arg("status").assert().success().get_output().clone();
    let row = stdout(&out).lines().find(|l| l.starts_with("discord")).unwrap().to_string();
    // Its link is still in the platform, dangling, until `mynatca link` removes it.
    assert_eq!(row, "discord   ../discord  -       missing           -       1  -");
    let err = stderr(&out);
    let discord = std::fs::canonicalize(ws.path("platform")).unwrap().parent().unwrap().join("discord");
    assert!(
        err.contains(&format!(
            "warning: project discord: folder {} not found; clone it there or fix its \"path\", or `mynatca unlink-project discord`",
            discord.display()
        )),
        "{err}"
    );
    assert!(err.contains("warning: 2 link changes are pending in the platform"), "{err}");
    assert!(!err.contains("different branches"), "a missing repo has no branch: {err}");

    let out = ws.mynatca("platform").args(["status", "--json"]).assert().success().get_output().clone();
    let doc: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let discord = &doc["repos"][2];
    assert_eq!(discord["state"], "missing");
    assert_eq!(discord["branch"], serde_json::Value::Null);
    assert_eq!(discord["dirty"], serde_json::Value::Null);
    assert_eq!(discord["migrations"], serde_json::Value::Null);
}
