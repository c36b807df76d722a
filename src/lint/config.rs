//! `registry`, `config-schemas` and `config-seeds`: the registry and config.toml.

use std::collections::HashMap;
use std::path::Path;

use super::{Code, Diagnostic};
use crate::registry::Project;
use crate::text::{line_col, LineIndex};

/// A registry that does not load, at the line the error names (1 otherwise); the
/// finding names the file, so the message does not repeat it.
pub(crate) fn registry_error(path: &Path, err: &crate::error::ConfigError) -> Diagnostic {
    let line = err.position.map_or(1, |(line, _)| line);
    Diagnostic::new(Code::Registry, path, line, format!("{}; `mynatca check` skipped the link rules", err.detail()))
}

/// The line of each project's entry in the registry text, by name (1 where none is
/// found), from one pass over the text: one search per missing project made `check`
/// quadratic in the registry's size.
pub(crate) struct RegistryLines(HashMap<String, usize>);

impl RegistryLines {
    pub(crate) fn new(text: &str) -> Self {
        let index = LineIndex::new(text);
        let mut lines = HashMap::new();
        for (i, key) in text.match_indices("\"name\"") {
            // A project's name needs no JSON escape, so its value ends at the next quote.
            let value = text[i + key.len()..].trim_start().strip_prefix(':').map(str::trim_start);
            let Some(name) = value.and_then(|v| v.strip_prefix('"')).and_then(|v| v.split_once('"')) else {
                continue;
            };
            lines.entry(name.0.to_string()).or_insert_with(|| index.line(i));
        }
        RegistryLines(lines)
    }

    pub(crate) fn line(&self, name: &str) -> usize {
        self.0.get(name).copied().unwrap_or(1)
    }
}

/// `config-schemas` and `config-seeds`: each linked schema in `[api] schemas`; the seed
/// glob `link-project` adds (`./seeds/<name>/*.sql`) in `[db.seed] sql_paths` for each
/// project that has seed files. `projects` pairs each project with that fact.
pub(crate) fn config_findings(path: &Path, text: &str, projects: &[(&Project, bool)]) -> Vec<Diagnostic> {
    let config = match crate::config::SupabaseConfig::parse(path.to_path_buf(), text) {
        Ok(config) => config,
        Err(err) => {
            return vec![Diagnostic::new(
                Code::ConfigSchemas,
                path,
                err.position.map_or(1, |(line, _)| line),
                format!("{}; the schemas and seed paths could not be checked", err.detail()),
            )];
        }
    };
    let document = toml_edit::ImDocument::parse(text).ok();
    let line_of = |keys: &[&str]| -> usize {
        let mut item = document.as_ref().map(|d| d.as_item());
        for key in keys {
            item = item.and_then(|i| i.get(key));
        }
        item.and_then(|i| i.span()).map_or(1, |span| line_col(text, span.start).0)
    };
    let schemas = config.api_schemas();
    let seeds: Vec<String> = config.seed_sql_paths().iter().map(|p| p.trim_start_matches("./").to_string()).collect();
    let mut findings = Vec::new();
    for (project, has_seeds) in projects {
        if !schemas.contains(&project.schema) {
            findings.push(Diagnostic::new(
                Code::ConfigSchemas,
                path,
                line_of(&["api", "schemas"]),
                format!(
                    "schema {} of {} is not in [api] schemas, so the API does not expose it; add \"{}\" (`mynatca link-project {}` does)",
                    project.schema, project.name, project.schema, project.name
                ),
            ));
        }
        let glob = crate::config::seed_glob(&project.name);
        if *has_seeds && !seeds.iter().any(|s| s == glob.trim_start_matches("./")) {
            findings.push(Diagnostic::new(
                Code::ConfigSeeds,
                path,
                line_of(&["db", "seed", "sql_paths"]),
                format!(
                    "[db.seed] sql_paths lacks \"{glob}\", so {}'s seeds never run; add it (`mynatca link-project {}` does)",
                    project.name, project.name
                ),
            ));
        }
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::ownership::tests::project;

    #[test]
    fn registry_lines() {
        let text = "{\n  \"version\": 1,\n  \"projects\": [\n    {\"name\": \"pay\"},\n    {\n      \"name\" : \"discord\"\n    }\n  ]\n}\n";
        let lines = RegistryLines::new(text);
        assert_eq!(lines.line("pay"), 4);
        assert_eq!(lines.line("discord"), 6);
        assert_eq!(lines.line("bid"), 1);
        let path = Path::new("/p/.linked-projects.json");
        let broken = "{\n  \"version\": 1,\n  \"projects\": [,]\n}";
        let err = crate::registry::Registry::parse(path.into(), broken).unwrap_err();
        let finding = registry_error(path, &err);
        assert_eq!(finding.line, Some(3));
        assert!(finding.message.starts_with("invalid JSON: "), "{}", finding.message);
    }

    #[test]
    fn config_lists_schemas_and_seed_globs() {
        let (pay, discord) = (project("pay"), project("discord"));
        let text =
            "[api]\nschemas = [\"public\", \"pay\"]\n\n[db.seed]\nsql_paths = [\"./seed.sql\", \"seeds/pay/*.sql\"]\n";
        let found = config_findings(Path::new("/c.toml"), text, &[(&pay, true), (&discord, true)]);
        let got: Vec<(Code, usize)> = found.iter().map(|f| (f.code, f.line.unwrap_or(0))).collect();
        assert_eq!(got, vec![(Code::ConfigSchemas, 2), (Code::ConfigSeeds, 5)]);
        assert!(found[1].message.contains("\"./seeds/discord/*.sql\""), "{}", found[1].message);
        // No seed files, nothing to run: no glob needed.
        assert!(config_findings(Path::new("/c.toml"), text, &[(&pay, false)]).is_empty());
        let bad = config_findings(Path::new("/c.toml"), "[api\n", &[]);
        assert_eq!((bad[0].code, bad[0].line.unwrap_or(0)), (Code::ConfigSchemas, 1));
    }
}
