//! Reconciling the platform's managed links with the registry, as GNU Stow does:
//! [`scan`] reads what exists, [`plan`] (pure) decides, [`apply`] changes the disk.
//!
//! A symlink is mynatca's when its target, resolved as text against the link's folder,
//! lies inside a location the registry gives a project. Only such links are ever changed;
//! real files and folders never are.

use std::fs::File;
use std::io;
use std::os::unix::ffi::OsStringExt;
use std::path::{Path, PathBuf};

use rustc_hash::FxHashMap as HashMap;

use crate::fsutil;
use crate::migration;
use crate::registry::Project;
use crate::workspace::Workspace;

/// Who owns the platform's own migrations in reports.
pub const PLATFORM: &str = "platform";
/// The lock that serialises concurrent runs, relative to the platform.
pub const LOCK_FILE: &str = "supabase/.mynatca.lock";

/// What a folder entry is, as read without following links.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Existing {
    File,
    Dir,
    Link(PathBuf),
}

/// A link the registry wants: `name` in its folder pointing at `target` (relative text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offer {
    pub project: String,
    pub name: String,
    pub target: PathBuf,
}

/// A location inside which link targets belong to `project`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owner {
    pub project: String,
    /// Absolute and normalized.
    pub location: PathBuf,
}

/// One folder mynatca keeps links in, with what is there and what should be.
#[derive(Debug, Clone, Default)]
pub struct LinkDir {
    /// Relative to the platform, e.g. `supabase/migrations`.
    pub rel: String,
    /// Absolute and normalized.
    pub path: PathBuf,
    pub exists: bool,
    /// The folder holds migrations (duplicate versions and name checks apply).
    pub migrations: bool,
    pub entries: Vec<(String, Existing)>,
    pub offers: Vec<Offer>,
    pub owners: Vec<Owner>,
}

