//! `mynatca unlink-project`: the reverse of `link-project`: the registry entry, the
//! project's migration and seed links, its seed glob and its schema in `config.toml`.

use anyhow::Context as _;

use crate::cli::UnlinkProjectArgs;
use crate::commands::link_project::dry_run_note;
use crate::commands::render;
use crate::commands::Context;
use crate::config::{self, SupabaseConfig};
use crate::error::{config_error, Outcome};
use crate::reconcile::{self, Lock, Mode};
use crate::registry;
use crate::ui::Ui;
use crate::workspace::Workspace;

pub(crate) fn run(ctx: &Context, args: &UnlinkProjectArgs) -> anyhow::Result<Outcome> {
    let found = ctx.workspace()?;
    // The registry is read again under the lock, so a concurrent change is not lost.
    let _lock = reconcile::lock(&found, if args.dry_run { Lock::Shared } else { Lock::Exclusive }, ctx.wait)?;
    let mut ws = Workspace::load(found.platform)?;
    let Some(project) = ws.registry.project(&args.name).cloned() else {
        let linked: Vec<&str> = ws.registry.projects.iter().map(|p| p.name.as_str()).collect();
        let hint = match crate::suggest::closest(&args.name, linked.iter().copied()) {
            Some(name) => format!("did you mean `mynatca unlink-project {name}`?"),
            None => "check the name with `mynatca status`".to_string(),
        };
        return Err(config_error(format!(
            "no project {:?} in {} (linked: {}); {hint}",
            args.name,
            ws.registry.path.display(),
            if linked.is_empty() { "none".to_string() } else { linked.join(", ") }
        )));
    };

    let mut config = SupabaseConfig::load(&ws.config_path())?;
    let mut notes = Vec::new();
    if let Some(config) = &mut config {
        // The registry gives each schema one owner, so this one is the project's to take away.
        if config.remove_api_schema(&project.schema)? {
            notes.push(format!("config.toml: removed {} from [api] schemas", project.schema));
        }
        let glob = config::seed_glob(&project.name);
        if config.remove_seed_path(&glob)? {
            notes.push(format!("config.toml: removed {glob} from [db.seed] sql_paths"));
        }
    }
    ws.registry.remove(&project.name);
    if args.dry_run {
        ctx.ui.info(&format!("would remove {} from {}", project.name, registry::FILE_NAME));
    } else {
        ws.registry.save().with_context(|| format!("cannot write {}", ws.registry.path.display()))?;
        ctx.ui.info(&format!("removed {} from {}", project.name, registry::FILE_NAME));
        config.as_ref().map_or(Ok(()), SupabaseConfig::save_if_edited)?;
    }
    for note in &notes {
        ctx.ui.info(&dry_run_note(note, args.dry_run));
    }

    let mode = if args.dry_run { Mode::DryRun } else { Mode::Apply };
    let report = reconcile::relink_locked(&ws, mode, std::slice::from_ref(&project))?;
    if !args.dry_run {
        remove_seed_folder(ctx.ui, &ws, &project.name);
    }
    render::report(ctx.ui, &report);
    Ok(Outcome::from_problems(report.has_problems()))
}

/// `supabase/seeds/<name>/` once its links are gone, and `supabase/seeds/` if that leaves
/// it empty; a folder still holding something is kept.
fn remove_seed_folder(ui: &Ui, ws: &Workspace, name: &str) {
    let dir = ws.seed_link_dir(name);
    match std::fs::remove_dir(&dir) {
        Ok(()) => {
            if let Some(seeds) = dir.parent() {
                // Fails, as it should, when other projects' seeds or your files are there.
                let _ = std::fs::remove_dir(seeds);
            }
        }
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
        Err(err) => ui.warn(&format!(
            "kept {}: {err}; it holds files mynatca did not make (remove them if they are not needed)",
            dir.display()
        )),
    }
}
