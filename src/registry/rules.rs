//! What a registry entry may say, checked before anything is touched: a project is a
//! repo of its own beside the platform, its files lie inside it, its name and schema are
//! ones PostgreSQL would take unquoted and no other entry has. The one place these rules
//! live: loading a registry and `link-project` both come here.

use std::collections::{HashMap, HashSet};
use std::path::{Component, Path, PathBuf};

use super::error::{EntryError, Field};
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

/// `^[a-z][a-z0-9_-]*$`
pub(crate) fn is_valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some('a'..='z')) && chars.all(|c| matches!(c, 'a'..='z' | '0'..='9' | '_' | '-'))
}

/// A project's name: at most 63 bytes, `^[a-z][a-z0-9_-]*$`, and not `platform`, which is
/// what every report, JSON document and `check`'s ownership rule call the platform repo.
pub(crate) fn check_name(name: &str) -> Result<(), EntryError> {
    if name.len() > MAX_IDENTIFIER {
        Err(EntryError::NameTooLong(name.to_string()))
    } else if !is_valid_name(name) {
        Err(EntryError::NameCharacters(name.to_string()))
    } else if name == super::PLATFORM {
        let why = "\"platform\" is what mynatca calls the platform repo itself";
        Err(EntryError::NameReserved { name: name.to_string(), why })
    } else {
        Ok(())
    }
}

/// Project `name`'s schema: not `public` (the platform's), a lowercase PostgreSQL
/// identifier that needs no quoting, at most 63 bytes, not one PostgreSQL reserves.
pub(crate) fn check_schema(name: &str, schema: &str) -> Result<(), EntryError> {
    let mut chars = schema.chars();
    let unquoted =
        matches!(chars.next(), Some('a'..='z' | '_')) && chars.all(|c| matches!(c, 'a'..='z' | '0'..='9' | '_' | '$'));
    if schema == "public" {
        Err(EntryError::SchemaPublic { project: name.to_string() })
    } else if schema.len() > MAX_IDENTIFIER {
        Err(EntryError::SchemaTooLong(schema.to_string()))
    } else if !unquoted {
        Err(EntryError::SchemaCharacters(schema.to_string()))
    } else if let Some(why) = reserved_schema(schema) {
        Err(EntryError::SchemaReserved { schema: schema.to_string(), why })
    } else {
        Ok(())
    }
}

/// Why `schema` (valid characters) cannot be a project's schema, if it cannot.
fn reserved_schema(schema: &str) -> Option<&'static str> {
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

/// `rel` (the `migrations` value or one of `seeds`) stays inside the project's repo as
/// text: relative, not empty, never climbing above the repo.
fn inside_as_text(field: Field, rel: &str) -> Result<(), EntryError> {
    let value = || rel.to_string();
    let path = Path::new(rel);
    if path.is_absolute() {
        return Err(EntryError::NotRelative { field, value: value() });
    }
    if rel.is_empty() {
        return Err(EntryError::Empty { field });
    }
    let mut depth = 0usize;
    for component in path.components() {
        match component {
            Component::ParentDir if depth == 0 => return Err(EntryError::LeadsOut { field, value: value() }),
            Component::ParentDir => depth -= 1,
            Component::Normal(_) => depth += 1,
            _ => {}
        }
    }
    Ok(())
}

/// `rel` stays inside the repo at `root` (real), as text and once links are followed.
fn inside(root: &Path, field: Field, rel: &str) -> Result<(), EntryError> {
    inside_as_text(field, rel)?;
    let target = real(&fsutil::absolute_from(root, Path::new(rel)));
    if target.starts_with(root) {
        Ok(())
    } else {
        Err(EntryError::LeadsTo { field, value: rel.to_string(), target })
    }
}

/// Whether any root equals or contains another, in O(n log n): in component order a
/// folder comes right before the first of the folders inside it, so an overlap always
/// shows between neighbours. (Which entry to name is then found the slow way, once.)
fn any_overlap(roots: &[PathBuf]) -> bool {
    let mut sorted: Vec<&PathBuf> = roots.iter().collect();
    sorted.sort();
    sorted.windows(2).any(|pair| pair[1].starts_with(pair[0]))
}

