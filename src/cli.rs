//! Command-line types only: clap parses into these, `commands` acts on them.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "mynatca",
    version,
    about = "Links, checks and refreshes the MyNATCA database migrations across the platform and its sub-project repos",
    propagate_version = true
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// The platform repo (default: $MYNATCA_PLATFORM, then found from the current directory)
    #[arg(long, global = true, value_name = "DIR")]
    pub platform: Option<PathBuf>,
    /// Print errors and warnings only
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// More detail on stderr (repeat for more; $MYNATCA_LOG takes a tracing filter)
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// When to colour output (NO_COLOR is honoured with auto)
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Reconcile platform/supabase/migrations (and seeds) with the registry
    Link(LinkArgs),
    /// Install (or remove) mynatca's git hooks in the platform or a linked repo
    SetupHooks(SetupHooksArgs),
    /// Run a git hook (called by the installed hook shims)
    Hook(HookArgs),
    /// Register a sub-project with the platform and link it
    LinkProject(LinkProjectArgs),
    /// Remove a sub-project from the platform: entry, links, seeds and config
    UnlinkProject(UnlinkProjectArgs),
    /// Reset the local database, apply every migration, seed every project
    Refresh(RefreshArgs),
    /// The CI sanity check over the whole workspace
    Check(CheckArgs),
    /// One row per repo: branch, state, migrations, links
    Status(StatusArgs),
    /// Create a new migration with a workspace-unique version
    New(NewArgs),
}

#[derive(Debug, Args)]
pub struct LinkArgs {
    /// Print each planned action and change nothing
    #[arg(long, conflicts_with = "check")]
    pub dry_run: bool,
    /// Change nothing; exit 1 if anything would change or is wrong
    #[arg(long)]
    pub check: bool,
    /// One JSON document on stdout
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct SetupHooksArgs {
    /// The repo to install into (default: the repo holding the current directory)
    #[arg(long, value_name = "DIR")]
    pub repo: Option<PathBuf>,
    /// Remove mynatca's hooks and restore the originals
    #[arg(long)]
    pub uninstall: bool,
}

#[derive(Debug, Args)]
pub struct HookArgs {
    /// post-checkout, post-merge or pre-commit
    pub name: String,
    /// The arguments git passed to the hook
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    pub args: Vec<String>,
}

#[derive(Debug, Args)]
pub struct LinkProjectArgs {
    /// Project name (default: asked, or the folder name)
    pub name: Option<String>,
    /// Path of the project repo, relative to the platform
    #[arg(long, value_name = "P")]
    pub path: Option<String>,
    /// The Postgres schema the project owns
    #[arg(long, value_name = "S")]
    pub schema: Option<String>,
    /// Migrations folder inside the project (default supabase/migrations)
    #[arg(long, value_name = "DIR")]
    pub migrations: Option<String>,
    /// Seed file inside the project (repeatable; default supabase/seed.sql)
    #[arg(long = "seed", value_name = "FILE")]
    pub seeds: Vec<String>,
    /// Replace an existing entry with different values
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct UnlinkProjectArgs {
    /// The project to remove
    pub name: String,
}

#[derive(Debug, Args)]
pub struct RefreshArgs {
    /// Use the built-in engine on this database (default: $MYNATCA_DB_URL, else `supabase db reset`)
    #[arg(long, value_name = "URL", env = "MYNATCA_DB_URL", hide_env_values = true)]
    pub db_url: Option<String>,
    /// Skip seeding
    #[arg(long)]
    pub no_seed: bool,
    /// Allow a database host other than localhost
    #[arg(long)]
    pub allow_remote: bool,
    /// What the built-in engine lays before the first migration
    #[arg(long, value_enum, default_value_t = BaseChoice::Supabase, value_name = "BASE")]
    pub base: BaseChoice,
    /// Keep going past failing files; report them all at the end (exit 1)
    #[arg(long)]
    pub keep_going: bool,
    /// Leave out CREATE EXTENSION for extensions the server lacks (a warning each)
    #[arg(long)]
    pub allow_missing_extensions: bool,
    /// Neither use nor keep a cached copy of the migrated database
    #[arg(long)]
    pub no_cache: bool,
    /// Keep the build database of a failed or interrupted refresh, and name it
    #[arg(long)]
    pub keep_failed: bool,
    /// One JSON document on stdout (built-in engine)
    #[arg(long)]
    pub json: bool,
}

/// `supabase`: roles, auth, storage, realtime as Supabase's image has them; `none`: the
/// API roles, the history table and the search path only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BaseChoice {
    Supabase,
    None,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// One JSON document on stdout
    #[arg(long)]
    pub json: bool,
    /// Warnings fail the check too
    #[arg(long)]
    pub strict: bool,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// One JSON document on stdout
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct NewArgs {
    /// What the migration does: lowercase letters, digits, underscores
    pub description: String,
    /// The project to create it in (default: the repo you stand in)
    #[arg(long, value_name = "NAME")]
    pub project: Option<String>,
}
