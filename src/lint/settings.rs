//! `mynatca.toml` beside the registry: how a team tunes `mynatca check`, committed with
//! the platform, as a linter's configuration is.
//!
//! ```toml
//! [rules]
//! name-prefix = "off"    # error | warning | off
//! hooks = "error"
//!
//! [ownership.pay]
//! allow = ["grant on public.members"]
//! ```

use std::collections::HashMap;
use std::path::Path;

use toml_edit::{ImDocument, Item, Table};

use super::ownership::Grants;
use super::{Code, Diagnostic};
use crate::diagnostic::Severity;
use crate::error::ConfigError;
use crate::text::line_col;
use crate::workspace::Repo;

pub(crate) const FILE_NAME: &str = "mynatca.toml";

/// A team's settings; the defaults when there is no mynatca.toml.
#[derive(Debug, Default)]
pub(crate) struct Settings {
    /// A rule's level, or `None` for `off`.
    levels: HashMap<Code, Option<Severity>>,
    pub(crate) grants: Grants,
}

impl Settings {
    /// Reads `platform/mynatca.toml`. `projects` are the registry's project names, which
    /// `[ownership.NAME]` must be one of (not checked when the registry did not load).
    pub(crate) fn load(platform: &Path, projects: Option<&[&str]>) -> Result<Settings, ConfigError> {
        let path = platform.join(FILE_NAME);
        match std::fs::read_to_string(&path) {
            Ok(text) => Reader { path: &path, text: &text, projects }.settings(),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(Settings::default()),
            Err(err) => Err(ConfigError::new(format!("cannot read it: {err}")).at(&path)),
        }
    }

    /// Each finding at its rule's level; a rule that is `off` loses its findings.
    pub(crate) fn apply(&self, findings: &mut Vec<Diagnostic>) {
        findings.retain_mut(|finding| match self.levels.get(&finding.code) {
            None => true,
            Some(None) => false,
            Some(Some(level)) => {
                finding.severity = *level;
                true
            }
        });
    }
}

struct Reader<'a> {
    path: &'a Path,
    text: &'a str,
    projects: Option<&'a [&'a str]>,
}

impl Reader<'_> {
    fn settings(&self) -> Result<Settings, ConfigError> {
        let doc = ImDocument::parse(self.text).map_err(|err| {
            // toml_edit puts what it expected on a line of its own: keep one line.
            let message = err.message().trim().replace('\n', "; ");
            self.error(err.span().map(|s| s.start), format!("invalid TOML: {message}"))
        })?;
        let mut settings = Settings::default();
        for (key, item) in doc.as_table().iter() {
            match key {
                "rules" => self.rules(self.table(key, item, "a table of rule = \"level\"")?, &mut settings)?,
                "ownership" => self.ownership(self.table(key, item, "[ownership.<project>] tables")?, &mut settings)?,
                _ => {
                    return Err(self.error(
                        key_start(doc.as_table(), key),
                        format!("{key}: unknown key; mynatca.toml has [rules] and [ownership.<project>]"),
                    ))
                }
            }
        }
        Ok(settings)
    }

    fn rules(&self, rules: &Table, settings: &mut Settings) -> Result<(), ConfigError> {
        for (name, item) in rules.iter() {
            let Some(rule) = Code::rule_named(name) else {
                let names: Vec<&str> = Code::RULES.iter().map(|rule| rule.as_str()).collect();
                let typo = crate::suggest::did_you_mean(name, names.iter().copied());
                return Err(self.error(
                    key_start(rules, name),
                    format!("rules.{name}: no such rule{typo}; the rules are {}", names.join(", ")),
                ));
            };
            let level = match item.as_str() {
                Some("error") => Some(Severity::Error),
                Some("warning") => Some(Severity::Warning),
                Some("off") => None,
                _ => {
                    let value = item.as_value().map_or_else(|| "a table".to_string(), |v| v.to_string());
                    return Err(self.error(
                        item.span().map(|s| s.start),
                        format!("rules.{name}: {} is not a level; use \"error\", \"warning\" or \"off\"", value.trim()),
                    ));
                }
            };
            settings.levels.insert(rule, level);
        }
        Ok(())
    }

    fn ownership(&self, ownership: &Table, settings: &mut Settings) -> Result<(), ConfigError> {
        for (project, item) in ownership.iter() {
            let key = format!("ownership.{project}");
            let known = self.projects.is_none_or(|names| project == Repo::PLATFORM || names.contains(&project));
            if !known {
                let names = self.projects.unwrap_or_default();
                let typo = crate::suggest::did_you_mean(project, names.iter().copied());
                return Err(self.error(
                    key_start(ownership, project),
                    format!("{key}: no project {project} in .linked-projects.json{typo}"),
                ));
            }
            let table = self.table(&key, item, "a table with allow = [...]")?;
            for (name, item) in table.iter() {
                if name != "allow" {
                    return Err(
                        self.error(key_start(table, name), format!("{key}.{name}: unknown key; the one key is allow"))
                    );
                }
                let list = item.as_array().ok_or_else(|| {
                    self.error(item.span().map(|s| s.start), format!("{key}.allow: expected a list of strings"))
                })?;
                for (index, value) in list.iter().enumerate() {
                    let at = value.span().map(|s| s.start);
                    let grant = value
                        .as_str()
                        .ok_or_else(|| self.error(at, format!("{key}.allow[{index}]: expected a string")))?;
                    settings
                        .grants
                        .add(project, grant)
                        .map_err(|why| self.error(at, format!("{key}.allow[{index}]: {why}")))?;
                }
            }
        }
        Ok(())
    }

    fn table<'i>(&self, key: &str, item: &'i Item, expected: &str) -> Result<&'i Table, ConfigError> {
        item.as_table().ok_or_else(|| self.error(item.span().map(|s| s.start), format!("{key}: expected {expected}")))
    }

    /// An error about the file, at a byte offset (line 1 when unknown).
    fn error(&self, at: Option<usize>, message: String) -> ConfigError {
        // A value's span starts at the blanks before it.
        let at = at.map(|at| at + self.text.get(at..).map_or(0, |rest| rest.len() - rest.trim_start().len()));
        let (line, column) = at.map_or((1, 1), |at| line_col(self.text, at));
        ConfigError::new(message).at(self.path).position(line, column)
    }
}

