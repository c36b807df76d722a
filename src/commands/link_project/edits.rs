//! The project's schema and seed glob in config.toml, edited in memory first.

use crate::config::{self, SupabaseConfig};
use crate::registry::Project;
use crate::ui::Ui;
use crate::workspace::Workspace;

/// The platform's config.toml; a missing one is a warning saying what to add by hand.
pub(super) fn load_config(ui: &Ui, ws: &Workspace, project: &Project) -> anyhow::Result<Option<SupabaseConfig>> {
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
pub(super) fn add_to_config(
    ws: &Workspace,
    config: &mut SupabaseConfig,
    project: &Project,
) -> anyhow::Result<Vec<String>> {
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

/// config.toml with the project's schema and seed glob (and a replaced entry's old schema
/// gone), in memory, and one note per change.
pub(super) fn config_edits(
    ui: &Ui,
    ws: &Workspace,
    project: &Project,
    replaced: Option<&Project>,
) -> anyhow::Result<(Option<SupabaseConfig>, Vec<String>)> {
    let mut config = load_config(ui, ws, project)?;
    let mut notes = Vec::new();
    if let Some(config) = &mut config {
        if let Some(old) = replaced.filter(|old| old.schema != project.schema) {
            if config.remove_api_schema(&old.schema)? {
                notes.push(format!("config.toml: removed {} from [api] schemas", old.schema));
            }
        }
        notes.extend(add_to_config(ws, config, project)?);
    }
    Ok((config, notes))
}
