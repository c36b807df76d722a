//! Reading what exists: every managed folder's entries and what the registry offers.

use std::io;

use anyhow::Context as _;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};

use super::{has_control, Existing, Input, LinkDir, Offer, Owner, Refusal, Refused};
use crate::diagnostic::{Code, Diagnostic};
use crate::fsutil;
use crate::registry::Project;
use crate::workspace::Workspace;

/// Reads what exists for `ws`. `unlinking` are projects leaving the registry, or the old
/// entries of projects being replaced: their links are still mynatca's (and so removed or
/// retargeted) but none are wanted.
/// A folder that cannot be read (other than not existing) is an error: a project whose
/// files cannot be listed must not look like one whose files are gone.
pub(crate) fn scan(ws: &Workspace, unlinking: &[Project]) -> anyhow::Result<Input> {
    let mut input = Input::default();
    input.migrations = scan_migrations(ws, unlinking, &mut input.warnings)?;
    let leaving = unlinking.iter().filter(|p| ws.registry.project(&p.name).is_none());
    for (project, wanted) in ws.registry.projects.iter().map(|p| (p, true)).chain(leaving.map(|p| (p, false))) {
        let seeds = scan_seeds(ws, project, wanted, unlinking, &input.migrations.reported)?;
        input.seeds.push(seeds);
    }
    Ok(input)
}

/// `supabase/migrations`: every project's migrations offered, what is there read.
fn scan_migrations(ws: &Workspace, unlinking: &[Project], warnings: &mut Vec<Diagnostic>) -> anyhow::Result<LinkDir> {
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
            warnings.push(Diagnostic::general(Code::Registry, message).in_project(&project.name).warning());
            continue;
        }
        let source = ws.migrations_dir(project);
        let listing = read_sql_names(&source).with_context(|| {
            format!("project {}: cannot read {}; nothing was changed", project.name, source.display())
        })?;
        migrations.refused.extend(listing.refused.into_iter().map(|(name, why)| Refused {
            project: project.name.clone(),
            path: source.join(&name),
            name,
            why,
        }));
        let count = crate::ui::plural(listing.names.len(), "migration");
        tracing::trace!("project {}: {count} in {}", project.name, source.display());
        let prefix = fsutil::relative_path(&link_dir, &source).into_os_string();
        for name in listing.names {
            // Plain concatenation: Path::join per file is a measurable cost at 10k files.
            let mut target = std::ffi::OsString::with_capacity(prefix.len() + 1 + name.len());
            target.push(&prefix);
            target.push("/");
            target.push(&name);
            migrations.offers.push(Offer { project: project.name.clone(), name, target: target.into() });
        }
    }
    fill_entries(&mut migrations, link_dir)?;
    Ok(migrations)
}

