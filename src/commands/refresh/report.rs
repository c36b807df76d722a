//! The end of a built-in refresh: the summary line, and with `--keep-going` every
//! failure grouped by its first cause; or all of it as one JSON document.

use serde_json::json;

use crate::db::{FileFailure, Kind, Plan, Report, SqlFile, Target};
use std::path::PathBuf;

use crate::diagnostic::{Code, Diagnostic};
use crate::json::FileRef;
use crate::ui::{plural, Ui};
use crate::workspace::Workspace;

/// Failures sharing Postgres' message, in the order first seen.
struct Group<'a> {
    cause: &'a str,
    /// A skipped extension the message names (its objects were never created).
    after_skipped: Option<&'a str>,
    failures: Vec<&'a FileFailure>,
}

fn groups<'a>(report: &'a Report) -> Vec<Group<'a>> {
    let mut groups: Vec<Group> = Vec::new();
    for failure in &report.failures {
        match groups.iter_mut().find(|group| group.cause == failure.cause) {
            Some(group) => group.failures.push(failure),
            None => groups.push(Group {
                cause: &failure.cause,
                after_skipped: report.skipped.iter().map(String::as_str).find(|ext| caused_by(&failure.cause, ext)),
                failures: vec![failure],
            }),
        }
    }
    groups
}

/// Names an extension's objects carry, beyond its own name, that a failure's message shows.
const PROVIDES: [(&str, &[&str]); 7] = [
    ("vector", &["halfvec", "sparsevec"]),
    ("pg_net", &["net"]),
    ("pgmq", &["pgmq"]),
    ("pg_graphql", &["graphql"]),
    ("pgsodium", &["pgsodium"]),
    ("http", &["http_get", "http_post", "http_request"]),
    ("postgis", &["geometry", "geography"]),
];

/// Whether a failure's message names `ext` or one of its objects.
fn caused_by(message: &str, ext: &str) -> bool {
    let also = PROVIDES.iter().find(|(name, _)| *name == ext).map_or(&[][..], |(_, words)| *words);
    names(message, ext) || also.iter().any(|word| names(message, word))
}

/// Whether `message` names `word` as a whole identifier (`"extensions.vector"` names `vector`).
fn names(message: &str, word: &str) -> bool {
    let is_ident = |c: char| c.is_alphanumeric() || c == '_';
    message.match_indices(word).any(|(at, _)| {
        let before = message[..at].chars().next_back();
        let after = message[at + word.len()..].chars().next();
        !before.is_some_and(is_ident) && !after.is_some_and(is_ident)
    })
}

fn counts(report: &Report) -> (usize, usize) {
    let failed_seeds = report.failures.iter().filter(|f| f.kind == Kind::Seed).count();
    (report.failures.len() - failed_seeds, failed_seeds)
}

fn print_group(ui: &Ui, group: &Group, indent: &str) {
    ui.out(&format!("{indent}{} × {}", group.cause, group.failures.len()));
    for failure in &group.failures {
        let extra = failure.message.strip_prefix(failure.cause.as_str()).unwrap_or_default();
        ui.out(&format!("{indent}  {}:{} ({}){extra}", failure.file.shown, failure.line, failure.file.project));
    }
}

pub(crate) fn print(ui: &Ui, target: &Target, plan: &Plan, report: &Report, seconds: f64) {
    let cached = match report.from_cache {
        0 => String::new(),
        n => format!(" ({n} from the cache)"),
    };
    if report.failures.is_empty() {
        ui.info(&format!(
            "refreshed: {}{cached}, {} in {seconds:.2}s",
            plural(report.migrations, "migration"),
            plural(report.seeds, "seed file")
        ));
        return;
    }
    // The report is the result asked for: printed even with --quiet.
    ui.out(&format!("failed: {}, grouped by first cause:", plural(report.failures.len(), "file")));
    let groups = groups(report);
    // First what each extension left out made fail, under that extension.
    for ext in &report.skipped {
        let under: Vec<&Group> = groups.iter().filter(|g| g.after_skipped == Some(ext.as_str())).collect();
        if under.is_empty() {
            continue;
        }
        let files = under.iter().map(|g| g.failures.len()).sum();
        ui.out(&format!("  after `CREATE EXTENSION {ext}` was left out: {}", plural(files, "file")));
        under.into_iter().for_each(|group| print_group(ui, group, "    "));
    }
    groups.iter().filter(|g| g.after_skipped.is_none()).for_each(|group| print_group(ui, group, "  "));
    let (failed_migrations, failed_seeds) = counts(report);
    ui.out(&format!(
        "refreshed with failures: {} of {} migrations applied{cached}, {failed_migrations} failed; {} of {} seed files, {failed_seeds} failed; \
         {} is the result anyway (--keep-going), in {seconds:.2}s",
        report.migrations,
        plan.migrations.len(),
        report.seeds,
        plan.seeds.len(),
        target.describe()
    ));
}

/// The fields of `refresh --json` inside the envelope: each failed file one error, the
/// failures also grouped by first cause as the text report groups them.
pub(crate) fn to_json(target: &Target, plan: &Plan, report: &Report, seconds: f64) -> serde_json::Value {
    let (failed_migrations, failed_seeds) = counts(report);
    let groups: Vec<serde_json::Value> = groups(report)
        .iter()
        .map(|group| {
            json!({
                "cause": group.cause,
                "count": group.failures.len(),
                "after_skipped_extension": group.after_skipped,
                "files": group.failures.iter().map(|f| file_ref(&f.file)).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({
        "database": target.database,
        "migrations": {
            "total": plan.migrations.len(),
            "applied": report.migrations,
            "from_cache": report.from_cache,
            "failed": failed_migrations,
        },
        "seeds": { "total": plan.seeds.len(), "applied": report.seeds, "failed": failed_seeds },
        "skipped_extensions": report.skipped,
        "failures": groups,
        "seconds": (seconds * 100.0).round() / 100.0,
    })
}

pub(crate) fn file_ref(file: &SqlFile) -> FileRef {
    FileRef { project: file.project.clone(), path: file.shown.clone() }
}

/// The file itself, in its own repo (not the platform's link to it).
pub(crate) fn own_path(ws: &Workspace, file: &SqlFile) -> PathBuf {
    let root = ws.repo(&file.project).map_or_else(|| ws.platform.clone(), |repo| ws.root(repo));
    root.join(&file.shown)
}

/// A failed file as a diagnostic, at the line that failed.
pub(crate) fn failure(ws: &Workspace, f: &FileFailure) -> Diagnostic {
    let code = match f.kind {
        Kind::Migration => Code::MigrationFailed,
        Kind::Seed => Code::SeedFailed,
    };
    let failure = Diagnostic::new(code, own_path(ws, &f.file), f.line, f.message.clone());
    let failure = failure.in_project(&f.file.project);
    match &f.hint {
        Some(hint) => failure.hint(hint),
        None => failure,
    }
}

#[cfg(test)]
mod tests {
    use super::names;

    #[test]
    fn a_cause_names_an_extension_as_a_whole_identifier() {
        assert!(names("type \"extensions.vector\" does not exist", "vector"));
        assert!(names("function vector(integer) does not exist", "vector"));
        assert!(!names("type \"vectors\" does not exist", "vector"));
        assert!(!names("column my_vector does not exist", "vector"));
    }
}
