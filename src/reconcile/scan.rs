//! Reading what exists: every managed folder's entries and what the registry offers.

use std::io;
use std::os::unix::ffi::OsStringExt;
use std::path::{Path, PathBuf};

use super::{Existing, Input, LinkDir, Offer, Owner};
use crate::fsutil;
use crate::migration;
use crate::registry::Project;
use crate::warning::{Warning, WarningKind};
use crate::workspace::Workspace;

/// Reads what exists for `ws`. `unlinking` are projects leaving the registry, or the old
/// entries of projects being replaced: their links are still mynatca's (and so removed or
/// retargeted) but none are wanted.
pub fn scan(ws: &Workspace, unlinking: &[Project]) -> Input {
    let mut input = Input::default();
    let link_dir = ws.link_dir();
    let mut migrations = LinkDir { rel: "supabase/migrations".to_string(), migrations: true, ..LinkDir::default() };
    for project in ws.registry.projects.iter().chain(unlinking) {
        migrations.owners.push(Owner { project: project.name.clone(), location: ws.migrations_dir(project) });
    }
    for project in &ws.registry.projects {
        if let Some(missing) = missing_part(ws, project) {
            let message = match typo_of(ws, project, &missing) {
                Some(meant) => {
                    let message = typo_message(ws, project, &meant);
                    migrations.reported.push(meant);
                    message
                }
                None => format!("{}; its links are removed", missing.message(&project.name)),
            };
            input.warnings.push(Warning { kind: WarningKind::MissingProject, path: None, message });
            continue;
        }
        let source = ws.migrations_dir(project);
        let names = match read_sql_names(&source) {
            Ok(names) => names,
            Err(err) => {
                let message =
                    format!("project {}: cannot read {}: {err}; its links are removed", project.name, source.display());
                input.warnings.push(Warning { kind: WarningKind::MissingProject, path: None, message });
                continue;
            }
        };
        tracing::trace!("project {}: {} migrations in {}", project.name, names.len(), source.display());
        let prefix = fsutil::relative_path(&link_dir, &source).into_os_string();
        for name in names {
            // Plain concatenation: Path::join per file is a measurable cost at 10k files.
            let mut target = std::ffi::OsString::with_capacity(prefix.len() + 1 + name.len());
            target.push(&prefix);
            target.push("/");
            target.push(&name);
            migrations.offers.push(Offer { project: project.name.clone(), name, target: target.into() });
        }
    }
    fill_entries(&mut migrations, link_dir);
    let migrations_reported = migrations.reported.clone();
    input.migrations = migrations;

    let leaving = unlinking.iter().filter(|p| ws.registry.project(&p.name).is_none());
    for (project, wanted) in ws.registry.projects.iter().map(|p| (p, true)).chain(leaving.map(|p| (p, false))) {
        let path = ws.seed_link_dir(&project.name);
        // A replaced entry's seed folder is the same: its old links are handed over.
        let replaced = unlinking.iter().filter(|old| wanted && old.name == project.name);
        let owners = std::iter::once(project)
            .chain(replaced)
            .map(|p| Owner { project: project.name.clone(), location: ws.project_root(p) })
            .collect();
        let reported = migrations_reported.clone();
        let mut seeds =
            LinkDir { rel: format!("supabase/seeds/{}", project.name), owners, reported, ..LinkDir::default() };
        if wanted {
            for file in ws.seed_files(project) {
                let Some(name) = file.file_name().and_then(|n| n.to_str()).map(str::to_string) else { continue };
                if file.is_file() {
                    seeds.offers.push(Offer {
                        project: project.name.clone(),
                        target: fsutil::relative_path(&path, &file),
                        name,
                    });
                } else {
                    tracing::debug!(seed = %file.display(), "seed file absent, not linked");
                }
            }
        }
        fill_entries(&mut seeds, path);
        input.seeds.push(seeds);
    }
    input
}

/// The existing folder a missing project folder's path most likely meant (`../pya` for
/// `../pay`): a sibling whose name is one or two typos away.
fn typo_of(ws: &Workspace, project: &Project, missing: &MissingPart) -> Option<PathBuf> {
    if missing.what != "folder" {
        return None;
    }
    let parent = missing.path.parent()?;
    let typo = missing.path.file_name()?.to_str()?;
    let folders: Vec<String> = std::fs::read_dir(parent)
        .ok()?
        .filter_map(|entry| entry.ok())
        .filter(|entry| entry.path().is_dir() && entry.path() != ws.platform)
        .filter_map(|entry| entry.file_name().into_string().ok())
        .collect();
    let meant = crate::suggest::closest(typo, folders.iter().map(String::as_str))?;
    tracing::debug!(project = %project.name, meant, "a project path that looks like a typo");
    Some(parent.join(meant))
}

