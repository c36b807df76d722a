//! Adopting mynatca: moving over from the old shell scripts, finding the platform from
//! wherever a team stands, and the conventions of a well-behaved CLI.

use std::path::{Path, PathBuf};

use crate::support::Ws;

mod cli;
mod json;

const PERIODS: &str = "20251215120001_pay_add_periods.sql";

fn legacy(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/legacy").join(name)
}

/// platform + pay, not linked yet, with nothing else for `check` to say: the config
/// lists pay's schema and seed glob, and both repos have mynatca's hooks.
fn checkable() -> Ws {
    let ws = Ws::new().with_project("pay");
    ws.write(
        "platform/supabase/config.toml",
        "[api]\nschemas = [\"public\", \"pay\"]\n\n[db.seed]\nsql_paths = [\"./seeds/pay/*.sql\"]\n",
    );
    ws.run("platform", ["setup-hooks"]).stdout(hooks_installed("platform")).go();
    ws.run("pay", ["setup-hooks"]).stdout(hooks_installed("pay")).go();
    ws
}

/// What a first `setup-hooks` in `repo` prints (a project's also records the platform).
fn hooks_installed(repo: &str) -> String {
    let recorded = match repo {
        "platform" => "",
        _ => "recorded mynatca.platform = $WS/platform in the repo's git config\n",
    };
    format!(
        "hooks in $WS/{repo}/.git/hooks\ninstalled post-checkout\ninstalled post-merge\ninstalled post-rewrite\ninstalled pre-commit\n{recorded}"
    )
}

/// What `link` prints, as a sentence on stdout or from a hook on git's stderr.
fn linked(created: u32, removed: u32, unchanged: u32) -> String {
    format!("linked: {created} created, 0 updated, {removed} removed, {unchanged} unchanged\n")
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
        let mut bash = ws.command(Path::new("bash"), repo);
        bash.arg("scripts/setup-git-hooks.sh");
        ws.test(bash).stdout("git hooks installed in .git/hooks\n").go();
    }
    ws
}

/// What `setup-hooks` prints in `repo` of [`with_the_old_scripts`]: each hook replaced, its
/// copy kept aside and not run.
fn scripts_hooks_replaced(repo: &str) -> String {
    let mut expected = format!("hooks in $WS/{repo}/.git/hooks\n");
    for hook in ["post-checkout", "post-merge", "post-rewrite", "pre-commit"] {
        if hook == "post-rewrite" {
            // The scripts never had one.
            expected += "installed post-rewrite\n";
            continue;
        }
        expected += &format!("replaced {hook}: the old scripts' hook (it calls link-migrations.sh) is kept as {hook}.from-scripts, not run; delete it when you no longer need it\n");
    }
    if repo != "platform" {
        expected += "recorded mynatca.platform = $WS/platform in the repo's git config\n";
    }
    expected
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
        ws.run(repo, ["setup-hooks"]).stdout(scripts_hooks_replaced(repo)).go();
        assert!(hooks(repo).join("post-checkout.from-scripts").is_file());
        assert!(!hooks(repo).join("post-checkout.pre-mynatca").exists(), "a script hook was chained");
    }

    // Step 3: link in the platform finds the scripts' links correct.
    ws.run("platform", ["link"]).stdout(linked(1, 0, 1)).go();

    // Step 4: the team deletes the scripts (on a branch, merged: main is protected).
    for repo in ["platform", "pay"] {
        ws.git(repo, &["switch", "-q", "-c", "chore/drop-scripts"]);
        ws.git(repo, &["rm", "-q", "-r", "scripts"]);
        ws.git(repo, &["commit", "-q", "-m", "mynatca replaces the scripts"]);
        ws.git(repo, &["switch", "-q", "main"]);
        ws.run_git(repo, &["merge", "-q", "--no-ff", "--no-edit", "chore/drop-scripts"]).go();
    }
    assert!(!ws.path("platform/scripts").exists());

    // Checkouts and merges succeed, and the links follow them.
    ws.run_git("pay", &["switch", "-q", "feature/periods"]).stderr(linked(1, 0, 2)).go();
    assert!(ws.link(PERIODS).is_some());
    ws.run_git("pay", &["switch", "-q", "main"]).stderr(linked(0, 1, 2)).go();
    ws.run_git("pay", &["merge", "-q", "--no-edit", "feature/periods"]).stderr(linked(1, 0, 2)).go();
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
    // Each chained hook is unchained and kept once, as `.from-scripts`.
    ws.run("pay", ["setup-hooks"]).stdout(scripts_hooks_replaced("pay")).go();
    for hook in ["post-checkout", "post-merge", "pre-commit"] {
        assert!(!hooks.join(format!("{hook}.pre-mynatca")).exists());
        assert!(hooks.join(format!("{hook}.from-scripts")).is_file());
    }
    std::fs::remove_dir_all(ws.path("platform/scripts")).unwrap();
    // A checkout that changes the migrations relinks, with the scripts gone.
    ws.git("pay", &["switch", "-q", "-c", "feature/x"]);
    ws.migration("pay", PERIODS, "create table pay.periods (id int);\n");
    ws.commit_all("pay", "periods");
    ws.run_git("pay", &["switch", "-q", "main"]).stderr(linked(2, 0, 0)).go();
}

