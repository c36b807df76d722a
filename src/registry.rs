//! The registry, `platform/.linked-projects.json`: which projects are linked, where, and
//! which schema each owns.
//!
//! The parsed JSON document is kept as it was read, and edits change it in place, so
//! unknown keys and key order survive a rewrite.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::error::ConfigError;
use crate::fsutil;

mod error;
mod rules;
pub(crate) use error::{EntryError, Field};
pub(crate) use rules::{check_name, is_valid_name};

pub(crate) const FILE_NAME: &str = ".linked-projects.json";
/// What every report calls the platform repo, so no project may take the name.
pub(crate) const PLATFORM: &str = "platform";
pub(crate) const DEFAULT_MIGRATIONS: &str = "supabase/migrations";
pub(crate) const DEFAULT_SEED: &str = "supabase/seed.sql";
pub(crate) const DEFAULT_PROTECTED_BRANCHES: [&str; 2] = ["main", "staging"];

/// One linked project, with the registry's defaults filled in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Project {
    pub(crate) name: String,
    /// As written in the registry: relative to the platform root, or absolute.
    pub(crate) path: String,
    pub(crate) schema: String,
    /// Relative to the project root.
    pub(crate) migrations: String,
    /// Relative to the project root.
    pub(crate) seeds: Vec<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct Registry {
    pub(crate) path: PathBuf,
    doc: Value,
    pub(crate) projects: Vec<Project>,
    pub(crate) protected_branches: Vec<String>,
}

impl Registry {
    /// A registry with no projects, not yet on disk.
    pub(crate) fn empty(path: PathBuf) -> Self {
        let doc = serde_json::json!({ "version": 1, "projects": [] });
        Registry::from_doc(path, doc).expect("the empty registry is valid")
    }

