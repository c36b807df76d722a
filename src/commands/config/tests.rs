use std::collections::HashMap;

use clap::Parser;

use super::*;

const TTY: Terminals = Terminals { stdout: true, stderr: true };
const PIPES: Terminals = Terminals { stdout: false, stderr: false };

fn config(args: &str, env: &[(&str, &str)], terminals: Terminals) -> Config {
    let cli = Cli::try_parse_from(std::iter::once("mynatca").chain(args.split_whitespace()))
        .unwrap_or_else(|err| panic!("{args}: {err}"));
    let env: HashMap<String, String> = env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    Config::from_arguments(&cli, Path::new("/w/pay"), &|name| env.get(name).cloned(), terminals)
}

fn url(url: &str, from_flag: bool) -> Option<DbUrl> {
    Some(DbUrl { url: url.to_string(), from_flag })
}

#[test]
fn the_output_format_comes_from_json_or_format() {
    let cases = [
        ("link", Format::Text),
        ("link --json", Format::Json),
        ("check", Format::Text),
        ("check --json", Format::Json),
        ("check --format json", Format::Json),
        ("check --format github", Format::Github),
        ("status --json", Format::Json),
        ("new x --json", Format::Json),
        ("link-project pay --json", Format::Json),
        ("setup-hooks --json", Format::Json),
        ("refresh --json --db-url postgres://h/d", Format::Json),
        ("up", Format::Text),
    ];
    for (args, format) in cases {
        assert_eq!(config(args, &[], PIPES).format, format, "{args}");
    }
}

#[test]
fn colour_follows_the_flag_then_the_environment_then_the_terminal() {
    type Env<'a> = &'a [(&'a str, &'a str)];
    let cases: [(&str, Env, Terminals, (bool, bool)); 8] = [
        ("link", &[], TTY, (true, true)),
        ("link", &[], PIPES, (false, false)),
        ("link", &[("NO_COLOR", "1")], TTY, (false, false)),
        ("link", &[("NO_COLOR", "")], TTY, (true, true)),
        ("link", &[("CLICOLOR_FORCE", "1")], PIPES, (true, true)),
        ("link", &[("TERM", "dumb")], TTY, (false, false)),
        ("--color always link", &[("NO_COLOR", "1")], PIPES, (true, true)),
        ("--color never link", &[("CLICOLOR_FORCE", "1")], TTY, (false, false)),
    ];
    for (args, env, terminals, color) in cases {
        assert_eq!(config(args, env, terminals).color, color, "{args} {env:?}");
    }
    let stdout_only = Terminals { stdout: true, stderr: false };
    assert_eq!(config("link", &[], stdout_only).color, (true, false));
}

#[test]
fn the_lock_wait_is_shorter_and_silent_in_relinking_hooks() {
    let cases = [
        ("link", 60, true),
        ("--wait 5 link", 5, true),
        ("hook post-checkout a b 1", 10, false),
        ("hook post-merge 0", 10, false),
        ("hook post-rewrite amend", 10, false),
        ("--wait 2 hook post-checkout a b 1", 2, false),
        ("hook pre-commit", 60, true),
        ("check", 60, true),
    ];
    for (args, seconds, notice) in cases {
        let wait = config(args, &[], PIPES).wait;
        assert_eq!((wait.limit, wait.notice), (Duration::from_secs(seconds), notice), "{args}");
    }
}

#[test]
fn the_database_url_is_the_flag_then_the_environment() {
    let env = [(crate::db::url::VARIABLE, "postgres://env/db")];
    let cases = [
        ("refresh", &[][..], None),
        ("refresh", &env[..], url("postgres://env/db", false)),
        ("refresh --db-url postgres://flag/db", &env[..], url("postgres://flag/db", true)),
        ("status --db", &env[..], url("postgres://env/db", false)),
        ("status --db --db-url postgres://flag/db", &[][..], url("postgres://flag/db", true)),
        ("up --db-url postgres://flag/db", &env[..], url("postgres://flag/db", true)),
        ("repair 1 --status applied", &env[..], url("postgres://env/db", false)),
        ("hook post-checkout a b 1", &env[..], url("postgres://env/db", false)),
        ("link", &env[..], None),
    ];
    for (args, env, expected) in cases {
        assert_eq!(config(args, env, PIPES).db_url, expected, "{args}");
    }
}

#[test]
fn the_platform_flag_is_made_absolute_from_the_current_directory() {
    assert_eq!(config("--platform ../platform link", &[], PIPES).platform, Some(PathBuf::from("/w/platform")));
    assert_eq!(config("link", &[], PIPES).platform, None);
}
