//! `link-project --json`: one document instead of the text lines.

use crate::commands::Context;
use crate::diagnostic::Diagnostic;
use crate::emit::{PathStyle, Places};
use crate::json;
use crate::reconcile;
use crate::registry::Project;
use crate::workspace::Workspace;

/// `link-project --json`, inside the envelope: the entry as written, what was done, the
/// config.toml changes and the links made.
#[derive(serde::Serialize)]
pub(super) struct LinkProjectJson {
    project: serde_json::Value,
    /// `added`, `updated` or `already-linked`.
    action: &'static str,
    dry_run: bool,
    config: Vec<String>,
    created: usize,
    removed: usize,
}

impl LinkProjectJson {
    pub(super) fn new(
        project: &Project,
        action: &'static str,
        dry_run: bool,
        config: Vec<String>,
        report: Option<&reconcile::Report>,
    ) -> Self {
        let project = serde_json::json!({"name": project.name, "path": project.path, "schema": project.schema,
            "migrations": project.migrations, "seeds": project.seeds});
        let (created, removed) = report.map_or((0, 0), |r| (r.applied.created.len(), r.applied.removed.len()));
        LinkProjectJson { project, action, dry_run, config, created, removed }
    }
}

pub(super) fn print_json(
    ctx: &Context,
    ws: &Workspace,
    body: LinkProjectJson,
    diagnostics: &[Diagnostic],
) -> anyhow::Result<()> {
    let places = Places::new(ws, &ctx.cwd, PathStyle::Cwd);
    let ok = !diagnostics.iter().any(Diagnostic::is_error);
    ctx.ui.out(&json::document("link-project", Some(&ws.platform), ok, body, diagnostics, &places)?);
    Ok(())
}
