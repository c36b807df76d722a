//! The emitters: one per output format (text, GitHub annotations; JSON is `json`), each
//! writing [`Diagnostic`]s to any `io::Write`. [`Places`] says how each format names a file.

use std::cell::RefCell;
use std::collections::HashMap;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::diagnostic::{Diagnostic, Severity};
use crate::fsutil;
use crate::ui::escape;
use crate::workspace::{canonical_or_lexical, Workspace};

/// How text and GitHub output name a file (`--paths`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PathStyle {
    /// Relative to the current directory, as a terminal user types it.
    Cwd,
    /// Inside the repo that holds it, as GitHub names a file of the repository it checked out.
    Repo,
}

/// A file as named by its repo: a linked project's name or `platform`, and the path inside.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub(crate) struct FileRef {
    pub(crate) project: String,
    /// `/`-separated; `.` for the repo's own folder.
    pub(crate) path: String,
}

/// Where the workspace's repos are, read once: naming a file costs a few map lookups,
/// whatever the number of repos.
pub(crate) struct Places {
    cwd: PathBuf,
    style: PathStyle,
    /// Each repo's top folder, as written and with links resolved, to its name.
    roots: HashMap<PathBuf, String>,
    /// The repo whose files GitHub annotations name: the one a workflow checked out.
    annotated: Option<String>,
    parents: RefCell<HashMap<PathBuf, PathBuf>>,
}

impl Places {
    pub(crate) fn new(ws: &Workspace, cwd: &Path, style: PathStyle) -> Places {
        let mut roots = HashMap::new();
        for repo in ws.repos() {
            let root = ws.root(repo);
            roots.insert(canonical_or_lexical(&root), repo.name().to_string());
            roots.insert(root, repo.name().to_string());
        }
        let mut places =
            Places { cwd: canonical_or_lexical(cwd), style, roots, annotated: None, parents: RefCell::default() };
        places.annotated = places.repo_path(&places.cwd).map(|file| file.project);
        places
    }

    /// GitHub annotations name the files of `repo` (`check --project`), instead of the
    /// repo holding the current directory.
    pub(crate) fn annotating(self, repo: Option<&str>) -> Places {
        match repo {
            Some(repo) => Places { annotated: Some(repo.to_string()), ..self },
            None => self,
        }
    }

    /// Places with no repos: every file named from the current directory.
    pub(crate) fn none(cwd: &Path) -> Places {
        Places {
            cwd: canonical_or_lexical(cwd),
            style: PathStyle::Cwd,
            roots: HashMap::new(),
            annotated: None,
            parents: RefCell::default(),
        }
    }

    /// `path` (absolute) as a file of the innermost repo holding it; `None` outside them all.
    pub(crate) fn repo_path(&self, path: &Path) -> Option<FileRef> {
        self.inside(path).or_else(|| self.inside(&self.real(path)))
    }

    fn inside(&self, path: &Path) -> Option<FileRef> {
        let (root, project) = path.ancestors().find_map(|dir| Some((dir, self.roots.get(dir)?)))?;
        let rel = path.strip_prefix(root).ok()?.to_string_lossy().into_owned();
        Some(FileRef { project: project.clone(), path: if rel.is_empty() { ".".to_string() } else { rel } })
    }

    /// The path with its folder's links resolved (cached per folder).
    fn real(&self, path: &Path) -> PathBuf {
        match (path.parent(), path.file_name()) {
            (Some(parent), Some(name)) => {
                let mut parents = self.parents.borrow_mut();
                let parent =
                    parents.entry(parent.to_path_buf()).or_insert_with(|| canonical_or_lexical(parent)).clone();
                parent.join(name)
            }
            _ => canonical_or_lexical(path),
        }
    }

