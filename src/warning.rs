//! The one warning type: what `link`, `status` and `check` report that is worth a look
//! but does not fail the command.

/// What a warning is about, as a stable word for JSON and filters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum WarningKind {
    /// A symlink in a managed folder that points outside every linked project.
    ForeignLink,
    /// A `.sql` name the Supabase CLI skips.
    NamePattern,
    /// A project's folder or migrations folder does not exist.
    MissingProject,
    /// The repos are not all on the same branch name.
    BranchMix,
    /// `mynatca link` would change something.
    StaleLinks,
    /// libgit2 failed on a repo.
    Git,
    /// A project's file that cannot be linked (not a regular file, a name not UTF-8).
    NotLinked,
}

impl WarningKind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            WarningKind::ForeignLink => "foreign-link",
            WarningKind::NamePattern => "name-pattern",
            WarningKind::MissingProject => "missing-project",
            WarningKind::BranchMix => "branch-mix",
            WarningKind::StaleLinks => "stale-links",
            WarningKind::Git => "git",
            WarningKind::NotLinked => "not-linked",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Warning {
    pub(crate) kind: WarningKind,
    /// Path relative to the platform, when the warning is about one.
    pub(crate) path: Option<String>,
    pub(crate) message: String,
}

impl Warning {
    pub(crate) fn new(kind: WarningKind, message: impl Into<String>) -> Self {
        Warning { kind, path: None, message: message.into() }
    }
}
