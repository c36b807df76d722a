//! Command-line types only: clap parses into these, `commands` acts on them.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::hooks::HookName;
use crate::reconcile::Mode;

/// `mynatca --version`: the release, the commit and the build date (from build.rs).
pub(crate) const VERSION: &str =
    concat!(env!("CARGO_PKG_VERSION"), " (", env!("MYNATCA_COMMIT"), ", built ", env!("MYNATCA_BUILD_DATE"), ")");

const MAIN_HELP: &str = "\
Examples:
  mynatca link-project pay --path ../pay --schema pay   # once per project, in the platform
  mynatca setup-hooks                                   # once per repo you work in
  mynatca check                                         # what CI runs
  mynatca <COMMAND> --help                              # examples for each command

Exit codes: 0 ok; 1 the command ran and found problems; 2 usage, configuration or environment error;
130, 143 stopped by Ctrl-C or SIGTERM (refresh, up)";

#[derive(Debug, Parser)]
#[command(
    name = "mynatca",
    version = VERSION,
    after_help = MAIN_HELP,
    about = "Links, checks and refreshes the MyNATCA database migrations across the platform and its sub-project repos",
    propagate_version = true
)]
pub struct Cli {
    #[command(flatten)]
    pub(crate) global: GlobalArgs,
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// The command line without its hidden subcommands (the upkeep a refresh starts), for
/// completion scripts: they offer only what a person types.
pub fn completion_command() -> clap::Command {
    let cli = <Cli as clap::CommandFactory>::command();
    let subcommands: Vec<clap::Command> = cli.get_subcommands().filter(|c| !c.is_hide_set()).cloned().collect();
    clap::Command::new("mynatca")
        .version(VERSION)
        .propagate_version(true)
        .args(cli.get_arguments().cloned())
        .subcommands(subcommands)
}

#[derive(Debug, Args)]
#[command(next_help_heading = "Global options")]
pub(crate) struct GlobalArgs {
    /// The platform repo (default: $MYNATCA_PLATFORM, then found from the current directory)
    #[arg(long, global = true, value_name = "DIR")]
    pub(crate) platform: Option<PathBuf>,
    /// Print errors and warnings only
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub(crate) quiet: bool,
    /// More detail on stderr (repeat for more; $MYNATCA_LOG takes a tracing filter)
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub(crate) verbose: u8,
    /// How long to wait for a lock another run holds (default: 60; git hooks: 10)
    #[arg(long, global = true, value_name = "SECONDS")]
    pub(crate) wait: Option<u64>,
    /// When to colour output (auto honours NO_COLOR, CLICOLOR_FORCE and TERM=dumb)
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub(crate) color: ColorChoice,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Reconcile platform/supabase/migrations (and seeds) with the registry
    #[command(after_help = LINK_HELP)]
    Link(LinkArgs),
    /// Install (or remove) mynatca's git hooks in the platform or a linked repo
    #[command(after_help = SETUP_HOOKS_HELP)]
    SetupHooks(SetupHooksArgs),
    /// Run a git hook (called by the installed hook shims)
    #[command(after_help = HOOK_HELP)]
    Hook(HookArgs),
    /// Register a sub-project with the platform and link it
    #[command(after_help = LINK_PROJECT_HELP)]
    LinkProject(LinkProjectArgs),
    /// Remove a sub-project from the platform: entry, links, seeds and config
    #[command(after_help = UNLINK_PROJECT_HELP)]
    UnlinkProject(UnlinkProjectArgs),
    /// Reset the local database, apply every migration, seed every project
    #[command(after_help = REFRESH_HELP)]
    Refresh(RefreshArgs),
    /// The CI sanity check over the whole workspace
    #[command(after_help = CHECK_HELP)]
    Check(CheckArgs),
    /// One row per repo: branch, state, migrations, links
    #[command(after_help = STATUS_HELP)]
    Status(StatusArgs),
    /// Create a new migration with a workspace-unique version
    #[command(after_help = NEW_HELP)]
    New(NewArgs),
    /// Apply the pending migrations to the database, keeping its data (as `supabase migration up`)
    #[command(after_help = UP_HELP)]
    Up(UpArgs),
    /// Mark migrations applied or reverted in the database's history, without running them
    #[command(after_help = REPAIR_HELP)]
    Repair(RepairArgs),
    /// Print the shell completion script for bash, zsh, fish or powershell
    #[command(after_help = COMPLETIONS_HELP)]
    Completions(CompletionsArgs),
    /// Print the manual page (roff)
    #[command(after_help = MAN_HELP)]
    Man,
    /// The detached upkeep a refresh starts (internal): drops what the refresh replaced and
    /// makes the cache's spare copies
    #[command(hide = true)]
    Upkeep(UpkeepArgs),
}

/// `mynatca upkeep`: the database is `$MYNATCA_DB_URL` (never an argument, which `ps` shows).
#[derive(Debug, Args)]
pub(crate) struct UpkeepArgs {
    /// The cache the refresh made or used
    #[arg(long, value_name = "NAME")]
    pub(crate) cache: Option<String>,
    /// The refresh was allowed a host other than localhost
    #[arg(long)]
    pub(crate) allow_remote: bool,
}

const LINK_HELP: &str = "\
Examples:
  mynatca link                 # create, fix and remove the platform's links
  mynatca link --dry-run       # print what would change, change nothing
  mynatca link --check         # for CI: exit 1 if anything would change
  mynatca link --json          # one JSON document on stdout

Exit codes: 0 done; 1 a conflict, a duplicate version, or (--check) drift; 2 usage or configuration error (no platform, bad registry, bad flag)";

const SETUP_HOOKS_HELP: &str = "\
Examples:
  mynatca setup-hooks                  # in the platform or a linked repo
  mynatca setup-hooks --repo ../pay    # another repo
  mynatca setup-hooks --uninstall      # remove them, restore earlier hooks

Exit codes: 0 done; 1 a hook mynatca cannot merge with (nothing changed); 2 usage or configuration error (no platform, bad registry, bad flag)";

const HOOK_HELP: &str = "\
Examples:
  mynatca hook post-checkout \"$@\"    # what the installed shims run
  MYNATCA_HOOKS=0 git checkout main    # skip every mynatca hook once

Exit codes: 0 always for post-checkout, post-merge and post-rewrite; 1 pre-commit on a protected branch; 2 usage or configuration error (no platform, bad registry, bad flag)";

const LINK_PROJECT_HELP: &str = "\
Examples:
  mynatca link-project pay --path ../pay --schema pay
  mynatca link-project                 # in a terminal: asks
  mynatca link-project pay --path ../pay --schema pay --dry-run

Exit codes: 0 done (or already linked); 1 linking found a conflict or duplicate; 2 usage or configuration error (no platform, bad registry, bad flag)";

const UNLINK_PROJECT_HELP: &str = "\
Examples:
  mynatca unlink-project pay
  mynatca unlink-project pay --dry-run

Exit codes: 0 done; 1 relinking found a conflict or duplicate; 2 usage or configuration error (no platform, bad registry, bad flag)";

const REFRESH_HELP: &str = "\
Examples:
  mynatca refresh                      # supabase db reset, after linking
  mynatca refresh --no-seed
  mynatca refresh --db-url postgres://postgres@127.0.0.1:5432/mynatca_dev
  mynatca refresh -- --debug           # arguments for supabase db reset

Exit codes: 0 done; 1 a conflict, duplicate or failed migration or seed; 2 usage or configuration error (no platform, bad registry, bad flag); 130, 143 stopped by Ctrl-C or SIGTERM, the database left as it was";

const CHECK_HELP: &str = "\
Examples:
  mynatca check                        # findings, then a summary line
  mynatca check --strict               # warnings fail too
  mynatca check --json

Exit codes: 0 no error (with --strict: no warning either); 1 otherwise; 2 usage or configuration error (no platform, bad flag, a --base ref some repo lacks)";

const STATUS_HELP: &str = "\
Examples:
  mynatca status
  mynatca status --json
  mynatca status --db                         # and every migration against the database's history
  mynatca status --db --db-url \"$STAGING_DB_URL\"   # read-only: safe against staging

The database: --db-url, else $MYNATCA_DB_URL, else MYNATCA_DB_URL in the platform's .env, else the
Supabase local stack of config.toml ([db] port; user, password and database postgres).

Exit codes: 0 (without --db: always, warnings included; with --db: up to date); 1 with --db: a
migration pending, applied but missing here, or edited since applied; 2 usage or configuration
error (no platform, bad registry, bad flag, no database)";

const UP_HELP: &str = "\
Examples:
  mynatca up                     # the pending migrations, in version order
  mynatca up --dry-run           # what it would apply
  mynatca up --include-all       # also those older than the newest applied

The database: as `mynatca status --db` finds it; a host other than localhost needs --allow-remote.

Exit codes: 0 applied (or nothing pending); 1 a migration failed (those before it stay applied), or
refused: applied migrations missing here, edited since applied, or out of order (nothing
applied); 2 usage or configuration error; 130/143 stopped by Ctrl-C or SIGTERM between files";

const REPAIR_HELP: &str = "\
Examples:
  mynatca repair 00000000000001 00000000000002 --status applied
  mynatca repair 20251215120003 --status reverted

Writes only supabase_migrations.schema_migrations, in one transaction, as `supabase migration
repair` does: applied records the file's name and statements; reverted deletes the row.

Exit codes: 0 repaired; 2 usage or configuration error (a version no file has, a remote host
without --allow-remote)";

const NEW_HELP: &str = "\
Examples:
  mynatca new add_shift_approval       # in the repo that owns it
  mynatca new add_members --project platform
  $EDITOR \"$(mynatca new add_rates)\"

Exit codes: 0 created; 1 created, but linking found a problem; 2 usage or configuration error (no platform, bad registry, bad flag)";

const COMPLETIONS_HELP: &str = "\
Examples:
  mynatca completions bash > ~/.local/share/bash-completion/completions/mynatca
  mynatca completions zsh > ~/.zfunc/_mynatca
  mynatca completions fish > ~/.config/fish/completions/mynatca.fish

Exit codes: 0 printed; 2 usage or configuration error (no platform, bad registry, bad flag)";

const MAN_HELP: &str = "\
Examples:
  mynatca man > ~/.local/share/man/man1/mynatca.1

Exit codes: 0 printed; 2 usage or configuration error (no platform, bad registry, bad flag)";

#[derive(Debug, Args)]
pub(crate) struct CompletionsArgs {
    /// The shell to complete in
    #[arg(value_enum)]
    pub(crate) shell: clap_complete::Shell,
}

impl Command {
    /// The command's name, as typed.
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Command::Link(_) => "link",
            Command::SetupHooks(_) => "setup-hooks",
            Command::Hook(_) => "hook",
            Command::LinkProject(_) => "link-project",
            Command::UnlinkProject(_) => "unlink-project",
            Command::Refresh(_) => "refresh",
            Command::Check(_) => "check",
            Command::Status(_) => "status",
            Command::New(_) => "new",
            Command::Up(_) => "up",
            Command::Repair(_) => "repair",
            Command::Completions(_) => "completions",
            Command::Man => "man",
            Command::Upkeep(_) => "upkeep",
        }
    }

    /// The output format the command's flags ask for: `--json` or `check --format`.
    pub(crate) fn format(&self) -> Format {
        let json = match self {
            Command::Link(args) => args.json,
            Command::Check(args) => return if args.json { Format::Json } else { args.format },
            Command::Status(args) => args.json,
            Command::Refresh(args) => args.json,
            Command::New(args) => args.json,
            Command::LinkProject(args) => args.json,
            Command::SetupHooks(args) => args.json,
            _ => false,
        };
        if json {
            Format::Json
        } else {
            Format::Text
        }
    }
}

