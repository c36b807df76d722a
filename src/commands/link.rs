//! `mynatca link`: reconcile the platform's links and print the report.

use std::path::Path;

use serde::Serialize;

use crate::cli::LinkArgs;
use crate::commands::{render, Context};
use crate::error::Outcome;
use crate::json::{self, FileRef, Issue};
use crate::reconcile::{self, Changed, ConflictKind, Mode, Report, PLATFORM};
use crate::workspace::Workspace;

pub(crate) fn run(ctx: &Context, args: &LinkArgs) -> anyhow::Result<Outcome> {
    let ws = ctx.workspace()?;
    let report = reconcile::relink(&ws, args.mode(), &[])?;
    if args.json {
        ctx.ui.out(&json::document("link", Some(&ws.platform), !report.has_problems(), LinkJson::new(&ws, &report))?);
        render::problems(ctx.ui, &report);
    } else {
        render::report(ctx.ui, &report);
    }
    Ok(Outcome::from_problems(report.has_problems()))
}

/// `link --json`, inside the envelope.
#[derive(Serialize)]
struct LinkJson {
    dry_run: bool,
    created: Vec<LinkedFile>,
    updated: Vec<LinkedFile>,
    removed: Vec<LinkedFile>,
    unchanged: usize,
    errors: Vec<Issue>,
    warnings: Vec<Issue>,
}

/// A link, named by the file it points at, and the link itself (relative to the platform).
#[derive(Serialize)]
struct LinkedFile {
    #[serde(flatten)]
    file: FileRef,
    link: String,
}

impl LinkJson {
    fn new(ws: &Workspace, report: &Report) -> Self {
        let files = |changed: &[Changed]| -> Vec<LinkedFile> {
            changed
                .iter()
                .map(|c| LinkedFile {
                    file: json::file_ref(ws, &c.target).unwrap_or_else(|| FileRef {
                        project: c.project.clone(),
                        path: c.target.display().to_string(),
                    }),
                    link: c.link.clone(),
                })
                .collect()
        };
        let verdict = &report.verdict;
        let mut errors: Vec<Issue> = verdict
            .conflicts
            .iter()
            .map(|conflict| {
                let file = match conflict.kind {
                    // At the file that is not linked: the second project's.
                    ConflictKind::SameName | ConflictKind::UnsafeName => conflict.projects.last().and_then(|project| {
                        let name = Path::new(&conflict.name).file_name()?;
                        json::file_ref(ws, &migration_path(ws, project)?.join(name))
                    }),
                    ConflictKind::RealFile | ConflictKind::ForeignLink => None,
                };
                let file =
                    file.or_else(|| Some(FileRef { project: PLATFORM.to_string(), path: conflict.name.clone() }));
                Issue::new(conflict.kind.as_str(), &conflict.message).at(file)
            })
            .collect();
        for duplicate in &verdict.duplicates {
            for f in &duplicate.files {
                let file = migration_path(ws, &f.project).and_then(|dir| json::file_ref(ws, &dir.join(&f.name)));
                errors.push(Issue::new("duplicate-version", &duplicate.message()).at(file));
            }
        }
        errors.extend(report.applied.errors.iter().map(|e| Issue::new("write", e)));
        LinkJson {
            dry_run: report.mode != Mode::Apply,
            created: files(&report.applied.created),
            updated: files(&report.applied.updated),
            removed: files(&report.applied.removed),
            unchanged: verdict.unchanged,
            errors,
            warnings: verdict.warnings.iter().map(Issue::from_warning).collect(),
        }
    }
}

/// The migrations folder of a project, or the platform's.
fn migration_path(ws: &Workspace, project: &str) -> Option<std::path::PathBuf> {
    if project == PLATFORM {
        return Some(ws.link_dir());
    }
    ws.registry.project(project).map(|p| ws.migrations_dir(p))
}