/// Everything the planner needs to know.
#[derive(Debug, Clone, Default)]
pub struct Input {
    pub dirs: Vec<LinkDir>,
    /// Found while scanning (missing project folders).
    pub warnings: Vec<Warning>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Create,
    Retarget,
    Remove,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Action {
    pub change: Change,
    /// Index into [`Input::dirs`].
    pub dir: usize,
    pub name: String,
    pub project: String,
    /// The new target, for create and retarget.
    pub target: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConflictKind {
    /// A desired name exists as a real file or folder.
    RealFile,
    /// Two projects offer the same file name.
    SameName,
    /// A desired name is taken by a symlink mynatca does not own.
    ForeignLink,
}

impl ConflictKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ConflictKind::RealFile => "real-file",
            ConflictKind::SameName => "same-name",
            ConflictKind::ForeignLink => "foreign-link",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    /// Path relative to the platform.
    pub name: String,
    pub kind: ConflictKind,
    pub projects: Vec<String>,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Duplicate {
    pub version: String,
    /// (project, file name), in byte-wise name order.
    pub files: Vec<(String, String)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WarningKind {
    ForeignLink,
    NamePattern,
    MissingProject,
}

impl WarningKind {
    pub fn as_str(self) -> &'static str {
        match self {
            WarningKind::ForeignLink => "foreign-link",
            WarningKind::NamePattern => "name-pattern",
            WarningKind::MissingProject => "missing-project",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    pub kind: WarningKind,
    /// Path relative to the platform, when the warning is about one.
    pub path: Option<String>,
    pub message: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    pub actions: Vec<Action>,
    pub unchanged: usize,
    pub conflicts: Vec<Conflict>,
    pub duplicates: Vec<Duplicate>,
    pub warnings: Vec<Warning>,
    /// Every (dir index, offer index) that is a mynatca link once the plan is applied.
    pub managed: Vec<(usize, usize)>,
}

impl Plan {
    /// Conflicts or duplicate versions: exit 1.
    pub fn has_problems(&self) -> bool {
        !self.conflicts.is_empty() || !self.duplicates.is_empty()
    }
}

/// Decides what to do. Pure: no I/O.
pub fn plan(input: &Input) -> Plan {
    let mut plan = Plan { warnings: input.warnings.clone(), ..Plan::default() };
    for (index, dir) in input.dirs.iter().enumerate() {
        plan_dir(index, dir, &mut plan);
    }
    plan
}

fn plan_dir(index: usize, dir: &LinkDir, plan: &mut Plan) {
    let existing: HashMap<&str, &Existing> = dir.entries.iter().map(|(n, e)| (n.as_str(), e)).collect();
    let rel = |name: &str| format!("{}/{name}", dir.rel);
    let mut desired: HashMap<&str, &Offer> = HashMap::with_capacity_and_hasher(dir.offers.len(), Default::default());
    // (project, name) of every migration in place after the apply, for duplicate versions.
    let mut in_place: Vec<(&str, &str)> = Vec::new();

    for (offer_index, offer) in dir.offers.iter().enumerate() {
        if let Some(first) = desired.get(offer.name.as_str()) {
            plan.conflicts.push(Conflict {
                name: rel(&offer.name),
                kind: ConflictKind::SameName,
                projects: vec![first.project.clone(), offer.project.clone()],
                message: format!(
                    "{} is offered by {} and {}; {} is linked, rename the other",
                    offer.name, first.project, offer.project, first.project
                ),
            });
            continue;
        }
        desired.insert(&offer.name, offer);
        let act = |change| Action {
            change,
            dir: index,
            name: offer.name.clone(),
            project: offer.project.clone(),
            target: Some(offer.target.clone()),
        };
        match existing.get(offer.name.as_str()) {
            None => plan.actions.push(act(Change::Create)),
            Some(Existing::Link(target)) if target.as_os_str() == offer.target.as_os_str() => plan.unchanged += 1,
            Some(Existing::Link(target)) if owner_of(dir, target).is_some() => plan.actions.push(act(Change::Retarget)),
            Some(Existing::Link(target)) => {
                plan.conflicts.push(Conflict {
                    name: rel(&offer.name),
                    kind: ConflictKind::ForeignLink,
                    projects: vec![offer.project.clone()],
                    message: format!(
                        "{} is a symlink to {} that mynatca does not own; {}'s migration is not linked until you remove it",
                        rel(&offer.name),
                        target.display(),
                        offer.project
                    ),
                });
                continue;
            }
            Some(kind) => {
                let what = if **kind == Existing::Dir { "folder" } else { "real file" };
                plan.conflicts.push(Conflict {
                    name: rel(&offer.name),
                    kind: ConflictKind::RealFile,
                    projects: vec![PLATFORM.to_string(), offer.project.clone()],
                    message: format!(
                        "{} is a {what} in the platform and also a migration of {}; rename one of them",
                        rel(&offer.name),
                        offer.project
                    ),
                });
                continue;
            }
        }
        plan.managed.push((index, offer_index));
        in_place.push((&offer.project, &offer.name));
    }

    let first_action = plan.actions.len();
    for (name, entry) in &dir.entries {
        match entry {
            Existing::Link(target) if !desired.contains_key(name.as_str()) => match owner_of(dir, target) {
                Some(owner) => plan.actions.push(Action {
                    change: Change::Remove,
                    dir: index,
                    name: name.clone(),
                    project: owner.project.clone(),
                    target: None,
                }),
                None => plan.warnings.push(Warning {
                    kind: WarningKind::ForeignLink,
                    path: Some(rel(name)),
                    message: format!(
                        "{} points to {}, outside every linked project; left alone (remove it if it is stale)",
                        rel(name),
                        target.display()
                    ),
                }),
            },
            Existing::File if dir.migrations && migration::is_sql_name(name) => in_place.push((PLATFORM, name)),
            _ => {}
        }
    }
    // Folder listings come in no particular order; reports do.
    plan.actions[first_action..].sort_unstable_by(|a, b| (a.change as u8, &a.name).cmp(&(b.change as u8, &b.name)));

    if dir.migrations {
        check_names(dir, &in_place, plan);
    }
}

/// Duplicate versions and names the Supabase CLI would skip, over the merged set.
fn check_names(dir: &LinkDir, in_place: &[(&str, &str)], plan: &mut Plan) {
    // Most versions are unique: remember the first file of each, collect only clashes.
    let mut first: HashMap<&str, (&str, &str)> = HashMap::with_capacity_and_hasher(in_place.len(), Default::default());
    let mut clashes: HashMap<&str, Vec<(&str, &str)>> = HashMap::default();
    for &(project, name) in in_place {
        match migration::parse(name) {
            Some(m) => {
                if let Some(&earlier) = first.get(m.version) {
                    clashes.entry(m.version).or_insert_with(|| vec![earlier]).push((project, name));
                } else {
                    first.insert(m.version, (project, name));
                }
            }
            None => plan.warnings.push(Warning {
                kind: WarningKind::NamePattern,
                path: Some(format!("{}/{name}", dir.rel)),
                message: format!(
                    "{name} ({project}) does not match <version>_<name>.sql; the Supabase CLI skips it (rename it)"
                ),
            }),
        }
    }
    let mut duplicates: Vec<Duplicate> = clashes
        .into_iter()
        .map(|(version, files)| {
            let mut files: Vec<(String, String)> =
                files.into_iter().map(|(p, n)| (p.to_string(), n.to_string())).collect();
            files.sort_by(|a, b| a.1.cmp(&b.1));
            Duplicate { version: version.to_string(), files }
        })
        .collect();
    duplicates.sort_by(|a, b| a.version.cmp(&b.version));
    plan.duplicates.extend(duplicates);
}

/// The owner of a link target in `dir`, if the target lies inside an owned location.
pub fn owner_of<'a>(dir: &'a LinkDir, target: &Path) -> Option<&'a Owner> {
    let resolved = fsutil::normalize(&dir.path.join(target));
    dir.owners.iter().find(|owner| resolved.starts_with(&owner.location))
}

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
            let message = format!("{}; its links are removed", missing.message(&project.name));
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
    input.dirs.push(migrations);

    let leaving = unlinking.iter().filter(|p| ws.registry.project(&p.name).is_none());
    for (project, wanted) in ws.registry.projects.iter().map(|p| (p, true)).chain(leaving.map(|p| (p, false))) {
        let path = ws.seed_link_dir(&project.name);
        // A replaced entry's seed folder is the same: its old links are handed over.
        let replaced = unlinking.iter().filter(|old| wanted && old.name == project.name);
        let owners = std::iter::once(project)
            .chain(replaced)
            .map(|p| Owner { project: project.name.clone(), location: ws.project_root(p) })
            .collect();
        let mut seeds = LinkDir { rel: format!("supabase/seeds/{}", project.name), owners, ..LinkDir::default() };
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
        input.dirs.push(seeds);
    }
    input
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

/// What [`apply`] did, by platform-relative link path.
#[derive(Debug, Clone, Default)]
pub struct Applied {
    pub created: Vec<String>,
    pub updated: Vec<String>,
    pub removed: Vec<String>,
    pub errors: Vec<String>,
}

/// Carries out `plan`. A failed action is recorded and the rest still run.
pub fn apply(input: &Input, plan: &Plan) -> Applied {
    let mut applied = Applied::default();
    let mut made_dirs = vec![false; input.dirs.len()];
    for action in &plan.actions {
        let dir = &input.dirs[action.dir];
        let path = dir.path.join(&action.name);
        let shown = display_name(dir, &action.name);
        let result = match action.change {
            Change::Create => {
                if !dir.exists && !made_dirs[action.dir] {
                    made_dirs[action.dir] = true;
                    if let Err(err) = std::fs::create_dir_all(&dir.path) {
                        applied.errors.push(format!("cannot create {}: {err}", dir.path.display()));
                    }
                }
                create_link(action.target.as_deref().expect("create has a target"), &path)
            }
            Change::Retarget => replace_link(action.target.as_deref().expect("retarget has a target"), &path),
            Change::Remove => std::fs::remove_file(&path),
        };
        match result {
            Ok(()) => match action.change {
                Change::Create => applied.created.push(shown),
                Change::Retarget => applied.updated.push(shown),
                Change::Remove => applied.removed.push(shown),
            },
            Err(err) => applied.errors.push(format!("cannot update {}: {err}", path.display())),
        }
    }
    applied
}

/// How a link is named in reports: a migration by its file name, a seed by
/// `seeds/<project>/<file>`.
pub fn display_name(dir: &LinkDir, name: &str) -> String {
    if dir.migrations {
        name.to_string()
    } else {
        format!("{}/{name}", dir.rel.trim_start_matches("supabase/"))
    }
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

/// Takes the workspace lock: exclusive to change links, shared to only read them.
/// Released when the returned file is dropped.
pub fn lock(ws: &Workspace, exclusive: bool) -> io::Result<Option<File>> {
    let path = ws.platform.join(LOCK_FILE);
    let file = match std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(&path) {
        Ok(file) => file,
        Err(err) if !exclusive => {
            tracing::debug!(%err, "no lock for a read-only run");
            return Ok(None);
        }
        Err(err) if err.kind() == io::ErrorKind::NotFound => {
            std::fs::create_dir_all(path.parent().expect("lock has a parent"))?;
            std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(&path)?
        }
        Err(err) => return Err(err),
    };
    if exclusive {
        file.lock()?;
    } else {
        file.lock_shared()?;
    }
    Ok(Some(file))
}

#[cfg(test)]
mod tests {
    use super::*;

    const LINKS: &str = "/ws/platform/supabase/migrations";
    const PAY: &str = "/ws/pay/supabase/migrations";
    const DISCORD: &str = "/ws/discord/supabase/migrations";

    fn pay_target(name: &str) -> PathBuf {
        PathBuf::from(format!("../../../pay/supabase/migrations/{name}"))
    }

    fn offer(project: &str, name: &str) -> Offer {
        Offer {
            project: project.into(),
            name: name.into(),
            target: PathBuf::from(format!("../../../{project}/supabase/migrations/{name}")),
        }
    }

    fn dir(entries: Vec<(&str, Existing)>, offers: Vec<Offer>) -> Input {
        Input {
            dirs: vec![LinkDir {
                rel: "supabase/migrations".into(),
                path: LINKS.into(),
                exists: true,
                migrations: true,
                entries: entries.into_iter().map(|(n, e)| (n.to_string(), e)).collect(),
                offers,
                owners: vec![
                    Owner { project: "pay".into(), location: PAY.into() },
                    Owner { project: "discord".into(), location: DISCORD.into() },
                ],
            }],
            warnings: vec![],
        }
    }

    fn changes(plan: &Plan) -> Vec<(Change, &str)> {
        plan.actions.iter().map(|a| (a.change, a.name.as_str())).collect()
    }

    #[test]
    fn missing_links_are_created() {
        let plan = plan(&dir(vec![], vec![offer("pay", "2_pay_a.sql")]));
        assert_eq!(changes(&plan), vec![(Change::Create, "2_pay_a.sql")]);
        assert_eq!(plan.actions[0].target.as_deref(), Some(pay_target("2_pay_a.sql").as_path()));
        assert_eq!(plan.managed, vec![(0, 0)]);
        assert!(!plan.has_problems());
    }

    #[test]
    fn correct_links_are_kept_untouched() {
        let plan = plan(&dir(
            vec![("2_pay_a.sql", Existing::Link(pay_target("2_pay_a.sql")))],
            vec![offer("pay", "2_pay_a.sql")],
        ));
        assert!(plan.actions.is_empty());
        assert_eq!(plan.unchanged, 1);
    }

    #[test]
    fn owned_wrong_target_is_retargeted() {
        let old = PathBuf::from("../../../pay/supabase/migrations/old/2_pay_a.sql");
        let plan = plan(&dir(vec![("2_pay_a.sql", Existing::Link(old))], vec![offer("pay", "2_pay_a.sql")]));
        assert_eq!(changes(&plan), vec![(Change::Retarget, "2_pay_a.sql")]);
    }

    #[test]
    fn owned_links_not_wanted_are_removed_dangling_or_not() {
        let input = dir(
            vec![
                ("2_pay_gone.sql", Existing::Link(pay_target("2_pay_gone.sql"))),
                ("3_discord_x.sql", Existing::Link("../../../discord/supabase/migrations/3_discord_x.sql".into())),
            ],
            vec![],
        );
        let plan = plan(&input);
        assert_eq!(changes(&plan), vec![(Change::Remove, "2_pay_gone.sql"), (Change::Remove, "3_discord_x.sql")]);
        assert_eq!(plan.actions[1].project, "discord");
    }

    #[test]
    fn ownership_is_lexical_against_the_link_folder() {
        // Resolves outside pay's migrations folder: not mynatca's.
        let sneaky = PathBuf::from("../../../pay/supabase/migrations/../seed.sql");
        let absolute_owned = PathBuf::from("/ws/pay/supabase/migrations/9_x.sql");
        let plan =
            plan(&dir(vec![("a.sql", Existing::Link(sneaky)), ("9_x.sql", Existing::Link(absolute_owned))], vec![]));
        assert_eq!(changes(&plan), vec![(Change::Remove, "9_x.sql")]);
        assert_eq!(plan.warnings.len(), 1);
        assert_eq!(plan.warnings[0].kind, WarningKind::ForeignLink);
    }

    #[test]
    fn foreign_links_are_never_changed() {
        let foreign = PathBuf::from("/elsewhere/5_x.sql");
        let plan = plan(&dir(
            vec![("5_x.sql", Existing::Link(foreign.clone())), ("2_pay_a.sql", Existing::Link(foreign))],
            vec![offer("pay", "2_pay_a.sql")],
        ));
        assert!(plan.actions.is_empty());
        assert_eq!(plan.warnings.iter().filter(|w| w.kind == WarningKind::ForeignLink).count(), 1);
        assert_eq!(plan.conflicts.len(), 1);
        assert_eq!(plan.conflicts[0].kind, ConflictKind::ForeignLink);
    }

    #[test]
    fn real_files_and_folders_conflict_and_stay() {
        let plan = plan(&dir(
            vec![("2_pay_a.sql", Existing::File), ("3_pay_b.sql", Existing::Dir)],
            vec![offer("pay", "2_pay_a.sql"), offer("pay", "3_pay_b.sql"), offer("pay", "4_pay_c.sql")],
        ));
        assert_eq!(changes(&plan), vec![(Change::Create, "4_pay_c.sql")]);
        assert_eq!(plan.conflicts.len(), 2);
        assert!(plan.conflicts.iter().all(|c| c.kind == ConflictKind::RealFile));
        assert_eq!(plan.conflicts[0].projects, vec!["platform", "pay"]);
        assert!(plan.has_problems());
    }

    #[test]
    fn same_name_in_two_projects_links_the_first() {
        let plan = plan(&dir(vec![], vec![offer("pay", "5_shared.sql"), offer("discord", "5_shared.sql")]));
        assert_eq!(changes(&plan), vec![(Change::Create, "5_shared.sql")]);
        assert_eq!(plan.actions[0].project, "pay");
        assert_eq!(plan.conflicts[0].kind, ConflictKind::SameName);
        assert_eq!(plan.conflicts[0].projects, vec!["pay", "discord"]);
    }

    #[test]
    fn duplicate_versions_name_every_file_and_project() {
        let plan = plan(&dir(
            vec![("7_platform_x.sql", Existing::File)],
            vec![offer("pay", "7_pay_y.sql"), offer("discord", "7_discord_z.sql"), offer("pay", "8_ok.sql")],
        ));
        assert_eq!(plan.actions.len(), 3, "links are still made");
        assert_eq!(plan.duplicates.len(), 1);
        let dup = &plan.duplicates[0];
        assert_eq!(dup.version, "7");
        let files: Vec<(&str, &str)> = dup.files.iter().map(|(p, n)| (p.as_str(), n.as_str())).collect();
        assert_eq!(
            files,
            vec![("discord", "7_discord_z.sql"), ("pay", "7_pay_y.sql"), ("platform", "7_platform_x.sql")]
        );
    }

    #[test]
    fn bad_names_are_linked_with_a_warning() {
        let plan = plan(&dir(vec![("notes.sql", Existing::File)], vec![offer("pay", "pay_fix.sql")]));
        assert_eq!(changes(&plan), vec![(Change::Create, "pay_fix.sql")]);
        let kinds: Vec<_> = plan.warnings.iter().map(|w| w.kind).collect();
        assert_eq!(kinds, vec![WarningKind::NamePattern, WarningKind::NamePattern]);
    }

    #[test]
    fn platform_files_that_are_not_sql_are_ignored() {
        let plan = plan(&dir(vec![("README.md", Existing::File), (".gitkeep", Existing::File)], vec![]));
        assert_eq!(plan, Plan::default());
    }

    #[test]
    fn scan_warnings_pass_through() {
        let mut input = dir(vec![("2_pay_a.sql", Existing::Link(pay_target("2_pay_a.sql")))], vec![]);
        input.warnings.push(Warning { kind: WarningKind::MissingProject, path: None, message: "pay missing".into() });
        let plan = plan(&input);
        assert_eq!(changes(&plan), vec![(Change::Remove, "2_pay_a.sql")]);
        assert_eq!(plan.warnings[0].kind, WarningKind::MissingProject);
    }
}
