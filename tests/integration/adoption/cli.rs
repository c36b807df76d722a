//! Shell conventions and the CLI around the commands: completions, the manual page,
//! `--version`, `--help`, `-v`, colour, and link-project's prompts and dry runs.

use std::path::Path;

use crate::support::Ws;

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
        clap_complete::generate(shell, &mut mynatca::cli::completion_command(), "mynatca", &mut expected);
        let expected = String::from_utf8(expected).unwrap();
        // What is generated is the real thing, not an empty script, without the hidden upkeep.
        assert!(expected.contains("setup-hooks") && !expected.contains("upkeep"), "{name}: {expected}");
        ws.run(".", ["completions", name]).stdout(expected).go();
    }

    let mut expected = Vec::new();
    clap_mangen::Man::new(mynatca::cli::Cli::command()).render(&mut expected).unwrap();
    let expected = String::from_utf8(expected).unwrap();
    assert!(expected.starts_with(".ie \\n(.g .ds Aq \\(aq") && expected.contains(".TH mynatca 1"), "{expected}");
    ws.run(".", ["man"]).stdout(expected).go();
}

#[test]
fn version_names_the_commit_and_the_build_date() {
    let commit = std::process::Command::new("git")
        .args(["rev-parse", "--short=10", "HEAD"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map_or("unknown commit".to_string(), |o| String::from_utf8(o.stdout).unwrap().trim().to_string());
    // The build date is the one volatile part: a YYYY-MM-DD after "built " becomes <date>.
    let build_date = |text: &str| match text.split_once(", built ") {
        Some((head, rest)) if rest.get(..10).is_some_and(is_a_date) => {
            format!("{head}, built <date>{}", &rest[10..])
        }
        _ => text.to_string(),
    };
    let ws = Ws::empty();
    ws.run(".", ["--version"])
        .filter(build_date)
        .stdout(format!("mynatca {} ({commit}, built <date>)\n", env!("CARGO_PKG_VERSION")))
        .go();
}

fn is_a_date(text: &str) -> bool {
    text.bytes().enumerate().all(|(i, b)| if matches!(i, 4 | 7) { b == b'-' } else { b.is_ascii_digit() })
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
        "up",
        "repair",
        "completions",
        "man",
    ];
    for command in commands {
        // The whole help, kept in tests/fixtures/help/COMMAND.txt (at 100 columns).
        let text = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/fixtures/help/{command}.txt")),
        )
        .unwrap();
        let (own, global) = text.split_once("\nGlobal options:\n").unwrap_or_else(|| panic!("{command}: {text}"));
        assert!(!own.contains("--platform") && global.contains("--platform <DIR>"), "{command}: {text}");
        let examples = global.split_once("\nExamples:\n").map(|(_, rest)| rest).unwrap_or_else(|| panic!("{text}"));
        assert!(examples.starts_with(&format!("  mynatca {command}")), "{command}: {examples}");
        assert!(examples.contains("\nExit codes: 0 "), "{command}: {examples}");
        ws.run(".", [command, "--help"]).env("COLUMNS", "100").stdout(text).go();
    }
}

#[test]
fn verbose_shows_what_was_scanned_and_timings_and_more_at_each_level() {
    let ws = Ws::new().with_project("pay");
    let dry_run = "create 00000000000002_baseline_pay_schema.sql -> ../../../pay/supabase/migrations/00000000000002_baseline_pay_schema.sql\n\
                   create seeds/pay/seed.sql -> ../../../../pay/supabase/seed.sql\n\
                   linked: 2 created, 0 updated, 0 removed, 0 unchanged (dry run: nothing changed)\n";
    let debug = "DEBUG mynatca::workspace: found the platform platform=$WS/platform how=Ancestor\n\
                 DEBUG mynatca::reconcile::relink: scanned 2 link folders: 2 files to link, 0 entries already there (<time>)\n\
                 DEBUG mynatca::reconcile::relink: planned 2 changes, 0 links unchanged (<time>)\n\
                 DEBUG mynatca::reconcile::relink: relinked in <time>\n";
    let trace = "DEBUG mynatca::workspace: found the platform platform=$WS/platform how=Ancestor\n\
                 TRACE mynatca::reconcile::scan: project pay: 1 migration in $WS/pay/supabase/migrations\n\
                 DEBUG mynatca::reconcile::relink: scanned 2 link folders: 2 files to link, 0 entries already there (<time>)\n\
                 DEBUG mynatca::reconcile::relink: planned 2 changes, 0 links unchanged (<time>)\n\
                 TRACE mynatca::reconcile::relink: create 00000000000002_baseline_pay_schema.sql -> ../../../pay/supabase/migrations/00000000000002_baseline_pay_schema.sql\n\
                 TRACE mynatca::reconcile::relink: create seeds/pay/seed.sql -> ../../../../pay/supabase/seed.sql\n\
                 DEBUG mynatca::reconcile::relink: relinked in <time>\n";
    for (flags, stderr) in [(&[][..], ""), (&["-v"], debug), (&["-v", "-v"], trace)] {
        ws.run("platform", flags).args(["link", "--dry-run"]).filter(timings).stdout(dry_run).stderr(stderr).go();
    }
}

