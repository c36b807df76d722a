//! `mynatca setup-hooks` and `mynatca hook`: shims installed into real repos and fired by
//! the real `git` binary.

use std::ffi::OsString;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use mynatca::hooks::MARKER;

use crate::support::{bin, finish, inode, spawn, stderr, stdout, Killer, Ws, RUN_LIMIT};

const HOOKS: [&str; 4] = ["post-checkout", "post-merge", "post-rewrite", "pre-commit"];
const PERIODS: &str = "20251215120001_pay_add_periods.sql";

/// What `setup-hooks` prints installing into `repo`'s hooks folder `hooks` (relative to
/// the root); `recorded`: whether it records the platform in the repo's config.
fn installed(hooks: &str, recorded: bool) -> String {
    let record = if recorded { "recorded mynatca.platform = $WS/platform in the repo's git config\n" } else { "" };
    format!("hooks in $WS/{hooks}\ninstalled post-checkout\ninstalled post-merge\ninstalled post-rewrite\ninstalled pre-commit\n{record}")
}

/// What the pre-commit hook says refusing a commit on `branch`.
fn blocked(branch: &str) -> String {
    format!(
        "error: direct commits to '{branch}' are blocked; move your work to a branch with `git switch -c feature/<name>` \
         (staged changes come along) and commit there, or bypass this check once with `git commit --no-verify`\n"
    )
}

/// What a hook says when no mynatca binary can be found (installed at `installed`).
fn skipped(hook: &str, installed: &str) -> String {
    format!(
        "warning: mynatca hook {hook} skipped: mynatca is neither at $MYNATCA_BIN, nor at {installed}, nor on PATH; \
         install it or set MYNATCA_BIN\n"
    )
}

/// platform + pay, linked, with mynatca's hooks in both repos.
fn hooked() -> Ws {
    let ws = Ws::new().with_project("pay");
    ws.run("platform", ["link"]).stdout("linked: 2 created, 0 updated, 0 removed, 0 unchanged\n").go();
    ws.run("platform", ["setup-hooks"]).stdout(installed("platform/.git/hooks", false)).go();
    ws.run("pay", ["setup-hooks"]).stdout(installed("pay/.git/hooks", true)).go();
    ws
}

/// In pay, a branch `feature/periods` adding one migration; back on main afterwards.
/// Setup only: with the hooks off, whichever binary they would find.
fn periods_branch(ws: &Ws) {
    let git = |args: &[&str]| ws.run_git("pay", args).env("MYNATCA_HOOKS", "0").go();
    git(&["switch", "-q", "-c", "feature/periods"]);
    ws.migration("pay", PERIODS, "create table pay.periods (id int);\n");
    git(&["add", "-A"]);
    git(&["commit", "-q", "-m", "periods"]);
    git(&["switch", "-q", "main"]);
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
    ws.run("pay", ["setup-hooks"]).stdout(installed("pay/.git/hooks", true)).go();
    let hooks = ws.path("pay/.git/hooks");
    let platform = ws.path("platform");
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
    ws.run("platform", ["setup-hooks"]).stdout(installed("platform/.git/hooks", false)).go();
    ws.run_git("platform", &["config", "mynatca.platform"]).status(1).go();
}

#[test]
fn reinstalling_is_idempotent() {
    let ws = hooked();
    let hooks = ws.path("pay/.git/hooks");
    let before: Vec<u64> = HOOKS.iter().map(|name| inode(&hooks.join(name))).collect();
    ws.run("pay", ["setup-hooks"])
        .stdout(
            "hooks in $WS/pay/.git/hooks\nunchanged post-checkout\nunchanged post-merge\nunchanged post-rewrite\nunchanged pre-commit\n\
             unchanged mynatca.platform = $WS/platform\n",
        )
        .go();
    let after: Vec<u64> = HOOKS.iter().map(|name| inode(&hooks.join(name))).collect();
    assert_eq!(before, after, "a current shim was rewritten");
    assert!(!hooks.join("pre-commit.pre-mynatca").exists(), "the shim chained itself");
    ws.run("pay", ["-q", "setup-hooks"]).go();
}

