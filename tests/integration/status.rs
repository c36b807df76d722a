//! `mynatca status`: one row per repo, read from real git repos, and the branch-mix warning.

use serde_json::json;

use crate::support::Ws;

/// platform + pay + discord on `main`, linked, everything committed.
fn linked_workspace() -> Ws {
    let ws = Ws::new().with_project("pay").with_project("discord");
    ws.migration("platform", "00000000000000_baseline_public_schema.sql", "create table public.members (id int);\n");
    ws.commit_all("platform", "platform baseline migration");
    ws.run("platform", ["link"]).stdout("linked: 4 created, 0 updated, 0 removed, 0 unchanged\n").go();
    ws
}

/// pay on `feature/new-calculator` with one more migration, relinked.
fn pay_on_a_feature_branch() -> Ws {
    let ws = linked_workspace();
    ws.git("pay", &["checkout", "-q", "-b", "feature/new-calculator"]);
    ws.migration("pay", "20251215120001_pay_add_periods.sql", "create table pay.periods (id int);\n");
    ws.commit_all("pay", "pay periods");
    ws.run("platform", ["link"]).stdout("linked: 1 created, 0 updated, 0 removed, 4 unchanged\n").go();
    ws
}

/// One repo's row in `status --json`.
fn row(name: &str, branch: &str, state: &str, migrations: u64, linked: u64, newest: &str) -> serde_json::Value {
    json!({
        "name": name,
        "path": if name == "platform" { ".".to_string() } else { format!("../{name}") },
        "branch": branch,
        "state": state,
        "dirty": state == "dirty",
        "migrations": migrations,
        "linked": linked,
        "newest": newest,
    })
}

/// The whole `status --json` document.
/// `warnings` as `KIND: MESSAGE`, as stderr shows them with their kind in front.
fn report(repos: [serde_json::Value; 3], warnings: &[String]) -> serde_json::Value {
    let warnings: Vec<serde_json::Value> = warnings
        .iter()
        .map(|w| {
            let (kind, message) = w.split_once(": ").unwrap();
            json!({"kind": kind, "message": message})
        })
        .collect();
    json!({
        "schema": 1,
        "command": "status",
        "platform": "$WS/platform",
        "ok": true,
        "repos": repos,
        "errors": [],
        "warnings": warnings,
    })
}

const BRANCH_MIX: &str = "warning: repos are on different branches (platform main, pay feature/new-calculator, \
     discord main); `db reset` will apply this mix of migrations (check out matching branches if that is not what \
     you want)\n";

#[test]
fn one_row_per_repo_platform_first_and_a_warning_for_the_branch_mix() {
    let ws = pay_on_a_feature_branch();
    ws.run("platform", ["status"])
        .stdout(
            "REPO      PATH        BRANCH                  STATE  MIGRATIONS  LINKED  NEWEST\n\
             platform  .           main                    clean           1       3  00000000000000\n\
             pay       ../pay      feature/new-calculator  clean           2       2  20251215120001\n\
             discord   ../discord  main                    clean           1       1  00000000000003\n",
        )
        .stderr(BRANCH_MIX)
        .go();
}

#[test]
fn json_has_the_same_fields() {
    let ws = pay_on_a_feature_branch();
    // The platform counts every managed link; paths are the registry's.
    let warning = BRANCH_MIX.strip_prefix("warning: ").unwrap().trim_end();
    ws.run("pay", ["status", "--json"])
        .stdout_json(report(
            [
                row("platform", "main", "clean", 1, 3, "00000000000000"),
                row("pay", "feature/new-calculator", "clean", 2, 2, "20251215120001"),
                row("discord", "main", "clean", 1, 1, "00000000000003"),
            ],
            &[format!("branch-mix: {warning}")],
        ))
        .stderr(BRANCH_MIX)
        .go();
}

#[test]
fn one_branch_everywhere_prints_no_warning() {
    let ws = linked_workspace();
    // Paths are as typed from where you stand.
    ws.run("discord", ["status"])
        .stdout(
            "REPO      PATH         BRANCH  STATE  MIGRATIONS  LINKED  NEWEST\n\
             platform  ../platform  main    clean           1       2  00000000000000\n\
             pay       ../pay       main    clean           1       1  00000000000002\n\
             discord   .            main    clean           1       1  00000000000003\n",
        )
        .go();
}