#[derive(Debug, Args)]
pub(crate) struct LinkArgs {
    /// Print each planned action and change nothing
    #[arg(long, conflicts_with = "check")]
    pub(crate) dry_run: bool,
    /// Change nothing; exit 1 if anything would change or is wrong
    #[arg(long)]
    pub(crate) check: bool,
    /// One JSON document on stdout
    #[arg(long)]
    pub(crate) json: bool,
}

impl LinkArgs {
    pub(crate) fn mode(&self) -> Mode {
        if self.check {
            Mode::Check
        } else if self.dry_run {
            Mode::DryRun
        } else {
            Mode::Apply
        }
    }
}

#[derive(Debug, Args)]
pub(crate) struct SetupHooksArgs {
    /// The repo to install into (default: the repo holding the current directory)
    #[arg(long, value_name = "DIR")]
    pub(crate) repo: Option<PathBuf>,
    /// Remove mynatca's hooks and restore the originals
    #[arg(long)]
    pub(crate) uninstall: bool,
    /// One JSON document on stdout
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Debug, Args)]
pub(crate) struct HookArgs {
    /// The hook git runs
    #[arg(value_enum)]
    pub(crate) name: HookName,
    /// The arguments git passed to the hook
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    pub(crate) args: Vec<String>,
}

#[derive(Debug, Args)]
pub(crate) struct LinkProjectArgs {
    /// Project name (default: asked, or the folder name)
    pub(crate) name: Option<String>,
    /// Path of the project repo, relative to the platform
    #[arg(long, value_name = "P")]
    pub(crate) path: Option<String>,
    /// The Postgres schema the project owns
    #[arg(long, value_name = "S")]
    pub(crate) schema: Option<String>,
    /// Migrations folder inside the project (default supabase/migrations)
    #[arg(long, value_name = "DIR")]
    pub(crate) migrations: Option<String>,
    /// Seed file inside the project (repeatable; default supabase/seed.sql)
    #[arg(long = "seed", value_name = "FILE")]
    pub(crate) seeds: Vec<String>,
    /// Replace an existing entry with different values
    #[arg(long)]
    pub(crate) force: bool,
    /// Print what would be written and linked, and write nothing
    #[arg(long)]
    pub(crate) dry_run: bool,
    /// One JSON document on stdout (never asks: every value from the flags)
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Debug, Args)]
pub(crate) struct UnlinkProjectArgs {
    /// The project to remove
    pub(crate) name: String,
    /// Print what would be removed, and remove nothing
    #[arg(long)]
    pub(crate) dry_run: bool,
}

