//! Shell conventions and the CLI around the commands: completions, the manual page,
//! `--version`, `--help`, `-v`, colour, and link-project's prompts and dry runs.

use super::expect;
use crate::support::{stderr, stdout, Ws};

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
    expect(
        &out,
        0,
        "would add pay to .linked-projects.json (path ../pay, schema pay)
config.toml: would add pay to [api] schemas
config.toml: would add ./seeds/pay/*.sql to [db.seed] sql_paths
create 00000000000002_baseline_pay_schema.sql -> ../../../pay/supabase/migrations/00000000000002_baseline_pay_schema.sql
create seeds/pay/seed.sql -> ../../../../pay/supabase/seed.sql
linked: 2 created, 0 updated, 0 removed, 0 unchanged (dry run: nothing changed)
",
        "",
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
    expect(
        &out,
        0,
        "would remove pay from .linked-projects.json
config.toml: would remove pay from [api] schemas
config.toml: would remove ./seeds/pay/*.sql from [db.seed] sql_paths
remove 00000000000002_baseline_pay_schema.sql
remove seeds/pay/seed.sql
linked: 0 created, 0 updated, 2 removed, 0 unchanged (dry run: nothing changed)
",
        "",
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
    expect(
        &out,
        0,
        "added pay to .linked-projects.json (path ../pay, schema pay)
config.toml: added pay to [api] schemas
linked: 1 created, 0 updated, 0 removed, 0 unchanged
",
        "",
    );
    assert!(!ws.read("platform/supabase/config.toml").contains("seeds/pay"));
}
