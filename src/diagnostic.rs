//! The one diagnostic type: every finding, warning and failure any command reports
//! (`check`'s rules, `link`'s conflicts, `status`' warnings, `refresh`'s failed files) is a
//! [`Diagnostic`] with a [`Code`] from one vocabulary, as ruff's and squawk's are.
//! Emitters (`emit`) print them as text, JSON or GitHub annotations.

use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

macro_rules! codes {
    ($($variant:ident => $name:literal, $severity:ident;)*) => {
        /// Every kind of diagnostic, each a stable word (the README's table lists them).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub(crate) enum Code {
            $($variant,)*
        }

        impl Code {
            #[cfg(test)]
            pub(crate) const ALL: &'static [Code] = &[$(Code::$variant,)*];

            pub(crate) fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => $name,)*
                }
            }

            /// The code's usual severity (a few codes are reported at the other one too).
            pub(crate) fn level(self) -> Severity {
                match self {
                    $(Code::$variant => Severity::$severity,)*
                }
            }

            #[cfg(test)]
            pub(crate) fn from_name(name: &str) -> Option<Code> {
                Code::ALL.iter().copied().find(|code| code.as_str() == name)
            }

            /// The rule called `name`, as mynatca.toml and `-- mynatca-ignore:` name them.
            pub(crate) fn rule_named(name: &str) -> Option<Code> {
                Code::RULES.into_iter().find(|rule| rule.as_str() == name)
            }
        }
    };
}

codes! {
    // `check`'s rules (the SPEC's table), also used by the other commands.
    Registry => "registry", Error;
    StaleLink => "stale-link", Warning;
    BrokenLink => "broken-link", Error;
    ForeignLink => "foreign-link", Error;
    Conflict => "conflict", Error;
    DuplicateVersion => "duplicate-version", Error;
    NamePattern => "name-pattern", Warning;
    NameStyle => "name-style", Warning;
    NamePrefix => "name-prefix", Warning;
    Ownership => "ownership", Error;
    Parse => "parse", Error;
    ConfigSchemas => "config-schemas", Warning;
    ConfigSeeds => "config-seeds", Warning;
    TrackedLink => "tracked-link", Error;
    Hooks => "hooks", Warning;
    HistoryEdit => "history-edit", Error;
    OutOfOrder => "out-of-order", Error;
    Order => "order", Error;
    Rls => "rls", Error;
    Transaction => "transaction", Error;
    Ignore => "ignore", Warning;
    // What the other commands report.
    BranchMix => "branch-mix", Warning;
    Git => "git", Warning;
    NotLinked => "not-linked", Warning;
    Write => "write", Error;
    MigrationFailed => "migration-failed", Error;
    SeedFailed => "seed-failed", Error;
    MissingExtension => "missing-extension", Warning;
    // A command that failed before it had a result.
    Usage => "usage", Error;
    Config => "config", Error;
    Error => "error", Error;
}

impl Code {
    /// `check`'s rules, as mynatca.toml and `-- mynatca-ignore:` name them (`broken-link`
    /// is not one: `check` reports those links as `stale-link`).
    pub(crate) const RULES: [Code; 20] = [
        Code::Registry,
        Code::StaleLink,
        Code::ForeignLink,
        Code::Conflict,
        Code::DuplicateVersion,
        Code::NamePattern,
        Code::NameStyle,
        Code::NamePrefix,
        Code::Ownership,
        Code::Parse,
        Code::ConfigSchemas,
        Code::ConfigSeeds,
        Code::TrackedLink,
        Code::Hooks,
        Code::HistoryEdit,
        Code::OutOfOrder,
        Code::Order,
        Code::Rls,
        Code::Transaction,
        Code::Ignore,
    ];
}