#[derive(Debug, Args)]
pub(crate) struct RefreshArgs {
    /// Use the built-in engine on this database (default: $MYNATCA_DB_URL, else `supabase db reset`)
    #[arg(long, value_name = "URL", env = "MYNATCA_DB_URL", hide_env_values = true)]
    pub(crate) db_url: Option<String>,
    /// Skip seeding
    #[arg(long)]
    pub(crate) no_seed: bool,
    /// Allow a database host other than localhost
    #[arg(long)]
    pub(crate) allow_remote: bool,
    /// What the built-in engine lays before the first migration
    #[arg(long, value_enum, default_value_t = BaseChoice::Supabase, value_name = "BASE")]
    pub(crate) base: BaseChoice,
    /// Keep going past failing files; report them all at the end (exit 1)
    #[arg(long, requires = "db_url")]
    pub(crate) keep_going: bool,
    /// Leave out CREATE EXTENSION for extensions the server lacks (a warning each)
    #[arg(long, requires = "db_url")]
    pub(crate) allow_missing_extensions: bool,
    /// Neither use nor keep a cached copy of the migrated database
    #[arg(long, requires = "db_url")]
    pub(crate) no_cache: bool,
    /// Keep the build database of a failed or interrupted refresh, and name it
    #[arg(long, requires = "db_url")]
    pub(crate) keep_failed: bool,
    /// Drop the replaced database and make the cache's spare copies before returning,
    /// not in a detached process
    #[arg(long, requires = "db_url")]
    pub(crate) no_detach: bool,
    /// Drop this database's caches, spare copies and trash, and stop (built-in engine)
    #[arg(long, requires = "db_url", conflicts_with = "json")]
    pub(crate) drop_caches: bool,
    /// One JSON document on stdout (built-in engine: needs a database URL)
    #[arg(long, requires = "db_url")]
    pub(crate) json: bool,
    /// Passed on to `supabase db reset` (the Supabase engine only: not with a database URL)
    #[arg(last = true, value_name = "ARGS", conflicts_with = "db_url")]
    pub(crate) reset_args: Vec<String>,
}

