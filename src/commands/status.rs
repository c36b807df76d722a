//! `mynatca status`: one row per repo (platform first) and a warning when the branch
//! mix is not uniform, because `db reset` applies exactly that mix.

use std::path::Path;

use serde::Serialize;

use crate::cli::StatusArgs;
use crate::commands::render::{render_table, Cell};
use crate::commands::Context;
use crate::diagnostic::Code;
use crate::emit::{PathStyle, Places};
use crate::error::Outcome;
use crate::fsutil;
use crate::json;
use crate::repos::{self, GitState, Overview, Repo};
use crate::ui;
use crate::workspace::{canonical_or_lexical, Workspace};

const HEADER: [&str; 7] = ["REPO", "PATH", "BRANCH", "STATE", "MIGRATIONS", "LINKED", "NEWEST"];
/// Counts read best right-aligned.
const RIGHT_ALIGNED: [bool; 7] = [false, false, false, false, true, true, false];
const YELLOW: &str = "33";
const RED: &str = "31";

/// Warnings are reported, not failed on: status is for looking, and working on several
/// branches at once is a supported workflow. Exit 0 unless the workspace can't be read.
pub(crate) fn run(ctx: &Context, args: &StatusArgs) -> anyhow::Result<Outcome> {
    let ws = ctx.workspace()?;
    let overview = repos::overview(&ws, ctx.wait)?;
    let database = match args.db {
        true => Some(super::status_db::look(ctx, &ws)?),
        false => None,
    };
    if args.json {
        ctx.ui.out(&to_json(&ws, &ctx.cwd, &overview, database.as_ref())?);
    } else {
        for line in table(ctx, &overview) {
            ctx.ui.out_painted(&line);
        }
        if let Some(database) = &database {
            super::status_db::print(ctx, database);
        }
    }
    for warning in &overview.warnings {
        ctx.ui.warn(&warning.message);
    }
    Ok(Outcome::from_problems(database.is_some_and(|d| d.needs_attention())))
}

fn table(ctx: &Context, overview: &Overview) -> Vec<String> {
    let cwd = canonical_or_lexical(&ctx.cwd);
    let mix = overview.warnings.iter().any(|w| w.code == Code::BranchMix);
    let platform_head = overview.repos.first().and_then(|r| r.git.head());
    let rows: Vec<Vec<Cell>> = overview
        .repos
        .iter()
        .map(|repo| {
            let branch = repo.git.head().map_or_else(|| "-".to_string(), ToString::to_string);
            let branch_style = (mix && repo.git.head().is_some() && repo.git.head() != platform_head).then_some(YELLOW);
            let state_style = match repo.git {
                GitState::Repo { dirty: true, .. } => Some(YELLOW),
                GitState::Missing | GitState::Unreadable(_) => Some(RED),
                _ => None,
            };
            vec![
                Cell::plain(repo.name.clone()),
                Cell::plain(shown_path(&cwd, &repo.path)),
                Cell { text: ui::escape(&branch).into_owned(), style: branch_style },
                Cell { text: repo.git.as_str().to_string(), style: state_style },
                Cell::plain(repo.migrations.map_or_else(|| "-".to_string(), |n| n.to_string())),
                Cell::plain(repo.linked.to_string()),
                Cell::plain(repo.newest.clone().unwrap_or_else(|| "-".to_string())),
            ]
        })
        .collect();
    let color = ctx.ui.color_stdout();
    render(&rows, |text, style| ctx.ui.paint(text, style, color))
}

/// A repo's path as typed from the current directory (`.` for the directory itself).
fn shown_path(cwd: &Path, path: &Path) -> String {
    let relative = fsutil::relative_path(cwd, &canonical_or_lexical(path));
    if relative.as_os_str().is_empty() {
        ".".to_string()
    } else {
        relative.display().to_string()
    }
}

/// Aligned columns separated by two spaces, no trailing blanks. Padding is computed on
/// the plain text so colour never shifts a column.
fn render(rows: &[Vec<Cell>], paint: impl Fn(&str, &str) -> String) -> Vec<String> {
    render_table(&HEADER, &RIGHT_ALIGNED, rows, paint)
}

/// `status --json`, inside the envelope.
#[derive(Serialize)]
struct StatusJson<'a> {
    repos: Vec<RepoJson<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    database: Option<serde_json::Value>,
}

#[derive(Serialize)]
struct RepoJson<'a> {
    name: &'a str,
    /// As the registry has it: relative to the platform (`.` for the platform itself).
    path: &'a str,
    branch: Option<String>,
    state: &'static str,
    dirty: Option<bool>,
    migrations: Option<usize>,
    linked: usize,
    newest: Option<&'a str>,
}

impl<'a> RepoJson<'a> {
    fn new(ws: &'a Workspace, repo: &'a Repo) -> Self {
        RepoJson {
            name: &repo.name,
            path: ws.registry.project(&repo.name).map_or(".", |p| p.path.as_str()),
            branch: repo.git.head().map(ToString::to_string),
            state: repo.git.as_str(),
            dirty: repo.git.dirty(),
            migrations: repo.migrations,
            linked: repo.linked,
            newest: repo.newest.as_deref(),
        }
    }
}

fn to_json(
    ws: &Workspace,
    cwd: &Path,
    overview: &Overview,
    database: Option<&super::status_db::Database>,
) -> anyhow::Result<String> {
    let json = StatusJson {
        repos: overview.repos.iter().map(|repo| RepoJson::new(ws, repo)).collect(),
        database: database.map(super::status_db::Database::to_json),
    };
    let ok = !database.is_some_and(|d| d.needs_attention());
    let places = Places::new(ws, cwd, PathStyle::Cwd);
    Ok(json::document("status", Some(&ws.platform), ok, json, &overview.warnings, &places)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(cells: [&str; 7]) -> Vec<Cell> {
        cells.iter().map(|c| Cell::plain(c.to_string())).collect()
    }

    #[test]
    fn columns_align_with_counts_on_the_right() {
        let rows = vec![
            row(["platform", ".", "main", "clean", "12", "3", "20251215120000"]),
            row(["pay", "../pay", "feature/x", "dirty", "2", "2", "-"]),
        ];
        let lines = render(&rows, |text, _| text.to_string());
        assert_eq!(
            lines,
            vec![
                "REPO      PATH    BRANCH     STATE  MIGRATIONS  LINKED  NEWEST",
                "platform  .       main       clean          12       3  20251215120000",
                "pay       ../pay  feature/x  dirty           2       2  -",
            ]
        );
    }

    #[test]
    fn colour_does_not_shift_columns() {
        let mut rows = vec![row(["pay", "../pay", "feature/x", "dirty", "2", "2", "-"])];
        rows[0][3].style = Some(YELLOW);
        let lines = render(&rows, |text, style| format!("\x1b[{style}m{text}\x1b[0m"));
        assert_eq!(lines[1], "pay   ../pay  feature/x  \x1b[33mdirty\x1b[0m           2       2  -");
    }
}
