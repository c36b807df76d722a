//! `mynatca refresh`: link, then reset the database, apply every migration and seed every
//! project, with the Supabase CLI or the built-in engine (`--db-url`).

use std::time::Instant;

use anyhow::{bail, Context as _};

use crate::cli::{BaseChoice, RefreshArgs, UpkeepArgs};
use crate::commands::render;
use crate::commands::{Context, Format};
use crate::config::SupabaseConfig;
use crate::db::{self, History, Migration, Record, Script, SqlFile, Target};
use crate::diagnostic::{Code, Diagnostic};
use crate::emit::{PathStyle, Places};
use crate::error::{config_error, Outcome};
use crate::json;
use crate::reconcile::{self, Mode};
use crate::ui::Ui;
use crate::workspace::Workspace;

mod progress;
mod report;

use progress::Progressing;

const INSTALL_HINT: &str = "`supabase` not found on PATH; install the Supabase CLI \
(https://supabase.com/docs/guides/local-development/cli/getting-started), \
or use the built-in engine with --db-url URL or MYNATCA_DB_URL";

pub(crate) fn run(ctx: &Context, args: &RefreshArgs) -> anyhow::Result<Outcome> {
    if args.drop_caches {
        let target = local_target(ctx.db_url.as_ref().map_or("", |url| url.url.as_str()), args.allow_remote)?;
        let dropped = db::drop_caches(&target)?;
        for name in &dropped {
            ctx.ui.info(&format!("dropped {name}"));
        }
        ctx.ui.info(&format!("dropped {} of {}", crate::ui::plural(dropped.len(), "database"), target.describe()));
        return Ok(Outcome::Clean);
    }
    let started = Instant::now();
    let ws = ctx.workspace()?;
    // Everything that can be refused is refused before links or the database change.
    let target = match &ctx.db_url {
        // `--db-url ''`, or `$MYNATCA_DB_URL` set to nothing, never means the reset of
        // the other engine.
        Some(url) if url.url.trim().is_empty() => {
            return Err(config_error(
                "the database URL is empty (--db-url or $MYNATCA_DB_URL); give the URL, or unset it to run `supabase db reset`",
            ))
        }
        Some(url) => Some(local_target(&url.url, args.allow_remote)?),
        None => {
            if args.allow_remote {
                ctx.ui.warn("--allow-remote has no effect without --db-url or MYNATCA_DB_URL");
            }
            None
        }
    };

    let report = reconcile::relink(&ws, Mode::Apply, &[], ctx.wait)?;
    if args.json {
        render::problems(ctx.ui, &report);
    } else {
        render::report(ctx.ui, &report);
    }
    if report.has_problems() {
        let refusal = "refresh refused: the links have the problems above, so the database was not touched; fix them and run `mynatca refresh` again";
        return stopped(ctx, &ws, refusal, report.diagnostics());
    }

    match target {
        None => supabase_reset(ctx.ui, &ws, args, started),
        Some(target) => builtin(ctx, &ws, &target, args, started, report.verdict.warnings),
    }
}

/// A refresh that stopped with problems (exit 1): the error on stderr and, with `--json`,
/// a document carrying every diagnostic that explains it.
fn stopped(ctx: &Context, ws: &Workspace, error: &str, diagnostics: Vec<Diagnostic>) -> anyhow::Result<Outcome> {
    ctx.ui.error(error);
    if ctx.format == Format::Json {
        let places = Places::new(ws, &ctx.cwd, PathStyle::Cwd);
        let body = serde_json::Map::new();
        ctx.ui.out(&json::document("refresh", Some(&ws.platform), false, body, &diagnostics, &places)?);
    }
    Ok(Outcome::Problems)
}

/// `mynatca upkeep`, started detached by a refresh, the database in `$MYNATCA_DB_URL`.
pub(crate) fn upkeep(ctx: &Context, args: &UpkeepArgs) -> anyhow::Result<Outcome> {
    let Some(url) = &ctx.db_url else {
        return Err(config_error("mynatca upkeep is started by a refresh, with the database in $MYNATCA_DB_URL"));
    };
    db::upkeep(&local_target(&url.url, args.allow_remote)?, args.cache.as_deref())?;
    Ok(Outcome::Clean)
}

fn local_target(url: &str, allow_remote: bool) -> anyhow::Result<Target> {
    let target = Target::parse(url)?;
    target.refuse_remote(allow_remote, "reset", "a reset drops the database, ")?;
    Ok(target)
}

/// `supabase db reset` in the platform, its output streamed as it comes.
fn supabase_reset(ui: &Ui, ws: &Workspace, args: &RefreshArgs, started: Instant) -> anyhow::Result<Outcome> {
    let mut command = std::process::Command::new("supabase");
    command.args(["db", "reset"]).current_dir(&ws.platform);
    if args.no_seed {
        command.arg("--no-seed");
    }
    command.args(&args.reset_args);
    let status = match command.status() {
        Ok(status) => status,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Err(config_error(INSTALL_HINT)),
        Err(err) => return Err(err).context("cannot run `supabase db reset`"),
    };
    if !status.success() {
        bail!("`supabase db reset` failed ({status}); see its output above, fix the cause and run `mynatca refresh` again");
    }
    ui.info(&format!("refreshed: supabase db reset in {:.2}s", started.elapsed().as_secs_f64()));
    Ok(Outcome::Clean)
}

