//! `mynatca link`: reconcile the platform's links and print the report.

use serde::Serialize;

use crate::cli::LinkArgs;
use crate::commands::{render, Context, Format};
use crate::emit::{FileRef, PathStyle, Places};
use crate::error::Outcome;
use crate::json;
use crate::reconcile::{self, Changed, Mode, Report};

pub(crate) fn run(ctx: &Context, args: &LinkArgs) -> anyhow::Result<Outcome> {
    let ws = ctx.workspace()?;
    let report = reconcile::relink(&ws, args.mode(), &[], ctx.wait)?;
    if ctx.format == Format::Json {
        let places = Places::new(&ws, &ctx.cwd, PathStyle::Cwd);
        let body = LinkJson::new(&places, &report);
        let ok = !report.has_problems();
        ctx.ui.out(&json::document("link", Some(&ws.platform), ok, body, &report.diagnostics(), &places)?);
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
}

/// A link, named by the file it points at, and the link itself (relative to the platform).
#[derive(Serialize)]
pub(crate) struct LinkedFile {
    #[serde(flatten)]
    file: FileRef,
    link: String,
}

impl LinkedFile {
    pub(crate) fn list(places: &Places, changed: &[Changed]) -> Vec<LinkedFile> {
        let file = |c: &Changed| {
            places
                .repo_path(&c.target)
                .unwrap_or_else(|| FileRef { project: c.project.clone(), path: c.target.display().to_string() })
        };
        changed.iter().map(|c| LinkedFile { file: file(c), link: c.link.clone() }).collect()
    }
}

impl LinkJson {
    fn new(places: &Places, report: &Report) -> Self {
        LinkJson {
            dry_run: report.mode != Mode::Apply,
            created: LinkedFile::list(places, &report.applied.created),
            updated: LinkedFile::list(places, &report.applied.updated),
            removed: LinkedFile::list(places, &report.applied.removed),
            unchanged: report.verdict.unchanged,
        }
    }
}