#[test]
fn switching_branches_in_pay_adds_and_removes_the_platforms_links() {
    let ws = hooked();
    periods_branch(&ws);
    assert_eq!(ws.link(PERIODS), None);

    ws.run_git("pay", &["switch", "-q", "feature/periods"])
        .stderr("linked: 1 created, 0 updated, 0 removed, 2 unchanged\n")
        .go();
    assert_eq!(ws.link(PERIODS).unwrap(), PathBuf::from(format!("../../../pay/supabase/migrations/{PERIODS}")));

    ws.run_git("pay", &["switch", "-q", "main"]).stderr("linked: 0 created, 0 updated, 1 removed, 2 unchanged\n").go();
    assert_eq!(ws.link(PERIODS), None);
}

#[test]
fn a_merge_links_the_merged_migrations() {
    let ws = hooked();
    periods_branch(&ws);
    // A merge into main runs pre-merge-commit, not pre-commit: it is not blocked.
    ws.run_git("pay", &["merge", "-q", "--no-ff", "-m", "merge periods", "feature/periods"])
        .stderr("linked: 1 created, 0 updated, 0 removed, 2 unchanged\n")
        .go();
    assert!(ws.link(PERIODS).is_some());
}

#[test]
fn hooks_are_silent_when_nothing_changed() {
    let ws = hooked();
    for repo in ["pay", "platform"] {
        ws.run_git(repo, &["switch", "-q", "-c", "feature/quiet"]).go();
        ws.write(&format!("{repo}/notes.txt"), "x\n");
        ws.run_git(repo, &["commit", "-q", "--allow-empty", "-m", "notes"]).go();
        ws.run_git(repo, &["switch", "-q", "main"]).go();
    }
}

#[test]
fn commits_on_main_and_staging_are_refused() {
    let ws = hooked();
    for (repo, branch) in [("pay", "main"), ("platform", "main"), ("pay", "staging")] {
        if branch != "main" {
            ws.run_git(repo, &["switch", "-q", "-c", branch]).go();
        }
        let before = head(&ws, repo);
        ws.run_git(repo, &["commit", "-q", "--allow-empty", "-m", "direct"]).status(1).stderr(blocked(branch)).go();
        assert_eq!(head(&ws, repo), before, "{repo}: the commit was made");
    }
}

#[test]
fn commits_on_a_feature_branch_detached_or_with_no_verify_are_allowed() {
    let ws = hooked();
    let before = head(&ws, "pay");
    ws.run_git("pay", &["commit", "-q", "--no-verify", "--allow-empty", "-m", "hotfix"]).go();
    assert_ne!(head(&ws, "pay"), before);

    ws.run_git("pay", &["switch", "-q", "-c", "feature/x"]).go();
    let before = head(&ws, "pay");
    ws.run_git("pay", &["commit", "-q", "--allow-empty", "-m", "feature work"]).go();
    assert_ne!(head(&ws, "pay"), before);

    ws.run_git("pay", &["switch", "-q", "--detach", "main"]).go();
    let before = head(&ws, "pay");
    ws.run_git("pay", &["commit", "-q", "--allow-empty", "-m", "detached work"]).go();
    assert_ne!(head(&ws, "pay"), before);
}

#[test]
fn custom_protected_branches_come_from_the_platforms_registry() {
    let ws = hooked();
    let mut registry = ws.registry();
    registry["protected_branches"] = serde_json::json!(["release"]);
    ws.write_registry(&registry);

    ws.run_git("pay", &["commit", "-q", "--allow-empty", "-m", "main is open now"]).go();
    ws.run_git("pay", &["switch", "-q", "-c", "release"]).go();
    let before = head(&ws, "pay");
    ws.run_git("pay", &["commit", "-q", "--allow-empty", "-m", "direct"]).status(1).stderr(blocked("release")).go();
    assert_eq!(head(&ws, "pay"), before);
}

#[test]
fn concluding_a_merge_with_conflicts_on_staging_is_allowed() {
    let ws = hooked();
    ws.git("pay", &["branch", "staging"]);
    ws.run_git("pay", &["switch", "-q", "-c", "feature/notes"]).go();
    ws.write("pay/notes.txt", "feature\n").commit_all("pay", "feature notes");
    ws.run_git("pay", &["switch", "-q", "staging"]).go();
    ws.write("pay/notes.txt", "staging\n");
    ws.git("pay", &["add", "-A"]);
    ws.git("pay", &["commit", "-q", "--no-verify", "-m", "staging notes"]);

    ws.run_git("pay", &["merge", "-q", "feature/notes"])
        .status(1)
        .stdout(
            "Auto-merging notes.txt\nCONFLICT (add/add): Merge conflict in notes.txt\n\
             Automatic merge failed; fix conflicts and then commit the result.\n",
        )
        .go();
    ws.write("pay/notes.txt", "both\n");
    ws.git("pay", &["add", "notes.txt"]);
    ws.run_git("pay", &["commit", "-q", "--no-edit"]).go();
    assert_eq!(ws.git_stdout("pay", &["rev-list", "--count", "--merges", "HEAD"]), "1");

    // A plain commit on staging is still refused.
    ws.run_git("pay", &["commit", "-q", "--allow-empty", "-m", "direct"]).status(1).stderr(blocked("staging")).go();
}