/// Where `key` is written in `table`.
fn key_start(table: &Table, key: &str) -> Option<usize> {
    table.get_key_value(key).and_then(|(key, _)| key.span()).map(|span| span.start)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Settings, String> {
        let reader = Reader { path: Path::new("/p/mynatca.toml"), text, projects: Some(&["pay", "discord"]) };
        reader.settings().map_err(|err| err.to_string())
    }

    #[test]
    fn levels_change_or_drop_findings() {
        let settings = parse("[rules]\nname-prefix = \"off\"\nhooks = \"error\"\nrls = \"warning\"\n").unwrap();
        let mut findings = vec![
            Diagnostic::new(Code::NamePrefix, "/a.sql", 1, "x"),
            Diagnostic::new(Code::Hooks, "/p", 1, "y"),
            Diagnostic::new(Code::Rls, "/b.sql", 2, "z"),
            Diagnostic::new(Code::Order, "/b.sql", 3, "w"),
        ];
        settings.apply(&mut findings);
        let got: Vec<(Code, Severity)> = findings.iter().map(|f| (f.code, f.severity)).collect();
        assert_eq!(
            got,
            vec![(Code::Hooks, Severity::Error), (Code::Rls, Severity::Warning), (Code::Order, Severity::Error)]
        );
    }

    #[test]
    fn a_mistake_names_the_file_line_and_key() {
        let err = |text: &str| parse(text).unwrap_err();
        assert!(
            err("[rules]\nnme-prefix = \"off\"\n").starts_with(
                "/p/mynatca.toml:2:1: rules.nme-prefix: no such rule (did you mean name-prefix?); the rules are registry, "
            ),
            "{}",
            err("[rules]\nnme-prefix = \"off\"\n")
        );
        assert_eq!(
            err("[rules]\nrls = \"fatal\"\n"),
            "/p/mynatca.toml:2:7: rules.rls: \"fatal\" is not a level; use \"error\", \"warning\" or \"off\""
        );
        assert_eq!(
            err("[ownership.pya]\nallow = []\n"),
            "/p/mynatca.toml:1:12: ownership.pya: no project pya in .linked-projects.json (did you mean pay?)"
        );
        assert_eq!(
            err("[ownership.pay]\nallows = []\n"),
            "/p/mynatca.toml:2:1: ownership.pay.allows: unknown key; the one key is allow"
        );
        assert!(err("[ownership.pay]\nallow = [\"grant on public.x\", \"write public.members\"]\n").starts_with(
            "/p/mynatca.toml:2:31: ownership.pay.allow[1]: \"write public.members\" is not worded as a finding"
        ));
        assert_eq!(
            err("strict = true\n"),
            "/p/mynatca.toml:1:1: strict: unknown key; mynatca.toml has [rules] and [ownership.<project>]"
        );
        assert_eq!(err("[rules\n"), "/p/mynatca.toml:2:1: invalid TOML: invalid table header; expected `.`, `]`");
        // The platform may be granted too; without a registry, any name is taken.
        assert!(parse("[ownership.platform]\nallow = [\"insert into pay.shifts\"]\n").is_ok());
    }
}
