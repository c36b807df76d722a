//! `name-pattern`, `name-style` and `name-prefix`: what a migration's file name says.

use std::path::Path;

use super::{Finding, Rule};
use crate::migration;

/// `name-pattern`, `name-style` and (for a linked project, whose schema is given)
/// `name-prefix` for the migration file at `path`.
pub(crate) fn name_findings(path: &Path, schema: Option<&str>) -> Vec<Finding> {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let Some(parsed) = migration::parse(&name) else {
        return vec![Finding::new(
            Rule::NamePattern,
            path,
            1,
            format!("{name} is not <digits>_<name>.sql, so the Supabase CLI skips it; rename it (`mynatca new` makes a proper name)"),
        )];
    };
    let mut findings = Vec::new();
    if parsed.version.len() != 14 {
        findings.push(Finding::new(
            Rule::NameStyle,
            path,
            1,
            format!("version {} is not 14 digits (UTC YYYYMMDDHHMMSS); `mynatca new` picks one", parsed.version),
        ));
    }
    let description = parsed.description;
    // The same suggestion `mynatca new` makes for a typed description.
    let suggestion = migration::suggest_description(description);
    if !migration::is_valid_description(description) {
        let hint = if suggestion.is_empty() {
            "add a description of lowercase letters, digits and underscores".to_string()
        } else {
            format!("rename it to {}_{suggestion}.sql", parsed.version)
        };
        findings.push(Finding::new(
            Rule::NameStyle,
            path,
            1,
            format!("description {description:?} is not lowercase with underscores; {hint}"),
        ));
    }
    if let Some(schema) = schema {
        // Judged on the suggested form: `Pay-Mixed` is a style problem, not a missing prefix.
        if !has_word(&suggestion, schema) {
            findings.push(Finding::new(
                Rule::NamePrefix,
                path,
                1,
                format!("description {description:?} does not name the schema {schema}; call it {schema}_{suggestion}"),
            ));
        }
    }
    findings
}

/// `schema` as whole underscore-separated words of `description`.
fn has_word(description: &str, schema: &str) -> bool {
    format!("_{description}_").contains(&format!("_{schema}_"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Severity as Level;

    #[test]
    fn names_follow_the_pattern_and_style() {
        let rules = |name: &str, schema: Option<&str>| -> Vec<Rule> {
            name_findings(&Path::new("/m").join(name), schema).into_iter().map(|f| f.code).collect()
        };
        assert_eq!(rules("20251215120000_add_things.sql", None), vec![]);
        assert_eq!(rules("00000000000001_baseline_platform_schema.sql", None), vec![], "baselines have 14 digits");
        assert_eq!(rules("add_things.sql", None), vec![Rule::NamePattern]);
        assert_eq!(rules("2025121512_add_things.sql", None), vec![Rule::NameStyle]);
        assert_eq!(rules("20251215120000_Add-Things.sql", None), vec![Rule::NameStyle]);
        assert_eq!(rules("20251215120000_.sql", None), vec![Rule::NameStyle]);
        assert_eq!(rules("20251215120000_pay_add_x.sql", Some("pay")), vec![]);
        assert_eq!(rules("00000000000002_baseline_pay_schema.sql", Some("pay")), vec![]);
        assert_eq!(rules("20251215120000_payroll_fix.sql", Some("pay")), vec![Rule::NamePrefix]);
        let style = name_findings(Path::new("/m/20251215120000_Add-Things.sql"), None);
        assert!(style[0].message.ends_with("rename it to 20251215120000_add_things.sql"), "{}", style[0].message);
        assert_eq!(style[0].severity, Level::Warning);
        // camelCase is split as `mynatca new` splits it.
        let camel = name_findings(Path::new("/m/20251215120000_AddThings.sql"), None);
        assert!(camel[0].message.ends_with("rename it to 20251215120000_add_things.sql"), "{}", camel[0].message);
    }
}
