//! `mynatca link-project`: add or update a registry entry, wire the project's schema and
//! seed glob into `config.toml`, then link.

use anyhow::Context as _;

use crate::cli::LinkProjectArgs;
use crate::commands::{render, Context, Format};
use crate::config::SupabaseConfig;
use crate::error::{config_error, ConfigError, Outcome};
use crate::reconcile::{self, Lock, Mode};
use crate::registry::{self, Project};
use crate::ui::Ui;
use crate::workspace::Workspace;

mod document;
mod edits;
mod request;

use document::{print_json, LinkProjectJson};
pub(crate) use edits::dry_run_note;
use edits::{add_to_config, load_config};

pub(crate) fn run(ctx: &Context, args: &LinkProjectArgs) -> anyhow::Result<Outcome> {
    let found = Workspace::discover_or_new(ctx.platform.as_deref(), &ctx.cwd)?;
    let Some(request) = request::request(&found, args)? else {
        ctx.ui.info("cancelled: nothing written");
        return Ok(Outcome::Clean);
    };
    // With --json, the text lines give way to one document.
    let json = ctx.format == Format::Json;
    let quiet = Ui::new(true, ctx.verbose, ctx.color);
    let ui = if json { &quiet } else { ctx.ui };
    // Read, modify and write the registry and config.toml, and relink, under one lock:
    // a concurrent link-project would otherwise write back a registry without our entry.
    let _lock = reconcile::lock(&found, if args.dry_run { Lock::Shared } else { Lock::Exclusive }, ctx.wait)?;
    let mut ws = Workspace::load(found.platform)?;
    let old = ws.registry.project(&request.name).cloned();
    let project = request.project(old.as_ref());
    // The registry's own rules (those loading it applies), then that the folders exist:
    // all before anything is written; the registry is changed in memory only.
    ws.registry.upsert(&project).map_err(ConfigError::from)?;
    require_folders(&ws, &project)?;
    let replaced = match old {
        Some(old) if same_entry(&ws, &old, &project) => {
            let notes = already_linked(ui, &ws, &old, args.dry_run)?;
            if json {
                let body = LinkProjectJson::new(&old, "already-linked", args.dry_run, notes, None);
                print_json(ctx, &ws, body, &[])?;
            }
            return Ok(Outcome::Clean);
        }
        Some(old) if !args.force => {
            return Err(config_error(format!(
                "{} is already linked with {}; pass --force to replace it with {}",
                old.name,
                describe(&old),
                describe(&project)
            )))
        }
        old => old,
    };
    if !args.seeds.is_empty() {
        warn_missing_seeds(ctx.ui, &ws, &project);
    }

    // Every edit is made in memory first, so a bad config.toml stops us before any write.
    let (config, notes) = edits::config_edits(ctx.ui, &ws, &project, replaced.as_ref())?;
    let verb = match (args.dry_run, replaced.is_some()) {
        (false, true) => "updated",
        (false, false) => "added",
        (true, true) => "would update",
        (true, false) => "would add",
    };
    let preposition = if replaced.is_some() { "in" } else { "to" };
    if !args.dry_run {
        ws.registry.save().with_context(|| format!("cannot write {}", ws.registry.path.display()))?;
    }
    ui.info(&format!("{verb} {} {preposition} {} ({})", project.name, registry::FILE_NAME, describe(&project)));
    if !args.dry_run {
        config.as_ref().map_or(Ok(()), SupabaseConfig::save_if_edited)?;
    }
    let notes: Vec<String> = notes.iter().map(|note| dry_run_note(note, args.dry_run)).collect();
    for note in &notes {
        ui.info(note);
    }

    let mode = if args.dry_run { Mode::DryRun } else { Mode::Apply };
    let report = reconcile::relink_locked(&ws, mode, replaced.as_slice())?;
    if json {
        render::problems(ctx.ui, &report);
        let action = if replaced.is_some() { "updated" } else { "added" };
        let body = LinkProjectJson::new(&project, action, args.dry_run, notes, Some(&report));
        print_json(ctx, &ws, body, &report.diagnostics())?;
    } else {
        render::report(ctx.ui, &report);
    }
    Ok(Outcome::from_problems(report.has_problems()))
}

/// Same values as the registry has: nothing to write, but a config.toml that lost the
/// project's schema or seed glob gets them back.
fn already_linked(ui: &Ui, ws: &Workspace, project: &Project, dry_run: bool) -> anyhow::Result<Vec<String>> {
    ui.info(&format!("already linked: {} ({})", project.name, describe(project)));
    let mut config = load_config(ui, ws, project)?;
    let notes = match &mut config {
        Some(config) => add_to_config(ws, config, project)?,
        None => Vec::new(),
    };
    if !dry_run {
        config.as_ref().map_or(Ok(()), SupabaseConfig::save_if_edited)?;
    }
    let notes: Vec<String> = notes.iter().map(|note| dry_run_note(note, dry_run)).collect();
    for note in &notes {
        ui.info(note);
    }
    Ok(notes)
}

fn describe(project: &Project) -> String {
    let mut text = format!("path {}, schema {}", project.path, project.schema);
    if project.migrations != registry::DEFAULT_MIGRATIONS {
        text.push_str(&format!(", migrations {}", project.migrations));
    }
    if project.seeds.as_slice() != [registry::DEFAULT_SEED] {
        text.push_str(&format!(", seeds {}", project.seeds.join(" ")));
    }
    text
}

/// The same entry, comparing paths by where they lead (`../pay/` is `../pay`).
fn same_entry(ws: &Workspace, old: &Project, new: &Project) -> bool {
    ws.project_root(old) == ws.project_root(new)
        && old.schema == new.schema
        && old.migrations == new.migrations
        && old.seeds == new.seeds
}

/// A seed given with `--seed` that does not exist is linked once it does; say so.
fn warn_missing_seeds(ui: &Ui, ws: &Workspace, project: &Project) {
    for file in ws.seed_files(project).iter().filter(|file| !file.is_file()) {
        ui.warn(&format!("seed file {} does not exist yet; `mynatca link` links it once it does", file.display()));
    }
}

/// What `link-project` needs beyond the registry's rules (a registry may name a folder not
/// cloned yet): the project's folder and its migrations folder exist. Exit 2.
fn require_folders(ws: &Workspace, project: &Project) -> anyhow::Result<()> {
    let root = ws.project_root(project);
    if !root.is_dir() {
        return Err(config_error(format!(
            "--path {}: {} is not a folder (the path is relative to the platform); clone the project there or fix --path",
            project.path,
            root.display()
        )));
    }
    let migrations = ws.migrations_dir(project);
    if !migrations.is_dir() {
        return Err(config_error(format!(
            "{} not found: {} has no migrations folder there; create it (`mkdir -p {}`) or pass --migrations DIR",
            migrations.display(),
            project.name,
            migrations.display()
        )));
    }
    Ok(())
}
