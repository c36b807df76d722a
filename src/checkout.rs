//! What a checkout or merge changed, from the two commits git hands its hooks: when the
//! trees of every path the links depend on are the same in both, the relink is skipped,
//! so the hook costs the same at 3k and at 30k migrations.

use std::path::{Path, PathBuf};

use git2::Repository;

use crate::gitdir::GitDirs;
use crate::registry;
use crate::workspace::Workspace;

/// The paths of the repo at `git`, relative to its work tree, whose content decides the
/// links: for the platform its registry and its migrations and seeds folders; for a
/// linked project its migrations folder and seed files. `None` when the repo is neither
/// (or a path is outside its work tree): nothing can be ruled out then.
pub(crate) fn watched_paths(ws: &Workspace, git: &GitDirs) -> Option<Vec<PathBuf>> {
    let top = crate::workspace::canonical_or_lexical(&git.work_tree);
    let inside = |path: &Path| -> Option<PathBuf> {
        let path = crate::workspace::canonical_or_lexical(path);
        path.strip_prefix(&top).ok().map(Path::to_path_buf)
    };
    let mut paths = Vec::new();
    if inside(&ws.platform).is_some() {
        paths.push(inside(&ws.platform.join(registry::FILE_NAME))?);
        paths.push(inside(&ws.link_dir())?);
        paths.push(inside(&ws.supabase_dir().join("seeds"))?);
    }
    for project in &ws.registry.projects {
        if inside(&ws.project_root(project)).is_none() {
            continue;
        }
        paths.push(inside(&ws.migrations_dir(project))?);
        for seed in ws.seed_files(project) {
            paths.push(inside(&seed)?);
        }
    }
    (!paths.is_empty()).then_some(paths)
}

/// True when every path in `paths` names the same object (or is absent) in the trees of
/// revisions `old` and `new` (commit ids, or names such as `ORIG_HEAD`). Any doubt (an
/// unknown commit, a read error) is false.
pub(crate) fn same_trees(repo: &Repository, old: &str, new: &str, paths: &[PathBuf]) -> bool {
    let tree = |rev: &str| repo.revparse_single(rev).and_then(|object| object.peel_to_tree()).ok();
    let (Some(old), Some(new)) = (tree(old), tree(new)) else {
        return false;
    };
    if old.id() == new.id() {
        return true;
    }
    let entry = |tree: &git2::Tree, path: &Path| match tree.get_path(path) {
        Ok(entry) => Ok(Some(entry.id())),
        Err(err) if err.code() == git2::ErrorCode::NotFound => Ok(None),
        Err(err) => Err(err),
    };
    paths.iter().all(|path| matches!((entry(&old, path), entry(&new, path)), (Ok(a), Ok(b)) if a == b))
}

/// The projects the registry at revision `old` of the platform's repo has and the
/// workspace's registry has not: a platform branch that registered a project, left for
/// one that did not. Their links are mynatca's to remove. None when `git` is not the
/// platform's repo, or the old registry cannot be read.
pub(crate) fn dropped_projects(ws: &Workspace, git: &GitDirs, old: &str) -> Vec<registry::Project> {
    let top = crate::workspace::canonical_or_lexical(&git.work_tree);
    let path = ws.platform.join(registry::FILE_NAME);
    let Ok(rel) = crate::workspace::canonical_or_lexical(&path).strip_prefix(&top).map(Path::to_path_buf) else {
        return Vec::new();
    };
    let text = git.open().ok().and_then(|repo| {
        let object = repo.revparse_single(&format!("{old}:{}", rel.display())).ok()?;
        let blob = object.peel_to_blob().ok()?;
        String::from_utf8(blob.content().to_vec()).ok()
    });
    let Some(old) = text.and_then(|text| registry::Registry::parse(path, &text).ok()) else {
        return Vec::new();
    };
    old.projects.into_iter().filter(|project| ws.registry.project(&project.name).is_none()).collect()
}

/// For `post-checkout OLD NEW FLAG` and `post-merge`: whether the checkout or merge left
/// every watched path as it was. A file checkout (FLAG 0) is never ruled out.
pub(crate) fn untouched(ws: &Workspace, git: &GitDirs, old: &str, new: &str) -> bool {
    let Some(paths) = watched_paths(ws, git) else {
        return false;
    };
    match git.open() {
        Ok(repo) => same_trees(&repo, old, new, &paths),
        Err(_) => false,
    }
}