/// One problem: what (code, severity, message, hint) and where (the file's repo, its
/// absolute path, a 1-based line and column), each place part only when known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Diagnostic {
    pub(crate) code: Code,
    pub(crate) severity: Severity,
    /// The repo holding the file, when the reporter knows it better than its path does
    /// (emitters otherwise find it from the path).
    pub(crate) project: Option<String>,
    /// Absolute.
    pub(crate) path: Option<PathBuf>,
    pub(crate) line: Option<usize>,
    pub(crate) column: Option<usize>,
    pub(crate) message: String,
    /// What to do about it, when the message does not already say.
    pub(crate) hint: Option<String>,
}

impl Diagnostic {
    /// A diagnostic at the code's own level, about a file or folder (`line` 1 for a whole one).
    pub(crate) fn new(code: Code, path: impl Into<PathBuf>, line: usize, message: impl Into<String>) -> Diagnostic {
        Diagnostic { line: Some(line), ..Diagnostic::general(code, message).at(path) }
    }

    /// A diagnostic about no file in particular.
    pub(crate) fn general(code: Code, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            code,
            severity: code.level(),
            project: None,
            path: None,
            line: None,
            column: None,
            message: message.into(),
            hint: None,
        }
    }

    /// The same diagnostic as a warning.
    pub(crate) fn warning(self) -> Diagnostic {
        Diagnostic { severity: Severity::Warning, ..self }
    }

    /// The same diagnostic as an error.
    pub(crate) fn error(self) -> Diagnostic {
        Diagnostic { severity: Severity::Error, ..self }
    }

    pub(crate) fn at(self, path: impl Into<PathBuf>) -> Diagnostic {
        Diagnostic { path: Some(path.into()), ..self }
    }

    pub(crate) fn in_project(self, project: impl Into<String>) -> Diagnostic {
        Diagnostic { project: Some(project.into()), ..self }
    }

    pub(crate) fn column(self, column: usize) -> Diagnostic {
        Diagnostic { column: Some(column), ..self }
    }

    pub(crate) fn hint(self, hint: impl Into<String>) -> Diagnostic {
        Diagnostic { hint: Some(hint.into()), ..self }
    }

    pub(crate) fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// The path, or an empty one for a diagnostic about no file (sorts first).
    pub(crate) fn file(&self) -> &Path {
        self.path.as_deref().unwrap_or(Path::new(""))
    }
}

/// Errors first counted, then warnings: `(errors, warnings)`.
pub(crate) fn counts(diagnostics: &[Diagnostic]) -> (usize, usize) {
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    (errors, diagnostics.len() - errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_a_distinct_name_that_reads_back() {
        let mut names: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
        for code in Code::ALL {
            assert_eq!(Code::from_name(code.as_str()), Some(*code));
        }
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Code::ALL.len());
    }

    #[test]
    fn the_readme_lists_every_kind_once() {
        let readme = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"));
        let table = readme.split_once("### Every kind\n").expect("the section").1;
        let kinds: Vec<&str> = table
            .lines()
            .skip_while(|line| !line.starts_with("| `"))
            .take_while(|line| line.starts_with('|'))
            .filter_map(|line| line.strip_prefix("| `")?.split_once('`').map(|(kind, _)| kind))
            .collect();
        let mut codes: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
        let mut listed = kinds.clone();
        codes.sort_unstable();
        listed.sort_unstable();
        assert_eq!(listed, codes, "each kind once, and nothing else");
        assert_eq!(kinds.len(), Code::ALL.len());
    }

    #[test]
    fn builders_set_each_place_part() {
        let d = Diagnostic::new(Code::Parse, "/w/pay/x.sql", 3, "bad").column(7).in_project("pay").hint("fix it");
        assert_eq!(d.path.as_deref(), Some(Path::new("/w/pay/x.sql")));
        assert_eq!(
            (d.line, d.column, d.project.as_deref(), d.hint.as_deref()),
            (Some(3), Some(7), Some("pay"), Some("fix it"))
        );
        assert_eq!(d.severity, Severity::Error);
        assert_eq!(d.clone().warning().severity, Severity::Warning);
        assert_eq!(counts(&[d.clone(), d.warning()]), (1, 1));
    }
}
