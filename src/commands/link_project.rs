//! `mynatca link-project`: add or update a registry entry, wire the project's schema and
//! seed glob into `config.toml`, then link.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use dialoguer::{Confirm, Input, Select};
use serde_json::Value;

use crate::cli::LinkProjectArgs;
use crate::commands::render;
use crate::commands::Context;
use crate::config::{self, SupabaseConfig};
use crate::error::{config_error, Outcome};
use crate::fsutil;
use crate::reconcile::{self, Lock, Mode};
use crate::registry::{self, Project};
use crate::ui::Ui;
use crate::workspace::{canonical_or_lexical, Workspace};

/// What the user asked for; `None` for optional values not given.
struct Request {
    name: String,
    path: String,
    schema: String,
    migrations: Option<String>,
    seeds: Option<Vec<String>>,
}

impl Request {
    /// The entry as it will be: values not given are the old entry's, else the defaults.
    fn project(&self, old: Option<&Project>) -> Project {
        Project {
            name: self.name.clone(),
            path: self.path.clone(),
            schema: self.schema.clone(),
            migrations: self
                .migrations
                .clone()
                .or_else(|| old.map(|o| o.migrations.clone()))
                .unwrap_or_else(|| registry::DEFAULT_MIGRATIONS.to_string()),
            seeds: self
                .seeds
                .clone()
                .or_else(|| old.map(|o| o.seeds.clone()))
                .unwrap_or_else(|| vec![registry::DEFAULT_SEED.to_string()]),
        }
    }

    /// The registry fields to set. `migrations` and `seeds` are written only when given and
    /// not the defaults; a given default removes the key, one not given is left as it is.
    fn fields(&self) -> Vec<(&'static str, Option<Value>)> {
        let mut fields = vec![("path", Some(self.path.clone().into())), ("schema", Some(self.schema.clone().into()))];
        if let Some(migrations) = &self.migrations {
            let custom = migrations != registry::DEFAULT_MIGRATIONS;
            fields.push(("migrations", custom.then(|| migrations.clone().into())));
        }
        if let Some(seeds) = &self.seeds {
            let custom = seeds.as_slice() != [registry::DEFAULT_SEED];
            fields.push(("seeds", custom.then(|| seeds.clone().into())));
        }
        fields
    }
}

