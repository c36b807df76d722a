//! `transaction`: judged by how the Supabase CLI sends a file ([`crate::batch`], measured
//! with 3.1.0). An error only where the CLI fails (or reports success and keeps nothing);
//! a warning where a later failure would leave part of the file applied with no history
//! row, so that running it again fails on what is already there.

use std::path::Path;

use super::{Code, Diagnostic};
use crate::batch::{self, Class, Control, Mode};
use crate::text::LineIndex;

/// What the CLI 2.x did differently, for messages.
const TWO_X: &str =
    "the CLI's 2.x releases sent a file as one pipeline and accepted such a statement only as its first";

/// `transaction` findings for one migration.
pub(crate) fn transaction_findings(path: &Path, sql: &str) -> Vec<Diagnostic> {
    let statements = batch::split(sql);
    let classes: Vec<Class> = statements.iter().map(|s| batch::classify(s.text)).collect();
    // One index for the file: a line worked out from the top per statement is quadratic.
    let index = LineIndex::new(sql);
    let lines: Vec<usize> = statements.iter().map(|s| index.line(s.offset + batch::code_start(s.text))).collect();
    let mut findings = Vec::new();
    let mut found = |line: usize, message: String, error: bool| {
        let finding = Diagnostic::new(Code::Transaction, path, line, message);
        findings.push(if error { finding } else { finding.warning() });
    };
    match batch::mode(&classes) {
        Mode::Pipeline => pipeline(&classes, &lines, &mut found),
        Mode::OneByOne => one_by_one(&classes, &lines, &mut found),
    }
    findings
}

/// One implicit transaction, cut where the CLI runs a statement alone.
fn pipeline(classes: &[Class], lines: &[usize], found: &mut dyn FnMut(usize, String, bool)) {
    let mut first_of_part = true;
    for (class, &line) in classes.iter().zip(lines) {
        match class {
            Class::Alone(what) if classes.len() > 1 => found(
                line,
                format!(
                    "{what} runs outside the file's transaction (the Supabase CLI 3.x commits what comes before it and runs it alone): \
                     if a statement after it fails, or it fails, what ran before stays applied with no history row; \
                     put it in a migration of its own ({TWO_X})"
                ),
                false,
            ),
            Class::Refused(what) if !first_of_part => found(
                line,
                format!(
                    "{what} cannot run inside the pipeline the Supabase CLI sends a file as, so `supabase db reset` fails here; \
                     put it first in a migration of its own, or outside migrations"
                ),
                true,
            ),
            Class::Savepoint => found(
                line,
                "SAVEPOINT, RELEASE and ROLLBACK TO need a transaction block and the Supabase CLI opens none for this file, \
                 so `supabase db reset` fails here; remove it, or wrap the file in BEGIN … COMMIT"
                    .to_string(),
                true,
            ),
            _ => {}
        }
        first_of_part = matches!(class, Class::Alone(_));
    }
}

