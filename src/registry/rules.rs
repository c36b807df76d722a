//! What a registry entry may say, checked before anything is touched: a project is a
//! repo of its own beside the platform, its files lie inside it, its schema is one
//! PostgreSQL would take unquoted. Errors name the entry's field, `projects[1].path`.

use std::path::{Component, Path, PathBuf};

use super::Project;
use crate::fsutil;

/// PostgreSQL's and the SQL standard's identifier limit, in bytes.
pub(crate) const MAX_IDENTIFIER: usize = 63;

/// PostgreSQL's reserved keywords and those reserved for types and functions: neither
/// can name a schema unquoted (`create schema user` fails).
const RESERVED: &[&str] = &[
    "all",
    "analyse",
    "analyze",
    "and",
    "any",
    "array",
    "as",
    "asc",
    "asymmetric",
    "authorization",
    "binary",
    "both",
    "case",
    "cast",
    "check",
    "collate",
    "collation",
    "column",
    "concurrently",
    "constraint",
    "create",
    "cross",
    "current_catalog",
    "current_date",
    "current_role",
    "current_schema",
    "current_time",
    "current_timestamp",
    "current_user",
    "default",
    "deferrable",
    "desc",
    "distinct",
    "do",
    "else",
    "end",
    "except",
    "false",
    "fetch",
    "for",
    "foreign",
    "freeze",
    "from",
    "full",
    "grant",
    "group",
    "having",
    "ilike",
    "in",
    "initially",
    "inner",
    "intersect",
    "into",
    "is",
    "isnull",
    "join",
    "lateral",
    "leading",
    "left",
    "like",
    "limit",
    "localtime",
    "localtimestamp",
    "natural",
    "not",
    "notnull",
    "null",
    "offset",
    "on",
    "only",
    "or",
    "order",
    "outer",
    "overlaps",
    "placing",
    "primary",
    "references",
    "returning",
    "right",
    "select",
    "session_user",
    "similar",
    "some",
    "symmetric",
    "system_user",
    "table",
    "tablesample",
    "then",
    "to",
    "trailing",
    "true",
    "union",
    "unique",
    "user",
    "using",
    "variadic",
    "verbose",
    "when",
    "where",
    "window",
    "with",
];

/// Why `schema` cannot be a project's schema, if it cannot. Its characters are checked
/// by [`super::is_valid_schema`].
pub(crate) fn reserved_schema(schema: &str) -> Option<&'static str> {
    if schema.starts_with("pg_") {
        Some("names starting with pg_ are reserved for PostgreSQL's own schemas")
    } else if schema == "information_schema" {
        Some("information_schema is PostgreSQL's own schema")
    } else if RESERVED.binary_search(&schema).is_ok() {
        Some("it is a reserved SQL keyword")
    } else {
        None
    }
}

/// Why `rel` (a `migrations` or `seeds` value) does not stay inside the project's repo
/// as text, if it does not.
pub(crate) fn outside_as_text(rel: &str) -> Option<&'static str> {
    let path = Path::new(rel);
    if path.is_absolute() {
        return Some("must be relative to the project's repo");
    }
    if rel.is_empty() {
        return Some("must not be empty");
    }
    let mut depth = 0usize;
    for component in path.components() {
        match component {
            Component::ParentDir if depth == 0 => return Some("leads out of the project's repo"),
            Component::ParentDir => depth -= 1,
            Component::Normal(_) => depth += 1,
            _ => {}
        }
    }
    None
}

/// Whether any root equals or contains another, in O(n log n): in component order a
/// folder comes right before the first of the folders inside it, so an overlap always
/// shows between neighbours. (Which entry to name is then found the slow way, once.)
fn any_overlap(roots: &[PathBuf]) -> bool {
    let mut sorted: Vec<&PathBuf> = roots.iter().collect();
    sorted.sort();
    sorted.windows(2).any(|pair| pair[1].starts_with(pair[0]))
}