#[test]
fn a_foreign_pre_commit_is_chained_and_restored_by_uninstall() {
    let ws = Ws::new().with_project("pay");
    let log = ws.tmp().join("foreign.log");
    let foreign = format!("#!/bin/sh\necho ran >> '{}'\nexit ${{FOREIGN_EXIT:-0}}\n", log.display());
    write_hook(&ws, "pay/.git/hooks/pre-commit", &foreign);

    ws.run("pay", ["setup-hooks"])
        .stdout(installed("pay/.git/hooks", true).replace(
            "installed pre-commit\n",
            "installed pre-commit (the existing hook is kept as pre-commit.pre-mynatca and runs first)\n",
        ))
        .go();
    assert_eq!(ws.read("pay/.git/hooks/pre-commit.pre-mynatca"), foreign);

    // It runs first and, succeeding, lets mynatca decide. (A new branch at the same
    // commit leaves the trees the same: post-checkout skips the relink.)
    ws.run_git("pay", &["switch", "-q", "-c", "feature/x"]).go();
    ws.run_git("pay", &["commit", "-q", "--allow-empty", "-m", "ok"]).go();
    assert_eq!(std::fs::read_to_string(&log).unwrap(), "ran\n");

    // Failing, it blocks the commit.
    let before = head(&ws, "pay");
    ws.run_git("pay", &["commit", "-q", "--allow-empty", "-m", "no"]).env("FOREIGN_EXIT", "1").status(1).go();
    assert_eq!(head(&ws, "pay"), before);
    assert_eq!(std::fs::read_to_string(&log).unwrap(), "ran\nran\n");

    ws.run("pay", ["setup-hooks", "--uninstall"])
        .stdout(
            "hooks in $WS/pay/.git/hooks\nremoved post-checkout\nremoved post-merge\nremoved post-rewrite\n\
             restored pre-commit (the hook that was there before mynatca's)\n",
        )
        .go();
    assert_eq!(ws.read("pay/.git/hooks/pre-commit"), foreign);
    assert_eq!(mode(&ws.path("pay/.git/hooks/pre-commit")), 0o755);
    let left = ws.entries("pay/.git/hooks");
    assert!(left.contains(&"pre-commit.sample".to_string()), "git's samples are not mynatca's to remove");
    assert!(left.iter().all(|name| !name.contains("mynatca") && !HOOKS[..3].contains(&name.as_str())), "{left:?}");

    // Back to before: no protection, the foreign hook alone.
    ws.run_git("pay", &["switch", "-q", "main"]).go();
    ws.run_git("pay", &["commit", "-q", "--allow-empty", "-m", "on main again"]).go();
    assert_eq!(std::fs::read_to_string(&log).unwrap(), "ran\nran\nran\n");
}

#[test]
fn a_failing_chained_post_checkout_keeps_its_status_and_the_links_are_updated() {
    let ws = hooked();
    periods_branch(&ws);
    ws.run("pay", ["setup-hooks", "--uninstall"])
        .stdout("hooks in $WS/pay/.git/hooks\nremoved post-checkout\nremoved post-merge\nremoved post-rewrite\nremoved pre-commit\n")
        .go();
    write_hook(&ws, "pay/.git/hooks/post-checkout", "#!/bin/sh\nexit 3\n");
    ws.run("pay", ["setup-hooks"])
        .stdout(
            installed("pay/.git/hooks", true)
                .replace(
                    "installed post-checkout\n",
                    "installed post-checkout (the existing hook is kept as post-checkout.pre-mynatca and runs first)\n",
                )
                .replace(
                    "recorded mynatca.platform = $WS/platform in the repo's git config",
                    "unchanged mynatca.platform = $WS/platform",
                ),
        )
        .go();

    // git fails as it did with the chained hook alone, and the links are updated.
    ws.run_git("pay", &["switch", "-q", "feature/periods"])
        .status(1)
        .stderr("linked: 1 created, 0 updated, 0 removed, 2 unchanged\n")
        .go();
    assert!(ws.link(PERIODS).is_some(), "the links were not updated");
}

