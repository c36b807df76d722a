//! Reconciling the platform's managed links with the registry, as GNU Stow does:
//! [`survey`] reads what exists (under the workspace lock), [`plan()`] (pure) decides,
//! [`apply()`] changes the disk; [`relink`] is all three for the commands.
//!
//! A symlink is mynatca's when its target, resolved as text against the link's folder,
//! lies inside a location the registry gives a project. Only such links are ever changed;
//! real files and folders never are.

mod apply;
mod plan;
mod relink;
mod scan;

use std::path::{Path, PathBuf};

use serde::Serialize;

pub use crate::warning::{Warning, WarningKind};
pub use apply::{apply, Applied, Changed};
pub use plan::{owner_of, plan};
pub use relink::{lock, relink, relink_locked, survey, Lock, Mode, Report, Survey};
pub use scan::{list_sql_files, missing_part, scan, MissingPart};

/// Whether a name holds a control character (C0, DEL or C1).
pub fn has_control(name: &str) -> bool {
    name.chars().any(char::is_control)
}

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

/// Why a file in a project's folder is not offered for linking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Refusal {
    /// The name holds a control character: a newline would inject lines into
    /// `info/exclude` and split reports.
    ControlCharacter,
    /// Not a regular file once links are followed (a FIFO, a device, a dangling link):
    /// reading it could hang or never end.
    NotRegular(&'static str),
    /// The name is not UTF-8.
    NotUtf8,
}

impl Refusal {
    /// Why, as a sentence's predicate: `is a FIFO, not a regular file`.
    pub fn describe(self) -> String {
        match self {
            Refusal::ControlCharacter => "has a control character in its name".to_string(),
            Refusal::NotRegular(kind) => format!("is {kind}, not a regular file"),
            Refusal::NotUtf8 => "has a name that is not UTF-8".to_string(),
        }
    }
}

/// A file that is there but not offered, so that no file is dropped without a word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    pub project: String,
    /// The name as reports show it: lossy UTF-8, control characters still raw
    /// (escaped where printed).
    pub name: String,
    /// Absolute path of the file.
    pub path: PathBuf,
    pub why: Refusal,
}

/// A location inside which link targets belong to `project`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owner {
    pub project: String,
    /// Absolute and normalized.
    pub location: PathBuf,
}

/// One folder mynatca keeps links in, with what is there and what should be.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
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
    /// Files of the projects that are not offered, and why.
    pub refused: Vec<Refused>,
    pub owners: Vec<Owner>,
    /// Absolute folders whose links one warning already covers (the folder a project
    /// path with a typo meant): not reported again as foreign, one by one.
    pub reported: Vec<PathBuf>,
}

impl LinkDir {
    /// The current target of the link `name`, if there is one.
    pub fn link_target(&self, name: &str) -> Option<&Path> {
        self.entries.iter().find_map(|(n, e)| match e {
            Existing::Link(target) if n == name => Some(target.as_path()),
            _ => None,
        })
    }
}

/// Everything the planner needs to know.
#[derive(Debug, Clone, Default)]
pub struct Input {
    /// `supabase/migrations`: the platform's own files and the migration links.
    pub migrations: LinkDir,
    /// `supabase/seeds/<project>`, one per project in registry order (and leaving ones).
    pub seeds: Vec<LinkDir>,
    /// Found while scanning (missing project folders).
    pub warnings: Vec<Warning>,
}

impl Input {
    /// Every link folder, migrations first.
    pub fn dirs(&self) -> impl Iterator<Item = &LinkDir> {
        std::iter::once(&self.migrations).chain(&self.seeds)
    }
}

/// One link in one of the managed folders.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinkRef<'a> {
    pub dir: &'a LinkDir,
    pub name: &'a str,
    /// The project the link belongs to (the offering one, or the owner of its target).
    pub project: &'a str,
}

