//! Flags resolved once (as just's `Config::from_arguments` and ripgrep's `HiArgs`): the
//! output format, colour, how long to wait for a lock, the database URL. Pure: the
//! environment and the terminals come in as values, so a table of argument lists tests it.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::cli::{Cli, ColorChoice, Command, Format};
use crate::fsutil;
use crate::hooks::HookName;
use crate::lockfile;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Config {
    pub(crate) cwd: PathBuf,
    /// `--platform`, absolute; `$MYNATCA_PLATFORM` is read by discovery.
    pub(crate) platform: Option<PathBuf>,
    pub(crate) format: Format,
    pub(crate) quiet: bool,
    pub(crate) verbose: u8,
    /// Colour on stdout and on stderr.
    pub(crate) color: (bool, bool),
    pub(crate) wait: lockfile::Wait,
    /// `--db-url`, else `$MYNATCA_DB_URL` (the database-side commands then look further).
    pub(crate) db_url: Option<DbUrl>,
}

/// A database URL and where it was given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DbUrl {
    pub(crate) url: String,
    pub(crate) from_flag: bool,
}

/// Whether stdout and stderr are terminals.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Terminals {
    pub(crate) stdout: bool,
    pub(crate) stderr: bool,
}

impl Config {
    pub(crate) fn from_arguments(
        cli: &Cli,
        cwd: &Path,
        env: &dyn Fn(&str) -> Option<String>,
        terminals: Terminals,
    ) -> Config {
        let global = &cli.global;
        let set = |name: &str| env(name).filter(|value| !value.is_empty());
        let color = |is_tty: bool| match global.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => crate::ui::auto_color(is_tty, set),
        };
        Config {
            cwd: cwd.to_path_buf(),
            platform: global.platform.as_deref().map(|dir| fsutil::absolute_from(cwd, dir)),
            format: cli.command.format(),
            quiet: global.quiet,
            verbose: global.verbose,
            color: (color(terminals.stdout), color(terminals.stderr)),
            wait: wait(cli),
            db_url: db_url(&cli.command, set(crate::db::url::VARIABLE)),
        }
    }
}

/// Hooks that relink block git: they wait less, and silently (one warning if they give
/// up). Commands say whom they wait for after a second.
fn wait(cli: &Cli) -> lockfile::Wait {
    let relinking_hook = matches!(&cli.command, Command::Hook(args) if args.name != HookName::PreCommit);
    let default = if relinking_hook { lockfile::HOOK_WAIT } else { lockfile::COMMAND_WAIT };
    lockfile::Wait { limit: cli.global.wait.map_or(default, Duration::from_secs), notice: !relinking_hook }
}

fn db_url(command: &Command, environment: Option<String>) -> Option<DbUrl> {
    let flag = match command {
        Command::Refresh(args) => args.db_url.as_deref(),
        Command::Status(args) => args.db_url.as_deref(),
        Command::Up(args) => args.database.db_url.as_deref(),
        Command::Repair(args) => args.database.db_url.as_deref(),
        // The relinking hooks' database hint, and the upkeep: the variable only.
        Command::Upkeep(_) | Command::Hook(_) => None,
        _ => return None,
    };
    // An empty flag stays empty: the command refuses it rather than look elsewhere.
    match flag {
        Some(url) => Some(DbUrl { url: url.to_string(), from_flag: true }),
        None => environment.map(|url| DbUrl { url, from_flag: false }),
    }
}

#[cfg(test)]
mod tests;
