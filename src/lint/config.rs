//! `registry`, `config-schemas` and `config-seeds`: the registry and config.toml.

use std::path::Path;

use super::{Finding, Rule};
use crate::registry::Project;
use crate::text::line_col;

/// A registry that does not load, at the line serde_json reports (1 otherwise), with
/// the file name taken off the front of the message (the finding names the file).
pub(crate) fn registry_error(path: &Path, text: Option<&str>, message: &str) -> Finding {
    let line = text.and_then(|t| serde_json::from_str::<serde_json::Value>(t).err()).map_or(1, |e| e.line().max(1));
    let prefix = path.display().to_string();
    let message = message.strip_prefix(&prefix).unwrap_or(message);
    // ":L:C: invalid JSON..." or ": projects[0]: ..."
    let message = message.trim_start_matches(|c: char| c == ':' || c.is_ascii_digit()).trim_start();
    Finding::new(Rule::Registry, path, line, format!("{message}; `mynatca check` skipped the link rules"))
}

/// The line of project `name`'s entry in the registry text (1 if not found).
pub(crate) fn registry_entry_line(text: &str, name: &str) -> usize {
    let quoted = format!("\"{name}\"");
    text.match_indices("\"name\"")
        .find(|(i, key)| {
            text[i + key.len()..].trim_start().strip_prefix(':').is_some_and(|v| v.trim_start().starts_with(&quoted))
        })
        .map_or(1, |(i, _)| line_col(text, i).0)
}

/// `config-schemas` and `config-seeds`: each linked schema in `[api] schemas`; the seed
/// glob `link-project` adds (`./seeds/<name>/*.sql`) in `[db.seed] sql_paths` for each
/// project that has seed files. `projects` pairs each project with that fact.
pub(crate) fn config_findings(path: &Path, text: &str, projects: &[(&Project, bool)]) -> Vec<Finding> {
    let config = match crate::config::SupabaseConfig::parse(path.to_path_buf(), text) {
        Ok(config) => config,
        Err(err) => {
            let message = err.0.strip_prefix(&path.display().to_string()).unwrap_or(&err.0).to_string();
            let line = message.trim_start_matches(':').split(':').next().and_then(|l| l.parse().ok()).unwrap_or(1);
            let message = message.trim_start_matches(|c: char| c == ':' || c.is_ascii_digit()).trim_start();
            return vec![Finding::new(
                Rule::ConfigSchemas,
                path,
                line,
                format!("{message}; the schemas and seed paths could not be checked"),
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
            findings.push(Finding::new(
                Rule::ConfigSchemas,
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
            findings.push(Finding::new(
                Rule::ConfigSeeds,
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
        assert_eq!(registry_entry_line(text, "pay"), 4);
        assert_eq!(registry_entry_line(text, "discord"), 6);
        assert_eq!(registry_entry_line(text, "bid"), 1);
        let path = Path::new("/p/.linked-projects.json");
        let broken = "{\n  \"version\": 1,\n  \"projects\": [,]\n}";
        let err = crate::registry::Registry::parse(path.into(), broken).unwrap_err();
        let finding = registry_error(path, Some(broken), &err.0);
        assert_eq!(finding.line, 3);
        assert!(finding.message.starts_with("invalid JSON: "), "{}", finding.message);
    }

    #[test]
    fn config_lists_schemas_and_seed_globs() {
        let (pay, discord) = (project("pay"), project("discord"));
        let text =
            "[api]\nschemas = [\"public\", \"pay\"]\n\n[db.seed]\nsql_paths = [\"./seed.sql\", \"seeds/pay/*.sql\"]\n";
        let found = config_findings(Path::new("/c.toml"), text, &[(&pay, true), (&discord, true)]);
        let got: Vec<(Rule, usize)> = found.iter().map(|f| (f.rule, f.line)).collect();
        assert_eq!(got, vec![(Rule::ConfigSchemas, 2), (Rule::ConfigSeeds, 5)]);
        assert!(found[1].message.contains("\"./seeds/discord/*.sql\""), "{}", found[1].message);
        // No seed files, nothing to run: no glob needed.
        assert!(config_findings(Path::new("/c.toml"), text, &[(&pay, false)]).is_empty());
        let bad = config_findings(Path::new("/c.toml"), "[api\n", &[]);
        assert_eq!((bad[0].rule, bad[0].line), (Rule::ConfigSchemas, 1));
    }
}
