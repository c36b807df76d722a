//! `-- mynatca-ignore: RULE REASON` in a migration: silences RULE's findings on one
//! statement, as squawk's `-- squawk-ignore` and ruff's `noqa` do. The statement is the
//! one the comment precedes or lies in; a comment after code on its line belongs to that
//! code's statement. Several rules are written `ownership,order`. An ignore without a
//! reason, naming no rule of a statement, or silencing nothing is itself an `ignore`
//! warning, so stale ones do not pile up.

use std::collections::HashMap;
use std::path::Path;

use pg_query::protobuf::Token;

use super::parsed::Parsed;
use super::positions::{is_comment, Source};
use super::{Code, Diagnostic};
use crate::text::{offset, LineIndex};

const MARK: &str = "mynatca-ignore:";

/// The rules whose findings are about one statement (the others are about a whole file,
/// a link, a repo: their level is set in mynatca.toml).
const STATEMENT_RULES: [Code; 4] = [Code::Ownership, Code::Order, Code::Rls, Code::Transaction];

/// One ignore comment that names statement rules.
struct Ignore {
    line: usize,
    /// The rules as written, for messages: `ownership,order`.
    written: String,
    rules: Vec<Code>,
    /// The lines of its statement (none after the last one).
    lines: Option<(usize, usize)>,
    used: Vec<bool>,
}

/// Removes the findings the files' ignore comments silence, and adds the `ignore`
/// warnings. Only files that parse are read: without statements nothing can be silenced.
pub(crate) fn apply_ignores(files: &[Parsed], findings: &mut Vec<Diagnostic>) {
    let mut ignores: HashMap<&Path, Vec<Ignore>> = HashMap::new();
    let mut warnings = Vec::new();
    for file in files.iter().filter(|file| file.parses && file.sql.contains(MARK)) {
        ignores.insert(&file.path, read(file, &mut warnings));
    }
    findings.retain(|finding| {
        let Some(list) = ignores.get_mut(finding.file()) else { return true };
        for ignore in list {
            let Some((from, to)) = ignore.lines else { continue };
            let rule = ignore.rules.iter().position(|rule| *rule == finding.code);
            if let Some(rule) = rule.filter(|_| (from..=to).contains(&finding.line.unwrap_or(0))) {
                ignore.used[rule] = true;
                return false;
            }
        }
        true
    });
    for (path, list) in ignores {
        for ignore in list {
            let unused: Vec<&str> =
                ignore.rules.iter().zip(&ignore.used).filter(|(_, used)| !**used).map(|(r, _)| r.as_str()).collect();
            if !unused.is_empty() {
                let what =
                    if ignore.lines.is_some() { "its statement has no" } else { "no statement follows it, so no" };
                let message = format!(
                    "`-- mynatca-ignore: {}` silences nothing: {what} {} finding; remove it",
                    ignore.written,
                    unused.join(" or ")
                );
                warnings.push(Diagnostic::new(Code::Ignore, path, ignore.line, message));
            }
        }
    }
    findings.extend(warnings);
}