/// The entries one entry is checked against, each with its real folder, and the real
/// platform.
struct Entries<'a> {
    platform: PathBuf,
    roots: Vec<(&'a Project, PathBuf)>,
    names: HashSet<&'a str>,
    /// Schema to the project owning it.
    schemas: HashMap<&'a str, &'a str>,
    /// False when it is known that no two folders overlap: then none is compared with the
    /// others, so a registry of 20,000 entries loads in O(n log n).
    may_overlap: bool,
}

impl<'a> Entries<'a> {
    fn new(platform: PathBuf, may_overlap: bool) -> Self {
        Entries { platform, roots: Vec::new(), names: HashSet::new(), schemas: HashMap::new(), may_overlap }
    }

    /// The real folder of `project`'s repo.
    fn root(&self, project: &Project) -> PathBuf {
        real(&fsutil::absolute_from(&self.platform, Path::new(&project.path)))
    }

    fn add(&mut self, project: &'a Project, root: PathBuf) {
        self.names.insert(&project.name);
        self.schemas.entry(&project.schema).or_insert(&project.name);
        self.roots.push((project, root));
    }

    /// Every rule, in the order of the entry's keys: name, schema, path, migrations, seeds.
    fn check(&self, project: &Project, root: &Path) -> Result<(), EntryError> {
        check_name(&project.name)?;
        if self.names.contains(project.name.as_str()) {
            return Err(EntryError::NameTaken(project.name.clone()));
        }
        check_schema(&project.name, &project.schema)?;
        if let Some(owner) = self.schemas.get(project.schema.as_str()) {
            return Err(EntryError::SchemaTaken { schema: project.schema.clone(), owner: owner.to_string() });
        }
        self.place(&project.path, root)?;
        inside(root, Field::Migrations, &project.migrations)?;
        for (index, seed) in project.seeds.iter().enumerate() {
            inside(root, Field::Seed(index), seed)?;
        }
        Ok(())
    }

    /// Where the repo at `root` (`path` in the entry) is against the platform and the others.
    fn place(&self, path: &str, root: &Path) -> Result<(), EntryError> {
        let path = path.to_string();
        if *root == self.platform {
            return Err(EntryError::PathIsPlatform(path));
        }
        if root.starts_with(&self.platform) {
            return Err(EntryError::PathInsidePlatform(path));
        }
        if self.platform.starts_with(root) {
            return Err(EntryError::PathContainsPlatform(path));
        }
        if root.is_file() {
            return Err(EntryError::PathIsFile(path));
        }
        if !self.may_overlap {
            return Ok(());
        }
        match self.roots.iter().find(|(_, other)| root.starts_with(other) || other.starts_with(root)) {
            Some((other, other_root)) => Err(EntryError::PathOverlaps {
                path,
                other: other.name.clone(),
                other_path: other.path.clone(),
                same: other_root == root,
            }),
            None => Ok(()),
        }
    }
}

/// Every entry of a registry whose file is in `platform`, each against the ones before it;
/// `Err((index, why))` for the first that breaks a rule.
pub(crate) fn check_all(platform: &Path, projects: &[Project]) -> Result<(), (usize, EntryError)> {
    let mut entries = Entries::new(real(platform), false);
    let roots: Vec<PathBuf> = projects.iter().map(|p| entries.root(p)).collect();
    entries.may_overlap = any_overlap(&roots);
    for (index, (project, root)) in projects.iter().zip(roots).enumerate() {
        entries.check(project, &root).map_err(|why| (index, why))?;
        entries.add(project, root);
    }
    Ok(())
}

/// `project` against the platform and `others`, but for the entry of the same name: the
/// one it replaces.
pub(crate) fn check_one(platform: &Path, others: &[Project], project: &Project) -> Result<(), EntryError> {
    let mut entries = Entries::new(real(platform), true);
    for other in others.iter().filter(|other| other.name != project.name) {
        let root = entries.root(other);
        entries.add(other, root);
    }
    entries.check(project, &entries.root(project))
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
        let text = |rel: &str| inside_as_text(Field::Migrations, rel);
        assert_eq!(text("supabase/migrations"), Ok(()));
        assert_eq!(text("a/../b"), Ok(()));
        assert!(matches!(text("../x"), Err(EntryError::LeadsOut { .. })));
        assert!(matches!(text("a/../../x"), Err(EntryError::LeadsOut { .. })));
        assert!(matches!(text("/etc/passwd"), Err(EntryError::NotRelative { .. })));
    }
}