#[test]
fn core_hooks_path_is_honoured() {
    let ws = Ws::new().with_project("pay");
    ws.git("pay", &["config", "core.hooksPath", ".githooks"]);
    ws.run("pay/supabase", ["setup-hooks"]).stdout(installed("pay/.githooks", true)).go();
    assert!(HOOKS.iter().all(|name| ws.path(&format!("pay/.githooks/{name}")).is_file()));
    assert!(!ws.path("pay/.git/hooks/pre-commit").exists());

    ws.run_git("pay", &["commit", "-q", "--allow-empty", "-m", "direct"]).status(1).stderr(blocked("main")).go();
}

#[test]
fn a_worktree_shares_the_hooks_and_finds_the_platform() {
    let ws = Ws::new().with_project("pay");
    ws.git("pay", &["worktree", "add", "-q", "-b", "feature/wt", "../pay-wt"]);
    ws.run("pay-wt", ["--platform", "../platform", "setup-hooks"]).stdout(installed("pay/.git/hooks", true)).go();
    // One config for all worktrees: the main one knows the platform too.
    assert_eq!(ws.git_stdout("pay", &["config", "mynatca.platform"]), ws.path("platform").display().to_string());

    // A checkout in the worktree finds the platform and relinks it.
    ws.migration("pay", PERIODS, "create table pay.periods (id int);\n");
    ws.run_git("pay-wt", &["switch", "-q", "-c", "feature/wt2"])
        .stderr("linked: 3 created, 0 updated, 0 removed, 0 unchanged\n")
        .go();
    assert!(ws.link(PERIODS).is_some());

    ws.run_git("pay-wt", &["switch", "-q", "-c", "staging"]).go();
    ws.run_git("pay-wt", &["commit", "-q", "--allow-empty", "-m", "direct"]).status(1).stderr(blocked("staging")).go();
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

    ws.run("super/pay", ["--platform", "../../platform", "setup-hooks"])
        .stdout(installed("super/.git/modules/pay/hooks", true))
        .go();
    let hooks = ws.path("super/.git/modules/pay/hooks");
    assert!(HOOKS.iter().all(|name| hooks.join(name).is_file()));

    ws.run_git("super/pay", &["switch", "-q", "main"])
        .stderr("linked: 2 created, 0 updated, 0 removed, 0 unchanged\n")
        .go();
    ws.run_git("super/pay", &["commit", "-q", "--allow-empty", "-m", "direct"]).status(1).stderr(blocked("main")).go();
}

#[test]
fn mynatca_hooks_0_skips_every_hook() {
    let ws = hooked();
    periods_branch(&ws);
    ws.run_git("pay", &["switch", "-q", "feature/periods"]).env("MYNATCA_HOOKS", "0").go();
    assert_eq!(ws.link(PERIODS), None, "post-checkout ran");

    ws.run_git("pay", &["switch", "-q", "main"]).env("MYNATCA_HOOKS", "0").go();
    // pre-commit would refuse this on main.
    let before = head(&ws, "pay");
    ws.run_git("pay", &["commit", "-q", "--allow-empty", "-m", "skip"]).env("MYNATCA_HOOKS", "0").go();
    assert_ne!(head(&ws, "pay"), before);
}

#[test]
fn a_deleted_binary_leaves_git_working() {
    let ws = Ws::new().with_project("pay");
    // A binary at an awkward path, installed by itself; nothing named mynatca on PATH.
    let copy = ws.tmp().join("my bin's").join("mynatca");
    std::fs::create_dir_all(copy.parent().unwrap()).unwrap();
    std::fs::copy(bin(), &copy).unwrap();
    ws.test(ws.command(&copy, "pay")).arg("setup-hooks").stdout(installed("pay/.git/hooks", true)).go();
    let path = path_with_git_only(&ws, &[]);
    let git = |args: &[&str]| ws.run_git("pay", args).env("PATH", &path);

    // The installing binary runs.
    git(&["commit", "-q", "--allow-empty", "-m", "direct"]).status(1).stderr(blocked("main")).go();

    std::fs::remove_file(&copy).unwrap();
    let installed = "$TMP/my bin's/mynatca";
    git(&["switch", "-q", "-c", "feature/x"]).stderr(skipped("post-checkout", installed)).go();
    git(&["switch", "-q", "main"]).stderr(skipped("post-checkout", installed)).go();
    let before = head(&ws, "pay");
    git(&["commit", "-q", "--allow-empty", "-m", "unprotected"]).stderr(skipped("pre-commit", installed)).go();
    assert_ne!(head(&ws, "pay"), before);
}