/// The ignore comments of one file; the ones that are wrong as written go to `warnings`.
fn read(file: &Parsed, warnings: &mut Vec<Diagnostic>) -> Vec<Ignore> {
    let sql = file.sql.as_str();
    let tokens = crate::text::scan_tokens(sql).unwrap_or_default();
    let lines = LineIndex::new(sql);
    let mut source = Source::new(sql);
    let mut ignores = Vec::new();
    for (index, token) in tokens.iter().enumerate() {
        if token.token != Token::SqlComment as i32 {
            continue;
        }
        let (start, end) = (offset(token.start), offset(token.end));
        let text = sql.get(start..end).unwrap_or_default().trim_start_matches('-').trim();
        let Some(rest) = text.strip_prefix(MARK) else { continue };
        let line = lines.line(start);
        let rest = rest.trim();
        let (written, reason) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
        let warn = |message: String| Diagnostic::new(Code::Ignore, &file.path, line, message);
        if reason.trim().is_empty() {
            warnings.push(warn(format!(
                "`-- mynatca-ignore: {written}` gives no reason; say why after the rule, for whoever reads it next"
            )));
        }
        let mut rules = Vec::new();
        for name in written.split(',').map(str::trim) {
            match Code::rule_named(name) {
                Some(rule) if STATEMENT_RULES.contains(&rule) => rules.push(rule),
                Some(rule) => warnings.push(warn(format!(
                    "`-- mynatca-ignore: {written}`: {} is not about one statement, so a comment cannot silence it; set its level in mynatca.toml",
                    rule.as_str()
                ))),
                None => {
                    let names = STATEMENT_RULES.iter().map(|rule| rule.as_str());
                    let typo = crate::suggest::did_you_mean(name, names.clone());
                    warnings.push(warn(format!(
                        "`-- mynatca-ignore: {written}` names no rule {name:?}{typo}, so it silences nothing; a comment can silence {}",
                        names.collect::<Vec<_>>().join(", ")
                    )));
                }
            }
        }
        if rules.is_empty() {
            continue;
        }
        // After code on its own line, the comment is about that code's statement.
        let before = tokens[..index].iter().rev().find(|t| !is_comment(t));
        let anchor = before.map(|t| offset(t.start)).filter(|&at| lines.line(at) == line).unwrap_or(start);
        let statement = file.statements.iter().find(|s| anchor <= s.end);
        let span = statement.map(|s| (source.statement_start(s.location).0, lines.line(s.end)));
        let used = vec![false; rules.len()];
        ignores.push(Ignore { line, written: written.to_string(), rules, lines: span, used });
    }
    ignores
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Severity;
    use crate::lint::ownership::analyze_sql;

    /// The findings left of `found` (rule, line) in a file of `sql`, and the warnings.
    fn silence(sql: &str, found: &[(Code, usize)]) -> Vec<(Code, usize, String)> {
        let path = Path::new("/x.sql");
        let (_, statements) = analyze_sql(path, sql);
        let file = Parsed {
            path: path.into(),
            project: "pay".into(),
            sql: sql.into(),
            statements: statements.unwrap(),
            parses: true,
        };
        let mut findings: Vec<Diagnostic> =
            found.iter().map(|(rule, line)| Diagnostic::new(*rule, path, *line, "x")).collect();
        apply_ignores(&[file], &mut findings);
        assert!(findings.iter().filter(|f| f.code == Code::Ignore).all(|f| f.severity == Severity::Warning));
        findings.into_iter().map(|f| (f.code, f.line.unwrap_or(0), f.message)).collect()
    }

    #[test]
    fn an_ignore_silences_its_rule_on_the_next_statement_only() {
        let sql = "-- mynatca-ignore: ownership agreed with the platform team\n\ncreate function f() returns void language sql as $$\ndelete from public.a\n$$;\ninsert into public.b values (1);\n";
        let left = silence(sql, &[(Code::Ownership, 4), (Code::Order, 3), (Code::Ownership, 6)]);
        assert_eq!(left, vec![(Code::Order, 3, "x".into()), (Code::Ownership, 6, "x".into())]);
        // After code on its line: that code's statement.
        let trailing = "insert into public.a values (1); -- mynatca-ignore: ownership,order reviewed\nselect 1;\n";
        assert_eq!(silence(trailing, &[(Code::Ownership, 1), (Code::Order, 1)]), vec![]);
    }

    #[test]
    fn a_wrong_or_useless_ignore_is_a_warning() {
        let sql = "-- mynatca-ignore: ownership\ninsert into public.a values (1);\n-- mynatca-ignore: order nothing to silence\nselect 1;\n-- mynatca-ignore: ownrship typo\n-- mynatca-ignore: name-prefix per file\nselect 2;\n-- mynatca-ignore: rls at the end\n";
        let messages: Vec<(usize, String)> =
            silence(sql, &[(Code::Ownership, 2)]).into_iter().map(|(_, line, message)| (line, message)).collect();
        assert_eq!(
            messages,
            vec![
                (1, "`-- mynatca-ignore: ownership` gives no reason; say why after the rule, for whoever reads it next".into()),
                (5, "`-- mynatca-ignore: ownrship` names no rule \"ownrship\" (did you mean ownership?), so it silences nothing; a comment can silence ownership, order, rls, transaction".into()),
                (6, "`-- mynatca-ignore: name-prefix`: name-prefix is not about one statement, so a comment cannot silence it; set its level in mynatca.toml".into()),
                (3, "`-- mynatca-ignore: order` silences nothing: its statement has no order finding; remove it".into()),
                (8, "`-- mynatca-ignore: rls` silences nothing: no statement follows it, so no rls finding; remove it".into()),
            ]
        );
    }
}
