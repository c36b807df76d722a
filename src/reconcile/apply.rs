//! Carrying out a plan on disk, one atomic step per link.

use std::io;
use std::path::{Path, PathBuf};

use super::{Action, Plan};

/// What [`apply`] did (or, for a dry run, would do).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Applied {
    pub created: Vec<Changed>,
    pub updated: Vec<Changed>,
    pub removed: Vec<Changed>,
    pub errors: Vec<String>,
}

/// One link created, retargeted or removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Changed {
    /// The project the link belongs to.
    pub project: String,
    /// The link, relative to the platform (`supabase/migrations/X.sql`).
    pub link: String,
    /// The file it now points at (for a removal: pointed at), absolute and normalized.
    pub target: PathBuf,
}

impl Applied {
    pub fn changed(&self) -> bool {
        !(self.created.is_empty() && self.updated.is_empty() && self.removed.is_empty())
    }

    /// Records `action` as done.
    pub(crate) fn record(&mut self, action: &Action) {
        let list = match action {
            Action::Create { .. } => &mut self.created,
            Action::Retarget { .. } => &mut self.updated,
            Action::Remove { .. } => &mut self.removed,
        };
        let link = action.link();
        let target = action.to().or(match action {
            Action::Remove { from, .. } | Action::Retarget { from, .. } => Some(*from),
            Action::Create { .. } => None,
        });
        list.push(Changed {
            project: link.project.to_string(),
            link: link.rel(),
            target: target.map(|t| crate::fsutil::normalize(&link.dir.path.join(t))).unwrap_or_default(),
        });
    }
}

/// Carries out `plan`. A failed action is recorded and the rest still run.
pub fn apply(plan: &Plan) -> Applied {
    let mut applied = Applied::default();
    let mut made_dirs: Vec<&Path> = Vec::new();
    for action in &plan.actions {
        let link = action.link();
        let path = link.path();
        let result = match action {
            Action::Create { to, .. } => {
                let dir = link.dir;
                if !dir.exists && !made_dirs.contains(&dir.path.as_path()) {
                    made_dirs.push(&dir.path);
                    if let Err(err) = std::fs::create_dir_all(&dir.path) {
                        applied.errors.push(format!("cannot create {}: {err}", dir.path.display()));
                    }
                }
                create_link(to, &path)
            }
            Action::Retarget { to, .. } => replace_link(to, &path),
            Action::Remove { .. } => std::fs::remove_file(&path),
        };
        match result {
            Ok(()) => applied.record(action),
            Err(err) => applied.errors.push(format!("cannot update {}: {err}", path.display())),
        }
    }
    applied
}

/// symlink(2) is atomic: the name appears with its target or not at all. If the name
/// was taken meanwhile (a process not holding the lock), fall back to a replace.
fn create_link(target: &Path, path: &Path) -> io::Result<()> {
    match std::os::unix::fs::symlink(target, path) {
        Err(err) if err.kind() == io::ErrorKind::AlreadyExists => match std::fs::symlink_metadata(path) {
            Ok(meta) if meta.file_type().is_symlink() => replace_link(target, path),
            _ => Err(err),
        },
        other => other,
    }
}

/// The new link is made under a temporary name and renamed over the old one, so the
/// migration never disappears in between.
fn replace_link(target: &Path, path: &Path) -> io::Result<()> {
    let name = path.file_name().expect("a link path has a name").to_string_lossy();
    let tmp = path.with_file_name(format!(".{name}.mynatca-{}.tmp", std::process::id()));
    let _ = std::fs::remove_file(&tmp);
    std::os::unix::fs::symlink(target, &tmp)?;
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}
