//! `mynatca check`: runs [`crate::audit`] over the workspace and prints the findings.

use serde::Serialize;

use crate::audit;
use crate::cli::{CheckArgs, Paths};
use crate::commands::{Context, Format};
use crate::diagnostic::{self, Code, Diagnostic, Severity};
use crate::emit::{self, PathStyle, Places};
use crate::error::{config_error, Outcome};
use crate::json;
use crate::lint;
use crate::reconcile::{self, Lock};
use crate::registry::{self, Registry};
use crate::ui::plural;
use crate::workspace::{self, Workspace};

pub(crate) fn run(ctx: &Context, args: &CheckArgs) -> anyhow::Result<Outcome> {
    // No platform at all is the one thing that stops the check (exit 2); a registry that
    // does not load is a finding, and everything that does not need it is still checked.
    let (platform, _) = workspace::find_platform(ctx.platform.as_deref(), &ctx.cwd)?;
    let registry_path = platform.join(registry::FILE_NAME);
    let bare = Workspace { platform, registry: Registry::empty(registry_path.clone()) };
    // The registry, the links and the file lists are read under the shared lock, so no
    // relink is seen half-done; `audit::check` lets it go before it parses anything.
    let lock = reconcile::lock(&bare, Lock::Shared, ctx.wait)?;
    let mut findings = Vec::new();
    let (ws, registry_ok) = match Workspace::load(bare.platform.clone()) {
        Ok(ws) => (ws, true),
        Err(err) if registry_path.exists() => {
            findings.push(lint::registry_error(&registry_path, &err));
            (bare, false)
        }
        Err(err) => return Err(err.into()),
    };
    if let Some(name) = &args.project {
        refuse_unknown_project(&ws, name, registry_ok)?;
    }
    // In a worktree of a project's repo, that project is read from the worktree.
    let (ws, from_worktree) = match ws.seen_from(&ctx.cwd) {
        Some((seen, name)) => {
            ctx.ui.warn(&worktree_note(&ws, &seen, &name));
            (seen, true)
        }
        None => (ws, false),
    };
    let started = std::time::Instant::now();
    let reading = audit::Reading { registry_ok, from_worktree };
    let checked = audit::check(&ws, reading, args.base.as_deref(), lock, &mut findings)?;
    tracing::debug!(
        "checked {} migrations in {} repos: {} findings ({:.1?})",
        checked.migrations,
        checked.repos,
        findings.len(),
        started.elapsed()
    );
    if args.strict {
        // Pending link changes are an error only when asked for.
        findings.iter_mut().filter(|f| f.code == Code::StaleLink).for_each(|f| f.severity = Severity::Error);
    }
    let style = match (args.paths, ctx.format) {
        (Some(Paths::Repo), _) => PathStyle::Repo,
        (Some(Paths::Cwd), _) => PathStyle::Cwd,
        (None, Format::Github) => PathStyle::Repo,
        (None, _) => PathStyle::Cwd,
    };
    let places = Places::new(&ws, &ctx.cwd, style).annotating(args.project.as_deref());
    // A registry that does not load leaves every repo unchecked: each repo's check says so.
    let everyones = |f: &Diagnostic| !registry_ok && f.code == Code::Registry;
    let findings = shown(findings, &places, args.project.as_deref(), everyones);
    let (errors, warnings) = diagnostic::counts(&findings);
    let ok = !(errors > 0 || (args.strict && warnings > 0));
    let mut out = Vec::new();
    match ctx.format {
        Format::Json => {
            let body = CheckJson { checked: CheckedJson { migrations: checked.migrations, repos: checked.repos } };
            ctx.ui.out(&json::document("check", Some(&ws.platform), ok, body, &findings, &places)?);
        }
        Format::Github => emit::github(&mut out, &findings, &places)?,
        Format::Text => {
            let color = ctx.ui.color_stdout();
            emit::text(&mut out, &findings, &places, &|text, style| ctx.ui.paint(text, style, color))?;
        }
    }
    ctx.ui.out_lines(&out);
    if ctx.format != Format::Json {
        ctx.ui.info(&format!(
            "checked {} in {}: {}, {}",
            plural(checked.migrations, "migration"),
            plural(checked.repos, "repo"),
            plural(errors, "error"),
            plural(warnings, "warning")
        ));
    }
    Ok(Outcome::from_problems(!ok))
}

/// What a check from a worktree reads, and what it leaves to the main checkout.
fn worktree_note(ws: &Workspace, seen: &Workspace, name: &str) -> String {
    let root = |ws: &Workspace| ws.registry.project(name).map(|p| ws.project_root(p).display().to_string());
    format!(
        "{name} is read from this worktree ({}), not from {}; the platform's links point there, so `mynatca refresh` applies that checkout's files, and the link rules are left out",
        root(seen).unwrap_or_default(),
        root(ws).unwrap_or_default()
    )
}

/// `--project NAME` names the platform or a linked project.
fn refuse_unknown_project(ws: &Workspace, name: &str, registry_ok: bool) -> anyhow::Result<()> {
    if ws.repo(name).is_some() || !registry_ok {
        return Ok(());
    }
    let known: Vec<&str> = ws.repos().map(|repo| repo.name()).collect();
    Err(config_error(format!("--project {name}: no such repo in the workspace; name one of {}", known.join(", "))))
}

/// The findings to print, sorted by file as shown, then line: with `--project`, that
/// repo's and those that concern every repo.
fn shown(
    findings: Vec<Diagnostic>,
    places: &Places,
    project: Option<&str>,
    everyones: impl Fn(&Diagnostic) -> bool,
) -> Vec<Diagnostic> {
    let mut keyed: Vec<(String, Diagnostic)> = findings
        .into_iter()
        .filter(|f| everyones(f) || project.is_none_or(|name| places.file(f).0.as_deref() == Some(name)))
        .map(|f| (f.path.as_deref().map(|path| places.relative_to_cwd(path)).unwrap_or_default(), f))
        .collect();
    keyed.sort_by(|(a, x), (b, y)| (a, x.line, x.code, &x.message).cmp(&(b, y.line, y.code, &y.message)));
    keyed.into_iter().map(|(_, f)| f).collect()
}

/// `check --json`, inside the envelope.
#[derive(Serialize)]
struct CheckJson {
    checked: CheckedJson,
}

#[derive(Serialize)]
struct CheckedJson {
    migrations: usize,
    repos: usize,
}