/// Each statement a query of its own: a block runs from `BEGIN` to `COMMIT`, anything
/// outside one commits alone.
fn one_by_one(classes: &[Class], lines: &[usize], found: &mut dyn FnMut(usize, String, bool)) {
    let mut open: Option<usize> = None;
    // Units committed apart: each block, each statement outside one.
    let mut units = 0usize;
    let mut warned = false;
    for (class, &line) in classes.iter().zip(lines) {
        if open.is_none() && !matches!(class, Class::Control(Control::Commit | Control::Rollback)) {
            units += 1;
            if units == 2 && !warned {
                warned = true;
                found(
                    line,
                    "the Supabase CLI 3.x sends a file holding BEGIN/COMMIT one statement at a time, each statement outside \
                     BEGIN … COMMIT committing on its own: if this or a later statement fails, what ran before stays \
                     applied with no history row; keep the whole file inside one BEGIN … COMMIT"
                        .to_string(),
                    false,
                );
            }
        }
        match class {
            Class::Control(Control::Begin) => {
                open.get_or_insert(line);
            }
            Class::Control(Control::Commit | Control::Prepare) => open = None,
            Class::Control(Control::Rollback) if open.take().is_some() => found(
                line,
                "ROLLBACK discards what ran since BEGIN, and the Supabase CLI still records the file as applied; remove it"
                    .to_string(),
                false,
            ),
            Class::Control(Control::Finish) | Class::Alone(_) | Class::Refused(_) if open.is_some() => {
                let what = match class {
                    Class::Alone(what) | Class::Refused(what) => what,
                    _ => "COMMIT PREPARED or ROLLBACK PREPARED",
                };
                found(
                    line,
                    format!(
                        "{what} cannot run inside the BEGIN … COMMIT block opened at line {}, so `supabase db reset` fails here; \
                         move it after the COMMIT or to a migration of its own",
                        open.unwrap_or(line)
                    ),
                    true,
                );
            }
            Class::Savepoint if open.is_none() => found(
                line,
                "SAVEPOINT, RELEASE and ROLLBACK TO need a transaction block and this one runs outside BEGIN … COMMIT, \
                 so `supabase db reset` fails here; move it inside the block"
                    .to_string(),
                true,
            ),
            _ => {}
        }
    }
    if let Some(begin) = open {
        found(
            begin,
            "BEGIN without COMMIT: the Supabase CLI records this file and reports success, then rolls it back with every \
             later file when it disconnects; add the COMMIT"
                .to_string(),
            true,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Severity;

    fn found(sql: &str) -> Vec<(usize, bool, String)> {
        transaction_findings(Path::new("/x.sql"), sql)
            .into_iter()
            .map(|f| (f.line.unwrap_or(0), f.severity == Severity::Error, f.message))
            .collect()
    }

    fn errors(sql: &str) -> Vec<usize> {
        found(sql).into_iter().filter(|f| f.1).map(|f| f.0).collect()
    }

    fn warnings(sql: &str) -> Vec<usize> {
        found(sql).into_iter().filter(|f| !f.1).map(|f| f.0).collect()
    }

    #[test]
    fn what_the_cli_applies_whole_is_fine() {
        for sql in [
            "begin;\ncreate table t (id int);\ncommit;\n",
            "BEGIN;\nset local role authenticated;\nselect 1;\nEND;\n",
            "create unique index concurrently i on t (a);\n",
            "begin;\nsavepoint a;\nselect 1;\nrollback to savepoint a;\nrelease savepoint a;\ncommit;\n",
            "create database x;\n",
            "do $$ begin commit; end $$;\nselect 1;\n",
            "create index i on t (a);\nreindex table t;\nanalyze t;\nalter type s add value 'x';\ndiscard temp;\nlock table t;\n",
        ] {
            assert!(found(sql).is_empty(), "{sql}: {:?}", found(sql));
        }
        assert!(found("create table (").is_empty(), "parse errors are the parse rule's");
    }

    #[test]
    fn errors_only_where_the_cli_fails() {
        assert_eq!(errors("BEGIN;\ncreate table b (id int);\ncreate index concurrently i on b (id);\nCOMMIT;\n"), [3]);
        assert_eq!(errors("create table t (id int);\nsavepoint s1;\n"), [2]);
        assert_eq!(errors("create table cd (id int);\ncreate database cdb1;\n"), [2]);
        assert_eq!(errors("begin;\ncreate table nb (id int);\n"), [1]);
        assert_eq!(errors("select 1;\nsavepoint a;\nbegin;\ncommit;\n"), [2]);
        let message = &found("begin;\nvacuum t;\ncommit;\n")[0].2;
        assert!(message.starts_with("VACUUM cannot run inside the BEGIN … COMMIT block opened at line 1"), "{message}");
    }

    #[test]
    fn warns_where_a_later_failure_leaves_part_of_the_file_applied() {
        assert_eq!(warnings("create table t (id int);\ncreate index concurrently i on t (id);\n"), [2]);
        assert_eq!(warnings("BEGIN;\ncreate table c1 (id int);\nCOMMIT;\ncreate table c2 (id int);\n"), [4]);
        assert_eq!(warnings("create table e1 (id int);\ncommit;\ncreate table e1b (id int);\n"), [3]);
        assert_eq!(warnings("begin;\ncreate table e3 (id int);\nrollback;\n"), [3]);
        assert!(found("create table t (id int);\ncreate index concurrently i on t (id);\n")[0].2.contains("2.x"));
    }
}
