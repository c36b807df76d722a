//! Adopting mynatca: moving over from the old shell scripts, finding the platform from
//! wherever a team stands, and the conventions of a well-behaved CLI.

use std::path::{Path, PathBuf};
use std::process::Output;

use crate::support::{stderr, stdout, Ws};

mod cli;
mod json;

const PERIODS: &str = "20251215120001_pay_add_periods.sql";

fn legacy(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/legacy").join(name)
}

/// The whole outcome of a run: exit code, stdout and stderr.
pub(super) fn expect(out: &Output, code: i32, stdout: &str, stderr: &str) {
    assert_eq!(
        (out.status.code(), crate::support::stdout(out).as_str(), crate::support::stderr(out).as_str()),
        (Some(code), stdout, stderr)
    );
}

/// platform + pay, not linked yet, with nothing else for `check` to say: the config
/// lists pay's schema and seed glob, and both repos have mynatca's hooks.
fn checkable() -> Ws {
    let ws = Ws::new().with_project("pay");
    ws.write(
        "platform/supabase/config.toml",
        "[api]\nschemas = [\"public\", \"pay\"]\n\n[db.seed]\nsql_paths = [\"./seeds/pay/*.sql\"]\n",
    );
    for repo in ["platform", "pay"] {
        ws.mynatca(repo).arg("setup-hooks").assert().success();
    }
    ws
}

/// Runs git, whatever its exit status.
fn git_run(ws: &Ws, repo: &str, args: &[&str]) -> Output {
    ws.git_cmd(repo, args).output().unwrap()
}

/// platform + pay as a team had them with the old scripts: the scripts committed in the
/// repos, and the hooks `scripts/setup-git-hooks.sh` installed in both.
fn with_the_old_scripts() -> Ws {
    let ws = Ws::new().with_project("pay");
    for (repo, script) in
        [("platform", "link-migrations.sh"), ("platform", "setup-git-hooks.sh"), ("pay", "setup-git-hooks.sh")]
    {
        let to = ws.path(&format!("{repo}/scripts/{script}"));
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(legacy(script), &to).unwrap();
    }
    ws.commit_all("platform", "the old scripts");
    ws.commit_all("pay", "the old scripts");
    for repo in ["platform", "pay"] {
        let out = ws.command(Path::new("bash"), repo).arg("scripts/setup-git-hooks.sh").output().unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
    }
    ws
}

/// In pay, a branch adding one migration; back on main afterwards (hooks fire).
fn periods_branch(ws: &Ws) {
    ws.git("pay", &["switch", "-q", "-c", "feature/periods"]);
    ws.migration("pay", PERIODS, "create table pay.periods (id int);\n");
    ws.commit_all("pay", "periods");
    ws.git("pay", &["switch", "-q", "main"]);
}