#[test]
fn the_hook_binary_is_mynatca_bin_then_the_installing_one_then_path() {
    let ws = Ws::new().with_project("pay");
    let copy = ws.tmp().join("installed").join("mynatca");
    std::fs::create_dir_all(copy.parent().unwrap()).unwrap();
    std::fs::copy(bin(), &copy).unwrap();
    ws.test(ws.command(&copy, "pay")).arg("setup-hooks").stdout(installed("pay/.git/hooks", true)).go();
    std::fs::remove_file(&copy).unwrap();
    periods_branch(&ws);

    // $MYNATCA_BIN wins.
    ws.run_git("pay", &["switch", "-q", "feature/periods"])
        .env("PATH", path_with_git_only(&ws, &[]))
        .env("MYNATCA_BIN", bin())
        .stderr("linked: 3 created, 0 updated, 0 removed, 0 unchanged\n")
        .go();

    // PATH is the last resort.
    ws.run_git("pay", &["switch", "-q", "main"])
        .env("PATH", path_with_git_only(&ws, &[("mynatca", &bin())]))
        .stderr("linked: 0 created, 0 updated, 1 removed, 2 unchanged\n")
        .go();
}

#[test]
fn a_link_conflict_during_checkout_leaves_gits_exit_status_0() {
    let ws = hooked();
    periods_branch(&ws);
    ws.migration("platform", PERIODS, "-- the platform's own file\n");
    ws.run_git("pay", &["switch", "-q", "feature/periods"])
        .stderr(format!(
            "error: conflict: supabase/migrations/{PERIODS} is a real file in the platform and also a migration of pay; \
             rename one of them\nlinked: 0 created, 0 updated, 0 removed, 2 unchanged\n"
        ))
        .go();
    assert_eq!(ws.read(&format!("platform/supabase/migrations/{PERIODS}")), "-- the platform's own file\n");
}

#[test]
fn a_bad_registry_is_reported_and_git_still_succeeds() {
    let ws = hooked();
    ws.write("platform/.linked-projects.json", "{\"version\": 1,\n");
    let bad = "$WS/platform/.linked-projects.json:2:1: invalid JSON: EOF while parsing a value; \
               fix the file (see `mynatca link-project --help`)";
    ws.run_git("pay", &["switch", "-q", "-c", "feature/x"])
        .stderr(format!("error: post-checkout: links not updated: {bad}\n"))
        .go();

    // pre-commit falls back to the default branches, and says so.
    ws.run_git("pay", &["switch", "-q", "main"])
        .stderr(format!("error: post-checkout: links not updated: {bad}\n"))
        .go();
    ws.run_git("pay", &["commit", "-q", "--allow-empty", "-m", "direct"])
        .status(1)
        .stderr(format!(
            "warning: pre-commit: protecting the default branches (main, staging): {bad}\n{}",
            blocked("main")
        ))
        .go();
}

#[test]
fn without_a_platform_the_hooks_warn_once_and_protect_the_default_branches() {
    let ws = Ws::new();
    ws.git_init("tools");
    ws.commit_all("tools", "tools baseline");
    ws.run("tools", ["--platform", "../platform", "setup-hooks"]).stdout(installed("tools/.git/hooks", true)).go();
    std::fs::remove_dir_all(ws.path("platform")).unwrap();

    let no_platform = "warning: post-checkout: links not updated: no platform found from $WS/tools; \
                       run inside the platform or a linked repo, pass --platform DIR, or set MYNATCA_PLATFORM\n";
    ws.run_git("tools", &["switch", "-q", "-c", "feature/x"]).stderr(no_platform).go();
    ws.run_git("tools", &["commit", "-q", "--allow-empty", "-m", "feature work"]).stderr("").go();
    ws.run_git("tools", &["switch", "-q", "main"]).stderr(no_platform).go();
    ws.run_git("tools", &["commit", "-q", "--allow-empty", "-m", "direct"]).status(1).stderr(blocked("main")).go();
}