/// Checks that need the disk: where each project's repo is against the platform and the
/// other projects, and where its migrations and seeds really lead (links followed).
/// `Err((index, field, why))`.
pub(crate) fn check_paths(platform: &Path, projects: &[Project]) -> Result<(), (usize, String, String)> {
    let platform = real(platform);
    let roots: Vec<PathBuf> =
        projects.iter().map(|p| real(&fsutil::absolute_from(&platform, Path::new(&p.path)))).collect();
    let overlapping = any_overlap(&roots);
    for (i, (project, root)) in projects.iter().zip(&roots).enumerate() {
        let path = &project.path;
        let why = if *root == platform {
            Some(format!("{path:?} is the platform itself; point it at the sub-project's repo"))
        } else if root.starts_with(&platform) {
            Some(format!("{path:?} lies inside the platform; a sub-project is a repo of its own beside it"))
        } else if platform.starts_with(root) {
            Some(format!("{path:?} contains the platform; point it at the sub-project's repo"))
        } else if root.is_file() {
            Some(format!("{path:?} is a file; point it at the sub-project's repo (a folder)"))
        } else if !overlapping {
            None
        } else {
            roots[..i].iter().zip(projects).find(|(other, _)| root.starts_with(other) || other.starts_with(root)).map(
                |(other, p)| {
                    let how = if other == root { "is the same folder as" } else { "overlaps" };
                    format!("{path:?} {how} project {}'s {:?}; one repo is one project", p.name, p.path)
                },
            )
        };
        if let Some(why) = why {
            return Err((i, "path".to_string(), why));
        }
        let migrations = real(&fsutil::absolute_from(root, Path::new(&project.migrations)));
        if !migrations.starts_with(root) {
            return Err((
                i,
                "migrations".to_string(),
                format!("{:?} leads out of the project's repo", project.migrations),
            ));
        }
        for (j, seed) in project.seeds.iter().enumerate() {
            let file = real(&fsutil::absolute_from(root, Path::new(seed)));
            if !file.starts_with(root) {
                let why = format!("{seed:?} leads to {}, outside the project's repo", file.display());
                return Err((i, format!("seeds[{j}]"), why));
            }
        }
    }
    Ok(())
}

/// The real path, links followed, when it exists; else the lexical one.
fn real(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| fsutil::normalize(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_overlap_is_found_between_neighbours_in_component_order() {
        let roots = |paths: &[&str]| paths.iter().map(PathBuf::from).collect::<Vec<_>>();
        assert!(!any_overlap(&roots(&["/ws/pay", "/ws/pay-2", "/ws/discord", "/ws/pay2"])));
        assert!(any_overlap(&roots(&["/ws/pay/x", "/ws/a", "/ws/pay", "/ws/pay-2"])), "a folder and one inside it");
        assert!(any_overlap(&roots(&["/ws/b", "/ws/pay", "/ws/a", "/ws/pay"])), "the same folder twice");
        assert!(any_overlap(&roots(&["/ws/pay/a", "/ws/pay/b/c", "/ws/pay/b"])));
    }

    #[test]
    fn the_keyword_list_is_sorted_for_binary_search() {
        assert!(RESERVED.windows(2).all(|w| w[0] < w[1]));
        assert!(reserved_schema("user").is_some() && reserved_schema("select").is_some());
        assert!(reserved_schema("pg_pay").is_some() && reserved_schema("information_schema").is_some());
        assert!(reserved_schema("pay").is_none() && reserved_schema("users").is_none());
    }

    #[test]
    fn relative_values_stay_inside() {
        assert!(outside_as_text("supabase/migrations").is_none());
        assert!(outside_as_text("a/../b").is_none());
        assert!(outside_as_text("../x").is_some());
        assert!(outside_as_text("a/../../x").is_some());
        assert!(outside_as_text("/etc/passwd").is_some());
    }
}