/// The README's "Moving over from the shell scripts", step by step.
#[test]
fn moving_over_from_the_scripts_keeps_checkouts_and_merges_working() {
    let ws = with_the_old_scripts();
    // The old hooks work while the scripts are there.
    periods_branch(&ws);
    let hooks = |repo: &str| ws.path(&format!("{repo}/.git/hooks"));

    // Step 2: setup-hooks in each repo replaces the scripts' hooks, keeping copies.
    for repo in ["platform", "pay"] {
        let out = ws.mynatca(repo).arg("setup-hooks").output().unwrap();
        let mut expected = format!("hooks in {}\n", hooks(repo).display());
        for hook in ["post-checkout", "post-merge", "pre-commit"] {
            expected += &format!("replaced {hook}: the old scripts' hook (it calls link-migrations.sh) is kept as {hook}.from-scripts, not run; delete it when you no longer need it\n");
        }
        if repo == "pay" {
            expected +=
                &format!("recorded mynatca.platform = {} in the repo's git config\n", ws.path("platform").display());
        }
        expect(&out, 0, expected.as_str(), "");
        assert!(hooks(repo).join("post-checkout.from-scripts").is_file());
        assert!(!hooks(repo).join("post-checkout.pre-mynatca").exists(), "a script hook was chained");
    }

    // Step 3: link in the platform finds the scripts' links correct.
    let out = ws.mynatca("platform").arg("link").output().unwrap();
    expect(&out, 0, "linked: 1 created, 0 updated, 0 removed, 1 unchanged\n", "");

    // Step 4: the team deletes the scripts (on a branch, merged: main is protected).
    for repo in ["platform", "pay"] {
        ws.git(repo, &["switch", "-q", "-c", "chore/drop-scripts"]);
        ws.git(repo, &["rm", "-q", "-r", "scripts"]);
        ws.git(repo, &["commit", "-q", "-m", "mynatca replaces the scripts"]);
        ws.git(repo, &["switch", "-q", "main"]);
        let merge = git_run(&ws, repo, &["merge", "-q", "--no-ff", "--no-edit", "chore/drop-scripts"]);
        assert_eq!(merge.status.code(), Some(0), "{}", stderr(&merge));
    }
    assert!(!ws.path("platform/scripts").exists());

    // Checkouts and merges succeed, and the links follow them.
    let checkout = git_run(&ws, "pay", &["switch", "-q", "feature/periods"]);
    assert_eq!(
        (checkout.status.code(), stderr(&checkout).as_str()),
        (Some(0), "linked: 1 created, 0 updated, 0 removed, 2 unchanged\n")
    );
    assert!(ws.link(PERIODS).is_some());
    let back = git_run(&ws, "pay", &["switch", "-q", "main"]);
    assert_eq!(
        (back.status.code(), stderr(&back).as_str()),
        (Some(0), "linked: 0 created, 0 updated, 1 removed, 2 unchanged\n")
    );
    let merge = git_run(&ws, "pay", &["merge", "-q", "--no-edit", "feature/periods"]);
    assert_eq!(
        (merge.status.code(), stderr(&merge).as_str()),
        (Some(0), "linked: 1 created, 0 updated, 0 removed, 2 unchanged\n")
    );
    assert!(ws.link(PERIODS).is_some());
}

/// A team that ran an earlier mynatca had the scripts' hooks chained as `.pre-mynatca`.
#[test]
fn a_scripts_hook_chained_by_an_earlier_install_is_unchained() {
    let ws = with_the_old_scripts();
    let hooks = ws.path("pay/.git/hooks");
    for hook in ["post-checkout", "post-merge", "pre-commit"] {
        std::fs::rename(hooks.join(hook), hooks.join(format!("{hook}.pre-mynatca"))).unwrap();
    }
    let out = ws.mynatca("pay").arg("setup-hooks").output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out).matches("kept as post-checkout.from-scripts, not run").count(), 1, "{}", stdout(&out));
    for hook in ["post-checkout", "post-merge", "pre-commit"] {
        assert!(!hooks.join(format!("{hook}.pre-mynatca")).exists());
        assert!(hooks.join(format!("{hook}.from-scripts")).is_file());
    }
    std::fs::remove_dir_all(ws.path("platform/scripts")).unwrap();
    // A checkout that changes the migrations relinks, with the scripts gone.
    ws.git("pay", &["switch", "-q", "-c", "feature/x"]);
    ws.migration("pay", PERIODS, "create table pay.periods (id int);\n");
    ws.commit_all("pay", "periods");
    let checkout = git_run(&ws, "pay", &["switch", "-q", "main"]);
    assert_eq!(
        (checkout.status.code(), stderr(&checkout).as_str()),
        (Some(0), "linked: 2 created, 0 updated, 0 removed, 0 unchanged\n")
    );
}

#[test]
fn a_linked_project_given_as_the_platform_is_refused_and_left_untouched() {
    let ws = Ws::new().with_project("pay");
    let out = ws.mynatca("platform").args(["--platform", "../pay", "link"]).output().unwrap();
    expect(
        &out,
        2,
        "",
        &format!(
            "error: --platform: ../pay is the linked project pay, not the platform; the platform is {}\n",
            ws.path("platform").display()
        ),
    );
    assert!(!ws.path("pay/supabase/.mynatca.lock").exists());
    assert!(!ws.read("pay/.git/info/exclude").contains("mynatca"));
}