pub(crate) fn run(ctx: &Context, args: &LinkProjectArgs) -> anyhow::Result<Outcome> {
    let found = Workspace::discover_or_new(ctx.platform.as_deref(), &ctx.cwd)?;
    let Some(request) = request(&found, args)? else {
        ctx.ui.info("cancelled: nothing written");
        return Ok(Outcome::Clean);
    };
    // Read, modify and write the registry and config.toml, and relink, under one lock:
    // a concurrent link-project would otherwise write back a registry without our entry.
    let _lock = reconcile::lock(&found, if args.dry_run { Lock::Shared } else { Lock::Exclusive })?;
    let mut ws = Workspace::load(found.platform)?;
    let old = ws.registry.project(&request.name).cloned();
    let project = request.project(old.as_ref());
    validate(&ws, &project)?;
    let replaced = match old {
        Some(old) if same_entry(&ws, &old, &project) => return already_linked(ctx.ui, &ws, &old, args.dry_run),
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
    warn_missing_seeds(ctx.ui, &ws, &request, &project);

    // Every edit is made in memory first, so a bad config.toml stops us before any write.
    let mut config = load_config(ctx.ui, &ws, &project)?;
    let mut notes = Vec::new();
    if let Some(config) = &mut config {
        if let Some(old) = replaced.as_ref().filter(|old| old.schema != project.schema) {
            if config.remove_api_schema(&old.schema)? {
                notes.push(format!("config.toml: removed {} from [api] schemas", old.schema));
            }
        }
        notes.extend(add_to_config(&ws, config, &project)?);
    }
    ws.registry.upsert(&project.name, &request.fields())?;
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
    ctx.ui.info(&format!("{verb} {} {preposition} {} ({})", project.name, registry::FILE_NAME, describe(&project)));
    if !args.dry_run {
        config.as_ref().map_or(Ok(()), SupabaseConfig::save_if_edited)?;
    }
    for note in &notes {
        ctx.ui.info(&dry_run_note(note, args.dry_run));
    }

    let mode = if args.dry_run { Mode::DryRun } else { Mode::Apply };
    let report = reconcile::relink_locked(&ws, mode, replaced.as_slice())?;
    render::report(ctx.ui, &report);
    Ok(Outcome::from_problems(report.has_problems()))
}

/// Same values as the registry has: nothing to write, but a config.toml that lost the
/// project's schema or seed glob gets them back.
fn already_linked(ui: &Ui, ws: &Workspace, project: &Project, dry_run: bool) -> anyhow::Result<Outcome> {
    ui.info(&format!("already linked: {} ({})", project.name, describe(project)));
    let mut config = load_config(ui, ws, project)?;
    let notes = match &mut config {
        Some(config) => add_to_config(ws, config, project)?,
        None => Vec::new(),
    };
    if !dry_run {
        config.as_ref().map_or(Ok(()), SupabaseConfig::save_if_edited)?;
    }
    for note in &notes {
        ui.info(&dry_run_note(note, dry_run));
    }
    Ok(Outcome::Clean)
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

/// The platform's config.toml; a missing one is a warning saying what to add by hand.
fn load_config(ui: &Ui, ws: &Workspace, project: &Project) -> anyhow::Result<Option<SupabaseConfig>> {
    let path = ws.config_path();
    let config = SupabaseConfig::load(&path)?;
    if config.is_none() {
        ui.warn(&format!(
            "{} not found: add {:?} to [api] schemas and {:?} to [db.seed] sql_paths once it exists (`supabase init` creates it)",
            path.display(),
            project.schema,
            config::seed_glob(&project.name)
        ));
    }
    Ok(config)
}

/// A config.toml note as `--dry-run` says it: `config.toml: would add …`.
pub(crate) fn dry_run_note(note: &str, dry_run: bool) -> String {
    if !dry_run {
        return note.to_string();
    }
    note.replacen(": added ", ": would add ", 1).replacen(": removed ", ": would remove ", 1)
}

/// Adds the project's schema and, when it has seed files, its seed glob, once each; one
/// note per change. A glob matching nothing would only make `supabase db reset` warn.
fn add_to_config(ws: &Workspace, config: &mut SupabaseConfig, project: &Project) -> anyhow::Result<Vec<String>> {
    let mut notes = Vec::new();
    if config.add_api_schema(&project.schema)? {
        notes.push(format!("config.toml: added {} to [api] schemas", project.schema));
    }
    let glob = config::seed_glob(&project.name);
    if ws.seed_files(project).iter().any(|file| file.is_file()) && config.add_seed_path(&glob)? {
        notes.push(format!("config.toml: added {glob} to [db.seed] sql_paths"));
    }
    Ok(notes)
}

/// A seed given with `--seed` that does not exist is linked once it does; say so.
fn warn_missing_seeds(ui: &Ui, ws: &Workspace, request: &Request, project: &Project) {
    if request.seeds.is_none() {
        return;
    }
    for file in ws.seed_files(project).iter().filter(|file| !file.is_file()) {
        ui.warn(&format!("seed file {} does not exist yet; `mynatca link` links it once it does", file.display()));
    }
}

/// Everything that must hold before anything is written. Usage errors: exit 2.
fn validate(ws: &Workspace, project: &Project) -> anyhow::Result<()> {
    check_name(&project.name).map_err(config_error)?;
    check_schema(ws, &project.name, &project.schema).map_err(config_error)?;
    let root = ws.project_root(project);
    if !root.is_dir() {
        return Err(config_error(format!(
            "--path {}: {} is not a folder (the path is relative to the platform); clone the project there or fix --path",
            project.path,
            root.display()
        )));
    }
    if canonical_or_lexical(&root) == canonical_or_lexical(&ws.platform) {
        return Err(config_error(format!(
            "--path {} is the platform itself; point it at the sub-project's repo",
            project.path
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
    let same = canonical_or_lexical(&migrations);
    if let Some(other) = ws
        .registry
        .projects
        .iter()
        .find(|p| p.name != project.name && canonical_or_lexical(&ws.migrations_dir(p)) == same)
    {
        return Err(config_error(format!(
            "{} is already linked as project {}; one folder is linked once (`mynatca unlink-project {}` first to rename it)",
            migrations.display(),
            other.name,
            other.name
        )));
    }
    Ok(())
}

fn check_name(name: &str) -> Result<(), String> {
    if name.len() > 63 {
        return Err(format!("invalid project name {name:?}: at most 63 bytes (PostgreSQL's identifier limit)"));
    }
    if let Some(why) = registry::reserved_name(name) {
        return Err(format!("invalid project name {name:?}: {why}; give the project another name"));
    }
    if registry::is_valid_name(name) {
        Ok(())
    } else {
        Err(format!(
            "invalid project name {name:?}: use lowercase letters, digits, '_' and '-', starting with a letter"
        ))
    }
}

fn check_schema(ws: &Workspace, name: &str, schema: &str) -> Result<(), String> {
    if schema == "public" {
        return Err(format!("schema public belongs to the platform; give {name} a schema of its own (--schema S)"));
    }
    if !registry::is_valid_schema(schema) {
        return Err(format!(
            "invalid schema {schema:?}: a lowercase Postgres identifier (letters, digits and '_', starting with a letter or '_')"
        ));
    }
    if let Some(why) = registry::reserved_schema(schema) {
        return Err(format!("schema {schema:?} cannot be used: {why}; pick another (--schema S)"));
    }
    match ws.registry.projects.iter().find(|p| p.schema == schema && p.name != name) {
        Some(owner) => {
            Err(format!("schema {schema} is owned by project {}; each schema has one owner: pick another", owner.name))
        }
        None => Ok(()),
    }
}

/// The values from the flags, asking on the terminal for the missing ones.
/// `None`: the user declined at the confirmation.
fn request(ws: &Workspace, args: &LinkProjectArgs) -> anyhow::Result<Option<Request>> {
    let seeds = (!args.seeds.is_empty()).then(|| args.seeds.clone());
    if let (Some(name), Some(path), Some(schema)) = (&args.name, &args.path, &args.schema) {
        return Ok(Some(Request {
            name: name.clone(),
            path: path.clone(),
            schema: schema.clone(),
            migrations: args.migrations.clone(),
            seeds,
        }));
    }
    if !std::io::stdin().is_terminal() {
        let missing: Vec<&str> =
            [(args.name.is_none(), "NAME"), (args.path.is_none(), "--path"), (args.schema.is_none(), "--schema")]
                .into_iter()
                .filter_map(|(missing, flag)| missing.then_some(flag))
                .collect();
        return Err(config_error(format!(
            "missing {}: pass {} (e.g. `mynatca link-project pay --path ../pay --schema pay`), or run in a terminal to be asked",
            missing.join(", "),
            if missing.len() == 1 { "it" } else { "them" }
        )));
    }
    // Ctrl-C arrives as SIGINT between keys, or as an interrupted read inside a prompt.
    let _ = ctrlc::set_handler(|| interrupted());
    ask(ws, args, seeds).map_err(|err| match err {
        dialoguer::Error::IO(io) if io.kind() == std::io::ErrorKind::Interrupted => interrupted(),
        err => config_error(format!("cannot ask on the terminal: {err}; pass NAME, --path and --schema instead")),
    })
}

/// Ctrl-C at a prompt: nothing has been written yet; give the terminal its cursor back
/// (the menu hides it) and exit as an interrupted program does (128 + SIGINT).
fn interrupted() -> ! {
    // The signal thread and the prompt may both get here: only the first one writes.
    static EXITING: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _first = EXITING.lock();
    let mut stderr = std::io::stderr().lock();
    let _ = std::io::Write::write_all(&mut stderr, b"\x1b[?25h\n");
    let _ = std::io::Write::flush(&mut stderr);
    std::process::exit(130)
}

/// The interactive flow: project repo (the unlinked siblings first), name, schema,
/// confirmation. Enter at every prompt takes the first candidate and every default.
fn ask(ws: &Workspace, args: &LinkProjectArgs, seeds: Option<Vec<String>>) -> dialoguer::Result<Option<Request>> {
    let path = match &args.path {
        Some(path) => path.clone(),
        None => ask_path(ws, args.name.as_deref())?,
    };
    let folder = fsutil::absolute_from(&ws.platform, Path::new(&path));
    let name = match &args.name {
        Some(name) => name.clone(),
        None => {
            let mut prompt =
                Input::<String>::new().with_prompt("Project name").validate_with(|n: &String| check_name(n));
            if let Some(default) = folder.file_name().and_then(|f| f.to_str()).map(str::to_lowercase) {
                if registry::is_valid_name(&default) {
                    prompt = prompt.default(default);
                }
            }
            prompt.interact_text()?
        }
    };
    let schema = match &args.schema {
        Some(schema) => schema.clone(),
        None => Input::<String>::new()
            .with_prompt("Schema it owns")
            // A name may hold '-', a schema may not.
            .default(name.replace('-', "_"))
            .validate_with(|s: &String| check_schema(ws, &name, s))
            .interact_text()?,
    };
    let confirmed =
        Confirm::new().with_prompt(format!("Link {name} (path {path}, schema {schema})?")).default(true).interact()?;
    Ok(confirmed.then(|| Request { name, path, schema, migrations: args.migrations.clone(), seeds }))
}

/// Picks among the platform's siblings that have `supabase/migrations` and are not linked,
/// or asks for a path.
fn ask_path(ws: &Workspace, name: Option<&str>) -> dialoguer::Result<String> {
    let candidates = unlinked_siblings(ws);
    if !candidates.is_empty() {
        let mut items: Vec<String> = candidates.iter().map(|(folder, path)| format!("{folder} ({path})")).collect();
        items.push("another folder...".to_string());
        let default = candidates.iter().position(|(folder, _)| Some(folder.as_str()) == name).unwrap_or(0);
        let chosen = Select::new().with_prompt("Project repo to link").items(&items).default(default).interact()?;
        if let Some((_, path)) = candidates.get(chosen) {
            return Ok(path.clone());
        }
    }
    Input::<String>::new()
        .with_prompt("Path of the project repo, relative to the platform")
        .validate_with(|p: &String| {
            let dir = fsutil::absolute_from(&ws.platform, Path::new(p));
            if dir.is_dir() {
                Ok(())
            } else {
                Err(format!("{} is not a folder", dir.display()))
            }
        })
        .interact_text()
}

/// (folder name, path relative to the platform) of each sibling repo with
/// `supabase/migrations` that no registered project points at, sorted by name.
fn unlinked_siblings(ws: &Workspace) -> Vec<(String, String)> {
    let Some(parent) = ws.platform.parent() else { return Vec::new() };
    let Ok(entries) = std::fs::read_dir(parent) else { return Vec::new() };
    let platform = canonical_or_lexical(&ws.platform);
    let linked: Vec<PathBuf> = ws.registry.projects.iter().map(|p| canonical_or_lexical(&ws.project_root(p))).collect();
    let mut found: Vec<(String, String)> = entries
        .filter_map(|entry| entry.ok())
        .filter_map(|entry| {
            let folder = entry.file_name().into_string().ok()?;
            let dir = parent.join(&folder);
            let real = canonical_or_lexical(&dir);
            let wanted = !folder.starts_with('.')
                && dir.join(registry::DEFAULT_MIGRATIONS).is_dir()
                && real != platform
                && !linked.contains(&real);
            wanted.then(|| (folder, fsutil::relative_path(&ws.platform, &dir).display().to_string()))
        })
        .collect();
    found.sort();
    found
}
