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

use crate::diagnostic::{Code, Diagnostic};
pub(crate) use apply::{apply, Applied, Changed};
pub(crate) use plan::{owner_of, plan};
pub(crate) use relink::{lock, relink, relink_additions, relink_locked, survey, Lock, Mode, Report};
pub(crate) use scan::{list_sql_files, missing_part, scan};

/// Whether a name holds a control character (C0, DEL or C1).
pub(crate) fn has_control(name: &str) -> bool {
    name.chars().any(char::is_control)
}

/// The lock that serialises concurrent runs, relative to the platform.
pub(crate) const LOCK_FILE: &str = "supabase/.mynatca.lock";

/// What a folder entry is, as read without following links.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Existing {
    File,
    Dir,
    Link(PathBuf),
}

/// A link the registry wants: `name` in its folder pointing at `target` (relative text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Offer {
    pub(crate) project: String,
    pub(crate) name: String,
    pub(crate) target: PathBuf,
}

/// Why a file in a project's folder is not offered for linking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Refusal {
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
    pub(crate) fn describe(self) -> String {
        match self {
            Refusal::ControlCharacter => "has a control character in its name".to_string(),
            Refusal::NotRegular(kind) => format!("is {kind}, not a regular file"),
            Refusal::NotUtf8 => "has a name that is not UTF-8".to_string(),
        }
    }
}

/// A file that is there but not offered, so that no file is dropped without a word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Refused {
    pub(crate) project: String,
    /// The name as reports show it: lossy UTF-8, control characters still raw
    /// (escaped where printed).
    pub(crate) name: String,
    /// Absolute path of the file.
    pub(crate) path: PathBuf,
    pub(crate) why: Refusal,
}

/// A location inside which link targets belong to `project`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Owner {
    pub(crate) project: String,
    /// Absolute and normalized.
    pub(crate) location: PathBuf,
}

/// One folder mynatca keeps links in, with what is there and what should be.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct LinkDir {
    /// Relative to the platform, e.g. `supabase/migrations`.
    pub(crate) rel: String,
    /// Absolute and normalized.
    pub(crate) path: PathBuf,
    pub(crate) exists: bool,
    /// The folder holds migrations (duplicate versions and name checks apply).
    pub(crate) migrations: bool,
    pub(crate) entries: Vec<(String, Existing)>,
    pub(crate) offers: Vec<Offer>,
    /// Files of the projects that are not offered, and why.
    pub(crate) refused: Vec<Refused>,
    pub(crate) owners: Vec<Owner>,
    /// Absolute folders whose links one warning already covers (the folder a project
    /// path with a typo meant): not reported again as foreign, one by one.
    pub(crate) reported: Vec<PathBuf>,
}

/// Everything the planner needs to know.
#[derive(Debug, Clone, Default)]
pub(crate) struct Input {
    /// `supabase/migrations`: the platform's own files and the migration links.
    pub(crate) migrations: LinkDir,
    /// `supabase/seeds/<project>`, one per project in registry order (and leaving ones).
    pub(crate) seeds: Vec<LinkDir>,
    /// Found while scanning (missing project folders).
    pub(crate) warnings: Vec<Diagnostic>,
}

impl Input {
    /// Every link folder, migrations first.
    pub(crate) fn dirs(&self) -> impl Iterator<Item = &LinkDir> {
        std::iter::once(&self.migrations).chain(&self.seeds)
    }
}

/// One link in one of the managed folders.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct LinkRef<'a> {
    pub(crate) dir: &'a LinkDir,
    pub(crate) name: &'a str,
    /// The project the link belongs to (the offering one, or the owner of its target).
    pub(crate) project: &'a str,
}

impl LinkRef<'_> {
    /// Absolute path of the link.
    pub(crate) fn path(&self) -> PathBuf {
        self.dir.path.join(self.name)
    }

    /// Path relative to the platform, e.g. `supabase/seeds/pay/seed.sql`.
    pub(crate) fn rel(&self) -> String {
        format!("{}/{}", self.dir.rel, self.name)
    }

    /// How reports name it: a migration by its file name, a seed by `seeds/<project>/<file>`.
    pub(crate) fn shown(&self) -> String {
        if self.dir.migrations {
            self.name.to_string()
        } else {
            format!("{}/{}", self.dir.rel.trim_start_matches("supabase/"), self.name)
        }
    }
}

/// One change to the disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Action<'a> {
    Create { link: LinkRef<'a>, to: &'a Path },
    Retarget { link: LinkRef<'a>, from: &'a Path, to: &'a Path },
    Remove { link: LinkRef<'a>, from: &'a Path },
}

