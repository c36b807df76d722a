//! Adopting mynatca: moving over from the old shell scripts, finding the platform from
//! wherever a team stands, and the conventions of a well-behaved CLI.

use std::path::{Path, PathBuf};
use std::process::Output;

use crate::support::{stderr, stdout, Ws};

const PERIODS: &str = "20251215120001_pay_add_periods.sql";

fn legacy(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/legacy").join(name)
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
        assert_eq!((out.status.code(), stdout(&out).as_str(), stderr(&out).as_str()), (Some(0), expected.as_str(), ""));
        assert!(hooks(repo).join("post-checkout.from-scripts").is_file());
        assert!(!hooks(repo).join("post-checkout.pre-mynatca").exists(), "a script hook was chained");
    }

    // Step 3: link in the platform finds the scripts' links correct.
    let out = ws.mynatca("platform").arg("link").output().unwrap();
    assert_eq!(
        (out.status.code(), stdout(&out).as_str(), stderr(&out).as_str()),
        (Some(0), "linked: 1 created, 0 updated, 0 removed, 1 unchanged\n", "")
    );

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
    let checkout = git_run(&ws, "pay", &["switch", "-q", "-c", "feature/x"]);
    assert_eq!(
        (checkout.status.code(), stderr(&checkout).as_str()),
        (Some(0), "linked: 2 created, 0 updated, 0 removed, 0 unchanged\n")
    );
}

#[test]
fn a_linked_project_given_as_the_platform_is_refused_and_left_untouched() {
    let ws = Ws::new().with_project("pay");
    let out = ws.mynatca("platform").args(["--platform", "../pay", "link"]).output().unwrap();
    assert_eq!(
        (out.status.code(), stdout(&out).as_str(), stderr(&out)),
        (
            Some(2),
            "",
            format!(
                "error: --platform: ../pay is the linked project pay, not the platform; the platform is {}\n",
                ws.path("platform").display()
            )
        )
    );
    assert!(!ws.path("pay/supabase/.mynatca.lock").exists());
    assert!(!ws.read("pay/.git/info/exclude").contains("mynatca"));
}

#[test]
fn a_platform_from_the_environment_must_hold_the_registry() {
    let ws = Ws::new();
    ws.mkdir("elsewhere/supabase/migrations");
    let out = ws.mynatca("platform").env("MYNATCA_PLATFORM", "../elsewhere").arg("link").output().unwrap();
    assert_eq!(
        (out.status.code(), stdout(&out).as_str(), stderr(&out).as_str()),
        (
            Some(2),
            "",
            "error: MYNATCA_PLATFORM: ../elsewhere has no .linked-projects.json, so it is not a platform; point it at the platform repo (in a new platform, `mynatca link-project` creates the registry)\n"
        )
    );
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
    assert_eq!(
        (out.status.code(), stdout(&out).as_str(), stderr(&out)),
        (
            Some(2),
            "",
            format!(
                "error: {} has no .linked-projects.json yet, so no project is linked to this platform; start it with `mynatca link-project NAME --path ../NAME --schema NAME` (or just `mynatca link-project` in a terminal)\n",
                ws.path("platform").display()
            )
        )
    );
}