#[test]
fn a_platform_from_the_environment_must_hold_the_registry() {
    let ws = Ws::new();
    ws.mkdir("elsewhere/supabase/migrations");
    let out = ws.mynatca("platform").env("MYNATCA_PLATFORM", "../elsewhere").arg("link").output().unwrap();
    expect(&out, 2, "", "error: MYNATCA_PLATFORM: ../elsewhere has no .linked-projects.json, so it is not a platform; point it at the platform repo (in a new platform, `mynatca link-project` creates the registry)\n");
    assert!(!ws.path("elsewhere/supabase/.mynatca.lock").exists());
    // link-project may start a registry there.
    ws.add_project_repo("pay");
    let out = ws
        .mynatca("platform")
        .env("MYNATCA_PLATFORM", "../elsewhere")
        .args(["link-project", "pay", "--path", "../pay", "--schema", "pay"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(ws.read("elsewhere/.linked-projects.json").contains("\"pay\""));
}

#[test]
fn a_platform_without_a_registry_says_how_to_start_one() {
    let ws = Ws::new();
    ws.remove("platform/.linked-projects.json");
    let out = ws.mynatca("platform/supabase").arg("status").output().unwrap();
    expect(&out, 2, "", &format!(
                "error: {} has no .linked-projects.json yet, so no project is linked to this platform; start it with `mynatca link-project NAME --path ../NAME --schema NAME` (or just `mynatca link-project` in a terminal)\n",
                ws.path("platform").display()
            ));
}

#[test]
fn the_workspace_root_finds_its_one_platform() {
    let ws = Ws::new().with_project("pay");
    let out = ws.mynatca(".").arg("link").output().unwrap();
    expect(&out, 0, "linked: 2 created, 0 updated, 0 removed, 0 unchanged\n", "");
    ws.write("platform-copy/.linked-projects.json", "{\"version\": 1, \"projects\": []}\n");
    let out = ws.mynatca(".").arg("link").output().unwrap();
    expect(
        &out,
        2,
        "",
        &format!(
            "error: {} holds several platforms (platform, platform-copy); cd into one, or pass --platform DIR\n",
            ws.root.display()
        ),
    );
}

#[test]
fn setup_hooks_in_a_worktree_finds_the_platform_through_the_main_worktree() {
    let ws = Ws::new().with_project("pay");
    ws.git("pay", &["worktree", "add", "-q", "-b", "feature/x", "../pay-feature"]);
    let out = ws.mynatca("pay-feature").arg("setup-hooks").output().unwrap();
    let expected = format!(
        "hooks in {}\ninstalled post-checkout\ninstalled post-merge\ninstalled pre-commit\nrecorded mynatca.platform = {} in the repo's git config\n",
        ws.path("pay/.git/hooks").display(),
        ws.path("platform").display()
    );
    expect(&out, 0, &expected, "");
}

#[test]
fn a_typo_in_a_project_path_is_one_warning_suggesting_the_folder() {
    let ws = Ws::new().with_project("pay");
    ws.migration("pay", PERIODS, "create table pay.periods (id int);\n");
    ws.mynatca("platform").arg("link").assert().success();
    let mut registry = ws.registry();
    registry["projects"][0]["path"] = "../pya".into();
    ws.write_registry(&registry);

    let out = ws.mynatca("platform").arg("link").output().unwrap();
    expect(&out, 0, "linked: 0 created, 0 updated, 0 removed, 0 unchanged\n", "warning: project pay: \"path\" ../pya in .linked-projects.json does not exist; did you mean ../pay? Fix it there (links into ../pay are left alone until then)\n");
    assert_eq!(ws.links().len(), 2, "the links were removed");
}

#[test]
fn unlink_project_suggests_the_closest_linked_name() {
    let ws = Ws::new().with_project("pay").with_project("discord");
    let out = ws.mynatca("platform").args(["unlink-project", "pya"]).output().unwrap();
    expect(
        &out,
        2,
        "",
        &format!(
            "error: no project \"pya\" in {} (linked: pay, discord); did you mean `mynatca unlink-project pay`?\n",
            ws.path("platform/.linked-projects.json").display()
        ),
    );
}

/// A fresh clone has no links yet: `check` judges it as `link` would make it.
#[test]
fn check_on_a_fresh_clone_passes_with_one_warning_for_the_links() {
    let ws = checkable();
    let out = ws.mynatca("platform").arg("check").output().unwrap();
    expect(&out, 0, "supabase/migrations:1: warning[stale-link]: 2 link changes pending (2 to create, 0 to update, 0 to remove); run `mynatca link`\nchecked 1 migration in 2 repos: 0 errors, 1 warning\n", "");
    let out = ws.mynatca("platform").args(["check", "--strict"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).starts_with("supabase/migrations:1: error[stale-link]: 2 link changes pending"),
        "{}",
        stdout(&out)
    );
}

/// A name the Supabase CLI skips has one severity: a warning, in `link` and in `check`.
#[test]
fn link_and_check_agree_on_a_name_the_supabase_cli_skips() {
    let ws = checkable();
    ws.migration("pay", "pay_notes.sql", "select 1;\n");
    let link = ws.mynatca("platform").arg("link").output().unwrap();
    expect(
        &link,
        0,
        "linked: 3 created, 0 updated, 0 removed, 0 unchanged\n",
        "warning: pay_notes.sql (pay) does not match <version>_<name>.sql; the Supabase CLI skips it (rename it)\n",
    );
    let check = ws.mynatca("platform").arg("check").output().unwrap();
    expect(&check, 0, "../pay/supabase/migrations/pay_notes.sql:1: warning[name-pattern]: pay_notes.sql is not <digits>_<name>.sql, so the Supabase CLI skips it; rename it (`mynatca new` makes a proper name)\nchecked 2 migrations in 2 repos: 0 errors, 1 warning\n", "");
}

#[test]
fn a_tracked_hooks_folder_is_refused_with_the_recipe() {
    let ws = Ws::new().with_project("pay");
    ws.write("pay/.husky/pre-commit", "npm test\n");
    ws.commit_all("pay", "husky");
    ws.git("pay", &["config", "core.hooksPath", ".husky"]);
    let out = ws.mynatca("pay").arg("setup-hooks").output().unwrap();
    expect(&out, 2, "", "error: the hooks folder .husky (husky's) holds files git tracks, so mynatca will not write shims naming this machine's binary into it; call mynatca from your hook manager instead (husky: add `mynatca hook post-checkout`, `mynatca hook post-merge` and `mynatca hook pre-commit` to those files in .husky/; lefthook and pre-commit: see \"Hook managers\" in mynatca's README), or point core.hooksPath at an untracked folder\n");
    assert_eq!(ws.entries("pay/.husky"), vec!["pre-commit"]);
    assert!(ws.git_cmd("pay", &["config", "mynatca.platform"]).output().unwrap().stdout.is_empty());

    // Any folder holding tracked files, whatever its name.
    ws.write("pay/githooks/post-merge", "echo hi\n");
    ws.commit_all("pay", "team hooks");
    ws.git("pay", &["config", "core.hooksPath", "githooks"]);
    let out = ws.mynatca("pay").arg("setup-hooks").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).starts_with("error: the hooks folder githooks (core.hooksPath) holds files git tracks"));
}

/// The manifest's hooks run as pre-commit would run them: mynatca on PATH, in the repo.
#[test]
fn the_pre_commit_manifest_names_two_hooks_that_run() {
    let manifest =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(".pre-commit-hooks.yaml")).unwrap();
    let ids: Vec<&str> = manifest.lines().filter_map(|l| l.strip_prefix("- id: ")).collect();
    assert_eq!(ids, vec!["mynatca-link", "mynatca-check"]);
    let entries: Vec<&str> = manifest.lines().filter_map(|l| l.trim().strip_prefix("entry: mynatca ")).collect();
    assert_eq!(entries, vec!["hook post-merge", "check --quiet"]);

    let ws = checkable();
    let link = ws.mynatca("pay").args(entries[0].split(' ')).output().unwrap();
    expect(&link, 0, "linked: 2 created, 0 updated, 0 removed, 0 unchanged\n", "");
    let check = ws.mynatca("pay").args(entries[1].split(' ')).output().unwrap();
    expect(&check, 0, "", "");
}
