//! What `link-project` is asked to link: the flags, or, on a terminal, the answers to
//! its prompts for the values missing. The prompts check each answer with the registry's
//! own rules, so a value they accept is one the registry takes.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use dialoguer::{Confirm, Input, Select};

use crate::cli::LinkProjectArgs;
use crate::error::{config_error, ConfigError};
use crate::fsutil;
use crate::registry::{self, Project};
use crate::workspace::{canonical_or_lexical, Workspace};

/// What the user asked for; `None` for optional values not given.
pub(super) struct Request {
    pub(super) name: String,
    path: String,
    schema: String,
    migrations: Option<String>,
    seeds: Option<Vec<String>>,
}

impl Request {
    /// The entry as it will be: values not given are the old entry's, else the defaults.
    pub(super) fn project(&self, old: Option<&Project>) -> Project {
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
}

/// The values from the flags, asking on the terminal for the missing ones.
/// `None`: the user declined at the confirmation.
pub(super) fn request(ws: &Workspace, args: &LinkProjectArgs) -> anyhow::Result<Option<Request>> {
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
    // A JSON reader is a program: it is never asked.
    if args.json || !std::io::stdin().is_terminal() {
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

/// A rule's error as a prompt shows it under the answer.
fn said(err: registry::EntryError) -> String {
    ConfigError::from(err).to_string()
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
            let mut prompt = Input::<String>::new()
                .with_prompt("Project name")
                .validate_with(|n: &String| registry::check_name(n).map_err(said));
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
            .validate_with(|s: &String| ws.registry.check_schema(&name, s).map_err(said))
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