fn builtin(
    ctx: &Context,
    ws: &Workspace,
    target: &Target,
    args: &RefreshArgs,
    started: Instant,
    mut diagnostics: Vec<Diagnostic>,
) -> anyhow::Result<Outcome> {
    let ui = ctx.ui;
    let seeds = seed_files(ui, ws, args.no_seed, args.json, &mut diagnostics)?;
    let mut plan = load_plan(ws, db::migrations(ws)?, seeds)?;
    let options = db::Options {
        base: match args.base {
            BaseChoice::Supabase => db::Base::Supabase,
            BaseChoice::None => db::Base::None,
        },
        keep_going: args.keep_going,
        allow_missing_extensions: args.allow_missing_extensions,
        cache: !args.no_cache,
        keep_failed: args.keep_failed,
        lock_wait: ctx.wait.limit,
    };
    let total = plan.migrations.len() + plan.seeds.len();
    let mut progress = Progressing::new(ui, ws, target, total, args.json);
    let result = db::refresh(target, &mut plan, &options, &mut |event| progress.event(event));
    progress.finish();
    diagnostics.append(&mut progress.skipped);
    let (report, upkeep) = match result {
        Ok(done) => done,
        Err(err) => match err.downcast_ref::<db::Stopped>() {
            // The failed file is a diagnostic like any other: in the document too.
            Some(stop) => {
                diagnostics.push(report::failure(ws, &stop.failure));
                return stopped(ctx, ws, &format!("{err:#}"), diagnostics);
            }
            None => return Err(err),
        },
    };
    let seconds = started.elapsed().as_secs_f64();
    if args.json {
        let body = report::to_json(target, &plan, &report, seconds);
        for failure in &report.failures {
            // On stderr too, as the text report shows them.
            ui.error(&format!(
                "{}:{} ({}): {}",
                failure.file.shown, failure.line, failure.file.project, failure.message
            ));
            diagnostics.push(report::failure(ws, failure));
        }
        let places = Places::new(ws, &ctx.cwd, PathStyle::Cwd);
        let ok = report.failures.is_empty();
        ui.out(&json::document("refresh", Some(&ws.platform), ok, body, &diagnostics, &places)?);
    } else {
        report::print(ui, target, &plan, &report, seconds);
    }
    let upkept = if args.no_detach { upkeep.run_here() } else { upkeep.detach() };
    if let Err(err) = upkept {
        // The target is in place: what is left undone only costs the next refresh time.
        ui.warn(&format!("the upkeep after the refresh failed ({err:#}); the next refresh does it again"));
    }
    Ok(Outcome::from_problems(!report.failures.is_empty()))
}

/// Every file read and checked before the database is touched. A seed is recorded by
/// its path from the platform's root, as the CLI records `supabase/seed.sql`.
fn load_plan(ws: &Workspace, migrations: Vec<Migration>, seeds: Vec<SqlFile>) -> anyhow::Result<db::Plan> {
    let migrations = migrations
        .into_iter()
        .map(|m| Script::load(m.file, Record::Migration(History { version: m.version, name: m.name })))
        .collect::<Result<Vec<_>, _>>()?;
    let root = &ws.platform;
    let seeds = seeds
        .into_iter()
        .map(|seed| {
            let path = seed.path.strip_prefix(root).unwrap_or(&seed.path).to_string_lossy().into_owned();
            Script::load(seed, Record::Seed(path))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(db::Plan { migrations, seeds })
}

/// The seeds to run, read before the database is touched so a bad config.toml changes nothing.
fn seed_files(
    ui: &Ui,
    ws: &Workspace,
    no_seed: bool,
    json: bool,
    diagnostics: &mut Vec<Diagnostic>,
) -> anyhow::Result<Vec<SqlFile>> {
    // With --json, stdout holds the document alone.
    let say = |line: &str| {
        if !json {
            ui.info(line);
        }
    };
    if no_seed {
        say("seeding skipped (--no-seed)");
        return Ok(Vec::new());
    }
    let mut warn = |diagnostic: Diagnostic| {
        ui.warn(&diagnostic.message);
        diagnostics.push(diagnostic);
    };
    let Some(config) = SupabaseConfig::load(&ws.config_path())? else {
        let message = format!("no {}: no seeds to run", ws.config_path().display());
        warn(Diagnostic::general(Code::ConfigSeeds, message).at(ws.config_path()).warning());
        return Ok(Vec::new());
    };
    if !config.seed_enabled() {
        say(&format!("seeding disabled ([db.seed] enabled = false in {})", config.path.display()));
        return Ok(Vec::new());
    }
    let seeds = db::seeds(ws, &config.seed_sql_paths())?;
    for pattern in &seeds.unmatched {
        let message = format!(
            "[db.seed] sql_paths: {pattern} matched no file in {}; fix the pattern in {} or add the file",
            ws.supabase_dir().display(),
            config.path.display()
        );
        warn(Diagnostic::new(Code::ConfigSeeds, &config.path, 1, message).warning());
    }
    Ok(seeds.files)
}