#[test]
fn a_linked_project_given_as_the_platform_is_refused_and_left_untouched() {
    let ws = Ws::new().with_project("pay");
    ws.run("platform", ["--platform", "../pay", "link"])
        .status(2)
        .stderr("error: --platform: ../pay is the linked project pay, not the platform; the platform is $WS/platform\n")
        .go();
    assert!(!ws.path("pay/supabase/.mynatca.lock").exists());
    assert!(!ws.read("pay/.git/info/exclude").contains("mynatca"));
}

#[test]
fn the_current_folder_given_as_the_platform_is_named_dot() {
    let ws = Ws::new();
    ws.mkdir("elsewhere/supabase/migrations");
    ws.run("elsewhere", ["--platform", ".", "link"])
        .status(2)
        .stderr("error: --platform: . has no .linked-projects.json, so it is not a platform; point it at the platform repo (in a new platform, `mynatca link-project` creates the registry)\n")
        .go();
}

#[test]
fn a_platform_from_the_environment_must_hold_the_registry() {
    let ws = Ws::new();
    ws.mkdir("elsewhere/supabase/migrations");
    ws.run("platform", ["link"])
        .env("MYNATCA_PLATFORM", "../elsewhere")
        .status(2)
        .stderr("error: MYNATCA_PLATFORM: ../elsewhere has no .linked-projects.json, so it is not a platform; point it at the platform repo (in a new platform, `mynatca link-project` creates the registry)\n")
        .go();
    assert!(!ws.path("elsewhere/supabase/.mynatca.lock").exists());
    // link-project may start a registry there.
    ws.add_project_repo("pay");
    ws.run("platform", ["link-project", "pay", "--path", "../pay", "--schema", "pay"])
        .env("MYNATCA_PLATFORM", "../elsewhere")
        .stdout("added pay to .linked-projects.json (path ../pay, schema pay)\n".to_string() + &linked(2, 0, 0))
        .stderr("warning: $WS/elsewhere/supabase/config.toml not found: add \"pay\" to [api] schemas and \"./seeds/pay/*.sql\" to [db.seed] sql_paths once it exists (`supabase init` creates it)\n")
        .go();
    assert!(ws.read("elsewhere/.linked-projects.json").contains("\"pay\""));
}

#[test]
fn a_platform_without_a_registry_says_how_to_start_one() {
    let ws = Ws::new();
    ws.remove("platform/.linked-projects.json");
    ws.run("platform/supabase", ["status"])
        .status(2)
        .stderr("error: $WS/platform has no .linked-projects.json yet, so no project is linked to this platform; start it with `mynatca link-project NAME --path ../NAME --schema NAME` (or just `mynatca link-project` in a terminal)\n")
        .go();
}

#[test]
fn the_workspace_root_finds_its_one_platform() {
    let ws = Ws::new().with_project("pay");
    ws.run(".", ["link"]).stdout(linked(2, 0, 0)).go();
    ws.write("platform-copy/.linked-projects.json", "{\"version\": 1, \"projects\": []}\n");
    ws.run(".", ["link"])
        .status(2)
        .stderr("error: $WS holds several platforms (platform, platform-copy); cd into one, or pass --platform DIR\n")
        .go();
}

#[test]
fn setup_hooks_in_a_worktree_finds_the_platform_through_the_main_worktree() {
    let ws = Ws::new().with_project("pay");
    ws.git("pay", &["worktree", "add", "-q", "-b", "feature/x", "../pay-feature"]);
    // The hooks go to the main worktree's folder, which every worktree shares.
    ws.run("pay-feature", ["setup-hooks"]).stdout(hooks_installed("pay")).go();
}