#[test]
fn the_workspace_root_finds_its_one_platform() {
    let ws = Ws::new().with_project("pay");
    let out = ws.mynatca(".").arg("link").output().unwrap();
    assert_eq!(
        (out.status.code(), stdout(&out).as_str(), stderr(&out).as_str()),
        (Some(0), "linked: 2 created, 0 updated, 0 removed, 0 unchanged\n", "")
    );
    ws.write("platform-copy/.linked-projects.json", "{\"version\": 1, \"projects\": []}\n");
    let out = ws.mynatca(".").arg("link").output().unwrap();
    assert_eq!(
        (out.status.code(), stdout(&out).as_str(), stderr(&out)),
        (
            Some(2),
            "",
            format!(
                "error: {} holds several platforms (platform, platform-copy); cd into one, or pass --platform DIR\n",
                ws.root.display()
            )
        )
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
    assert_eq!((out.status.code(), stdout(&out), stderr(&out).as_str()), (Some(0), expected, ""));
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
    assert_eq!(
        (out.status.code(), stdout(&out).as_str(), stderr(&out).as_str()),
        (
            Some(0),
            "linked: 0 created, 0 updated, 0 removed, 0 unchanged\n",
            "warning: project pay: \"path\" ../pya in .linked-projects.json does not exist; did you mean ../pay? Fix it there (links into ../pay are left alone until then)\n"
        )
    );
    assert_eq!(ws.links().len(), 2, "the links were removed");
}

#[test]
fn unlink_project_suggests_the_closest_linked_name() {
    let ws = Ws::new().with_project("pay").with_project("discord");
    let out = ws.mynatca("platform").args(["unlink-project", "pya"]).output().unwrap();
    assert_eq!(
        (out.status.code(), stdout(&out).as_str(), stderr(&out)),
        (
            Some(2),
            "",
            format!(
                "error: no project \"pya\" in {} (linked: pay, discord); did you mean `mynatca unlink-project pay`?\n",
                ws.path("platform/.linked-projects.json").display()
            )
        )
    );
}

/// A fresh clone has no links yet: `check` judges it as `link` would make it.
#[test]
fn check_on_a_fresh_clone_passes_with_one_warning_for_the_links() {
    let ws = Ws::new().with_project("pay");
    ws.write(
        "platform/supabase/config.toml",
        "[api]\nschemas = [\"public\", \"pay\"]\n\n[db.seed]\nsql_paths = [\"./seeds/pay/*.sql\"]\n",
    );
    for repo in ["platform", "pay"] {
        ws.mynatca(repo).arg("setup-hooks").assert().success();
    }
    let out = ws.mynatca("platform").arg("check").output().unwrap();
    assert_eq!(
        (out.status.code(), stdout(&out).as_str(), stderr(&out).as_str()),
        (
            Some(0),
            "supabase/migrations:1: warning[stale-link]: 2 link changes pending (2 to create, 0 to update, 0 to remove); run `mynatca link`\nchecked 1 migrations in 2 repos: 0 errors, 1 warning\n",
            ""
        )
    );
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
    let ws = Ws::new().with_project("pay");
    ws.write(
        "platform/supabase/config.toml",
        "[api]\nschemas = [\"public\", \"pay\"]\n\n[db.seed]\nsql_paths = [\"./seeds/pay/*.sql\"]\n",
    );
    ws.migration("pay", "pay_notes.sql", "select 1;\n");
    let link = ws.mynatca("platform").arg("link").output().unwrap();
    assert_eq!(
        (link.status.code(), stdout(&link).as_str(), stderr(&link).as_str()),
        (
            Some(0),
            "linked: 3 created, 0 updated, 0 removed, 0 unchanged\n",
            "warning: pay_notes.sql (pay) does not match <version>_<name>.sql; the Supabase CLI skips it (rename it)\n"
        )
    );
    for repo in ["platform", "pay"] {
        ws.mynatca(repo).arg("setup-hooks").assert().success();
    }
    let check = ws.mynatca("platform").arg("check").output().unwrap();
    assert_eq!(
        (check.status.code(), stdout(&check).as_str(), stderr(&check).as_str()),
        (
            Some(0),
            "../pay/supabase/migrations/pay_notes.sql:1: warning[name-pattern]: pay_notes.sql is not <digits>_<name>.sql, so the Supabase CLI skips it; rename it (`mynatca new` makes a proper name)\nchecked 2 migrations in 2 repos: 0 errors, 1 warning\n",
            ""
        )
    );
}

#[test]
fn a_tracked_hooks_folder_is_refused_with_the_recipe() {
    let ws = Ws::new().with_project("pay");
    ws.write("pay/.husky/pre-commit", "npm test\n");
    ws.commit_all("pay", "husky");
    ws.git("pay", &["config", "core.hooksPath", ".husky"]);
    let out = ws.mynatca("pay").arg("setup-hooks").output().unwrap();
    assert_eq!(
        (out.status.code(), stdout(&out).as_str(), stderr(&out).as_str()),
        (
            Some(2),
            "",
            "error: the hooks folder .husky (husky's) holds files git tracks, so mynatca will not write shims naming this machine's binary into it; call mynatca from your hook manager instead (husky: add `mynatca hook post-checkout`, `mynatca hook post-merge` and `mynatca hook pre-commit` to those files in .husky/; lefthook and pre-commit: see \"Hook managers\" in mynatca's README), or point core.hooksPath at an untracked folder\n"
        )
    );
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

    let ws = Ws::new().with_project("pay");
    ws.write(
        "platform/supabase/config.toml",
        "[api]\nschemas = [\"public\", \"pay\"]\n\n[db.seed]\nsql_paths = [\"./seeds/pay/*.sql\"]\n",
    );
    for repo in ["platform", "pay"] {
        ws.mynatca(repo).arg("setup-hooks").assert().success();
    }
    let link = ws.mynatca("pay").args(entries[0].split(' ')).output().unwrap();
    assert_eq!(
        (link.status.code(), stdout(&link).as_str(), stderr(&link).as_str()),
        (Some(0), "linked: 2 created, 0 updated, 0 removed, 0 unchanged\n", "")
    );
    let check = ws.mynatca("pay").args(entries[1].split(' ')).output().unwrap();
    assert_eq!((check.status.code(), stdout(&check).as_str(), stderr(&check).as_str()), (Some(0), "", ""));
}

#[test]
fn completions_for_each_shell_and_the_man_page_come_from_the_cli() {
    use clap::CommandFactory;
    let ws = Ws::empty();
    for (name, shell) in [
        ("bash", clap_complete::Shell::Bash),
        ("zsh", clap_complete::Shell::Zsh),
        ("fish", clap_complete::Shell::Fish),
        ("powershell", clap_complete::Shell::PowerShell),
    ] {
        let mut expected = Vec::new();
        clap_complete::generate(shell, &mut mynatca::cli::Cli::command(), "mynatca", &mut expected);
        let out = ws.mynatca(".").args(["completions", name]).output().unwrap();
        assert_eq!((out.status.code(), &out.stdout, stderr(&out)), (Some(0), &expected, String::new()), "{name}");
    }
    let out = ws.mynatca(".").args(["completions", "bash"]).output().unwrap();
    assert!(stdout(&out).contains("setup-hooks"));

    let mut expected = Vec::new();
    clap_mangen::Man::new(mynatca::cli::Cli::command()).render(&mut expected).unwrap();
    let out = ws.mynatca(".").arg("man").output().unwrap();
    assert_eq!((out.status.code(), &out.stdout, stderr(&out)), (Some(0), &expected, String::new()));
    let out = ws.mynatca(".").arg("man").output().unwrap();
    assert!(
        stdout(&out).starts_with(".ie \\n(.g .ds Aq \\(aq") && stdout(&out).contains(".TH mynatca 1"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn version_names_the_commit_and_the_build_date() {
    let out = Ws::empty().mynatca(".").arg("--version").output().unwrap();
    let commit = std::process::Command::new("git")
        .args(["rev-parse", "--short=10", "HEAD"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map_or("unknown commit".to_string(), |o| String::from_utf8(o.stdout).unwrap().trim().to_string());
    let text = stdout(&out);
    let prefix = format!("mynatca {} ({commit}, built ", env!("CARGO_PKG_VERSION"));
    let date = text.strip_prefix(&prefix).and_then(|rest| rest.strip_suffix(")\n")).unwrap_or_else(|| panic!("{text}"));
    let digits: Vec<bool> = date.chars().map(|c| c.is_ascii_digit()).collect();
    assert_eq!(date.len(), 10, "{date}");
    assert!(digits.iter().enumerate().all(|(i, d)| *d == !matches!(i, 4 | 7)), "not YYYY-MM-DD: {date}");
    assert_eq!((out.status.code(), stderr(&out).as_str()), (Some(0), ""));
}

#[test]
fn every_command_help_shows_examples_exit_codes_and_global_options_apart() {
    let ws = Ws::empty();
    let commands = [
        "link",
        "setup-hooks",
        "hook",
        "link-project",
        "unlink-project",
        "refresh",
        "check",
        "status",
        "new",
        "completions",
        "man",
    ];
    for command in commands {
        let out = ws.mynatca(".").args([command, "--help"]).env("COLUMNS", "100").output().unwrap();
        let text = stdout(&out);
        assert_eq!((out.status.code(), stderr(&out).as_str()), (Some(0), ""), "{command}");
        let (own, global) = text.split_once("\nGlobal options:\n").unwrap_or_else(|| panic!("{command}: {text}"));
        assert!(!own.contains("--platform") && global.contains("--platform <DIR>"), "{command}: {text}");
        let examples = global.split_once("\nExamples:\n").map(|(_, rest)| rest).unwrap_or_else(|| panic!("{text}"));
        assert!(examples.starts_with(&format!("  mynatca {command}")), "{command}: {examples}");
        assert!(examples.contains("\nExit codes: 0 "), "{command}: {examples}");
    }
    let out = ws.mynatca(".").args(["link", "--help"]).env("COLUMNS", "100").output().unwrap();
    assert_eq!(
        stdout(&out),
        "Reconcile platform/supabase/migrations (and seeds) with the registry

Usage: mynatca link [OPTIONS]

Options:
      --dry-run  Print each planned action and change nothing
      --check    Change nothing; exit 1 if anything would change or is wrong
      --json     One JSON document on stdout
  -h, --help     Print help
  -V, --version  Print version

Global options:
      --platform <DIR>  The platform repo (default: $MYNATCA_PLATFORM, then found from the current
                        directory)
  -q, --quiet           Print errors and warnings only
  -v, --verbose...      More detail on stderr (repeat for more; $MYNATCA_LOG takes a tracing filter)
      --color <WHEN>    When to colour output (auto honours NO_COLOR, CLICOLOR_FORCE and TERM=dumb)
                        [default: auto] [possible values: auto, always, never]

Examples:
  mynatca link                 # create, fix and remove the platform's links
  mynatca link --dry-run       # print what would change, change nothing
  mynatca link --check         # for CI: exit 1 if anything would change
  mynatca link --json          # one JSON document on stdout

Exit codes: 0 done; 1 a conflict, a duplicate version, or (--check) drift; 2 usage or configuration
error (no platform, bad registry, bad flag)
"
    );
}

#[test]
fn verbose_shows_what_was_scanned_and_timings_and_more_at_each_level() {
    let ws = Ws::new().with_project("pay");
    let levels: Vec<Vec<String>> = ["", "-v", "-vv"]
        .iter()
        .map(|flag| {
            let mut cmd = ws.mynatca("platform");
            if !flag.is_empty() {
                cmd.arg(flag);
            }
            let out = cmd.args(["link", "--dry-run"]).output().unwrap();
            assert_eq!(out.status.code(), Some(0));
            assert_eq!(
                stdout(&out).lines().last(),
                Some("linked: 2 created, 0 updated, 0 removed, 0 unchanged (dry run: nothing changed)")
            );
            stderr(&out).lines().map(str::to_string).collect()
        })
        .collect();
    assert!(levels[0].is_empty(), "{:?}", levels[0]);
    let scanned = levels[1].iter().find(|l| {
        l.starts_with(
            "DEBUG mynatca::reconcile::relink: scanned 2 link folders: 2 files to link, 0 entries already there (",
        )
    });
    assert!(scanned.is_some_and(|l| l.ends_with("s)")), "{:?}", levels[1]);
    assert!(levels[1].iter().all(|l| l.starts_with("DEBUG ")), "{:?}", levels[1]);
    assert!(levels[1].iter().any(|l| l.starts_with("DEBUG mynatca::reconcile::relink: relinked in ")));
    assert!(
        levels[2].len() > levels[1].len()
            && levels[2]
                .iter()
                .any(|l| l.starts_with("TRACE ") && l.contains("create 00000000000002_baseline_pay_schema.sql")),
        "{:?}",
        levels[2]
    );
}

#[test]
fn clicolor_force_colours_without_a_terminal_and_term_dumb_keeps_a_terminal_plain() {
    let ws = Ws::new();
    let plain = ws.mynatca("platform").arg("check").output().unwrap();
    assert!(stdout(&plain).contains(": warning[hooks]: ") && !stdout(&plain).contains('\x1b'), "{}", stdout(&plain));
    let forced = ws.mynatca("platform").arg("check").env("CLICOLOR_FORCE", "1").output().unwrap();
    assert!(stdout(&forced).contains(": \x1b[1;33mwarning[hooks]\x1b[0m: "), "{}", stdout(&forced));

    let in_a_terminal = |term: &str| {
        let mut cmd = ws.mynatca_std("platform");
        cmd.arg("check").env("TERM", term);
        let options = rexpect::reader::Options::new().timeout_ms(Some(30_000));
        let mut pty = rexpect::spawn_with_options(cmd, options).expect("spawn in a pty");
        pty.exp_eof().unwrap()
    };
    assert!(in_a_terminal("xterm").contains("\x1b[1;33mwarning[hooks]"));
    let dumb = in_a_terminal("dumb");
    assert!(dumb.contains("warning[hooks]") && !dumb.contains('\x1b'), "{dumb:?}");
}

/// Ctrl-C at a prompt (the menu hides the cursor) gives the cursor back and writes nothing.
#[test]
fn ctrl_c_in_a_link_project_prompt_restores_the_cursor() {
    let ws = Ws::new();
    ws.add_project_repo("pay");
    let before = ws.read("platform/.linked-projects.json");
    for (prompt, keys) in [("Project repo to link", ""), ("Project name [pay]", "\r")] {
        let mut cmd = ws.mynatca_std("platform");
        cmd.arg("link-project").env("TERM", "xterm");
        let options = rexpect::reader::Options::new().timeout_ms(Some(30_000));
        let mut pty = rexpect::spawn_with_options(cmd, options).expect("spawn in a pty");
        pty.exp_string("Project repo to link").unwrap();
        if !keys.is_empty() {
            pty.send(keys).unwrap();
            pty.flush().unwrap();
            pty.exp_string(prompt).unwrap();
        }
        pty.send_control('c').unwrap();
        let rest = pty.exp_eof().unwrap();
        let status = pty.process().wait().unwrap();
        assert!(matches!(status, rexpect::process::WaitStatus::Exited(_, 130)), "{prompt}: {status:?} {rest:?}");
        assert!(rest.ends_with("\x1b[?25h\r\n"), "{prompt}: the cursor stays hidden: {rest:?}");
    }
    assert_eq!(ws.read("platform/.linked-projects.json"), before);
}

#[test]
fn link_project_and_unlink_project_dry_runs_write_nothing() {
    let ws = Ws::new();
    ws.add_project_repo("pay");
    let (registry, config) = (ws.read("platform/.linked-projects.json"), ws.read("platform/supabase/config.toml"));
    let out = ws
        .mynatca("platform")
        .args(["link-project", "pay", "--path", "../pay", "--schema", "pay", "--dry-run"])
        .output()
        .unwrap();
    assert_eq!(
        (out.status.code(), stdout(&out).as_str(), stderr(&out).as_str()),
        (
            Some(0),
            "would add pay to .linked-projects.json (path ../pay, schema pay)
config.toml: would add pay to [api] schemas
config.toml: would add ./seeds/pay/*.sql to [db.seed] sql_paths
create 00000000000002_baseline_pay_schema.sql -> ../../../pay/supabase/migrations/00000000000002_baseline_pay_schema.sql
create seeds/pay/seed.sql -> ../../../../pay/supabase/seed.sql
linked: 2 created, 0 updated, 0 removed, 0 unchanged (dry run: nothing changed)
",
            ""
        )
    );
    assert_eq!(
        (ws.read("platform/.linked-projects.json"), ws.read("platform/supabase/config.toml")),
        (registry, config)
    );
    assert!(ws.links().is_empty());

    ws.mynatca("platform").args(["link-project", "pay", "--path", "../pay", "--schema", "pay"]).assert().success();
    let (registry, config, links) =
        (ws.read("platform/.linked-projects.json"), ws.read("platform/supabase/config.toml"), ws.links());
    let out = ws.mynatca("platform").args(["unlink-project", "pay", "--dry-run"]).output().unwrap();
    assert_eq!(
        (out.status.code(), stdout(&out).as_str(), stderr(&out).as_str()),
        (
            Some(0),
            "would remove pay from .linked-projects.json
config.toml: would remove pay from [api] schemas
config.toml: would remove ./seeds/pay/*.sql from [db.seed] sql_paths
remove 00000000000002_baseline_pay_schema.sql
remove seeds/pay/seed.sql
linked: 0 created, 0 updated, 2 removed, 0 unchanged (dry run: nothing changed)
",
            ""
        )
    );
    assert_eq!(
        (ws.read("platform/.linked-projects.json"), ws.read("platform/supabase/config.toml"), ws.links()),
        (registry, config, links)
    );
    assert!(ws.path("platform/supabase/seeds/pay/seed.sql").is_symlink());
}

#[test]
fn link_project_adds_no_seed_glob_for_a_project_without_seed_files() {
    let ws = Ws::new();
    ws.add_project_repo("pay");
    ws.remove("pay/supabase/seed.sql");
    let out =
        ws.mynatca("platform").args(["link-project", "pay", "--path", "../pay", "--schema", "pay"]).output().unwrap();
    assert_eq!(
        (out.status.code(), stdout(&out).as_str(), stderr(&out).as_str()),
        (
            Some(0),
            "added pay to .linked-projects.json (path ../pay, schema pay)
config.toml: added pay to [api] schemas
linked: 1 created, 0 updated, 0 removed, 0 unchanged
",
            ""
        )
    );
    assert!(!ws.read("platform/supabase/config.toml").contains("seeds/pay"));
}

/// The README's "JSON output" schema, checked key by key: nothing missing, nothing else.
fn validate(doc: &serde_json::Value) {
    use serde_json::Value;
    let object = |value: &Value, what: &str| {
        value.as_object().unwrap_or_else(|| panic!("{what} is not an object: {value}")).clone()
    };
    let keys = |map: &serde_json::Map<String, Value>, required: &[&str], optional: &[&str], what: &str| {
        for key in required {
            assert!(map.contains_key(*key), "{what} lacks {key}: {map:?}");
        }
        for key in map.keys() {
            assert!(
                required.contains(&key.as_str()) || optional.contains(&key.as_str()),
                "{what} has an unknown key {key}"
            );
        }
    };
    let string = |value: &Value, what: &str| assert!(value.is_string(), "{what} is not a string: {value}");
    let count = |value: &Value, what: &str| assert!(value.is_u64(), "{what} is not a count: {value}");
    let nullable =
        |value: &Value, ok: fn(&Value) -> bool, what: &str| assert!(value.is_null() || ok(value), "{what}: {value}");
    let file = |value: &Value, extra: &[&str], what: &str| {
        let map = object(value, what);
        let mut required = vec!["project", "path"];
        required.extend(extra);
        keys(&map, &required, &[], what);
        for key in required {
            string(&map[key], &format!("{what}.{key}"));
        }
        let path = map["path"].as_str().unwrap();
        assert!(!path.starts_with('/') && !path.starts_with(".."), "{what}.path is not inside its repo: {path}");
    };
    let issue = |value: &Value, what: &str| {
        let map = object(value, what);
        keys(&map, &["kind", "message"], &["project", "path", "line"], what);
        string(&map["kind"], what);
        string(&map["message"], what);
        if let Some(project) = map.get("project") {
            string(project, what);
            file(&serde_json::json!({"project": project, "path": map["path"]}), &[], what);
        }
        if let Some(line) = map.get("line") {
            assert!(line.as_u64().is_some_and(|n| n >= 1), "{what}.line: {line}");
        }
    };
    let list =
        |value: &Value, what: &str| value.as_array().unwrap_or_else(|| panic!("{what} is not a list: {value}")).clone();

    let map = object(doc, "the document");
    assert_eq!(map["schema"], 1);
    let command = map["command"].as_str();
    nullable(&map["platform"], |p| p.as_str().is_some_and(|p| p.starts_with('/')), "platform");
    let ok = map["ok"].as_bool().expect("ok is a boolean");
    for (key, each) in [("errors", &issue), ("warnings", &issue)] {
        for (i, value) in list(&map[key], key).iter().enumerate() {
            each(value, &format!("{key}[{i}]"));
        }
    }
    let envelope = ["schema", "command", "platform", "ok", "errors", "warnings"];
    let with = |own: &[&'static str]| -> Vec<&'static str> { envelope.iter().chain(own).copied().collect() };
    let failed = !ok
        && list(&map["errors"], "errors")
            .iter()
            .any(|e| matches!(e["kind"].as_str(), Some("usage" | "config" | "error")));
    if failed {
        keys(&map, &envelope, &[], "an error document");
        nullable(&map["command"], Value::is_string, "command");
        return;
    }
    match command {
        Some("link") => {
            keys(&map, &with(&["dry_run", "created", "updated", "removed", "unchanged"]), &[], "link");
            assert!(map["dry_run"].is_boolean());
            count(&map["unchanged"], "unchanged");
            for key in ["created", "updated", "removed"] {
                for (i, value) in list(&map[key], key).iter().enumerate() {
                    file(value, &["link"], &format!("{key}[{i}]"));
                }
            }
        }
        Some("check") => {
            keys(&map, &with(&["checked"]), &[], "check");
            let checked = object(&map["checked"], "checked");
            keys(&checked, &["migrations", "repos"], &[], "checked");
            count(&checked["migrations"], "checked.migrations");
            count(&checked["repos"], "checked.repos");
        }
        Some("status") => {
            keys(&map, &with(&["repos"]), &[], "status");
            for (i, repo) in list(&map["repos"], "repos").iter().enumerate() {
                let what = format!("repos[{i}]");
                let repo = object(repo, &what);
                keys(
                    &repo,
                    &["name", "path", "branch", "state", "dirty", "migrations", "linked", "newest"],
                    &[],
                    &what,
                );
                string(&repo["name"], &what);
                string(&repo["path"], &what);
                string(&repo["state"], &what);
                nullable(&repo["branch"], Value::is_string, &what);
                nullable(&repo["dirty"], Value::is_boolean, &what);
                nullable(&repo["migrations"], Value::is_u64, &what);
                count(&repo["linked"], &what);
                nullable(&repo["newest"], Value::is_string, &what);
            }
        }
        other => panic!("unknown command {other:?}"),
    }
}

/// Runs mynatca and returns its one JSON document, with the exit code.
fn json_of(ws: &Ws, dir: &str, args: &[&str]) -> (i32, serde_json::Value) {
    let out = ws.mynatca(dir).args(args).output().unwrap();
    let text = stdout(&out);
    assert_eq!(text.lines().count(), 1, "{args:?}: not one line: {text}");
    let doc = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{args:?}: {e}: {text}"));
    (out.status.code().unwrap(), doc)
}

#[test]
fn every_json_document_follows_the_schema() {
    let ws = Ws::new().with_project("pay").with_project("discord");
    // Something of everything: a duplicate version, a same-name conflict, a skipped name,
    // a foreign link, an ownership error.
    ws.migration("pay", "20251215130000_pay_touch.sql", "drop table public.members;\n")
        .migration("discord", "20251215130000_discord_logs.sql", "select 1;\n")
        .migration("discord", "20251215130000_pay_touch.sql", "select 1;\n")
        .migration("pay", "notes.sql", "select 1;\n")
        .symlink("/elsewhere/x.sql", "platform/supabase/migrations/x.sql");
    let mut seen = Vec::new();
    for args in [
        &["link", "--json", "--dry-run"][..],
        &["link", "--json", "--check"],
        &["link", "--json"],
        &["link", "--json"],
        &["check", "--json"],
        &["check", "--json", "--strict"],
        &["status", "--json"],
    ] {
        let (code, doc) = json_of(&ws, "platform", args);
        validate(&doc);
        assert_eq!(doc["command"], args[0]);
        assert_eq!(doc["ok"], code == 0, "{args:?}: {doc}");
        assert_eq!(doc["platform"], ws.path("platform").display().to_string());
        seen.push(doc);
    }
    let link = &seen[2];
    assert_eq!(link["created"][0]["project"], "pay", "{link}");
    let kinds = |doc: &serde_json::Value, key: &str| -> Vec<String> {
        doc[key].as_array().unwrap().iter().map(|i| i["kind"].as_str().unwrap().to_string()).collect()
    };
    assert!(
        kinds(link, "errors").contains(&"same-name".to_string())
            && kinds(link, "errors").contains(&"duplicate-version".to_string())
    );
    assert!(
        kinds(link, "warnings").contains(&"name-pattern".to_string())
            && kinds(link, "warnings").contains(&"foreign-link".to_string())
    );
    assert!(kinds(&seen[4], "errors").contains(&"ownership".to_string()));

    // Usage and configuration errors: exit 2, and still a document on stdout.
    for command in ["link", "check", "status"] {
        for (dir, args, kind) in [
            ("platform", vec![command, "--json", "--bogus"], "usage"),
            ("platform", vec!["--color", "sometimes", command, "--json"], "usage"),
            (".", vec!["--platform", "pay", command, "--json"], "config"),
        ] {
            let out = ws.mynatca(dir).args(&args).output().unwrap();
            let doc: serde_json::Value =
                serde_json::from_str(&stdout(&out)).unwrap_or_else(|e| panic!("{args:?}: {e}"));
            validate(&doc);
            assert_eq!(
                (out.status.code(), &doc["ok"], &doc["errors"][0]["kind"]),
                (Some(2), &false.into(), &kind.into()),
                "{args:?}"
            );
            assert_eq!(doc["command"], command);
            let message = doc["errors"][0]["message"].as_str().unwrap();
            assert!(stderr(&out).starts_with(&format!("error: {message}")), "{args:?}: the error is on stderr too");
        }
    }
}