    /// Reads and validates the registry file.
    pub(crate) fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path)
            .map_err(|err| ConfigError::new(format!("cannot read {}: {err}", path.display())))?;
        Registry::parse(path.to_path_buf(), &text)
    }

    pub(crate) fn parse(path: PathBuf, text: &str) -> Result<Self, ConfigError> {
        let doc: Value = serde_json::from_str(text).map_err(|err| {
            ConfigError::new(format!("invalid JSON: {}", strip_position(&err.to_string())))
                .at(&path)
                .position(err.line(), err.column().max(1))
                .hint("fix the file (see `mynatca link-project --help`)")
        })?;
        Registry::from_doc(path, doc)
    }

    fn from_doc(path: PathBuf, doc: Value) -> Result<Self, ConfigError> {
        let bad = |what: &str| ConfigError::new(what).at(&path);
        let top = doc.as_object().ok_or_else(|| bad("expected a JSON object"))?;
        match top.get("version") {
            Some(Value::Number(n)) if n.as_u64() == Some(1) => {}
            Some(other) => {
                return Err(bad(&format!("unsupported registry version {other} (this mynatca reads version 1)")))
            }
            None => return Err(bad("missing \"version\": 1")),
        }
        let entries = match top.get("projects") {
            None => &[][..],
            Some(Value::Array(items)) => items.as_slice(),
            Some(_) => return Err(bad("\"projects\" must be an array")),
        };
        let projects = entries
            .iter()
            .enumerate()
            .map(|(index, entry)| parse_project(entry).map_err(|err| err.in_file(&path, index)))
            .collect::<Result<Vec<_>, _>>()?;
        rules::check_all(platform_of(&path), &projects).map_err(|(index, err)| err.in_file(&path, index))?;
        let protected_branches = match top.get("protected_branches") {
            None => DEFAULT_PROTECTED_BRANCHES.iter().map(|s| s.to_string()).collect(),
            Some(value) => {
                string_list(value).ok_or_else(|| bad("\"protected_branches\" must be an array of strings"))?
            }
        };
        Ok(Registry { path, doc, projects, protected_branches })
    }

    pub(crate) fn project(&self, name: &str) -> Option<&Project> {
        self.projects.iter().find(|p| p.name == name)
    }

    /// Every rule `project` must keep to be in this registry, the ones loading checks:
    /// against the platform and the other entries, the one of the same name excepted (it
    /// is the entry `project` would replace). Folders that do not exist yet are no error.
    pub(crate) fn validate_entry(&self, project: &Project) -> Result<(), EntryError> {
        rules::check_one(platform_of(&self.path), &self.projects, project)
    }

    /// The rules for a schema on its own, for a prompt asking for one: valid, and owned by
    /// no project other than `name`.
    pub(crate) fn check_schema(&self, name: &str, schema: &str) -> Result<(), EntryError> {
        rules::check_schema(name, schema)?;
        match self.projects.iter().find(|p| p.schema == schema && p.name != name) {
            Some(owner) => Err(EntryError::SchemaTaken { schema: schema.to_string(), owner: owner.name.clone() }),
            None => Ok(()),
        }
    }

    /// Puts `project` in the registry once [`Self::validate_entry`] accepts it: the entry
    /// of that name gets its values (its other keys kept), or a new entry is appended.
    /// `migrations` and `seeds` are written only when they differ from the defaults (a key
    /// holding the value already is left as it is). Nothing is written to disk.
    pub(crate) fn upsert(&mut self, project: &Project) -> Result<(), EntryError> {
        self.validate_entry(project)?;
        let entries = self
            .doc
            .as_object_mut()
            .expect("validated on load")
            .entry("projects")
            .or_insert_with(|| Value::Array(Vec::new()))
            .as_array_mut()
            .expect("validated on load");
        let at = entries.iter().position(|e| e.get("name").and_then(Value::as_str) == Some(&project.name));
        let entry = match at {
            Some(at) => &mut entries[at],
            None => {
                entries.push(serde_json::json!({ "name": project.name }));
                entries.last_mut().expect("just pushed")
            }
        };
        let entry = entry.as_object_mut().expect("validated on load");
        entry.insert("path".into(), project.path.clone().into());
        entry.insert("schema".into(), project.schema.clone().into());
        set_unless_default(entry, "migrations", project.migrations.clone().into(), DEFAULT_MIGRATIONS.into());
        set_unless_default(entry, "seeds", project.seeds.clone().into(), serde_json::json!([DEFAULT_SEED]));
        match self.projects.iter_mut().find(|p| p.name == project.name) {
            Some(old) => *old = project.clone(),
            None => self.projects.push(project.clone()),
        }
        Ok(())
    }

    /// Removes the project called `name`; false if there was none.
    pub(crate) fn remove(&mut self, name: &str) -> bool {
        let Some(projects) = self.doc.get_mut("projects").and_then(Value::as_array_mut) else {
            return false;
        };
        let before = projects.len();
        projects.retain(|p| p.get("name").and_then(Value::as_str) != Some(name));
        let removed = projects.len() != before;
        self.projects.retain(|p| p.name != name);
        removed
    }

    /// The document as written: 2-space indent and a final newline.
    pub(crate) fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(&self.doc).expect("a JSON value serialises");
        text.push('\n');
        text
    }

    /// Writes the registry atomically (temp file + rename).
    pub(crate) fn save(&self) -> std::io::Result<()> {
        fsutil::write_atomic(&self.path, self.to_json().as_bytes())
    }
}

/// The folder of the registry file at `path`.
fn platform_of(path: &Path) -> &Path {
    path.parent().unwrap_or(Path::new("/"))
}

/// Sets `key` to `value`; a default value is not written (the key is removed), and a key
/// holding `value` already is left alone.
fn set_unless_default(entry: &mut Map<String, Value>, key: &str, value: Value, default: Value) {
    if entry.get(key) != Some(&value) {
        if value == default {
            entry.shift_remove(key);
        } else {
            entry.insert(key.to_string(), value);
        }
    }
}

/// One entry's keys and their JSON types, the defaults filled in; the rules are
/// [`rules::check_all`]'s.
fn parse_project(entry: &Value) -> Result<Project, EntryError> {
    let obj = entry.as_object().ok_or(EntryError::NotAnObject)?;
    let text = |key: &str, field: Field| -> Result<Option<String>, EntryError> {
        match obj.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(EntryError::NotAString(field)),
        }
    };
    let name = text("name", Field::Name)?.ok_or(EntryError::Missing { key: Field::Name, project: None })?;
    let missing = |key| EntryError::Missing { key, project: Some(name.clone()) };
    let path = text("path", Field::Path)?.filter(|p| !p.is_empty()).ok_or_else(|| missing(Field::Path))?;
    let schema = text("schema", Field::Schema)?.ok_or_else(|| missing(Field::Schema))?;
    let migrations = text("migrations", Field::Migrations)?.unwrap_or_else(|| DEFAULT_MIGRATIONS.to_string());
    let seeds = match obj.get("seeds") {
        None => vec![DEFAULT_SEED.to_string()],
        Some(value) => string_list(value).ok_or_else(|| EntryError::NotStrings { project: name.clone() })?,
    };
    Ok(Project { name, path, schema, migrations, seeds })
}

