//! `platform/supabase/config.toml`: read, and edited with toml_edit so comments and
//! layout survive.

use std::path::{Path, PathBuf};

use toml_edit::DocumentMut;

use crate::error::ConfigError;
use crate::fsutil;

/// The Supabase CLI config of the platform, as parsed text.
#[derive(Debug, Clone)]
pub struct SupabaseConfig {
    pub path: PathBuf,
    doc: DocumentMut,
}

/// The seed glob `link-project` adds for a project: `./seeds/<name>/*.sql`.
pub fn seed_glob(project: &str) -> String {
    format!("./seeds/{project}/*.sql")
}

impl SupabaseConfig {
    /// Reads the config; `Ok(None)` when there is no such file.
    pub fn load(path: &Path) -> Result<Option<Self>, ConfigError> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(err) => return Err(ConfigError(format!("cannot read {}: {err}", path.display()))),
        };
        Self::parse(path.to_path_buf(), &text).map(Some)
    }

    pub fn parse(path: PathBuf, text: &str) -> Result<Self, ConfigError> {
        let doc = text.parse::<DocumentMut>().map_err(|err| {
            let message = err.message().trim().to_string();
            let at = err
                .span()
                .map(|span| {
                    let line = text[..span.start].matches('\n').count() + 1;
                    let column = span.start - text[..span.start].rfind('\n').map_or(0, |i| i + 1) + 1;
                    format!(":{line}:{column}")
                })
                .unwrap_or_default();
            ConfigError(format!("{}{at}: invalid TOML: {message}", path.display()))
        })?;
        Ok(SupabaseConfig { path, doc })
    }

    /// `[api] schemas`, in declared order (empty when absent).
    pub fn api_schemas(&self) -> Vec<String> {
        self.strings("api", "schemas")
    }

    /// `[db.seed] enabled` (the Supabase CLI's default is true).
    pub fn seed_enabled(&self) -> bool {
        self.doc
            .get("db")
            .and_then(|db| db.get("seed"))
            .and_then(|seed| seed.get("enabled"))
            .and_then(|v| v.as_bool())
            .unwrap_or(true)
    }

    /// `[db.seed] sql_paths`, in declared order (globs relative to `supabase/`).
    pub fn seed_sql_paths(&self) -> Vec<String> {
        self.doc
            .get("db")
            .and_then(|db| db.get("seed"))
            .and_then(|seed| seed.get("sql_paths"))
            .and_then(|v| v.as_array())
            .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_string)).collect())
            .unwrap_or_default()
    }

    /// The document as it would be written.
    pub fn to_text(&self) -> String {
        self.doc.to_string()
    }

    /// Writes the config atomically (temp file + rename).
    pub fn save(&self) -> std::io::Result<()> {
        fsutil::write_atomic(&self.path, self.to_text().as_bytes())
    }

    pub fn doc_mut(&mut self) -> &mut DocumentMut {
        &mut self.doc
    }

    fn strings(&self, table: &str, key: &str) -> Vec<String> {
        self.doc
            .get(table)
            .and_then(|t| t.get(key))
            .and_then(|v| v.as_array())
            .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_string)).collect())
            .unwrap_or_default()
    }
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
        assert!(config.api_schemas().is_empty() && config.seed_sql_paths().is_empty() && config.seed_enabled());
    }

    #[test]
    fn bad_toml_names_file_and_line() {
        let err = SupabaseConfig::parse("/p/config.toml".into(), "[api]\nschemas = [\n").unwrap_err();
        assert!(err.0.starts_with("/p/config.toml:"), "{}", err.0);
        assert!(err.0.contains("invalid TOML"), "{}", err.0);
    }
}