#[test]
fn a_typo_in_a_project_path_is_one_warning_suggesting_the_folder() {
    let ws = Ws::new().with_project("pay");
    ws.migration("pay", PERIODS, "create table pay.periods (id int);\n");
    ws.run("platform", ["link"]).stdout(linked(3, 0, 0)).go();
    let mut registry = ws.registry();
    registry["projects"][0]["path"] = "../pya".into();
    ws.write_registry(&registry);

    ws.run("platform", ["link"])
        .stdout(linked(0, 0, 0))
        .stderr("warning: project pay: \"path\" ../pya in .linked-projects.json does not exist; did you mean ../pay? Fix it there (links into ../pay are left alone until then)\n")
        .go();
    assert_eq!(ws.links().len(), 2, "the links were removed");
}

#[test]
fn unlink_project_suggests_the_closest_linked_name() {
    let ws = Ws::new().with_project("pay").with_project("discord");
    ws.run("platform", ["unlink-project", "pya"])
        .status(2)
        .stderr("error: no project \"pya\" in $WS/platform/.linked-projects.json (linked: pay, discord); did you mean `mynatca unlink-project pay`?\n")
        .go();
}

/// A fresh clone has no links yet: `check` judges it as `link` would make it.
#[test]
fn check_on_a_fresh_clone_passes_with_one_warning_for_the_links() {
    let ws = checkable();
    let pending = "2 link changes pending (2 to create, 0 to update, 0 to remove); run `mynatca link`";
    ws.run("platform", ["check"])
        .stdout(format!(
            "supabase/migrations:1: warning[stale-link]: {pending}\nchecked 1 migration in 2 repos: 0 errors, 1 warning\n"
        ))
        .go();
    ws.run("platform", ["check", "--strict"])
        .status(1)
        .stdout(format!(
            "supabase/migrations:1: error[stale-link]: {pending}\nchecked 1 migration in 2 repos: 1 error, 0 warnings\n"
        ))
        .go();
}

/// A name the Supabase CLI skips has one severity: a warning, in `link` and in `check`.
#[test]
fn link_and_check_agree_on_a_name_the_supabase_cli_skips() {
    let ws = checkable();
    ws.migration("pay", "pay_notes.sql", "select 1;\n");
    ws.run("platform", ["link"])
        .stdout(linked(3, 0, 0))
        .stderr(
            "warning: pay_notes.sql (pay) does not match <version>_<name>.sql; the Supabase CLI skips it (rename it)\n",
        )
        .go();
    ws.run("platform", ["check"])
        .stdout("../pay/supabase/migrations/pay_notes.sql:1: warning[name-pattern]: pay_notes.sql is not <digits>_<name>.sql, so the Supabase CLI skips it; rename it (`mynatca new` makes a proper name)\nchecked 2 migrations in 2 repos: 0 errors, 1 warning\n")
        .go();
}

#[test]
fn a_tracked_hooks_folder_is_refused_with_the_recipe() {
    let ws = Ws::new().with_project("pay");
    ws.write("pay/.husky/pre-commit", "npm test\n");
    ws.commit_all("pay", "husky");
    ws.git("pay", &["config", "core.hooksPath", ".husky"]);
    let refused = |folder: &str| {
        format!("error: the hooks folder {folder} holds files git tracks, so mynatca will not write shims naming this machine's binary into it; call mynatca from your hook manager instead (husky: add `mynatca hook post-checkout`, `mynatca hook post-merge`, `mynatca hook post-rewrite` and `mynatca hook pre-commit` to those files in .husky/; lefthook and pre-commit: see \"Hook managers\" in mynatca's README), or point core.hooksPath at an untracked folder\n")
    };
    ws.run("pay", ["setup-hooks"]).status(2).stderr(refused(".husky (husky's)")).go();
    assert_eq!(ws.entries("pay/.husky"), vec!["pre-commit"]);
    assert!(ws.git_cmd("pay", &["config", "mynatca.platform"]).output().unwrap().stdout.is_empty());

    // Any folder holding tracked files, whatever its name.
    ws.write("pay/githooks/post-merge", "echo hi\n");
    ws.commit_all("pay", "team hooks");
    ws.git("pay", &["config", "core.hooksPath", "githooks"]);
    ws.run("pay", ["setup-hooks"]).status(2).stderr(refused("githooks (core.hooksPath)")).go();
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
    ws.run("pay", entries[0].split(' ')).stdout(linked(2, 0, 0)).go();
    ws.run("pay", entries[1].split(' ')).go();
}
