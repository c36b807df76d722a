//! `platform/supabase/config.toml`: read, and edited with toml_edit so comments and
//! layout survive.

use std::path::{Path, PathBuf};

use toml_edit::{Array, DocumentMut, Item, Table, Value};

use crate::error::ConfigError;
use crate::fsutil;
use crate::text::line_col;

/// The Supabase CLI config of the platform, as parsed text.
#[derive(Debug, Clone)]
pub(crate) struct SupabaseConfig {
    pub(crate) path: PathBuf,
    doc: DocumentMut,
    /// An edit changed the document since it was read.
    edited: bool,
}

/// The seed glob `link-project` adds for a project: `./seeds/<name>/*.sql`.
pub(crate) fn seed_glob(project: &str) -> String {
    format!("./seeds/{project}/*.sql")
}

/// What the Supabase CLI uses when `[api] schemas` is absent; kept when we create the key,
/// so adding a project's schema does not stop exposing these.
pub(crate) const DEFAULT_API_SCHEMAS: [&str; 2] = ["public", "graphql_public"];
/// What the Supabase CLI uses when `[db.seed] sql_paths` is absent; kept when we create the key.
pub(crate) const DEFAULT_SEED_PATHS: [&str; 1] = ["./seed.sql"];

const API_SCHEMAS: (&[&str], &str) = (&["api"], "schemas");
const SEED_PATHS: (&[&str], &str) = (&["db", "seed"], "sql_paths");
const SEED_ENABLED: (&[&str], &str) = (&["db", "seed"], "enabled");