/// `supabase`: roles, auth, storage, realtime as Supabase's image has them; `none`: the
/// API roles, the history table and the search path only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum BaseChoice {
    Supabase,
    None,
}

#[derive(Debug, Args)]
pub(crate) struct CheckArgs {
    /// One JSON document on stdout (as --format json)
    #[arg(long, conflicts_with = "format")]
    pub(crate) json: bool,
    /// `text` (PATH:LINE: level[rule]: message), `json`, or `github` (Actions annotations)
    #[arg(long, value_enum, default_value_t = Format::Text, value_name = "FORMAT")]
    pub(crate) format: Format,
    /// How files are named: relative to the current directory, or inside their own repo
    /// (default: repo with --format github, else cwd)
    #[arg(long, value_enum, value_name = "STYLE")]
    pub(crate) paths: Option<Paths>,
    /// Report the findings of this repo only (`platform` or a linked project); every repo is still read
    #[arg(long, value_name = "NAME")]
    pub(crate) project: Option<String>,
    /// The ref production has, for every repo; exit 2 if a repo lacks it (default:
    /// origin/HEAD, origin/main, origin/master, main, master, the first that exists)
    #[arg(long, value_name = "REF")]
    pub(crate) base: Option<String>,
    /// Warnings fail the check too
    #[arg(long)]
    pub(crate) strict: bool,
}