#[test]
fn uncommitted_or_untracked_changes_are_dirty_but_managed_links_never_are() {
    let ws = linked_workspace();
    ws.write("pay/supabase/seed.sql", "-- changed, not committed\n").write("discord/notes.txt", "todo\n");
    // Without the exclude block the links would be untracked files: still not dirt.
    std::fs::remove_file(ws.path("platform/.git/info/exclude")).unwrap();

    ws.run("platform", ["status", "--json"])
        .stdout_json(report(
            [
                row("platform", "main", "clean", 1, 2, "00000000000000"),
                row("pay", "main", "dirty", 1, 1, "00000000000002"),
                row("discord", "main", "dirty", 1, 1, "00000000000003"),
            ],
            &[],
        ))
        .go();

    // A file of the platform's own does count.
    ws.migration("platform", "20251215120000_add_ratings.sql", "create table public.ratings (id int);\n");
    ws.run("platform", ["status"])
        .stdout(
            "REPO      PATH        BRANCH  STATE  MIGRATIONS  LINKED  NEWEST\n\
             platform  .           main    dirty           2       2  20251215120000\n\
             pay       ../pay      main    dirty           1       1  00000000000002\n\
             discord   ../discord  main    dirty           1       1  00000000000003\n",
        )
        .go();
}

#[test]
fn a_detached_head_shows_its_commit_and_counts_as_a_different_branch() {
    let ws = linked_workspace();
    ws.git("discord", &["checkout", "-q", "--detach"]);
    let sha = ws.git_stdout("discord", &["rev-parse", "--short", "HEAD"]);
    assert_eq!(sha.len(), 7, "a fresh repo's short id: {sha}");

    ws.run("platform", ["status"])
        .subst(format!("detached@{sha}"), "detached@<short>")
        .stdout(
            "REPO      PATH        BRANCH            STATE  MIGRATIONS  LINKED  NEWEST\n\
             platform  .           main              clean           1       2  00000000000000\n\
             pay       ../pay      main              clean           1       1  00000000000002\n\
             discord   ../discord  detached@<short>  clean           1       1  00000000000003\n",
        )
        .stderr("warning: repos are on different branches (platform main, pay main, discord detached@<short>); \
                 `db reset` will apply this mix of migrations (check out matching branches if that is not what you want)\n")
        .go();
}

#[test]
fn a_missing_repo_is_a_row_and_a_warning_not_a_failure() {
    let ws = linked_workspace();
    ws.remove("discord");

    // Its link is still in the platform, dangling, until `mynatca link` removes it; a
    // missing repo has no branch, so no branch mix.
    let warnings = "warning: project discord: folder $WS/discord not found; clone it there or fix its \"path\", \
                    or `mynatca unlink-project discord`\n\
                    warning: 2 link changes are pending in the platform (LINKED shows what is there now); \
                    run `mynatca link`\n";
    ws.run("platform", ["status"])
        .stdout(
            "REPO      PATH        BRANCH  STATE    MIGRATIONS  LINKED  NEWEST\n\
             platform  .           main    clean             1       2  00000000000000\n\
             pay       ../pay      main    clean             1       1  00000000000002\n\
             discord   ../discord  -       missing           -       1  -\n",
        )
        .stderr(warnings)
        .go();

    let mut discord = row("discord", "", "missing", 0, 1, "");
    for key in ["branch", "dirty", "migrations", "newest"] {
        discord[key] = serde_json::Value::Null;
    }
    let mut expected = report(
        [
            row("platform", "main", "clean", 1, 2, "00000000000000"),
            row("pay", "main", "clean", 1, 1, "00000000000002"),
            discord,
        ],
        &[
            "registry: project discord: folder $WS/discord not found; clone it there or fix its \"path\", \
                 or `mynatca unlink-project discord`"
                .into(),
            "stale-link: 2 link changes are pending in the platform (LINKED shows what is there now); \
                 run `mynatca link`"
                .into(),
        ],
    );
    // The missing project's warning names it.
    expected["warnings"][0]["project"] = json!("discord");
    ws.run("platform", ["status", "--json"]).stdout_json(expected).stderr(warnings).go();
}