/// `supabase/seeds/<project>`: the project's seed files offered when it stays
/// (`wanted`), what is there read either way.
fn scan_seeds(
    ws: &Workspace,
    project: &Project,
    wanted: bool,
    unlinking: &[Project],
    reported: &[PathBuf],
) -> anyhow::Result<LinkDir> {
    let path = ws.seed_link_dir(&project.name);
    // A replaced entry's seed folder is the same: its old links are handed over.
    let replaced = unlinking.iter().filter(|old| wanted && old.name == project.name);
    let owners = std::iter::once(project)
        .chain(replaced)
        .map(|p| Owner { project: project.name.clone(), location: ws.project_root(p) })
        .collect();
    let reported = reported.to_vec();
    let mut seeds = LinkDir { rel: format!("supabase/seeds/{}", project.name), owners, reported, ..LinkDir::default() };
    if wanted {
        for file in ws.seed_files(project) {
            let Some(name) = file.file_name().and_then(|n| n.to_str()).map(str::to_string) else { continue };
            let why = match std::fs::metadata(&file) {
                Err(err) if err.kind() == io::ErrorKind::NotFound => {
                    tracing::debug!(seed = %file.display(), "seed file absent, not linked");
                    continue;
                }
                _ if has_control(&name) => Some(Refusal::ControlCharacter),
                Ok(meta) if meta.is_file() => None,
                Ok(meta) => Some(Refusal::NotRegular(fsutil::kind_of(meta.file_type()))),
                Err(err) => Some(Refusal::NotRegular(fsutil::unfollowable(&err).unwrap_or("unreadable"))),
            };
            match why {
                None => seeds.offers.push(Offer {
                    project: project.name.clone(),
                    target: fsutil::relative_path(&path, &file),
                    name,
                }),
                Some(why) => seeds.refused.push(Refused { project: project.name.clone(), name, path: file, why }),
            }
        }
    }
    fill_entries(&mut seeds, path)?;
    Ok(seeds)
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
pub(crate) struct MissingPart {
    pub(crate) what: &'static str,
    pub(crate) path: PathBuf,
    fix: &'static str,
}

impl MissingPart {
    /// The one wording `link`, `status` and `check` all use.
    pub(crate) fn message(&self, project: &str) -> String {
        format!(
            "project {project}: {} {} not found; {}, or `mynatca unlink-project {project}`",
            self.what,
            crate::ui::escape(&self.path.display().to_string()),
            self.fix
        )
    }
}

/// The part of `project` that is missing on disk, if any. A folder that exists but
/// cannot be looked at (a link loop, an I/O error) is not missing: reading it fails.
pub(crate) fn missing_part(ws: &Workspace, project: &Project) -> Option<MissingPart> {
    let root = ws.project_root(project);
    if is_absent(&root) {
        return Some(MissingPart { what: "folder", path: root, fix: "clone it there or fix its \"path\"" });
    }
    let migrations = ws.migrations_dir(project);
    if is_absent(&migrations) {
        return Some(MissingPart {
            what: "migrations folder",
            path: migrations,
            fix: "create it or fix \"migrations\"",
        });
    }
    None
}

/// Not there, or not a folder: `stat` says so; any other failure is not absence.
fn is_absent(path: &Path) -> bool {
    match std::fs::metadata(path) {
        Ok(meta) => !meta.is_dir(),
        Err(err) => matches!(err.kind(), io::ErrorKind::NotFound | io::ErrorKind::NotADirectory),
    }
}

/// The `*.sql` entries (links followed) of a migrations folder that are not folders, not
/// starting with `.`, in byte-wise name order (the order the Supabase CLI applies them
/// in). Entries that are not regular files are listed too (the reader refuses them, with its
/// own message, before anything is changed); a name that is not UTF-8 is an error:
/// `refresh` must neither hang on a file nor skip one silently.
pub(crate) fn list_sql_files(dir: &Path) -> io::Result<Vec<String>> {
    let listing = read_sql_names(dir)?;
    let mut names = listing.names;
    for (name, why) in listing.refused {
        if why == Refusal::NotUtf8 {
            let message = format!("{} {}; rename it", dir.join(name).display(), why.describe());
            return Err(io::Error::new(io::ErrorKind::InvalidInput, message));
        }
        names.push(name);
    }
    names.sort_unstable();
    Ok(names)
}

/// A migrations folder as listed: what can be linked and what cannot.
#[derive(Debug, Default)]
struct Listing {
    names: Vec<String>,
    refused: Vec<(String, Refusal)>,
}

/// [`list_sql_files`] in folder order, with the refused names: the planner needs no
/// order, and sorting every name is a measurable part of a no-op hook run.
fn read_sql_names(dir: &Path) -> io::Result<Listing> {
    let mut listing = Listing::default();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let raw = entry.file_name();
        let bytes = raw.as_bytes();
        if !bytes.ends_with(b".sql") || bytes.starts_with(b".") {
            continue;
        }
        let mut file_type = entry.file_type()?;
        if file_type.is_symlink() {
            // A dangling link or a loop is that one file's problem: refused, named, and
            // the folder's other files still listed.
            file_type = match std::fs::metadata(entry.path()) {
                Ok(meta) => meta.file_type(),
                Err(err) => match fsutil::unfollowable(&err) {
                    Some(kind) => {
                        listing.refused.push((raw.to_string_lossy().into_owned(), Refusal::NotRegular(kind)));
                        continue;
                    }
                    None => return Err(err),
                },
            };
        }
        if file_type.is_dir() {
            continue;
        }
        let Ok(name) = raw.into_string() else {
            listing.refused.push((bytes_shown(entry.file_name().as_bytes()), Refusal::NotUtf8));
            continue;
        };
        if has_control(&name) {
            listing.refused.push((name, Refusal::ControlCharacter));
        } else if !file_type.is_file() {
            listing.refused.push((name, Refusal::NotRegular(fsutil::kind_of(file_type))));
        } else {
            listing.names.push(name);
        }
    }
    // Reports list them in name order, whatever the folder's order.
    listing.refused.sort_unstable();
    Ok(listing)
}

/// A name that is not UTF-8 as text: its valid parts, each invalid byte as `\xNN`.
fn bytes_shown(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() + 8);
    for chunk in bytes.utf8_chunks() {
        out.push_str(chunk.valid());
        for byte in chunk.invalid() {
            out.push_str(&format!("\\x{byte:02x}"));
        }
    }
    out
}

/// Lists `path` into `dir.entries`, reading link targets with `readlinkat` on the
/// folder's descriptor (no path walk per link: this is the hook's hot loop). A folder
/// that does not exist is empty; any other failure, also part-way, is an error.
fn fill_entries(dir: &mut LinkDir, path: PathBuf) -> anyhow::Result<()> {
    use rustix::fs::{FileType, Mode, OFlags};
    let cannot = |path: &Path| format!("cannot read {}; nothing was changed", path.display());
    let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
    let fd = match rustix::fs::open(&path, flags, Mode::empty()) {
        Ok(fd) => fd,
        Err(rustix::io::Errno::NOENT) => {
            dir.path = path;
            return Ok(());
        }
        Err(err) => return Err(io::Error::from(err)).with_context(|| cannot(&path)),
    };
    let mut listing = rustix::fs::Dir::read_from(&fd).map_err(io::Error::from).with_context(|| cannot(&path))?;
    dir.exists = true;
    while let Some(entry) = listing.read() {
        let entry = entry.map_err(io::Error::from).with_context(|| cannot(&path))?;
        let Ok(name) = entry.file_name().to_str() else { continue };
        if name == "." || name == ".." {
            continue;
        }
        let mut file_type = entry.file_type();
        if file_type == FileType::Unknown {
            let stat = rustix::fs::statat(&fd, entry.file_name(), rustix::fs::AtFlags::SYMLINK_NOFOLLOW)
                .map_err(io::Error::from)
                .with_context(|| cannot(&path.join(name)))?;
            file_type = FileType::from_raw_mode(stat.st_mode);
        }
        let existing = match file_type {
            FileType::Symlink => {
                let target = rustix::fs::readlinkat(&fd, entry.file_name(), Vec::new())
                    .map_err(io::Error::from)
                    .with_context(|| cannot(&path.join(name)))?;
                Existing::Link(PathBuf::from(std::ffi::OsString::from_vec(target.into_bytes())))
            }
            FileType::Directory => Existing::Dir,
            _ => Existing::File,
        };
        dir.entries.push((name.to_string(), existing));
    }
    dir.path = path;
    Ok(())
}