impl LinkRef<'_> {
    /// Absolute path of the link.
    pub fn path(&self) -> PathBuf {
        self.dir.path.join(self.name)
    }

    /// Path relative to the platform, e.g. `supabase/seeds/pay/seed.sql`.
    pub fn rel(&self) -> String {
        format!("{}/{}", self.dir.rel, self.name)
    }

    /// How reports name it: a migration by its file name, a seed by `seeds/<project>/<file>`.
    pub fn shown(&self) -> String {
        if self.dir.migrations {
            self.name.to_string()
        } else {
            format!("{}/{}", self.dir.rel.trim_start_matches("supabase/"), self.name)
        }
    }
}

/// One change to the disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action<'a> {
    Create { link: LinkRef<'a>, to: &'a Path },
    Retarget { link: LinkRef<'a>, from: &'a Path, to: &'a Path },
    Remove { link: LinkRef<'a>, from: &'a Path },
}

impl<'a> Action<'a> {
    pub fn link(&self) -> &LinkRef<'a> {
        match self {
            Action::Create { link, .. } | Action::Retarget { link, .. } | Action::Remove { link, .. } => link,
        }
    }

    /// The target the link gets (none for a removal).
    pub fn to(&self) -> Option<&'a Path> {
        match self {
            Action::Create { to, .. } | Action::Retarget { to, .. } => Some(to),
            Action::Remove { .. } => None,
        }
    }

    /// Order in reports: creates, then updates, then removals.
    pub(crate) fn rank(&self) -> u8 {
        match self {
            Action::Create { .. } => 0,
            Action::Retarget { .. } => 1,
            Action::Remove { .. } => 2,
        }
    }

    /// `create`, `update` or `remove`, as reports say it.
    pub fn verb(&self) -> &'static str {
        match self {
            Action::Create { .. } => "create",
            Action::Retarget { .. } => "update",
            Action::Remove { .. } => "remove",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ConflictKind {
    /// A desired name exists as a real file or folder.
    RealFile,
    /// Two projects offer the same file name.
    SameName,
    /// A desired name is taken by a symlink mynatca does not own.
    ForeignLink,
    /// A project's file name holds a control character; it is never linked.
    UnsafeName,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Conflict {
    /// Path relative to the platform.
    pub name: String,
    pub kind: ConflictKind,
    pub projects: Vec<String>,
    pub message: String,
}

/// A migration file as duplicate reports name it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProjectFile {
    pub project: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Duplicate {
    pub version: String,
    /// In byte-wise name order.
    pub files: Vec<ProjectFile>,
}

impl Duplicate {
    /// The one wording every report uses.
    pub fn message(&self) -> String {
        let files: Vec<String> =
            self.files.iter().map(|f| format!("{} ({})", crate::ui::escape(&f.name), f.project)).collect();
        format!(
            "duplicate version {}: {}; `supabase db reset` would fail on schema_migrations_pkey: give all but one a new version (`mynatca new` picks a free one)",
            self.version,
            files.join(", ")
        )
    }
}

/// What the plan finds, apart from the actions: owned, so reports outlive the scan.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Verdict {
    pub unchanged: usize,
    pub conflicts: Vec<Conflict>,
    pub duplicates: Vec<Duplicate>,
    pub warnings: Vec<Warning>,
}

impl Verdict {
    /// Conflicts or duplicate versions: exit 1.
    pub fn has_problems(&self) -> bool {
        !self.conflicts.is_empty() || !self.duplicates.is_empty()
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan<'a> {
    pub actions: Vec<Action<'a>>,
    pub verdict: Verdict,
    /// Every link that is mynatca's once the plan is applied.
    managed: Vec<LinkRef<'a>>,
}

impl<'a> Plan<'a> {
    /// Every link that is mynatca's once the plan is applied.
    pub fn managed(&self) -> &[LinkRef<'a>] {
        &self.managed
    }

    /// Every path that is, or is about to be made or removed as, a mynatca link.
    pub fn managed_paths(&self) -> Vec<PathBuf> {
        let removed = self.actions.iter().filter(|a| matches!(a, Action::Remove { .. })).map(Action::link);
        self.managed.iter().chain(removed).map(LinkRef::path).collect()
    }
}
