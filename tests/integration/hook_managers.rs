//! Hooks that a hook manager (or a team's `core.hooksPath` folder) owns: `check`'s
//! `hooks` rule follows them to what they run, and the real git fires them. In CI a
//! missing hook is no finding.

use std::ffi::OsString;
use std::os::unix::fs::PermissionsExt;

use crate::check::{clean, summary};
use crate::support::{bin, Ws};

const NAMES: [&str; 4] = ["post-checkout", "post-merge", "post-rewrite", "pre-commit"];
const PERIODS: &str = "20251216120001_pay_add_periods.sql";
const GUIDE: &str = "(see \"Hook managers\" in mynatca's README)";

fn write_hook(ws: &Ws, rel: &str, body: &str, mode: u32) {
    ws.write(rel, body);
    std::fs::set_permissions(ws.path(rel), std::fs::Permissions::from_mode(mode)).unwrap();
}

/// The README's recipe: one line per hook.
fn calls(name: &str) -> String {
    format!("#!/bin/sh\nmynatca hook {name} \"$@\"\n")
}

/// PATH with this mynatca first: the recipes call it by name.
fn path_with_mynatca(ws: &Ws) -> OsString {
    let dir = ws.tmp().join("bin");
    std::fs::create_dir_all(&dir).unwrap();
    std::os::unix::fs::symlink(bin(), dir.join("mynatca")).unwrap();
    let mut paths = vec![dir];
    paths.extend(std::env::split_paths(&std::env::var_os("PATH").unwrap()));
    std::env::join_paths(paths).unwrap()
}

/// A pay branch `feature/periods` adding one migration, committed with the hooks off
/// (before any manager's are in place); pay stays on main.
fn periods_branch(ws: &Ws) {
    let git = |args: &[&str]| ws.run_git("pay", args).env("MYNATCA_HOOKS", "0").go();
    git(&["switch", "-q", "-c", "feature/periods"]);
    ws.migration(
        "pay",
        PERIODS,
        "create table pay.periods (id int);\nalter table pay.periods enable row level security;\n",
    );
    git(&["add", "-A"]);
    git(&["commit", "-q", "--no-verify", "-m", "periods"]);
    git(&["switch", "-q", "main"]);
}

/// With pay's `core.hooksPath` at `folder`, `check` finds every hook, and git runs
/// them: switching to [`periods_branch`] links its migration.
fn passes_and_git_runs_them(ws: &Ws, folder: &str) {
    ws.git("pay", &["config", "core.hooksPath", folder]);
    ws.run("platform", ["check"]).stdout(summary(4, 0, 0)).go();
    ws.run_git("pay", &["switch", "-q", "feature/periods"])
        .env("PATH", path_with_mynatca(ws))
        .stderr("linked: 1 created, 0 updated, 0 removed, 5 unchanged\n")
        .go();
    assert!(ws.link(PERIODS).is_some());
}

fn pay_finding(message: &str) -> String {
    format!("../pay:1: warning[hooks]: {message}\n")
}

#[test]
fn a_core_hooks_path_folder_whose_hooks_call_mynatca_passes_and_relinks() {
    let ws = clean();
    periods_branch(&ws);
    for name in NAMES {
        write_hook(&ws, &format!("pay/.githooks/{name}"), &calls(name), 0o755);
    }
    passes_and_git_runs_them(&ws, ".githooks");

    // A hook git skips runs nothing.
    std::fs::set_permissions(ws.path("pay/.githooks/post-rewrite"), std::fs::Permissions::from_mode(0o644)).unwrap();
    let skipped = pay_finding("pay's post-rewrite hook .githooks/post-rewrite runs mynatca but is not executable, so git skips it; run `chmod +x .githooks/post-rewrite`");
    ws.run("platform", ["check"]).stdout(skipped + &summary(5, 0, 1)).go();

    // The older recipe had no post-rewrite; in a folder the team commits, the fix is theirs.
    ws.remove("pay/.githooks/post-rewrite");
    let lacks = "pay lacks mynatca's post-rewrite hook, so links go stale on checkout, merge and rebase; ";
    let setup = pay_finding(&format!("{lacks}run `mynatca setup-hooks` in it"));
    ws.run("platform", ["check"]).stdout(setup + &summary(5, 0, 1)).go();
    ws.run_git("pay", &["add", ".githooks"]).go();
    let manager = pay_finding(&format!("{lacks}have your hook manager run `mynatca hook <name>` for each {GUIDE}"));
    ws.run("platform", ["check"]).stdout(manager + &summary(5, 0, 1)).go();
}