/// Replaces each duration as Rust prints one (`290.7µs`, `1.2ms`, `3s`) with `<time>`:
/// how long a step took is the one part of the log that differs from run to run.
fn timings(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find(|c: char| c.is_ascii_digit()) {
        out.push_str(&rest[..start]);
        let after = &rest[start..];
        let number = after.find(|c: char| !c.is_ascii_digit() && c != '.').unwrap_or(after.len());
        let unit = ["ns", "µs", "ms", "s"].into_iter().find(|unit| {
            after[number..].strip_prefix(unit).is_some_and(|tail| !tail.starts_with(|c: char| c.is_alphanumeric()))
        });
        let starts_a_word = !out.ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == '.');
        match unit {
            Some(unit) if starts_a_word => {
                out.push_str("<time>");
                rest = &after[number + unit.len()..];
            }
            _ => {
                out.push_str(&after[..number]);
                rest = &after[number..];
            }
        }
    }
    out + rest
}

#[test]
fn clicolor_force_colours_without_a_terminal_and_term_dumb_keeps_a_terminal_plain() {
    let ws = Ws::new();
    let hooks = "lacks mynatca's post-checkout, post-merge, post-rewrite, pre-commit hooks, so links go stale on checkout, merge and rebase, and direct commits to protected branches are not blocked; run `mynatca setup-hooks` in it";
    let summary = "checked 0 migrations in 1 repo: 0 errors, 1 warning";
    let plain = format!(".:1: warning[hooks]: platform {hooks}\n{summary}\n");
    let coloured = format!(".:1: \x1b[1;33mwarning[hooks]\x1b[0m: platform {hooks}\n{summary}\n");
    ws.run("platform", ["check"]).stdout(&plain).go();
    ws.run("platform", ["check"]).env("CLICOLOR_FORCE", "1").stdout(&coloured).go();

    let in_a_terminal = |term: &str| {
        let mut cmd = ws.mynatca_std("platform");
        cmd.arg("check").env("TERM", term);
        let options = rexpect::reader::Options::new().timeout_ms(Some(30_000));
        let mut pty = rexpect::spawn_with_options(cmd, options).expect("spawn in a pty");
        let all = pty.exp_eof().unwrap();
        let status = pty.process().wait().unwrap();
        assert!(matches!(status, rexpect::process::WaitStatus::Exited(_, 0)), "TERM={term}: {status:?}");
        ws.redact(&all)
    };
    // A terminal ends lines with \r\n.
    assert_eq!(in_a_terminal("xterm"), coloured.replace('\n', "\r\n"));
    assert_eq!(in_a_terminal("dumb"), plain.replace('\n', "\r\n"));
}

/// Ctrl-C at a prompt (the menu hides the cursor) gives the cursor back and writes nothing.
#[test]
fn ctrl_c_in_a_link_project_prompt_restores_the_cursor() {
    let ws = Ws::new();
    ws.add_project_repo("pay");
    let before = ws.read("platform/.linked-projects.json");
    let menu = "\x1b[?25lProject repo to link:\r\n> pay (../pay)\r\n  another folder...\r\n";
    // Each prompt is awaited whole (the menu's last item; the question and its space)
    // before Ctrl-C, so a loaded machine never interrupts it half-drawn.
    for (prompt, keys, transcript) in [
        ("  another folder...\r\n", "", format!("{menu}\x1b[?25h\r\n")),
        (
            "Project name [pay]: ",
            "\r",
            // Enter picks pay: the menu is cleared line by line and the answer written in its place.
            format!(
                "{menu}\x1b[3A\r\x1b[2K\x1b[1B\r\x1b[2K\x1b[1B\r\x1b[2K\x1b[1B\x1b[3AProject repo to link: pay (../pay)\r\n\
                 \x1b[?25hProject name [pay]: \x1b[?25h\r\n"
            ),
        ),
    ] {
        let mut cmd = ws.mynatca_std("platform");
        cmd.arg("link-project").env("TERM", "xterm");
        let options = rexpect::reader::Options::new().timeout_ms(Some(30_000));
        let mut pty = rexpect::spawn_with_options(cmd, options).expect("spawn in a pty");
        // The whole transcript: what came before each awaited prompt, the prompt, the rest.
        let mut all = pty.exp_string("another folder...\r\n").unwrap() + "another folder...\r\n";
        if !keys.is_empty() {
            pty.send(keys).unwrap();
            pty.flush().unwrap();
            all += &(pty.exp_string(prompt).unwrap() + prompt);
        }
        pty.send_control('c').unwrap();
        all += &pty.exp_eof().unwrap();
        let status = pty.process().wait().unwrap();
        assert!(matches!(status, rexpect::process::WaitStatus::Exited(_, 130)), "{prompt}: {status:?} {all:?}");
        assert!(all.ends_with("\x1b[?25h\r\n"), "{prompt}: the cursor stays hidden: {all:?}");
        assert_eq!(ws.redact(&all), transcript, "{prompt}");
    }
    assert_eq!(ws.read("platform/.linked-projects.json"), before);
}

