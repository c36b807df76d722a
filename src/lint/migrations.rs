//! Every migration of the workspace through every SQL rule: each file is read and
//! parsed once (on all cores; libpg_query is thread-safe), then the workspace-wide
//! rules run over the files in apply order.

use std::collections::HashSet;
use std::path::Path;
use std::time::SystemTime;

use super::history::{self, Base, Late};
use super::links;
use super::order::order_findings;
use super::ownership::{analyze_sql, ownership_findings, Owners};
use super::parsed::{MigrationFile, Parsed};
use super::renames::Renames;
use super::rls::rls_findings;
use super::{name_findings, Code, Diagnostic};
use crate::migration;
use crate::reconcile::Duplicate;

/// What the SQL rules need besides the files.
pub(crate) struct Context<'a> {
    pub(crate) owners: &'a Owners,
    /// `[api] schemas` of config.toml.
    pub(crate) exposed: &'a HashSet<String>,
    /// Each repo's base, for `history-edit` and `out-of-order`.
    pub(crate) bases: &'a [Base],
    /// Every version in the workspace's work trees, for suggesting a free one.
    pub(crate) versions: &'a HashSet<String>,
    /// Versions more than one file has, for `duplicate-version`.
    pub(crate) shared: &'a [Duplicate],
}

/// Names, parse, transaction, ownership, order, rls, history-edit, out-of-order and
/// duplicate-version over `files`, every suggested name from one [`Renames`], less what
/// their `-- mynatca-ignore:` comments silence.
pub(crate) fn check_migrations(files: &[MigrationFile], context: &Context) -> Vec<Diagnostic> {
    let results = read_all(files);
    let mut findings: Vec<Diagnostic> = Vec::new();
    let mut parsed: Vec<Parsed> = Vec::new();
    for (found, file) in results {
        findings.extend(found);
        parsed.extend(file);
    }
    // Apply order: byte-wise by file name across repos.
    parsed.sort_by_cached_key(|p| p.name().to_string());
    let in_order: Vec<&Parsed> = parsed.iter().filter(|p| p.parses).collect();
    findings.extend(ownership_findings(&in_order, context.owners));
    findings.extend(order_findings(&in_order));
    findings.extend(rls_findings(&in_order, context.exposed));
    let late = history::late_files(context.bases, files, &parsed);
    let renames = renames(files, context, &late);
    for file in files {
        findings.extend(name_findings(&file.path, file.schema, renames.of(&file.path)));
    }
    findings.extend(history::history_findings(context.bases, files, &parsed, &late, &renames));
    findings.extend(links::duplicate_findings(context.shared, &renames, applied(context.bases)));
    super::ignores::apply_ignores(&parsed, &mut findings);
    findings
}

/// The base a project's file is on, if any: production may have applied it.
fn applied(bases: &[Base]) -> impl Fn(&str, &str) -> Option<String> + '_ {
    |project, name| bases.iter().find(|b| b.project == project && b.has(name)).map(|b| b.reference.clone())
}

/// The one allocator of suggested names for this run: new versions for the late files
/// and for all but one file of each shared version, free in the work trees and on the bases.
fn renames(files: &[MigrationFile], context: &Context, late: &[Late]) -> Renames {
    let applied = applied(context.bases);
    let mut renew: HashSet<&Path> = late.iter().map(|late| late.file.path.as_path()).collect();
    renew.extend(links::version_renewals(context.shared, |project, name| applied(project, name).is_some()));
    let mut taken = context.versions.clone();
    taken.extend(context.bases.iter().flat_map(|b| b.versions().map(str::to_string)));
    let now = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    Renames::plan(files, &renew, applied, &taken, now)
}

/// Each file's own findings and, when it was read, its text and statements, in input order.
fn read_all(files: &[MigrationFile]) -> Vec<(Vec<Diagnostic>, Option<Parsed>)> {
    let one = |m: &MigrationFile| {
        // The Supabase CLI never runs a file its pattern skips.
        if migration::parse(m.name()).is_none() {
            return (Vec::new(), None);
        }
        let mut found = Vec::new();
        // Regular files only, at most 64 MiB: a FIFO or /dev/zero is refused, never read.
        match crate::fsutil::read_sql_file(&m.path).map(String::from_utf8) {
            Ok(Ok(sql)) => {
                let (sql_found, statements) = analyze_sql(&m.path, &sql);
                found.extend(sql_found);
                let parses = statements.is_some();
                let statements = statements.unwrap_or_default();
                (found, Some(Parsed { path: m.path.clone(), project: m.project.to_string(), sql, statements, parses }))
            }
            Ok(Err(_)) => {
                found.push(Diagnostic::new(Code::Parse, &m.path, 1, "not UTF-8 text; save it as UTF-8"));
                (found, None)
            }
            Err(err) => {
                found.push(Diagnostic::new(Code::Parse, &m.path, 1, format!("cannot read it: {err}")));
                (found, None)
            }
        }
    };
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get()).min(files.len().max(1));
    let chunk = files.len().div_ceil(workers).max(1);
    std::thread::scope(|scope| {
        let handles: Vec<_> =
            files.chunks(chunk).map(|part| scope.spawn(move || part.iter().map(one).collect::<Vec<_>>())).collect();
        handles.into_iter().flat_map(|h| h.join().expect("a check thread panicked")).collect()
    })
}