impl SupabaseConfig {
    /// Reads the config; `Ok(None)` when there is no such file.
    pub(crate) fn load(path: &Path) -> Result<Option<Self>, ConfigError> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(err) => return Err(ConfigError::new(format!("cannot read {}: {err}", path.display()))),
        };
        Self::parse(path.to_path_buf(), &text).map(Some)
    }

    pub(crate) fn parse(path: PathBuf, text: &str) -> Result<Self, ConfigError> {
        let doc = text.parse::<DocumentMut>().map_err(|err| {
            // toml_edit puts what it expected on a line of its own: keep one line.
            let message = err.message().trim().replace('\n', "; ");
            let error = ConfigError::new(format!("invalid TOML: {message}")).at(&path);
            match err.span() {
                Some(span) => {
                    let (line, column) = line_col(text, span.start);
                    error.position(line, column)
                }
                None => error,
            }
        })?;
        Ok(SupabaseConfig { path, doc, edited: false })
    }

    /// `[api] schemas`, in declared order (empty when absent).
    pub(crate) fn api_schemas(&self) -> Vec<String> {
        self.strings(API_SCHEMAS).unwrap_or_default()
    }

    /// `[db.seed] enabled` (the Supabase CLI's default is true).
    pub(crate) fn seed_enabled(&self) -> bool {
        self.lookup(SEED_ENABLED).and_then(Item::as_bool).unwrap_or(true)
    }

    /// `[db.seed] sql_paths`, in declared order (globs relative to `supabase/`). When the
    /// key is absent this is the Supabase CLI's default, `./seed.sql`; an empty list stays empty.
    pub(crate) fn seed_sql_paths(&self) -> Vec<String> {
        self.strings(SEED_PATHS).unwrap_or_else(|| DEFAULT_SEED_PATHS.iter().map(|p| p.to_string()).collect())
    }

    /// Appends `schema` to `[api] schemas` unless it is there; false if it was.
    /// A missing key (or table) is created holding the CLI's defaults and `schema`.
    pub(crate) fn add_api_schema(&mut self, schema: &str) -> Result<bool, ConfigError> {
        self.add_string(API_SCHEMAS, &DEFAULT_API_SCHEMAS, schema)
    }

    /// Removes `schema` from `[api] schemas`; false if it was not there.
    pub(crate) fn remove_api_schema(&mut self, schema: &str) -> Result<bool, ConfigError> {
        self.remove_string(API_SCHEMAS, schema)
    }

    /// Appends `glob` to `[db.seed] sql_paths` unless it is there; false if it was.
    /// A missing key (or table) is created holding the CLI's default and `glob`.
    pub(crate) fn add_seed_path(&mut self, glob: &str) -> Result<bool, ConfigError> {
        self.add_string(SEED_PATHS, &DEFAULT_SEED_PATHS, glob)
    }

    /// Removes `glob` from `[db.seed] sql_paths`; false if it was not there.
    pub(crate) fn remove_seed_path(&mut self, glob: &str) -> Result<bool, ConfigError> {
        self.remove_string(SEED_PATHS, glob)
    }

    /// The document as it would be written.
    pub(crate) fn to_text(&self) -> String {
        self.doc.to_string()
    }

    /// Writes the config atomically (temp file + rename).
    pub(crate) fn save(&self) -> std::io::Result<()> {
        fsutil::write_atomic(&self.path, self.to_text().as_bytes())
    }

    /// Writes the file when an edit changed it; nothing otherwise.
    pub(crate) fn save_if_edited(&self) -> anyhow::Result<()> {
        if !self.edited {
            return Ok(());
        }
        anyhow::Context::with_context(self.save(), || format!("cannot write {}", self.path.display()))
    }

    fn add_string(
        &mut self,
        (tables, key): (&[&str], &str),
        defaults: &[&str],
        value: &str,
    ) -> Result<bool, ConfigError> {
        let what = describe(tables, key);
        let path = self.path.display().to_string();
        let mut item = self.doc.as_item_mut();
        for (depth, name) in tables.iter().enumerate() {
            let table = item.as_table_like_mut().ok_or_else(|| {
                ConfigError::new(format!("{path}: {} is not a table; fix it by hand", tables[..depth].join(".")))
            })?;
            if table.get(name).is_none() {
                let mut fresh = Table::new();
                // `[db.seed]` alone reads better than an empty `[db]` header above it.
                fresh.set_implicit(depth + 1 < tables.len());
                table.insert(name, Item::Table(fresh));
            }
            item = table.get_mut(name).expect("present or just inserted");
        }
        let table = item
            .as_table_like_mut()
            .ok_or_else(|| ConfigError::new(format!("{path}: {} is not a table; fix it by hand", tables.join("."))))?;
        let Some(existing) = table.get_mut(key) else {
            let mut array: Array = defaults.iter().copied().filter(|d| *d != value).collect();
            array.push(value);
            table.insert(key, toml_edit::value(array));
            self.edited = true;
            return Ok(true);
        };
        let array = existing
            .as_array_mut()
            .ok_or_else(|| ConfigError::new(format!("{path}: {what} is not an array of strings; fix it by hand")))?;
        if array.iter().any(|v| v.as_str() == Some(value)) {
            return Ok(false);
        }
        push_like_siblings(array, value);
        self.edited = true;
        Ok(true)
    }

    fn remove_string(&mut self, (tables, key): (&[&str], &str), value: &str) -> Result<bool, ConfigError> {
        // TableLike::get_mut, not Item::get_mut: that one inserts what it does not find.
        let mut item = Some(self.doc.as_item_mut());
        for name in tables {
            item = item.and_then(Item::as_table_like_mut).and_then(|t| t.get_mut(name));
        }
        let Some(existing) = item.and_then(Item::as_table_like_mut).and_then(|t| t.get_mut(key)) else {
            return Ok(false);
        };
        let array = existing.as_array_mut().ok_or_else(|| {
            ConfigError::new(format!(
                "{}: {} is not an array of strings; fix it by hand",
                self.path.display(),
                describe(tables, key)
            ))
        })?;
        let position = |array: &Array| array.iter().position(|v| v.as_str() == Some(value));
        let mut removed = false;
        while let Some(index) = position(array) {
            let gone = array.remove(index);
            let gone_prefix = gone.decor().prefix().and_then(|p| p.as_str()).unwrap_or("");
            match gone_prefix.split_once('\n') {
                // A comment ending the line before the element belongs to that line: keep it.
                Some((comment, _)) if !comment.trim().is_empty() => match array.get_mut(index) {
                    Some(next) => {
                        let next_prefix = next.decor().prefix().and_then(|p| p.as_str()).unwrap_or("");
                        let prefix = format!("{comment}{next_prefix}");
                        next.decor_mut().set_prefix(prefix);
                    }
                    None => {
                        let trailing = format!("{comment}{}", array.trailing().as_str().unwrap_or(""));
                        array.set_trailing(trailing);
                    }
                },
                Some(_) => {}
                // The first element's spacing is the array's own (`["a", "b"]` -> `["b"]`).
                None if index == 0 => {
                    if let Some(first) = array.get_mut(0) {
                        if first.decor().prefix().and_then(|p| p.as_str()).is_none_or(|p| !p.contains('\n')) {
                            first.decor_mut().set_prefix(gone_prefix.to_string());
                        }
                    }
                }
                None => {}
            }
            removed = true;
        }
        self.edited |= removed;
        Ok(removed)
    }

    /// The item at `key` of the nested `tables`, if every level is there.
    fn lookup(&self, (tables, key): (&[&str], &str)) -> Option<&Item> {
        tables.iter().try_fold(self.doc.as_item(), |item, name| item.get(name))?.get(key)
    }

    /// The strings of the array at `at` (none if it is not an array); `None` when the
    /// key is absent.
    fn strings(&self, at: (&[&str], &str)) -> Option<Vec<String>> {
        let array = self.lookup(at)?.as_array();
        Some(array.map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_string)).collect()).unwrap_or_default())
    }
}

