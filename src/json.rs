//! The one JSON language of every `--json` document (README, "JSON output"): an envelope
//! `{"schema", "command", "platform", "ok", …}`; every file as `{"project", "path"}`, the
//! path inside that project's repo; every warning and error as
//! `{"kind", "message", "project"?, "path"?, "line"?}`.

use std::path::Path;

use serde::Serialize;

use crate::reconcile::PLATFORM;
use crate::warning::Warning;
use crate::workspace::{canonical_or_lexical, Workspace};

/// Bumped when a field changes meaning or goes away (new fields do not bump it).
pub(crate) const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct Document<'a, B: Serialize> {
    schema: u32,
    command: Option<&'a str>,
    /// Absolute; null when no platform was found.
    platform: Option<String>,
    ok: bool,
    #[serde(flatten)]
    body: B,
}

/// The document of `command`: the envelope around `body`'s fields.
pub(crate) fn document(
    command: &str,
    platform: Option<&Path>,
    ok: bool,
    body: impl Serialize,
) -> serde_json::Result<String> {
    let platform = platform.map(|p| p.display().to_string());
    serde_json::to_string(&Document { schema: SCHEMA_VERSION, command: Some(command), platform, ok, body })
}

/// The document printed on stdout when a command given `--json` fails before it has one
/// of its own (a bad flag, no platform, a bad registry): `ok: false` and the error.
pub(crate) fn error_document(command: Option<&str>, platform: Option<&Path>, kind: &str, message: &str) -> String {
    let body = serde_json::json!({ "errors": [Issue::new(kind, message)], "warnings": [] });
    let platform = platform.map(|p| p.display().to_string());
    serde_json::to_string(&Document { schema: SCHEMA_VERSION, command, platform, ok: false, body })
        .expect("an error document serialises")
}

/// The error document of a command that failed after parsing: `config` for a usage or
/// configuration error (exit 2), `error` for anything else (exit 1).
pub(crate) fn failure(command: &str, err: &anyhow::Error) -> String {
    let kind = if crate::error::exit_code(err) == 2 { "config" } else { "error" };
    error_document(Some(command), None, kind, &format!("{err:#}"))
}

/// The error document for arguments clap refused, when `args` hold `--json`: kind `usage`,
/// the command named when one was recognised.
pub(crate) fn usage_failure(args: &[String], err: &clap::Error) -> Option<String> {
    if !err.use_stderr() || !args.iter().any(|arg| arg == "--json") {
        return None;
    }
    let cli = <crate::cli::Cli as clap::CommandFactory>::command();
    let command = args.iter().skip(1).find_map(|arg| cli.find_subcommand(arg).map(|c| c.get_name().to_string()));
    let rendered = err.render().to_string();
    let message = rendered.lines().next().unwrap_or_default().trim_start_matches("error: ");
    Some(error_document(command.as_deref(), None, "usage", message))
}

/// A file, named by its repo: a linked project's, or the platform's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct FileRef {
    pub(crate) project: String,
    /// Inside that project's repo, `/`-separated; `.` for the repo's own folder.
    pub(crate) path: String,
}

/// A warning or an error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Issue {
    pub(crate) kind: String,
    pub(crate) message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) project: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) line: Option<usize>,
}

impl Issue {
    pub(crate) fn new(kind: &str, message: &str) -> Self {
        Issue { kind: kind.to_string(), message: message.to_string(), project: None, path: None, line: None }
    }

    /// The same issue about `file`.
    pub(crate) fn at(self, file: Option<FileRef>) -> Self {
        match file {
            Some(FileRef { project, path }) => Issue { project: Some(project), path: Some(path), ..self },
            None => self,
        }
    }

    pub(crate) fn line(self, line: usize) -> Self {
        Issue { line: Some(line), ..self }
    }

    /// A warning of `link` or `status`: its path, when it has one, is the platform's.
    pub(crate) fn from_warning(warning: &Warning) -> Self {
        let file = warning.path.as_ref().map(|path| FileRef { project: PLATFORM.to_string(), path: path.clone() });
        Issue::new(warning.kind.as_str(), &warning.message).at(file)
    }
}

/// `path` (absolute) as a file of the linked project whose folder holds it, else of the
/// platform; `None` outside every repo of the workspace.
pub(crate) fn file_ref(ws: &Workspace, path: &Path) -> Option<FileRef> {
    let roots = ws
        .registry
        .projects
        .iter()
        .map(|p| (p.name.as_str(), ws.project_root(p)))
        .chain(std::iter::once((PLATFORM, ws.platform.clone())));
    let real = canonical_or_lexical(path);
    for (project, root) in roots {
        let inside = path.strip_prefix(&root).ok().or_else(|| real.strip_prefix(canonical_or_lexical(&root)).ok());
        if let Some(rel) = inside {
            let rel = rel.to_string_lossy().into_owned();
            let path = if rel.is_empty() { ".".to_string() } else { rel };
            return Some(FileRef { project: project.to_string(), path });
        }
    }
    None
}
