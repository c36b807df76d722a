//! `name-pattern`, `name-style` and `name-prefix`: what a migration's file name says.

use std::path::Path;

use super::renames::{has_word, Suggestion};
use super::{Code, Diagnostic};
use crate::migration;

/// `name-pattern`, `name-style` and (for a linked project, whose schema is given)
/// `name-prefix` for the migration file at `path`; `suggestion` is the one name every
/// rule suggests for it (see [`Renames`](super::renames::Renames)).
pub(crate) fn name_findings(path: &Path, schema: Option<&str>, suggestion: Option<&Suggestion>) -> Vec<Diagnostic> {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let Some(parsed) = migration::parse(&name) else {
        return vec![Diagnostic::new(
            Code::NamePattern,
            path,
            1,
            format!("{name} is not <digits>_<name>.sql, so the Supabase CLI skips it; rename it (`mynatca new` makes a proper name)"),
        )];
    };
    let hint = suggestion.map_or_else(|| "`mynatca new` picks a proper name".to_string(), Suggestion::hint);
    let mut findings = Vec::new();
    if parsed.version.len() != 14 {
        findings.push(Diagnostic::new(
            Code::NameStyle,
            path,
            1,
            format!("version {} is not 14 digits (UTC YYYYMMDDHHMMSS); {hint}", parsed.version),
        ));
    }
    let description = parsed.description;
    // The same correction `mynatca new` makes for a typed description.
    let corrected = migration::suggest_description(description);
    if !migration::is_valid_description(description) {
        let add = if corrected.is_empty() { "add one: " } else { "" };
        findings.push(Diagnostic::new(
            Code::NameStyle,
            path,
            1,
            format!("description {description:?} is not lowercase with underscores; {add}{hint}"),
        ));
    }
    if let Some(schema) = schema {
        // Judged on the corrected form: `Pay-Mixed` is a style problem, not a missing prefix.
        if !has_word(&corrected, schema) {
            findings.push(Diagnostic::new(
                Code::NamePrefix,
                path,
                1,
                format!("description {description:?} does not name the schema {schema}; {hint}"),
            ));
        }
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Severity;

    #[test]
    fn names_follow_the_pattern_and_style() {
        let rules = |name: &str, schema: Option<&str>| -> Vec<Code> {
            name_findings(&Path::new("/m").join(name), schema, None).into_iter().map(|f| f.code).collect()
        };
        assert_eq!(rules("20251215120000_add_things.sql", None), vec![]);
        assert_eq!(rules("00000000000001_baseline_platform_schema.sql", None), vec![], "baselines have 14 digits");
        assert_eq!(rules("add_things.sql", None), vec![Code::NamePattern]);
        assert_eq!(rules("2025121512_add_things.sql", None), vec![Code::NameStyle]);
        assert_eq!(rules("20251215120000_Add-Things.sql", None), vec![Code::NameStyle]);
        assert_eq!(rules("20251215120000_.sql", None), vec![Code::NameStyle]);
        assert_eq!(rules("20251215120000_pay_add_x.sql", Some("pay")), vec![]);
        assert_eq!(rules("00000000000002_baseline_pay_schema.sql", Some("pay")), vec![]);
        assert_eq!(rules("20251215120000_payroll_fix.sql", Some("pay")), vec![Code::NamePrefix]);
        // Both rules give the one suggested name.
        let rename = Suggestion::Rename { name: "20251215120000_pay_late_0.sql".into(), new_version: false };
        let both = name_findings(Path::new("/m/20251215120000_Late-0.sql"), Some("pay"), Some(&rename));
        assert_eq!(both.len(), 2);
        for finding in &both {
            assert!(finding.message.ends_with("rename it to 20251215120000_pay_late_0.sql"), "{}", finding.message);
            assert_eq!(finding.severity, Severity::Warning);
        }
    }
}
