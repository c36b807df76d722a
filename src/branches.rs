//! Which branch of which repo holds a migration version the work trees lack: for
//! `status --db`'s `applied, missing here` rows ("on pay's feature/x, not on its current
//! main").

use std::path::Path;

use crate::workspace::Workspace;

/// Where `version` is: the first repo (platform first) with a local or remote branch
/// whose migrations folder holds a `<version>_*.sql`, and that repo's current branch.
pub(crate) fn holding(ws: &Workspace, version: &str) -> Option<String> {
    ws.repos().find_map(|repo| {
        let found = in_repo(&ws.root(repo), &ws.migrations_of(repo), version)?;
        Some(format!("on {}'s {found}", repo.name()))
    })
}

fn in_repo(root: &Path, folder: &Path, version: &str) -> Option<String> {
    let repo = git2::Repository::open(root).ok()?;
    let top = repo.workdir()?.canonicalize().ok()?;
    let inside = folder.canonicalize().ok()?.strip_prefix(&top).ok()?.to_path_buf();
    let current = repo.head().ok().and_then(|head| head.shorthand().map(str::to_string));
    let prefix = format!("{version}_");
    for reference in repo.references().ok()?.flatten() {
        let Some(name) = reference.shorthand().map(str::to_string) else { continue };
        if !(reference.is_branch() || reference.is_remote())
            || Some(&name) == current.as_ref()
            || name.ends_with("/HEAD")
        {
            continue;
        }
        let Ok(tree) = reference.peel_to_tree() else { continue };
        let Ok(entry) = tree.get_path(&inside) else { continue };
        let Ok(folder) = entry.to_object(&repo).and_then(|o| o.peel_to_tree()) else { continue };
        if folder.iter().any(|e| e.name().is_some_and(|n| n.starts_with(&prefix) && n.ends_with(".sql"))) {
            let now = current.as_deref().map(|c| format!(", not on its current {c}")).unwrap_or_default();
            return Some(format!("{name}{now}"));
        }
    }
    None
}