/// husky 9 points core.hooksPath at `.husky/_`, whose hooks source `h`, which runs
/// `.husky/NAME` with sh (that file need not be executable).
#[test]
fn husky_hooks_are_followed_to_the_husky_folder_and_git_runs_them() {
    let ws = clean();
    periods_branch(&ws);
    write_hook(
        &ws,
        "pay/.husky/_/h",
        "#!/usr/bin/env sh\nn=$(basename \"$0\")\ns=$(dirname \"$(dirname \"$0\")\")/$n\n[ ! -f \"$s\" ] && exit 0\nsh -e \"$s\" \"$@\"\n",
        0o755,
    );
    for name in NAMES {
        write_hook(&ws, &format!("pay/.husky/_/{name}"), "#!/usr/bin/env sh\n. \"$(dirname \"$0\")/h\"\n", 0o755);
        write_hook(&ws, &format!("pay/.husky/{name}"), &format!("mynatca hook {name} \"$@\"\n"), 0o644);
    }
    passes_and_git_runs_them(&ws, ".husky/_");

    ws.remove("pay/.husky/post-merge");
    let lacks = pay_finding(&format!("pay lacks mynatca's post-merge hook, so links go stale on checkout, merge and rebase; have husky run `mynatca hook <name>` for each {GUIDE}"));
    ws.run("platform", ["check"]).stdout(lacks + &summary(5, 0, 1)).go();

    // husky 8: core.hooksPath is `.husky` itself, each hook a script of its own.
    ws.remove("pay/.husky");
    for name in NAMES {
        let body = format!("#!/usr/bin/env sh\n. \"$(dirname -- \"$0\")/_/husky.sh\"\n\nmynatca hook {name} \"$@\"\n");
        write_hook(&ws, &format!("pay/.husky/{name}"), &body, 0o755);
    }
    ws.git("pay", &["config", "core.hooksPath", ".husky"]);
    ws.run("platform", ["check"]).stdout(summary(5, 0, 0)).go();
}

#[test]
fn lefthook_and_pre_commit_hooks_are_followed_to_their_configuration() {
    let ws = clean();
    for name in NAMES {
        let runner =
            format!("#!/bin/sh\nif [ \"$LEFTHOOK\" = \"0\" ]; then exit 0; fi\nexec lefthook run \"{name}\" \"$@\"\n");
        write_hook(&ws, &format!("pay/.git/hooks/{name}"), &runner, 0o755);
    }
    // The README's recipe before post-rewrite.
    let mut config = String::new();
    for name in ["post-checkout", "post-merge", "pre-commit"] {
        config += &format!("{name}:\n  commands:\n    mynatca:\n      run: mynatca hook {name} {{0}}\n");
    }
    ws.write("pay/lefthook.yml", &config);
    let lacks = pay_finding(&format!("pay lacks mynatca's post-rewrite hook, so links go stale on checkout, merge and rebase; have lefthook run `mynatca hook <name>` for each {GUIDE}"));
    ws.run("platform", ["check"]).stdout(lacks + &summary(4, 0, 1)).go();
    ws.write(
        "pay/lefthook.yml",
        &(config + "post-rewrite:\n  commands:\n    mynatca:\n      run: mynatca hook post-rewrite {0}\n"),
    );
    ws.run("platform", ["check"]).stdout(summary(4, 0, 0)).go();

    // The pre-commit framework: this repo's `mynatca-link`, and its own branch guard.
    for name in NAMES {
        let generated = format!("#!/usr/bin/env bash\n# File generated by pre-commit: https://pre-commit.com\nARGS=(hook-impl --config=.pre-commit-config.yaml --hook-type={name})\nexec python3 -mpre_commit \"${{ARGS[@]}}\"\n");
        write_hook(&ws, &format!("pay/.git/hooks/{name}"), &generated, 0o755);
    }
    let config = "default_install_hook_types: [pre-commit, post-checkout, post-merge, post-rewrite]\nrepos:\n  - repo: https://github.com/mynatca/mynatca\n    rev: main\n    hooks:\n      - id: mynatca-link\n";
    ws.write("pay/.pre-commit-config.yaml", config);
    let lacks = pay_finding(&format!("pay lacks mynatca's pre-commit hook, so direct commits to protected branches are not blocked; have pre-commit run `mynatca hook <name>` for each {GUIDE}"));
    ws.run("platform", ["check"]).stdout(lacks + &summary(4, 0, 1)).go();
    let guard = "  - repo: https://github.com/pre-commit/pre-commit-hooks\n    rev: v5.0.0\n    hooks:\n      - id: no-commit-to-branch\n        args: [--branch, main, --branch, staging]\n";
    ws.write("pay/.pre-commit-config.yaml", &format!("{config}{guard}"));
    ws.run("platform", ["check"]).stdout(summary(4, 0, 0)).go();
}