impl<'a> Action<'a> {
    pub(crate) fn link(&self) -> &LinkRef<'a> {
        match self {
            Action::Create { link, .. } | Action::Retarget { link, .. } | Action::Remove { link, .. } => link,
        }
    }

    /// The target the link gets (none for a removal).
    pub(crate) fn to(&self) -> Option<&'a Path> {
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
    pub(crate) fn verb(&self) -> &'static str {
        match self {
            Action::Create { .. } => "create",
            Action::Retarget { .. } => "update",
            Action::Remove { .. } => "remove",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ConflictKind {
    /// A desired name exists as a real file or folder.
    RealFile,
    /// Two projects offer the same file name.
    SameName,
    /// A desired name is taken by a symlink mynatca does not own.
    ForeignLink,
    /// A project's file name holds a control character; it is never linked.
    UnsafeName,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Conflict {
    /// Path relative to the platform.
    pub(crate) name: String,
    pub(crate) kind: ConflictKind,
    pub(crate) projects: Vec<String>,
    /// Absolute: where it is reported (the platform's file, or the project's file not linked).
    pub(crate) path: PathBuf,
    pub(crate) message: String,
}

/// A migration file as duplicate reports name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ProjectFile {
    pub(crate) project: String,
    pub(crate) name: String,
    /// Absolute: the file itself (not the platform's link to it).
    pub(crate) path: PathBuf,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Duplicate {
    pub(crate) version: String,
    /// In byte-wise name order.
    pub(crate) files: Vec<ProjectFile>,
}

impl Duplicate {
    /// The one wording every report uses.
    pub(crate) fn message(&self) -> String {
        let files: Vec<String> =
            self.files.iter().map(|f| format!("{} ({})", crate::ui::escape(&f.name), f.project)).collect();
        format!(
            "duplicate version {}: {}; `supabase db reset` would fail on schema_migrations_pkey: give all but one a new version (`mynatca new` picks a free one)",
            self.version,
            files.join(", ")
        )
    }

    /// One diagnostic per file involved, each with the message `link` prints once.
    fn diagnostics(&self) -> impl Iterator<Item = Diagnostic> + '_ {
        let message = self.message();
        self.files.iter().map(move |file| {
            Diagnostic::new(Code::DuplicateVersion, &file.path, 1, message.clone()).in_project(&file.project)
        })
    }
}

/// What the plan finds, apart from the actions: owned, so reports outlive the scan.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Verdict {
    pub(crate) unchanged: usize,
    pub(crate) conflicts: Vec<Conflict>,
    pub(crate) duplicates: Vec<Duplicate>,
    pub(crate) warnings: Vec<Diagnostic>,
}

impl Verdict {
    /// Everything the plan found, as diagnostics: conflicts and duplicate versions (one
    /// per file) as errors, then the warnings.
    pub(crate) fn diagnostics(&self) -> Vec<Diagnostic> {
        let duplicates = self.duplicates.iter().flat_map(Duplicate::diagnostics);
        self.conflict_diagnostics().chain(duplicates).chain(self.warnings.iter().cloned()).collect()
    }

    /// The conflicts alone, as errors.
    pub(crate) fn conflict_diagnostics(&self) -> impl Iterator<Item = Diagnostic> + '_ {
        self.conflicts.iter().map(|conflict| {
            let code = match conflict.kind {
                ConflictKind::ForeignLink => Code::ForeignLink,
                _ => Code::Conflict,
            };
            Diagnostic::new(code, &conflict.path, 1, conflict.message.clone())
        })
    }

    /// Conflicts or duplicate versions: exit 1.
    pub(crate) fn has_problems(&self) -> bool {
        !self.conflicts.is_empty() || !self.duplicates.is_empty()
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Plan<'a> {
    pub(crate) actions: Vec<Action<'a>>,
    pub(crate) verdict: Verdict,
    /// Every link that is mynatca's once the plan is applied.
    managed: Vec<LinkRef<'a>>,
}

impl<'a> Plan<'a> {
    /// Every link that is mynatca's once the plan is applied.
    pub(crate) fn managed(&self) -> &[LinkRef<'a>] {
        &self.managed
    }

    /// Drops every action but creations. A link that was to be removed stays, and stays
    /// mynatca's (so `info/exclude` keeps listing it); one to be retargeted keeps its target.
    pub(crate) fn keep_additions(&mut self) {
        for action in std::mem::take(&mut self.actions) {
            match action {
                Action::Create { .. } => self.actions.push(action),
                Action::Remove { link, .. } => self.managed.push(link),
                // Already in `managed`.
                Action::Retarget { .. } => {}
            }
        }
    }

    /// Every path that is, or is about to be made or removed as, a mynatca link.
    pub(crate) fn managed_paths(&self) -> Vec<PathBuf> {
        let removed = self.actions.iter().filter(|a| matches!(a, Action::Remove { .. })).map(Action::link);
        self.managed.iter().chain(removed).map(LinkRef::path).collect()
    }
}