#[test]
fn link_project_and_unlink_project_dry_runs_write_nothing() {
    let ws = Ws::new();
    ws.add_project_repo("pay");
    let (registry, config) = (ws.read("platform/.linked-projects.json"), ws.read("platform/supabase/config.toml"));
    ws.run("platform", ["link-project", "pay", "--path", "../pay", "--schema", "pay", "--dry-run"])
        .stdout(
            "would add pay to .linked-projects.json (path ../pay, schema pay)
config.toml: would add pay to [api] schemas
config.toml: would add ./seeds/pay/*.sql to [db.seed] sql_paths
create 00000000000002_baseline_pay_schema.sql -> ../../../pay/supabase/migrations/00000000000002_baseline_pay_schema.sql
create seeds/pay/seed.sql -> ../../../../pay/supabase/seed.sql
linked: 2 created, 0 updated, 0 removed, 0 unchanged (dry run: nothing changed)
",
        )
        .go();
    assert_eq!(
        (ws.read("platform/.linked-projects.json"), ws.read("platform/supabase/config.toml")),
        (registry, config)
    );
    assert!(ws.links().is_empty());

    ws.run("platform", ["link-project", "pay", "--path", "../pay", "--schema", "pay"])
        .stdout(
            "added pay to .linked-projects.json (path ../pay, schema pay)
config.toml: added pay to [api] schemas
config.toml: added ./seeds/pay/*.sql to [db.seed] sql_paths
linked: 2 created, 0 updated, 0 removed, 0 unchanged
",
        )
        .go();
    let (registry, config, links) =
        (ws.read("platform/.linked-projects.json"), ws.read("platform/supabase/config.toml"), ws.links());
    ws.run("platform", ["unlink-project", "pay", "--dry-run"])
        .stdout(
            "would remove pay from .linked-projects.json
config.toml: would remove pay from [api] schemas
config.toml: would remove ./seeds/pay/*.sql from [db.seed] sql_paths
remove 00000000000002_baseline_pay_schema.sql
remove seeds/pay/seed.sql
linked: 0 created, 0 updated, 2 removed, 0 unchanged (dry run: nothing changed)
",
        )
        .go();
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
    ws.run("platform", ["link-project", "pay", "--path", "../pay", "--schema", "pay"])
        .stdout(
            "added pay to .linked-projects.json (path ../pay, schema pay)
config.toml: added pay to [api] schemas
linked: 1 created, 0 updated, 0 removed, 0 unchanged
",
        )
        .go();
    assert!(!ws.read("platform/supabase/config.toml").contains("seeds/pay"));
}

#[test]
fn the_upkeep_is_a_hidden_subcommand_that_takes_its_database_from_the_environment() {
    let ws = Ws::empty();
    let help = ws.mynatca(".").arg("--help").output().unwrap();
    let help = crate::support::stdout(&help);
    assert!(help.contains("  refresh ") && !help.contains("upkeep"), "{help}");
    // Started by hand without the environment a refresh gives it: exit 2, saying so.
    ws.run(".", ["upkeep"])
        .status(2)
        .stderr("error: mynatca upkeep is started by a refresh, with the database in $MYNATCA_DB_URL\n")
        .go();
    // The old internal flag is gone.
    let old = ws.mynatca(".").args(["refresh", "--upkeep", "-"]).output().unwrap();
    assert_eq!(old.status.code(), Some(2));
}
