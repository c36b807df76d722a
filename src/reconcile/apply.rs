//! Carrying out a plan on disk, one atomic step per link.

use std::io;
use std::path::{Path, PathBuf};

use super::{Action, Plan};

/// What [`apply`] did (or, for a dry run, would do).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Applied {
    pub(crate) created: Vec<Changed>,
    pub(crate) updated: Vec<Changed>,
    pub(crate) removed: Vec<Changed>,
    pub(crate) errors: Vec<String>,
}

/// One link created, retargeted or removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Changed {
    /// The project the link belongs to.
    pub(crate) project: String,
    /// The link, relative to the platform (`supabase/migrations/X.sql`).
    pub(crate) link: String,
    /// The file it now points at (for a removal: pointed at), absolute and normalized.
    pub(crate) target: PathBuf,
}

impl Applied {
    pub(crate) fn changed(&self) -> bool {
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
pub(crate) fn apply(plan: &Plan) -> Applied {
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

/// symlink(2) is atomic: the name appears with its target or not at all. A name taken
/// since the scan (by a process not holding the lock) is reported, never replaced: only
/// the planner decides what is replaced.
fn create_link(target: &Path, path: &Path) -> io::Result<()> {
    std::os::unix::fs::symlink(target, path).map_err(|err| {
        if err.kind() == io::ErrorKind::AlreadyExists {
            io::Error::new(
                io::ErrorKind::AlreadyExists,
                "it appeared since the scan; left alone, run `mynatca link` again",
            )
        } else {
            err
        }
    })
}

/// The new link is made under a temporary name and renamed over the old one, so the
/// migration never disappears in between. The temporary name is short whatever the
/// link's: a name near 255 bytes must stay replaceable (the workspace lock makes it unique).
fn replace_link(target: &Path, path: &Path) -> io::Result<()> {
    let tmp = path.with_file_name(format!(".mynatca-{}.tmp", std::process::id()));
    let _ = std::fs::remove_file(&tmp);
    std::os::unix::fs::symlink(target, &tmp)?;
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::reconcile::{plan, Input, LinkDir, Offer};

    #[test]
    fn a_link_that_appeared_since_the_scan_is_reported_not_replaced() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("migrations");
        std::fs::create_dir(&dir).unwrap();
        let input = Input {
            migrations: LinkDir {
                rel: "supabase/migrations".into(),
                path: dir.clone(),
                exists: true,
                migrations: true,
                offers: vec![Offer {
                    project: "pay".into(),
                    name: "1_a.sql".into(),
                    target: PathBuf::from("../pay/1_a.sql"),
                }],
                ..LinkDir::default()
            },
            ..Input::default()
        };
        let plan = plan(&input);
        // Someone else's link, made after the scan.
        std::os::unix::fs::symlink("/elsewhere/1_a.sql", dir.join("1_a.sql")).unwrap();
        let applied = apply(&plan);
        assert!(applied.created.is_empty());
        assert_eq!(
            applied.errors,
            vec![format!(
                "cannot update {}: it appeared since the scan; left alone, run `mynatca link` again",
                dir.join("1_a.sql").display()
            )]
        );
        assert_eq!(std::fs::read_link(dir.join("1_a.sql")).unwrap(), PathBuf::from("/elsewhere/1_a.sql"));
    }
}