    /// The diagnostic's file as JSON names it: its repo and the path inside; a file outside
    /// every repo by its absolute path alone.
    pub(crate) fn file(&self, d: &Diagnostic) -> (Option<String>, Option<String>) {
        let Some(path) = &d.path else {
            return (d.project.clone(), None);
        };
        match self.repo_path(path) {
            Some(file) => (Some(d.project.clone().unwrap_or(file.project)), Some(file.path)),
            None => (d.project.clone(), Some(path.display().to_string())),
        }
    }

    /// The diagnostic's file as text and GitHub output show it (`--paths`).
    pub(crate) fn shown(&self, path: &Path) -> String {
        let in_repo = match self.style {
            PathStyle::Repo => self.repo_path(path).map(|file| file.path),
            PathStyle::Cwd => None,
        };
        in_repo.unwrap_or_else(|| self.relative_to_cwd(path))
    }

    /// Whether a GitHub annotation may name `path`: a file of the repository checked out
    /// (any file, when the current directory is in no repo and no `--project` names one).
    fn annotatable(&self, path: &Path) -> bool {
        match &self.annotated {
            None => true,
            Some(repo) => self.repo_path(path).is_some_and(|file| file.project == *repo),
        }
    }

    /// Relative to the current directory (links resolved): what findings are sorted by,
    /// whatever `--paths` says, so every style lists them in one order.
    pub(crate) fn relative_to_cwd(&self, path: &Path) -> String {
        let rel = fsutil::relative_path(&self.cwd, &self.real(path));
        if rel.as_os_str().is_empty() {
            ".".to_string()
        } else {
            rel.display().to_string()
        }
    }
}

/// `PATH:LINE: error[code]: message` (and `  help: hint`), one finding per line;
/// `paint(text, style)` colours the label. (The column is JSON's and GitHub's: lines
/// read as `check` has always printed them.)
pub(crate) fn text(
    out: &mut dyn Write,
    diagnostics: &[Diagnostic],
    places: &Places,
    paint: &dyn Fn(&str, &str) -> String,
) -> io::Result<()> {
    for d in diagnostics {
        let style = match d.severity {
            Severity::Error => "1;31",
            Severity::Warning => "1;33",
        };
        let label = paint(&format!("{}[{}]", d.severity.as_str(), d.code.as_str()), style);
        if let Some(path) = &d.path {
            write!(out, "{}:{}: ", escape(&places.shown(path)), d.line.unwrap_or(1))?;
        }
        writeln!(out, "{label}: {}", escape(&d.message))?;
        if let Some(hint) = &d.hint {
            writeln!(out, "  help: {}", escape(hint))?;
        }
    }
    Ok(())
}

/// GitHub Actions workflow commands, one annotation per finding on its file and line. A
/// file of another repo than the one checked out is named in the message instead, where
/// GitHub cannot misplace it on a file of the same path.
pub(crate) fn github(out: &mut dyn Write, diagnostics: &[Diagnostic], places: &Places) -> io::Result<()> {
    let data = |s: &str| s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A");
    let property = |s: &str| data(s).replace(':', "%3A").replace(',', "%2C");
    for d in diagnostics {
        let mut properties = Vec::new();
        let mut message = d.message.clone();
        match &d.path {
            Some(path) if places.annotatable(path) => {
                properties.push(format!("file={}", property(&places.shown(path))));
                properties.extend(d.line.map(|line| format!("line={line}")));
                properties.extend(d.column.map(|column| format!("col={column}")));
            }
            Some(_) => {
                let (project, file) = places.file(d);
                let repo = project.map(|p| format!("{p}: ")).unwrap_or_default();
                message = format!("{repo}{}:{}: {message}", file.unwrap_or_default(), d.line.unwrap_or(1));
            }
            None => {}
        }
        properties.push(format!("title={}", property(&format!("mynatca {}", d.code.as_str()))));
        if let Some(hint) = &d.hint {
            message = format!("{message}\n{hint}");
        }
        writeln!(out, "::{} {}::{}", d.severity.as_str(), properties.join(","), data(&message))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests;