/// One warning for a typo in a project's path; the links into the folder it meant are
/// not the project's now, and are left alone rather than reported one by one.
fn typo_message(ws: &Workspace, project: &Project, meant: &Path) -> String {
    let shown = fsutil::relative_path(&ws.platform, meant);
    format!(
        "project {}: \"path\" {} in {} does not exist; did you mean {}? Fix it there (links into {} are left alone until then)",
        project.name,
        project.path,
        crate::registry::FILE_NAME,
        shown.display(),
        shown.display()
    )
}

/// What of a registered project is missing on disk: its folder or its migrations folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingPart {
    pub what: &'static str,
    pub path: PathBuf,
    fix: &'static str,
}

impl MissingPart {
    /// The one wording `link`, `status` and `check` all use.
    pub fn message(&self, project: &str) -> String {
        format!(
            "project {project}: {} {} not found; {}, or `mynatca unlink-project {project}`",
            self.what,
            self.path.display(),
            self.fix
        )
    }
}

/// The part of `project` that is missing on disk, if any.
pub fn missing_part(ws: &Workspace, project: &Project) -> Option<MissingPart> {
    let root = ws.project_root(project);
    if !root.is_dir() {
        return Some(MissingPart { what: "folder", path: root, fix: "clone it there or fix its \"path\"" });
    }
    let migrations = ws.migrations_dir(project);
    if !migrations.is_dir() {
        return Some(MissingPart {
            what: "migrations folder",
            path: migrations,
            fix: "create it or fix \"migrations\"",
        });
    }
    None
}

/// The `*.sql` non-directory entries of a project's migrations folder, not starting with
/// `.`, in byte-wise name order (the order the Supabase CLI applies them in).
pub fn list_sql_files(dir: &Path) -> io::Result<Vec<String>> {
    let mut names = read_sql_names(dir)?;
    names.sort_unstable();
    Ok(names)
}

/// [`list_sql_files`] in folder order: the planner needs no order, and sorting every
/// name is a measurable part of a no-op hook run.
fn read_sql_names(dir: &Path) -> io::Result<Vec<String>> {
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let Ok(name) = entry.file_name().into_string() else { continue };
        if !migration::is_sql_name(&name) {
            continue;
        }
        let file_type = entry.file_type()?;
        if file_type.is_dir() || (file_type.is_symlink() && entry.path().is_dir()) {
            continue;
        }
        names.push(name);
    }
    Ok(names)
}

/// Lists `path` into `dir.entries`, reading link targets with `readlinkat` on the
/// folder's descriptor (no path walk per link: this is the hook's hot loop).
fn fill_entries(dir: &mut LinkDir, path: PathBuf) {
    use rustix::fs::{FileType, Mode, OFlags};
    let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
    if let Ok(fd) = rustix::fs::open(&path, flags, Mode::empty()) {
        if let Ok(mut listing) = rustix::fs::Dir::read_from(&fd) {
            dir.exists = true;
            while let Some(Ok(entry)) = listing.read() {
                let Ok(name) = entry.file_name().to_str() else { continue };
                if name == "." || name == ".." {
                    continue;
                }
                let mut file_type = entry.file_type();
                if file_type == FileType::Unknown {
                    match rustix::fs::statat(&fd, entry.file_name(), rustix::fs::AtFlags::SYMLINK_NOFOLLOW) {
                        Ok(stat) => file_type = FileType::from_raw_mode(stat.st_mode),
                        Err(_) => continue,
                    }
                }
                let existing = match file_type {
                    FileType::Symlink => match rustix::fs::readlinkat(&fd, entry.file_name(), Vec::new()) {
                        Ok(target) => Existing::Link(PathBuf::from(std::ffi::OsString::from_vec(target.into_bytes()))),
                        Err(_) => continue,
                    },
                    FileType::Directory => Existing::Dir,
                    _ => Existing::File,
                };
                dir.entries.push((name.to_string(), existing));
            }
        }
    }
    dir.path = path;
}