fn string_list(value: &Value) -> Option<Vec<String>> {
    value.as_array()?.iter().map(|v| v.as_str().map(str::to_string)).collect()
}

/// serde_json appends " at line L column C"; we print the position up front instead.
fn strip_position(message: &str) -> &str {
    message.rfind(" at line ").map_or(message, |i| &message[..i])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Registry, ConfigError> {
        Registry::parse(PathBuf::from("/ws/platform/.linked-projects.json"), text)
    }

    #[test]
    fn defaults_fill_in() {
        let r = parse(r#"{"version":1,"projects":[{"name":"pay","path":"../pay","schema":"pay"}]}"#).unwrap();
        assert_eq!(r.projects[0].migrations, "supabase/migrations");
        assert_eq!(r.projects[0].seeds, vec!["supabase/seed.sql"]);
        assert_eq!(r.protected_branches, vec!["main", "staging"]);
    }

    #[test]
    fn bad_json_names_file_line_and_column() {
        let err = parse("{\n  \"version\": 1,\n  \"projects\": [,]\n}").unwrap_err();
        assert!(err.to_string().starts_with("/ws/platform/.linked-projects.json:3:"), "{}", err.to_string());
    }

    #[test]
    fn loading_names_the_file_and_the_entrys_field() {
        let file = "/ws/platform/.linked-projects.json";
        let cases = [
            (r#"{"version":2}"#, "unsupported registry version 2 (this mynatca reads version 1)".to_string()),
            (r#"{"version":1,"projects":[1]}"#, "projects[0]: expected an object".into()),
            (r#"{"version":1,"projects":[{"name":"a","schema":"a"}]}"#, "projects[0]: project \"a\": missing \"path\"".into()),
            (r#"{"version":1,"projects":[{"name":"a","path":"../a","schema":1}]}"#, "projects[0].schema: must be a string".into()),
            (
                r#"{"version":1,"projects":[{"name":"a","path":"../a","schema":"a"},{"name":"a","path":"../b","schema":"b"}]}"#,
                "projects[1].name: duplicate project name \"a\"".into(),
            ),
            (
                r#"{"version":1,"projects":[{"name":"a","path":"../a","schema":"s"},{"name":"b","path":"../b","schema":"s"}]}"#,
                "projects[1].schema: schema \"s\" is owned by project a; each schema has one owner: pick another".into(),
            ),
            (
                r#"{"version":1,"projects":[{"name":"Pay","path":"../a","schema":"pay"}]}"#,
                "projects[0].name: invalid project name \"Pay\": use lowercase letters, digits, '_' and '-', starting with a letter".into(),
            ),
        ];
        for (text, message) in cases {
            assert_eq!(parse(text).unwrap_err().to_string(), format!("{file}: {message}"));
        }
    }

    #[test]
    fn upsert_keeps_unknown_keys_and_order_and_writes_only_what_differs_from_the_defaults() {
        let text = "{\n  \"comment\": \"keep me\",\n  \"version\": 1,\n  \"projects\": [\n    {\n      \"name\": \"pay\",\n      \"team\": \"payroll\",\n      \"path\": \"../pay\",\n      \"schema\": \"pay\",\n      \"migrations\": \"supabase/migrations\"\n    }\n  ]\n}\n";
        let mut r = parse(text).unwrap();
        assert_eq!(r.to_json(), text);
        // The same values: a key holding the default already stays.
        r.upsert(&r.projects[0].clone()).unwrap();
        assert_eq!(r.to_json(), text);
        let discord = Project {
            name: "discord".into(),
            path: "../discord".into(),
            schema: "discord".into(),
            migrations: "db/migrations".into(),
            seeds: vec![DEFAULT_SEED.into()],
        };
        r.upsert(&discord).unwrap();
        let json = r.to_json();
        assert!(json.starts_with("{\n  \"comment\": \"keep me\",\n  \"version\": 1,"));
        assert!(json.contains("\"team\": \"payroll\""));
        assert!(json.contains(
            "\"name\": \"discord\",\n      \"path\": \"../discord\",\n      \"schema\": \"discord\",\n      \"migrations\": \"db/migrations\"\n    }"
        ));
        assert_eq!(r.projects[1], discord);
        // Back to the default: the key goes.
        r.upsert(&Project { migrations: DEFAULT_MIGRATIONS.into(), ..discord }).unwrap();
        assert!(!r.to_json().contains("db/migrations"));
        assert!(r.remove("pay"));
        assert_eq!(r.projects.len(), 1);
        assert!(!r.to_json().contains("payroll"));
        // A bad entry changes nothing.
        let before = r.to_json();
        let bad =
            Project { name: "bid".into(), path: "../bid".into(), schema: "discord".into(), ..r.projects[0].clone() };
        assert!(matches!(r.upsert(&bad), Err(EntryError::SchemaTaken { .. })));
        assert_eq!((r.to_json(), r.projects.len()), (before, 1));
    }

    #[test]
    fn name_characters() {
        assert!(is_valid_name("pay") && is_valid_name("bid-2") && !is_valid_name("2pay") && !is_valid_name(""));
    }

    /// On disk: `platform/` (with `sub/`) registering `pay` (with `sub/`), `bid/`, whose
    /// `supabase/out` links to `/etc`, and a file `afile`.
    fn workspace() -> (tempfile::TempDir, Registry) {
        let dir = tempfile::tempdir().unwrap();
        for folder in ["platform/sub", "pay/sub", "bid/supabase/migrations"] {
            std::fs::create_dir_all(dir.path().join(folder)).unwrap();
        }
        std::fs::write(dir.path().join("afile"), "").unwrap();
        std::os::unix::fs::symlink("/etc", dir.path().join("bid/supabase/out")).unwrap();
        let text = r#"{"version":1,"projects":[{"name":"pay","path":"../pay","schema":"pay"}]}"#;
        let registry = Registry::parse(dir.path().join("platform").join(FILE_NAME), text).unwrap();
        (dir, registry)
    }

    #[test]
    fn validate_entry_names_the_rule_each_bad_value_breaks() {
        let (_dir, registry) = workspace();
        let bid = Project {
            name: "bid".into(),
            path: "../bid".into(),
            schema: "bid".into(),
            migrations: DEFAULT_MIGRATIONS.into(),
            seeds: vec![DEFAULT_SEED.into()],
        };
        assert_eq!(registry.validate_entry(&bid), Ok(()));
        // The entry of the same name is the one replaced: no clash with itself.
        assert_eq!(
            registry.validate_entry(&Project { path: "../pay/".into(), ..registry.projects[0].clone() }),
            Ok(())
        );
        let name = |name: &str| Project { name: name.into(), ..bid.clone() };
        let schema = |schema: &str| Project { schema: schema.into(), ..bid.clone() };
        let path = |path: &str| Project { path: path.into(), ..bid.clone() };
        let migrations = |dir: &str| Project { migrations: dir.into(), ..bid.clone() };
        let seeds = |seeds: &[&str]| Project { seeds: seeds.iter().map(|s| s.to_string()).collect(), ..bid.clone() };
        let long = "a".repeat(64);
        let owned = |s: &str| s.to_string();
        use EntryError::*;
        #[rustfmt::skip]
        let cases: Vec<(Project, EntryError, String)> = vec![
            (name(&long), NameTooLong(long.clone()), format!("invalid project name {long:?}: at most 63 bytes (PostgreSQL's identifier limit)")),
            (name("Pay"), NameCharacters(owned("Pay")), owned("invalid project name \"Pay\": use lowercase letters, digits, '_' and '-', starting with a letter")),
            (name("2pay"), NameCharacters(owned("2pay")), owned("invalid project name \"2pay\": use lowercase letters, digits, '_' and '-', starting with a letter")),
            (name("platform"), NameReserved { name: owned("platform"), why: "\"platform\" is what mynatca calls the platform repo itself" },
                owned("invalid project name \"platform\": \"platform\" is what mynatca calls the platform repo itself; give the project another name (e.g. \"platform-app\")")),
            (schema("public"), SchemaPublic { project: owned("bid") }, owned("schema \"public\" belongs to the platform; give bid a schema of its own")),
            (schema(&long), SchemaTooLong(long.clone()), format!("invalid schema {long:?}: at most 63 bytes (PostgreSQL's identifier limit)")),
            (schema("Pay-1"), SchemaCharacters(owned("Pay-1")), owned("invalid schema \"Pay-1\": use lowercase letters, digits and '_', starting with a letter or '_'")),
            (schema("user"), SchemaReserved { schema: owned("user"), why: "it is a reserved SQL keyword" },
                owned("schema \"user\" cannot be used: it is a reserved SQL keyword; pick another")),
            (schema("pg_bid"), SchemaReserved { schema: owned("pg_bid"), why: "names starting with pg_ are reserved for PostgreSQL's own schemas" },
                owned("schema \"pg_bid\" cannot be used: names starting with pg_ are reserved for PostgreSQL's own schemas; pick another")),
            (schema("information_schema"), SchemaReserved { schema: owned("information_schema"), why: "information_schema is PostgreSQL's own schema" },
                owned("schema \"information_schema\" cannot be used: information_schema is PostgreSQL's own schema; pick another")),
            (schema("pay"), SchemaTaken { schema: owned("pay"), owner: owned("pay") },
                owned("schema \"pay\" is owned by project pay; each schema has one owner: pick another")),
            (path("."), PathIsPlatform(owned(".")), owned("\".\" is the platform itself; point it at the sub-project's repo")),
            (path("./sub"), PathInsidePlatform(owned("./sub")), owned("\"./sub\" lies inside the platform; a sub-project is a repo of its own beside it")),
            (path(".."), PathContainsPlatform(owned("..")), owned("\"..\" contains the platform; point it at the sub-project's repo")),
            (path("../afile"), PathIsFile(owned("../afile")), owned("\"../afile\" is a file; point it at the sub-project's repo (a folder)")),
            (path("../pay/"), PathOverlaps { path: owned("../pay/"), other: owned("pay"), other_path: owned("../pay"), same: true },
                owned("\"../pay/\" is the same folder as project pay's \"../pay\"; one repo is one project")),
            (path("../pay/sub"), PathOverlaps { path: owned("../pay/sub"), other: owned("pay"), other_path: owned("../pay"), same: false },
                owned("\"../pay/sub\" overlaps project pay's \"../pay\"; one repo is one project")),
            (migrations("/tmp"), NotRelative { field: Field::Migrations, value: owned("/tmp") }, owned("\"/tmp\" must be relative to the project's repo")),
            (migrations(""), Empty { field: Field::Migrations }, owned("\"\" must not be empty")),
            (migrations("a/../../x"), LeadsOut { field: Field::Migrations, value: owned("a/../../x") }, owned("\"a/../../x\" leads out of the project's repo")),
            (migrations("supabase/out"), LeadsTo { field: Field::Migrations, value: owned("supabase/out"), target: PathBuf::from("/etc") },
                owned("\"supabase/out\" leads to /etc, outside the project's repo")),
            (seeds(&["supabase/seed.sql", "/etc/passwd"]), NotRelative { field: Field::Seed(1), value: owned("/etc/passwd") },
                owned("\"/etc/passwd\" must be relative to the project's repo")),
            (seeds(&["supabase/out/passwd"]), LeadsTo { field: Field::Seed(0), value: owned("supabase/out/passwd"), target: PathBuf::from("/etc/passwd") },
                owned("\"supabase/out/passwd\" leads to /etc/passwd, outside the project's repo")),
        ];
        for (project, error, message) in cases {
            let got = registry.validate_entry(&project);
            assert_eq!(got.as_ref(), Err(&error), "{project:?}");
            assert_eq!(ConfigError::from(error).to_string(), message);
        }
        // The schema prompt's check is the same rules.
        assert_eq!(registry.check_schema("bid", "bid"), Ok(()));
        assert_eq!(registry.check_schema("pay", "pay"), Ok(()));
        assert!(matches!(registry.check_schema("bid", "pay"), Err(SchemaTaken { .. })));
        assert!(matches!(registry.check_schema("bid", "user"), Err(SchemaReserved { .. })));
    }
}