#[test]
fn setup_hooks_needs_a_repo_and_a_platform() {
    let ws = Ws::new();
    ws.mkdir("alone");
    ws.run("alone", ["setup-hooks"])
        .status(2)
        .stderr("error: $WS/alone is not inside a git repo; run this in one, or pass --repo DIR\n")
        .go();
    ws.run("alone", ["setup-hooks", "--repo", "nowhere"])
        .status(2)
        .stderr("error: --repo $WS/alone/nowhere: not a directory; point it at a git repo\n")
        .go();

    ws.git_init("tools");
    ws.run("alone", ["setup-hooks", "--repo", "../tools"])
        .status(2)
        .stderr(
            "error: no platform found from $WS/tools; run inside the platform or a linked repo, \
             pass --platform DIR, or set MYNATCA_PLATFORM\n",
        )
        .go();
    assert!(!ws.path("tools/.git/hooks/pre-commit").exists(), "installed without a platform");
    ws.run("alone", ["setup-hooks", "--repo", "../platform"]).stdout(installed("platform/.git/hooks", false)).go();
    assert!(ws.path("platform/.git/hooks/pre-commit").exists());
}

#[test]
fn an_unknown_hook_name_is_exit_2() {
    let ws = hooked();
    ws.run("pay", ["hook", "pre-push"])
        .status(2)
        .stderr(
            "error: invalid value 'pre-push' for '<NAME>'\n  [possible values: post-checkout, post-merge, post-rewrite, pre-commit]\n\n\
             For more information, try '--help'.\n",
        )
        .go();
}

/// Until `check` (paused at its `check-lint` failpoint on `fifo`) has opened the FIFO:
/// the writing end, whose closing lets the check go on. Bounded: a check that never gets
/// there fails the test.
fn hold_paused(check: &mut Killer, fifo: &Path) -> std::fs::File {
    use std::os::unix::fs::OpenOptionsExt;
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        // Opening a FIFO's writing end without blocking fails (ENXIO) while no reader has it.
        match std::fs::OpenOptions::new().write(true).custom_flags(libc::O_NONBLOCK).open(fifo) {
            Ok(writer) => return writer,
            Err(err) if err.raw_os_error() == Some(libc::ENXIO) => {}
            Err(err) => panic!("open {}: {err}", fifo.display()),
        }
        if let Some(status) = check.child().try_wait().unwrap() {
            panic!("check ended ({status}) before its lint phase");
        }
        assert!(Instant::now() < deadline, "check never reached its lint phase");
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// `check` lets the workspace lock go once it has read the links, the registry and the
/// file lists: a `git switch` whose hook relinks finishes, links made, while a check is
/// held in its lint phase (before, the hook waited its 10 s and skipped the relink).
#[test]
fn a_checkout_relinks_while_check_lints() {
    let ws = hooked();
    periods_branch(&ws);
    let fifo = ws.tmp().join("pause");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let mut command = ws.mynatca_std("platform");
    command.arg("check").env("MYNATCA_TEST_PAUSE_IN", format!("check-lint:{}", fifo.display()));
    command.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut check = Killer(Some(spawn(&mut command)));
    let writer = hold_paused(&mut check, &fifo);

    ws.run_git("pay", &["switch", "-q", "feature/periods"])
        .stderr("linked: 1 created, 0 updated, 0 removed, 2 unchanged\n")
        .go();
    assert!(ws.link(PERIODS).is_some(), "relinked while check lints");
    assert!(check.child().try_wait().unwrap().is_none(), "check went on before the test let it");

    drop(writer);
    let output = finish(check.0.take().unwrap(), RUN_LIMIT);
    // What it read before the switch: pay's one migration, its links current.
    assert_eq!(
        (output.status.code(), stdout(&output), stderr(&output)),
        (
            Some(0),
            "supabase/config.toml:2: warning[config-schemas]: schema pay of pay is not in [api] schemas, so the API does not expose it; add \"pay\" (`mynatca link-project pay` does)\n\
             supabase/config.toml:10: warning[config-seeds]: [db.seed] sql_paths lacks \"./seeds/pay/*.sql\", so pay's seeds never run; add it (`mynatca link-project pay` does)\n\
             checked 1 migration in 2 repos: 0 errors, 2 warnings\n"
                .to_string(),
            String::new()
        )
    );
}
