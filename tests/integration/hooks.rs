//! `mynatca setup-hooks` and `mynatca hook`: shims installed into real repos and fired by
//! the real `git` binary.

use std::ffi::OsString;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Output;

use mynatca::hooks::MARKER;

use crate::support::{bin, inode, stderr, stdout, Ws};

const HOOKS: [&str; 3] = ["post-checkout", "post-merge", "pre-commit"];
const PERIODS: &str = "20251215120001_pay_add_periods.sql";

/// platform + pay, linked, with mynatca's hooks in both repos.
fn hooked() -> Ws {
    let ws = Ws::new().with_project("pay");
    ws.mynatca("platform").arg("link").assert().success();
    ws.mynatca("platform").arg("setup-hooks").assert().success();
    ws.mynatca("pay").arg("setup-hooks").assert().success();
    ws
}

/// In pay, a branch `feature/periods` adding one migration; back on main afterwards.
fn periods_branch(ws: &Ws) {
    ws.git("pay", &["switch", "-q", "-c", "feature/periods"]);
    ws.migration("pay", PERIODS, "create table pay.periods (id int);\n");
    ws.commit_all("pay", "periods");
    ws.git("pay", &["switch", "-q", "main"]);
}

/// Runs git, whatever its exit status.
fn git_run(ws: &Ws, repo: &str, args: &[&str]) -> Output {
    ws.git_cmd(repo, args).output().unwrap()
}

