//! The registry, `platform/.linked-projects.json`: which projects are linked, where, and
//! which schema each owns.
//!
//! The parsed JSON document is kept as it was read, and edits change it in place, so
//! unknown keys and key order survive a rewrite.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::error::ConfigError;
use crate::fsutil;

mod rules;
pub(crate) use rules::reserved_schema;

pub(crate) const FILE_NAME: &str = ".linked-projects.json";
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

/// `^[a-z][a-z0-9_-]*$`
pub(crate) fn is_valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some('a'..='z')) && chars.all(|c| matches!(c, 'a'..='z' | '0'..='9' | '_' | '-'))
}

/// Why a project cannot be called `name`: `platform` is what every report, JSON document
/// and `check`'s ownership rule call the platform repo itself.
pub(crate) fn reserved_name(name: &str) -> Option<&'static str> {
    (name == "platform").then_some("\"platform\" is what mynatca calls the platform repo itself")
}

/// A lowercase Postgres identifier that needs no quoting (at most 63 bytes); see also
/// [`reserved_schema`].
pub(crate) fn is_valid_schema(schema: &str) -> bool {
    let mut chars = schema.chars();
    schema.len() <= 63
        && matches!(chars.next(), Some('a'..='z' | '_'))
        && chars.all(|c| matches!(c, 'a'..='z' | '0'..='9' | '_' | '$'))
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
        let bad = |what: String| ConfigError::new(what).at(&path);
        let top = doc.as_object().ok_or_else(|| bad("expected a JSON object".into()))?;
        match top.get("version") {
            Some(Value::Number(n)) if n.as_u64() == Some(1) => {}
            Some(other) => {
                return Err(bad(format!("unsupported registry version {other} (this mynatca reads version 1)")))
            }
            None => return Err(bad("missing \"version\": 1".into())),
        }
        let mut projects = Vec::new();
        let entries = match top.get("projects") {
            None => &[][..],
            Some(Value::Array(items)) => items.as_slice(),
            Some(_) => return Err(bad("\"projects\" must be an array".into())),
        };
        let (mut names, mut schemas) = (HashSet::new(), HashSet::new());
        for (index, entry) in entries.iter().enumerate() {
            let project = parse_project(entry).map_err(|(field, why)| {
                let dot = if field.is_empty() { "" } else { "." };
                bad(format!("projects[{index}]{dot}{field}: {why}"))
            })?;
            if !names.insert(project.name.clone()) {
                return Err(bad(format!("projects[{index}].name: duplicate project name {:?}", project.name)));
            }
            if !schemas.insert(project.schema.clone()) {
                return Err(bad(format!(
                    "projects[{index}].schema: schema {:?} is claimed by two projects; each schema has one owner",
                    project.schema
                )));
            }
            projects.push(project);
        }
        let platform = path.parent().unwrap_or(Path::new("/"));
        rules::check_paths(platform, &projects)
            .map_err(|(index, field, why)| bad(format!("projects[{index}].{field}: {why}")))?;
        let protected_branches = match top.get("protected_branches") {
            None => DEFAULT_PROTECTED_BRANCHES.iter().map(|s| s.to_string()).collect(),
            Some(value) => {
                string_list(value).ok_or_else(|| bad("\"protected_branches\" must be an array of strings".into()))?
            }
        };
        Ok(Registry { path, doc, projects, protected_branches })
    }

    pub(crate) fn project(&self, name: &str) -> Option<&Project> {
        self.projects.iter().find(|p| p.name == name)
    }

    /// Sets `fields` on the project called `name` (other keys kept), appending a new
    /// entry if there is none; `None` removes a key. Then revalidates.
    pub(crate) fn upsert(&mut self, name: &str, fields: &[(&str, Option<Value>)]) -> Result<(), ConfigError> {
        let mut doc = self.doc.clone();
        let top = doc.as_object_mut().expect("validated on load");
        let projects = top
            .entry("projects")
            .or_insert_with(|| Value::Array(Vec::new()))
            .as_array_mut()
            .expect("validated on load");
        let position = projects.iter().position(|p| p.get("name").and_then(Value::as_str) == Some(name));
        let entry = match position {
            Some(i) => projects[i].as_object_mut().expect("validated on load"),
            None => {
                let mut fresh = Map::new();
                fresh.insert("name".into(), Value::String(name.into()));
                projects.push(Value::Object(fresh));
                projects.last_mut().and_then(Value::as_object_mut).expect("just pushed")
            }
        };
        for (key, value) in fields {
            match value {
                Some(value) => {
                    entry.insert(key.to_string(), value.clone());
                }
                None => {
                    entry.shift_remove(*key);
                }
            }
        }
        *self = Registry::from_doc(self.path.clone(), doc)?;
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

/// One entry, or `(field, why)`.
fn parse_project(entry: &Value) -> Result<Project, (String, String)> {
    let whole = |why: &str| (String::new(), why.to_string());
    let obj = entry.as_object().ok_or_else(|| whole("expected an object"))?;
    let text = |key: &str| -> Result<Option<String>, (String, String)> {
        match obj.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err((key.to_string(), "must be a string".to_string())),
        }
    };
    let at = |key: &str, why: String| (key.to_string(), why);
    let name = text("name")?.ok_or_else(|| whole("missing \"name\""))?;
    if !is_valid_name(&name) || name.len() > rules::MAX_IDENTIFIER {
        return Err(at("name", format!("invalid name {name:?} (lowercase letters, digits, '_' and '-', starting with a letter, at most 63 bytes)")));
    }
    if let Some(why) = reserved_name(&name) {
        return Err(at("name", format!("project name {name:?} cannot be used: {why}; rename the project (e.g. \"platform-app\") and run `mynatca link`")));
    }
    let path =
        text("path")?.filter(|p| !p.is_empty()).ok_or_else(|| whole(&format!("project {name:?}: missing \"path\"")))?;
    let schema = text("schema")?.ok_or_else(|| whole(&format!("project {name:?}: missing \"schema\"")))?;
    if schema == "public" {
        return Err(at("schema", format!("project {name:?}: schema \"public\" belongs to the platform")));
    }
    if !is_valid_schema(&schema) {
        return Err(at("schema", format!("project {name:?}: invalid schema {schema:?} (a lowercase unquoted PostgreSQL identifier of at most 63 bytes)")));
    }
    if let Some(why) = rules::reserved_schema(&schema) {
        return Err(at("schema", format!("project {name:?}: schema {schema:?} cannot be used: {why}; pick another")));
    }
    let migrations = text("migrations")?.unwrap_or_else(|| DEFAULT_MIGRATIONS.to_string());
    if let Some(why) = rules::outside_as_text(&migrations) {
        return Err(at("migrations", format!("{migrations:?} {why}")));
    }
    let seeds = match obj.get("seeds") {
        None => vec![DEFAULT_SEED.to_string()],
        Some(value) => {
            string_list(value).ok_or_else(|| at("seeds", format!("project {name:?}: must be an array of strings")))?
        }
    };
    for (i, seed) in seeds.iter().enumerate() {
        if let Some(why) = rules::outside_as_text(seed) {
            return Err(at(&format!("seeds[{i}]"), format!("{seed:?} {why}")));
        }
    }
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
    fn rejects_other_versions_duplicates_and_public() {
        assert!(parse(r#"{"version":2}"#).unwrap_err().to_string().contains("version 2"));
        let dup = r#"{"version":1,"projects":[{"name":"pay","path":"a","schema":"a"},{"name":"pay","path":"b","schema":"b"}]}"#;
        assert!(parse(dup).unwrap_err().to_string().contains("duplicate project name"));
        let dup_schema =
            r#"{"version":1,"projects":[{"name":"a","path":"a","schema":"s"},{"name":"b","path":"b","schema":"s"}]}"#;
        assert!(parse(dup_schema).unwrap_err().to_string().contains("claimed by two projects"));
        let public = r#"{"version":1,"projects":[{"name":"a","path":"a","schema":"public"}]}"#;
        assert!(parse(public).unwrap_err().to_string().contains("public"));
        let bad_name = r#"{"version":1,"projects":[{"name":"Pay","path":"a","schema":"pay"}]}"#;
        assert!(parse(bad_name).unwrap_err().to_string().contains("invalid name"));
    }

    #[test]
    fn rewrite_keeps_unknown_keys_and_order() {
        let text = "{\n  \"comment\": \"keep me\",\n  \"version\": 1,\n  \"projects\": [\n    {\n      \"name\": \"pay\",\n      \"team\": \"payroll\",\n      \"path\": \"../pay\",\n      \"schema\": \"pay\"\n    }\n  ]\n}\n";
        let mut r = parse(text).unwrap();
        assert_eq!(r.to_json(), text);
        r.upsert("discord", &[("path", Some("../discord".into())), ("schema", Some("discord".into()))]).unwrap();
        let json = r.to_json();
        assert!(json.starts_with("{\n  \"comment\": \"keep me\",\n  \"version\": 1,"));
        assert!(json.contains("\"team\": \"payroll\""));
        assert_eq!(r.projects[1].name, "discord");
        assert!(r.remove("pay"));
        assert_eq!(r.projects.len(), 1);
        assert!(!r.to_json().contains("payroll"));
    }

    #[test]
    fn schema_and_name_rules() {
        assert!(is_valid_name("pay") && is_valid_name("bid-2") && !is_valid_name("2pay") && !is_valid_name(""));
        assert!(is_valid_schema("pay") && is_valid_schema("_x1") && !is_valid_schema("Pay") && !is_valid_schema("a-b"));
    }
}