/// pre-commit runs `mynatca-link`'s one entry, `mynatca hook post-merge`, for every stage,
/// without git's arguments: its environment says what git ran.
#[test]
fn the_pre_commit_frameworks_post_checkout_is_told_by_its_environment() {
    let ws = clean();
    periods_branch(&ws);
    let old = ws.git_stdout("pay", &["rev-parse", "HEAD"]);
    ws.run_git("pay", &["switch", "-q", "feature/periods"]).env("MYNATCA_HOOKS", "0").go();
    let new = ws.git_stdout("pay", &["rev-parse", "HEAD"]);
    // ORIG_HEAD, what post-merge compares, says nothing changed.
    ws.git("pay", &["update-ref", "ORIG_HEAD", "HEAD"]);
    ws.run("pay", ["hook", "post-merge"]).go();
    assert!(ws.link(PERIODS).is_none());
    ws.run("pay", ["hook", "post-merge"])
        .env("PRE_COMMIT", "1")
        .env("PRE_COMMIT_FROM_REF", &old)
        .env("PRE_COMMIT_TO_REF", &new)
        .env("PRE_COMMIT_CHECKOUT_TYPE", "1")
        // Run by hand, not by git: git shows a hook's stdout on stderr.
        .stdout("linked: 1 created, 0 updated, 0 removed, 5 unchanged\n")
        .go();
    assert!(ws.link(PERIODS).is_some());
}

#[test]
fn in_ci_a_missing_hook_is_no_finding() {
    let ws = clean();
    ws.remove("pay/.git/hooks/post-rewrite");
    ws.run("platform", ["check", "--strict"]).env("CI", "true").stdout(summary(4, 0, 0)).go();
    let lacks = pay_finding("pay lacks mynatca's post-rewrite hook, so links go stale on checkout, merge and rebase; run `mynatca setup-hooks` in it");
    ws.run("platform", ["check"]).env("CI", "false").stdout(lacks + &summary(4, 0, 1)).go();
}

/// A manager's hooks that already run mynatca are left alone by `setup-hooks`: a shim in
/// front would run mynatca twice on every checkout. The others get the shim, chained.
#[test]
fn setup_hooks_leaves_a_hook_that_already_runs_mynatca_alone() {
    let ws = Ws::new().with_project("pay");
    for name in NAMES {
        let runner =
            format!("#!/bin/sh\nif [ \"$LEFTHOOK\" = \"0\" ]; then exit 0; fi\nexec lefthook run \"{name}\" \"$@\"\n");
        write_hook(&ws, &format!("pay/.git/hooks/{name}"), &runner, 0o755);
    }
    let mut config = String::new();
    for name in ["post-checkout", "post-merge", "post-rewrite"] {
        config += &format!("{name}:\n  commands:\n    mynatca:\n      run: mynatca hook {name} {{0}}\n");
    }
    ws.write("pay/lefthook.yml", &config);
    let runner = std::fs::read(ws.path("pay/.git/hooks/post-checkout")).unwrap();
    ws.run("pay", ["setup-hooks"])
        .filter(|text| {
            text.lines()
                .filter(|l| !l.starts_with("hooks in ") && !l.starts_with("recorded "))
                .map(|l| format!("{l}\n"))
                .collect()
        })
        .stdout(
            "left post-checkout: it already runs `mynatca hook post-checkout`\n\
             left post-merge: it already runs `mynatca hook post-merge`\n\
             left post-rewrite: it already runs `mynatca hook post-rewrite`\n\
             installed pre-commit (the existing hook is kept as pre-commit.pre-mynatca and runs first)\n",
        )
        .go();
    assert_eq!(std::fs::read(ws.path("pay/.git/hooks/post-checkout")).unwrap(), runner, "left as it was");
    assert!(!ws.path("pay/.git/hooks/post-checkout.pre-mynatca").exists());
}

/// pre-commit installs its `pre-commit` hook type by default: the others are one command.
#[test]
fn pre_commit_with_only_its_default_hook_is_told_the_command_that_installs_the_others() {
    let ws = clean();
    for name in NAMES {
        std::fs::remove_file(ws.path(&format!("pay/.git/hooks/{name}"))).unwrap();
    }
    let generated = "#!/usr/bin/env bash\n# File generated by pre-commit: https://pre-commit.com\nARGS=(hook-impl --config=.pre-commit-config.yaml --hook-type=pre-commit)\nexec python3 -mpre_commit \"${ARGS[@]}\"\n";
    write_hook(&ws, "pay/.git/hooks/pre-commit", generated, 0o755);
    let config = "repos:\n  - repo: https://github.com/mynatca/mynatca\n    rev: main\n    hooks:\n      - id: mynatca-link\n  - repo: https://github.com/pre-commit/pre-commit-hooks\n    rev: v5.0.0\n    hooks:\n      - id: no-commit-to-branch\n        args: [--branch, main]\n";
    ws.write("pay/.pre-commit-config.yaml", config);
    let lacks = pay_finding("pay lacks mynatca's post-checkout, post-merge, post-rewrite hooks, so links go stale on checkout, merge and rebase; install pre-commit's other hook types, `pre-commit install -t post-checkout -t post-merge -t post-rewrite` (its `mynatca-link` hook runs mynatca for each; see \"Hook managers\" in mynatca's README)");
    ws.run("platform", ["check"]).stdout(lacks + &summary(4, 0, 1)).go();
}