fn head(ws: &Ws, repo: &str) -> String {
    ws.git_stdout(repo, &["rev-parse", "HEAD"])
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

fn write_hook(ws: &Ws, rel: &str, body: &str) {
    ws.write(rel, body);
    std::fs::set_permissions(ws.path(rel), std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// A PATH holding only `git` (and whatever else is in `extra`): no mynatca on it.
fn path_with_git_only(ws: &Ws, extra: &[(&str, &Path)]) -> OsString {
    let dir = ws.tmp().join(format!("path-{}", extra.len()));
    std::fs::create_dir_all(&dir).unwrap();
    let git = std::env::split_paths(&std::env::var_os("PATH").unwrap())
        .map(|d| d.join("git"))
        .find(|p| p.is_file())
        .expect("git on PATH");
    std::os::unix::fs::symlink(git, dir.join("git")).unwrap();
    for (name, target) in extra {
        std::os::unix::fs::symlink(target, dir.join(name)).unwrap();
    }
    dir.into_os_string()
}

#[test]
fn setup_hooks_installs_three_executable_shims_and_records_the_platform() {
    let ws = Ws::new().with_project("pay");
    let out = ws.mynatca("pay").arg("setup-hooks").assert().success().get_output().clone();
    let hooks = ws.path("pay/.git/hooks");
    let platform = ws.path("platform");
    assert_eq!(
        stdout(&out),
        format!(
            "hooks in {}\ninstalled post-checkout\ninstalled post-merge\ninstalled pre-commit\nrecorded mynatca.platform = {} in the repo's git config\n",
            hooks.display(),
            platform.display()
        )
    );
    for name in HOOKS {
        let text = std::fs::read_to_string(hooks.join(name)).unwrap();
        assert!(text.starts_with("#!/bin/sh\n"), "{name}: {text}");
        assert!(text.lines().any(|line| line == MARKER), "{name} has no marker line");
        assert!(!text.contains('\r'), "{name} has CR line ends");
        assert!(text.contains(&format!("hook {name} \"$@\"")), "{name} runs another hook");
        assert_eq!(mode(&hooks.join(name)), 0o755, "{name}");
    }
    assert_eq!(ws.git_stdout("pay", &["config", "mynatca.platform"]), platform.display().to_string());

    // The platform's own repo needs no pointer to itself.
    let out = ws.mynatca("platform").arg("setup-hooks").assert().success().get_output().clone();
    assert!(!stdout(&out).contains("mynatca.platform"), "{}", stdout(&out));
    assert_eq!(git_run(&ws, "platform", &["config", "mynatca.platform"]).status.code(), Some(1));
}

#[test]
fn reinstalling_is_idempotent() {
    let ws = hooked();
    let hooks = ws.path("pay/.git/hooks");
    let before: Vec<u64> = HOOKS.iter().map(|name| inode(&hooks.join(name))).collect();
    let out = ws.mynatca("pay").arg("setup-hooks").assert().success().get_output().clone();
    assert_eq!(
        stdout(&out),
        format!(
            "hooks in {}\nunchanged post-checkout\nunchanged post-merge\nunchanged pre-commit\nunchanged mynatca.platform = {}\n",
            hooks.display(),
            ws.path("platform").display()
        )
    );
    let after: Vec<u64> = HOOKS.iter().map(|name| inode(&hooks.join(name))).collect();
    assert_eq!(before, after, "a current shim was rewritten");
    assert!(!hooks.join("pre-commit.pre-mynatca").exists(), "the shim chained itself");
    ws.mynatca("pay").args(["-q", "setup-hooks"]).assert().success().stdout("").stderr("");
}

#[test]
fn switching_branches_in_pay_adds_and_removes_the_platforms_links() {
    let ws = hooked();
    periods_branch(&ws);
    assert_eq!(ws.link(PERIODS), None);

    let out = ws.git("pay", &["switch", "-q", "feature/periods"]);
    assert_eq!(stderr(&out), "linked: 1 created, 0 updated, 0 removed, 2 unchanged\n");
    assert_eq!(ws.link(PERIODS).unwrap(), PathBuf::from(format!("../../../pay/supabase/migrations/{PERIODS}")));

    let out = ws.git("pay", &["switch", "-q", "main"]);
    assert_eq!(stderr(&out), "linked: 0 created, 0 updated, 1 removed, 2 unchanged\n");
    assert_eq!(ws.link(PERIODS), None);
}

#[test]
fn a_merge_links_the_merged_migrations() {
    let ws = hooked();
    periods_branch(&ws);
    // A merge into main runs pre-merge-commit, not pre-commit: it is not blocked.
    let out = ws.git("pay", &["merge", "-q", "--no-ff", "-m", "merge periods", "feature/periods"]);
    assert!(stderr(&out).contains("linked: 1 created"), "{}", stderr(&out));
    assert!(ws.link(PERIODS).is_some());
}

#[test]
fn hooks_are_silent_when_nothing_changed() {
    let ws = hooked();
    for repo in ["pay", "platform"] {
        let out = ws.git(repo, &["switch", "-q", "-c", "feature/quiet"]);
        assert_eq!((stdout(&out), stderr(&out)), (String::new(), String::new()), "{repo}");
        ws.write(&format!("{repo}/notes.txt"), "x\n");
        let out = ws.git(repo, &["commit", "-q", "--allow-empty", "-m", "notes"]);
        assert_eq!((stdout(&out), stderr(&out)), (String::new(), String::new()), "{repo}");
        let out = ws.git(repo, &["switch", "-q", "main"]);
        assert_eq!((stdout(&out), stderr(&out)), (String::new(), String::new()), "{repo}");
    }
}

#[test]
fn commits_on_main_and_staging_are_refused() {
    let ws = hooked();
    for (repo, branch) in [("pay", "main"), ("platform", "main"), ("pay", "staging")] {
        if branch != "main" {
            ws.git(repo, &["switch", "-q", "-c", branch]);
        }
        let before = head(&ws, repo);
        let out = git_run(&ws, repo, &["commit", "-q", "--allow-empty", "-m", "direct"]);
        assert_eq!(out.status.code(), Some(1), "{repo} {branch}");
        assert_eq!(
            stderr(&out),
            format!(
                "error: direct commits to '{branch}' are blocked; move your work to a branch with `git switch -c feature/<name>` (staged changes come along) and commit there, or bypass this check once with `git commit --no-verify`\n"
            )
        );
        assert_eq!(head(&ws, repo), before, "{repo}: the commit was made");
    }
}

#[test]
fn commits_on_a_feature_branch_detached_or_with_no_verify_are_allowed() {
    let ws = hooked();
    let before = head(&ws, "pay");
    ws.git("pay", &["commit", "-q", "--no-verify", "--allow-empty", "-m", "hotfix"]);
    assert_ne!(head(&ws, "pay"), before);

    ws.git("pay", &["switch", "-q", "-c", "feature/x"]);
    let out = ws.git("pay", &["commit", "-q", "--allow-empty", "-m", "feature work"]);
    assert_eq!(stderr(&out), "");

    ws.git("pay", &["switch", "-q", "--detach", "main"]);
    ws.git("pay", &["commit", "-q", "--allow-empty", "-m", "detached work"]);
}

#[test]
fn custom_protected_branches_come_from_the_platforms_registry() {
    let ws = hooked();
    let mut registry = ws.registry();
    registry["protected_branches"] = serde_json::json!(["release"]);
    ws.write_registry(&registry);

    ws.git("pay", &["commit", "-q", "--allow-empty", "-m", "main is open now"]);
    ws.git("pay", &["switch", "-q", "-c", "release"]);
    let out = git_run(&ws, "pay", &["commit", "-q", "--allow-empty", "-m", "direct"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).starts_with("error: direct commits to 'release' are blocked"), "{}", stderr(&out));
}

#[test]
fn concluding_a_merge_with_conflicts_on_staging_is_allowed() {
    let ws = hooked();
    ws.git("pay", &["branch", "staging"]);
    ws.git("pay", &["switch", "-q", "-c", "feature/notes"]);
    ws.write("pay/notes.txt", "feature\n").commit_all("pay", "feature notes");
    ws.git("pay", &["switch", "-q", "staging"]);
    ws.write("pay/notes.txt", "staging\n");
    ws.git("pay", &["add", "-A"]);
    ws.git("pay", &["commit", "-q", "--no-verify", "-m", "staging notes"]);

    assert_eq!(git_run(&ws, "pay", &["merge", "-q", "feature/notes"]).status.code(), Some(1), "expected a conflict");
    ws.write("pay/notes.txt", "both\n");
    ws.git("pay", &["add", "notes.txt"]);
    ws.git("pay", &["commit", "-q", "--no-edit"]);
    assert_eq!(ws.git_stdout("pay", &["rev-list", "--count", "--merges", "HEAD"]), "1");

    let out = git_run(&ws, "pay", &["commit", "-q", "--allow-empty", "-m", "direct"]);
    assert_eq!(out.status.code(), Some(1), "a plain commit on staging is still refused");
}

#[test]
fn a_foreign_pre_commit_is_chained_and_restored_by_uninstall() {
    let ws = Ws::new().with_project("pay");
    let log = ws.tmp().join("foreign.log");
    let foreign = format!("#!/bin/sh\necho ran >> '{}'\nexit ${{FOREIGN_EXIT:-0}}\n", log.display());
    write_hook(&ws, "pay/.git/hooks/pre-commit", &foreign);

    let out = ws.mynatca("pay").arg("setup-hooks").assert().success().get_output().clone();
    assert!(
        stdout(&out)
            .contains("installed pre-commit (the existing hook is kept as pre-commit.pre-mynatca and runs first)\n"),
        "{}",
        stdout(&out)
    );
    assert_eq!(ws.read("pay/.git/hooks/pre-commit.pre-mynatca"), foreign);

    // It runs first and, succeeding, lets mynatca decide.
    ws.git("pay", &["switch", "-q", "-c", "feature/x"]);
    ws.git("pay", &["commit", "-q", "--allow-empty", "-m", "ok"]);
    assert_eq!(std::fs::read_to_string(&log).unwrap(), "ran\n");

    // Failing, it blocks the commit.
    let before = head(&ws, "pay");
    let out =
        ws.git_cmd("pay", &["commit", "-q", "--allow-empty", "-m", "no"]).env("FOREIGN_EXIT", "1").output().unwrap();
    assert!(!out.status.success());
    assert_eq!(head(&ws, "pay"), before);
    assert_eq!(std::fs::read_to_string(&log).unwrap(), "ran\nran\n");

    let out = ws.mynatca("pay").args(["setup-hooks", "--uninstall"]).assert().success().get_output().clone();
    assert_eq!(
        stdout(&out),
        format!(
            "hooks in {}\nremoved post-checkout\nremoved post-merge\nrestored pre-commit (the hook that was there before mynatca's)\n",
            ws.path("pay/.git/hooks").display()
        )
    );
    assert_eq!(ws.read("pay/.git/hooks/pre-commit"), foreign);
    assert_eq!(mode(&ws.path("pay/.git/hooks/pre-commit")), 0o755);
    let left = ws.entries("pay/.git/hooks");
    assert!(left.contains(&"pre-commit.sample".to_string()), "git's samples are not mynatca's to remove");
    assert!(left.iter().all(|name| !name.contains("mynatca") && !HOOKS[..2].contains(&name.as_str())), "{left:?}");

    // Back to before: no protection, the foreign hook alone.
    ws.git("pay", &["switch", "-q", "main"]);
    ws.git("pay", &["commit", "-q", "--allow-empty", "-m", "on main again"]);
    assert_eq!(std::fs::read_to_string(&log).unwrap(), "ran\nran\nran\n");
}

#[test]
fn a_failing_chained_post_checkout_keeps_its_status_and_the_links_are_updated() {
    let ws = hooked();
    periods_branch(&ws);
    ws.mynatca("pay").args(["setup-hooks", "--uninstall"]).assert().success();
    write_hook(&ws, "pay/.git/hooks/post-checkout", "#!/bin/sh\nexit 3\n");
    ws.mynatca("pay").arg("setup-hooks").assert().success();

    let out = git_run(&ws, "pay", &["switch", "-q", "feature/periods"]);
    assert_eq!(out.status.code(), Some(1), "git fails as it did with the chained hook alone");
    assert!(ws.link(PERIODS).is_some(), "the links were not updated");
}

#[test]
fn core_hooks_path_is_honoured() {
    let ws = Ws::new().with_project("pay");
    ws.git("pay", &["config", "core.hooksPath", ".githooks"]);
    let out = ws.mynatca("pay/supabase").arg("setup-hooks").assert().success().get_output().clone();
    assert!(
        stdout(&out).starts_with(&format!("hooks in {}\n", ws.path("pay/.githooks").display())),
        "{}",
        stdout(&out)
    );
    assert!(HOOKS.iter().all(|name| ws.path(&format!("pay/.githooks/{name}")).is_file()));
    assert!(!ws.path("pay/.git/hooks/pre-commit").exists());

    let out = git_run(&ws, "pay", &["commit", "-q", "--allow-empty", "-m", "direct"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("direct commits to 'main' are blocked"));
}

#[test]
fn a_worktree_shares_the_hooks_and_finds_the_platform() {
    let ws = Ws::new().with_project("pay");
    ws.git("pay", &["worktree", "add", "-q", "-b", "feature/wt", "../pay-wt"]);
    let out =
        ws.mynatca("pay-wt").args(["--platform", "../platform", "setup-hooks"]).assert().success().get_output().clone();
    assert!(
        stdout(&out).starts_with(&format!("hooks in {}\n", ws.path("pay/.git/hooks").display())),
        "{}",
        stdout(&out)
    );
    // One config for all worktrees: the main one knows the platform too.
    assert_eq!(ws.git_stdout("pay", &["config", "mynatca.platform"]), ws.path("platform").display().to_string());

    // A checkout in the worktree finds the platform and relinks it.
    ws.migration("pay", PERIODS, "create table pay.periods (id int);\n");
    let out = ws.git("pay-wt", &["switch", "-q", "-c", "feature/wt2"]);
    assert!(stderr(&out).contains("linked: 3 created"), "{}", stderr(&out));
    assert!(ws.link(PERIODS).is_some());

    ws.git("pay-wt", &["switch", "-q", "-c", "staging"]);
    let out = git_run(&ws, "pay-wt", &["commit", "-q", "--allow-empty", "-m", "direct"]);
    assert!(stderr(&out).contains("direct commits to 'staging' are blocked"), "{}", stderr(&out));
}

#[test]
fn a_submodule_gets_its_hooks_where_git_looks_for_them() {
    let ws = Ws::new().with_project("pay");
    ws.git_init("super");
    ws.commit_all("super", "super baseline");
    let pay = ws.path("pay").display().to_string();
    ws.git("super", &["-c", "protocol.file.allow=always", "submodule", "add", "-q", &pay, "pay"]);
    ws.git("super/pay", &["config", "user.email", "dev@example.com"]);
    ws.git("super/pay", &["config", "user.name", "Dev"]);

    let out = ws
        .mynatca("super/pay")
        .args(["--platform", "../../platform", "setup-hooks"])
        .assert()
        .success()
        .get_output()
        .clone();
    let hooks = ws.path("super/.git/modules/pay/hooks");
    assert!(stdout(&out).starts_with(&format!("hooks in {}\n", hooks.display())), "{}", stdout(&out));
    assert!(HOOKS.iter().all(|name| hooks.join(name).is_file()));

    ws.git("super/pay", &["switch", "-q", "main"]);
    let out = git_run(&ws, "super/pay", &["commit", "-q", "--allow-empty", "-m", "direct"]);
    assert!(stderr(&out).contains("direct commits to 'main' are blocked"), "{}", stderr(&out));
}

#[test]
fn mynatca_hooks_0_skips_every_hook() {
    let ws = hooked();
    periods_branch(&ws);
    let out = ws.git_cmd("pay", &["switch", "-q", "feature/periods"]).env("MYNATCA_HOOKS", "0").output().unwrap();
    assert!(out.status.success());
    assert_eq!(stderr(&out), "");
    assert_eq!(ws.link(PERIODS), None, "post-checkout ran");

    ws.git("pay", &["switch", "-q", "main"]);
    let out =
        ws.git_cmd("pay", &["commit", "-q", "--allow-empty", "-m", "skip"]).env("MYNATCA_HOOKS", "0").output().unwrap();
    assert!(out.status.success(), "pre-commit ran: {}", stderr(&out));
}

#[test]
fn a_deleted_binary_leaves_git_working() {
    let ws = Ws::new().with_project("pay");
    // A binary at an awkward path, installed by itself; nothing named mynatca on PATH.
    let copy = ws.tmp().join("my bin's").join("mynatca");
    std::fs::create_dir_all(copy.parent().unwrap()).unwrap();
    std::fs::copy(bin(), &copy).unwrap();
    let out = ws.command(&copy, "pay").arg("setup-hooks").output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let path = path_with_git_only(&ws, &[]);
    let git = |args: &[&str]| ws.git_cmd("pay", args).env("PATH", &path).output().unwrap();

    let out = git(&["commit", "-q", "--allow-empty", "-m", "direct"]);
    assert!(stderr(&out).contains("direct commits to 'main' are blocked"), "the installing binary did not run");

    std::fs::remove_file(&copy).unwrap();
    let out = git(&["switch", "-q", "-c", "feature/x"]);
    assert!(out.status.success());
    assert_eq!(
        stderr(&out),
        format!(
            "warning: mynatca hook post-checkout skipped: mynatca is neither at $MYNATCA_BIN, nor at {}, nor on PATH; install it or set MYNATCA_BIN\n",
            copy.display()
        )
    );
    let out = git(&["switch", "-q", "main"]);
    assert!(out.status.success());
    let out = git(&["commit", "-q", "--allow-empty", "-m", "unprotected"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stderr(&out).lines().count(), 1, "{}", stderr(&out));
}

#[test]
fn the_hook_binary_is_mynatca_bin_then_the_installing_one_then_path() {
    let ws = Ws::new().with_project("pay");
    let copy = ws.tmp().join("installed").join("mynatca");
    std::fs::create_dir_all(copy.parent().unwrap()).unwrap();
    std::fs::copy(bin(), &copy).unwrap();
    assert!(ws.command(&copy, "pay").arg("setup-hooks").output().unwrap().status.success());
    std::fs::remove_file(&copy).unwrap();
    periods_branch(&ws);

    // $MYNATCA_BIN wins.
    let out = ws
        .git_cmd("pay", &["switch", "-q", "feature/periods"])
        .env("PATH", path_with_git_only(&ws, &[]))
        .env("MYNATCA_BIN", bin())
        .output()
        .unwrap();
    assert!(stderr(&out).contains("linked: 3 created"), "{}", stderr(&out));

    // PATH is the last resort.
    let out = ws
        .git_cmd("pay", &["switch", "-q", "main"])
        .env("PATH", path_with_git_only(&ws, &[("mynatca", &bin())]))
        .output()
        .unwrap();
    assert!(stderr(&out).contains("linked: 0 created, 0 updated, 1 removed"), "{}", stderr(&out));
}

#[test]
fn a_link_conflict_during_checkout_leaves_gits_exit_status_0() {
    let ws = hooked();
    periods_branch(&ws);
    ws.migration("platform", PERIODS, "-- the platform's own file\n");
    let out = git_run(&ws, "pay", &["switch", "-q", "feature/periods"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        stderr(&out).contains(&format!("error: conflict: supabase/migrations/{PERIODS} is a real file")),
        "{}",
        stderr(&out)
    );
    assert_eq!(ws.read(&format!("platform/supabase/migrations/{PERIODS}")), "-- the platform's own file\n");
}

#[test]
fn a_bad_registry_is_reported_and_git_still_succeeds() {
    let ws = hooked();
    ws.write("platform/.linked-projects.json", "{\"version\": 1,\n");
    let out = git_run(&ws, "pay", &["switch", "-q", "-c", "feature/x"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(stderr(&out).starts_with("error: post-checkout: links not updated: "), "{}", stderr(&out));
    assert!(stderr(&out).contains(".linked-projects.json:2:"), "{}", stderr(&out));

    // pre-commit falls back to the default branches, and says so.
    ws.git("pay", &["switch", "-q", "main"]);
    let out = git_run(&ws, "pay", &["commit", "-q", "--allow-empty", "-m", "direct"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).starts_with("warning: pre-commit: protecting the default branches (main, staging): "));
}

#[test]
fn without_a_platform_the_hooks_warn_once_and_protect_the_default_branches() {
    let ws = Ws::new();
    ws.git_init("tools");
    ws.commit_all("tools", "tools baseline");
    ws.mynatca("tools").args(["--platform", "../platform", "setup-hooks"]).assert().success();
    std::fs::remove_dir_all(ws.path("platform")).unwrap();

    let out = git_run(&ws, "tools", &["switch", "-q", "-c", "feature/x"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(stderr(&out).lines().count(), 1, "{}", stderr(&out));
    assert!(
        stderr(&out).starts_with("warning: post-checkout: links not updated: no platform found"),
        "{}",
        stderr(&out)
    );

    let out = git_run(&ws, "tools", &["commit", "-q", "--allow-empty", "-m", "feature work"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    ws.git("tools", &["switch", "-q", "main"]);
    let out = git_run(&ws, "tools", &["commit", "-q", "--allow-empty", "-m", "direct"]);
    assert!(stderr(&out).contains("direct commits to 'main' are blocked"), "{}", stderr(&out));
}

#[test]
fn setup_hooks_needs_a_repo_and_a_platform() {
    let ws = Ws::new();
    ws.mkdir("alone");
    ws.mynatca("alone")
        .arg("setup-hooks")
        .assert()
        .code(2)
        .stderr(predicates::str::contains("is not inside a git repo; run this in one, or pass --repo DIR"));
    ws.mynatca("alone")
        .args(["setup-hooks", "--repo", "nowhere"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("not a directory"));

    ws.git_init("tools");
    ws.mynatca("alone")
        .args(["setup-hooks", "--repo", "../tools"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("no platform found"));
    assert!(!ws.path("tools/.git/hooks/pre-commit").exists(), "installed without a platform");
    ws.mynatca("alone").args(["setup-hooks", "--repo", "../platform"]).assert().success();
    assert!(ws.path("platform/.git/hooks/pre-commit").exists());
}

#[test]
fn an_unknown_hook_name_is_exit_2() {
    let ws = hooked();
    ws.mynatca("pay")
        .args(["hook", "pre-push"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(
            "error: invalid value 'pre-push' for '<NAME>'\n  [possible values: post-checkout, post-merge, pre-commit]\n\nFor more information, try '--help'.\n",
        );
}