/// How a command prints its result: text, one JSON document, or GitHub annotations (`check`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Format {
    Text,
    Json,
    Github,
}

/// `check --paths`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Paths {
    Repo,
    Cwd,
}

#[derive(Debug, Args)]
pub(crate) struct StatusArgs {
    /// One JSON document on stdout
    #[arg(long)]
    pub(crate) json: bool,
    /// Also every migration against the database's history (read-only)
    #[arg(long)]
    pub(crate) db: bool,
    /// The database (default: $MYNATCA_DB_URL, the platform's .env, then config.toml's local stack)
    #[arg(long, value_name = "URL", requires = "db")]
    pub(crate) db_url: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct DatabaseArgs {
    /// The database (default: $MYNATCA_DB_URL, the platform's .env, then config.toml's local stack)
    #[arg(long, value_name = "URL")]
    pub(crate) db_url: Option<String>,
    /// Allow a database host other than localhost
    #[arg(long)]
    pub(crate) allow_remote: bool,
}

#[derive(Debug, Args)]
pub(crate) struct UpArgs {
    #[command(flatten)]
    pub(crate) database: DatabaseArgs,
    /// Also apply pending migrations older than the newest applied one
    #[arg(long)]
    pub(crate) include_all: bool,
    /// Print what would be applied, apply nothing
    #[arg(long)]
    pub(crate) dry_run: bool,
}

#[derive(Debug, Args)]
pub(crate) struct RepairArgs {
    /// The migration versions to mark
    #[arg(required = true, value_name = "VERSION")]
    pub(crate) versions: Vec<String>,
    /// What to mark them
    #[arg(long, value_enum, value_name = "STATUS")]
    pub(crate) status: RepairStatus,
    #[command(flatten)]
    pub(crate) database: DatabaseArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum RepairStatus {
    Applied,
    Reverted,
}

#[derive(Debug, Args)]
pub(crate) struct NewArgs {
    /// What the migration does: lowercase letters, digits, underscores
    pub(crate) description: String,
    /// The project to create it in (default: the repo you stand in)
    #[arg(long, value_name = "NAME")]
    pub(crate) project: Option<String>,
    /// One JSON document on stdout
    #[arg(long)]
    pub(crate) json: bool,
}