/// `[db.seed] sql_paths`, as people call it.
fn describe(tables: &[&str], key: &str) -> String {
    format!("[{}] {key}", tables.join("."))
}

/// Appends `value` laid out as the last element is: on a line of its own, with the same
/// indent, in a multi-line array; after `, ` in a one-line array.
fn push_like_siblings(array: &mut Array, value: &str) {
    let Some(last) = array.iter().last() else {
        array.push(value);
        return;
    };
    let prefix = match last.decor().prefix().and_then(|p| p.as_str()) {
        Some(p) if p.contains('\n') => {
            // Only the indent: a comment above the last element belongs to it.
            let indent = &p[p.rfind('\n').expect("contains a newline") + 1..];
            // A comment after the last element's comma stays on its line, before ours.
            let trailing = array.trailing().as_str().unwrap_or("").to_string();
            let (comment, rest) = trailing.split_at(trailing.find('\n').unwrap_or(0));
            let prefix = format!("{comment}\n{indent}");
            array.set_trailing(rest.to_string());
            prefix
        }
        _ => " ".to_string(),
    };
    array.push_formatted(Value::from(value).decorated(prefix, ""));
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "# top\n[api]\n# exposed\nschemas = [\"public\", \"graphql_public\"]\n\n[db.seed]\nenabled = false\nsql_paths = [\"./seed.sql\", \"./seeds/pay/*.sql\"]\n";

    #[test]
    fn reads_schemas_and_seeds() {
        let config = SupabaseConfig::parse("config.toml".into(), TEXT).unwrap();
        assert_eq!(config.api_schemas(), vec!["public", "graphql_public"]);
        assert_eq!(config.seed_sql_paths(), vec!["./seed.sql", "./seeds/pay/*.sql"]);
        assert!(!config.seed_enabled());
        assert_eq!(config.to_text(), TEXT, "parsing alone changes nothing");
    }

    #[test]
    fn defaults_when_absent() {
        let config = SupabaseConfig::parse("config.toml".into(), "[db]\nport = 1\n").unwrap();
        assert!(config.api_schemas().is_empty() && config.seed_enabled());
        assert_eq!(config.seed_sql_paths(), vec!["./seed.sql"], "the Supabase CLI's default");
        let empty = SupabaseConfig::parse("config.toml".into(), "[db.seed]\nsql_paths = []\n").unwrap();
        assert!(empty.seed_sql_paths().is_empty());
    }

    #[test]
    fn bad_toml_names_file_and_line() {
        let err = SupabaseConfig::parse("/p/config.toml".into(), "[api]\nschemas = [\n").unwrap_err();
        assert!(err.to_string().starts_with("/p/config.toml:"), "{}", err.to_string());
        assert!(err.to_string().contains("invalid TOML"), "{}", err.to_string());
    }

    fn edited(text: &str, edit: impl FnOnce(&mut SupabaseConfig) -> Result<bool, ConfigError>) -> (bool, String) {
        let mut config = SupabaseConfig::parse("config.toml".into(), text).unwrap();
        let changed = edit(&mut config).unwrap();
        let out = config.to_text();
        SupabaseConfig::parse("config.toml".into(), &out).expect("still valid TOML");
        (changed, out)
    }

    const COMMENTED: &str = "# Supabase project\nproject_id = \"platform\"\n\n[api]\nenabled = true # keep\n# Schemas to expose in your API.\nschemas = [\"public\", \"graphql_public\"] # exposed\n\n[db]\nport = 54322\n\n[db.seed]\n# Seeds run after migrations.\nenabled = true\nsql_paths = [\"./seed.sql\"]\n";

    #[test]
    fn adding_keeps_comments_and_layout_and_removing_restores_the_text() {
        let (changed, added) =
            edited(COMMENTED, |c| Ok(c.add_api_schema("pay")? & c.add_seed_path(&seed_glob("pay"))?));
        assert!(changed);
        assert_eq!(
            added,
            COMMENTED
                .replace("\"graphql_public\"] # exposed", "\"graphql_public\", \"pay\"] # exposed")
                .replace("[\"./seed.sql\"]", "[\"./seed.sql\", \"./seeds/pay/*.sql\"]")
        );
        let (changed, removed) =
            edited(&added, |c| Ok(c.remove_api_schema("pay")? & c.remove_seed_path("./seeds/pay/*.sql")?));
        assert!(changed);
        assert_eq!(removed, COMMENTED);
    }

    #[test]
    fn each_value_is_added_once() {
        let (changed, text) = edited(TEXT, |c| c.add_api_schema("graphql_public"));
        assert!(!changed);
        assert_eq!(text, TEXT);
        let (changed, text) = edited(TEXT, |c| c.add_seed_path("./seeds/pay/*.sql"));
        assert!(!changed);
        assert_eq!(text, TEXT);
    }

    #[test]
    fn multi_line_arrays_get_a_line_of_their_own() {
        let text = "[api]\nschemas = [\n  # the platform\n  \"public\",\n  \"graphql_public\", # for graphql\n]\n";
        let (_, added) = edited(text, |c| c.add_api_schema("pay"));
        assert_eq!(
            added,
            "[api]\nschemas = [\n  # the platform\n  \"public\",\n  \"graphql_public\", # for graphql\n  \"pay\",\n]\n"
        );
        let (_, removed) = edited(&added, |c| c.remove_api_schema("pay"));
        assert_eq!(removed, text);
    }

    #[test]
    fn removing_the_first_element_keeps_the_brackets_tight() {
        let (changed, text) = edited("[api]\nschemas = [\"pay\", \"public\"]\n", |c| c.remove_api_schema("pay"));
        assert!(changed);
        assert_eq!(text, "[api]\nschemas = [\"public\"]\n");
        let (changed, text) = edited("[api]\nschemas = [\"public\"]\n", |c| c.remove_api_schema("pay"));
        assert!(!changed);
        assert_eq!(text, "[api]\nschemas = [\"public\"]\n");
    }

    #[test]
    fn missing_keys_are_created_with_the_cli_defaults() {
        let (_, text) = edited("[api]\nport = 54321\n", |c| c.add_api_schema("pay"));
        assert_eq!(text, "[api]\nport = 54321\nschemas = [\"public\", \"graphql_public\", \"pay\"]\n");
        let (_, text) = edited("[db]\nport = 54322\n", |c| c.add_seed_path("./seeds/pay/*.sql"));
        assert_eq!(text, "[db]\nport = 54322\n\n[db.seed]\nsql_paths = [\"./seed.sql\", \"./seeds/pay/*.sql\"]\n");
        let (_, text) = edited("project_id = \"p\"\n", |c| Ok(c.add_api_schema("pay")? & c.add_seed_path("./s")?));
        let config = SupabaseConfig::parse("config.toml".into(), &text).unwrap();
        assert_eq!(config.api_schemas(), vec!["public", "graphql_public", "pay"]);
        assert_eq!(config.seed_sql_paths(), vec!["./seed.sql", "./s"]);
        assert!(!text.contains("[db]\n"), "no empty [db] header: {text}");
    }

    #[test]
    fn removing_from_an_absent_key_changes_nothing() {
        let (changed, text) =
            edited("[db]\nport = 1\n", |c| Ok(c.remove_seed_path("./x")? | c.remove_api_schema("pay")?));
        assert!(!changed);
        assert_eq!(text, "[db]\nport = 1\n");
    }

    #[test]
    fn a_key_of_the_wrong_type_is_an_error_naming_it() {
        let mut config = SupabaseConfig::parse("/p/config.toml".into(), "[api]\nschemas = \"public\"\n").unwrap();
        let err = config.add_api_schema("pay").unwrap_err();
        assert_eq!(err.to_string(), "/p/config.toml: [api] schemas is not an array of strings; fix it by hand");
        let mut config = SupabaseConfig::parse("/p/config.toml".into(), "db = 1\n").unwrap();
        assert_eq!(
            config.add_seed_path("./x").unwrap_err().to_string(),
            "/p/config.toml: db is not a table; fix it by hand"
        );
    }
}
