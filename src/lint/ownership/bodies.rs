//! Function and `DO` bodies: what the SQL they run changes, each at its line in the
//! migration file. SQL bodies (quoted or `BEGIN ATOMIC`) are parsed with PostgreSQL's
//! grammar, PL/pgSQL ones with its PL/pgSQL compiler ([`crate::lint::plpgsql`]),
//! `EXECUTE` included where the body spells out its text ([`super::dynamic`]).
//!
//! Unqualified names resolve through the function's own `SET search_path` when it has
//! one, else through the file's search_path at the `CREATE` (what the migration ran with;
//! a caller's path at run time is unknown to a check).

use pg_query::protobuf::Token;
use pg_query::NodeEnum;

use super::dynamic;
use super::Analyzer;
use crate::lint::nodes::{def_elem, strings};
use crate::lint::plpgsql::{self, Sql};
use crate::lint::positions::Source;
use crate::lint::search_path::Scope;
use crate::lint::touch::{BodyEffect, Effect};
use crate::text::offset;

/// Routines that create routines are read this deep.
const MAX_DEPTH: usize = 3;

/// A piece of the migration file: its text and the file line its first byte is on.
#[derive(Debug, Clone, Copy)]
pub(super) struct Snippet<'a> {
    pub(super) text: &'a str,
    pub(super) line: usize,
}

impl Snippet<'_> {
    fn line_at(&self, offset: usize) -> usize {
        let before = &self.text.as_bytes()[..offset.min(self.text.len())];
        self.line + before.iter().filter(|&&b| b == b'\n').count()
    }
}

/// What the body of `node` changes, when it is a `CREATE FUNCTION`/`PROCEDURE` or `DO`
/// statement whose text is `snippet`; `scope` is the file's name resolution there.
pub(super) fn body_effects(node: &NodeEnum, snippet: Snippet, scope: &Scope) -> Vec<BodyEffect> {
    let mut reader = Reader { effects: Vec::new() };
    reader.routine(node, snippet, scope, 0);
    reader.effects
}

/// A routine as its statement declares it.
struct Routine<'a> {
    /// `function pay.sync_member`, `a DO block`.
    name: String,
    language: String,
    source: Option<&'a str>,
    atomic: bool,
    scope: Scope,
}

impl<'a> Routine<'a> {
    fn of(node: &'a NodeEnum, scope: &Scope) -> Option<Routine<'a>> {
        let mut scope = scope.clone();
        match node {
            NodeEnum::CreateFunctionStmt(s) => {
                let (mut language, mut source) = ("sql".to_string(), None);
                for option in s.options.iter().filter_map(def_elem) {
                    match (option.defname.as_str(), option.arg.as_ref().and_then(|a| a.node.as_ref())) {
                        ("language", Some(NodeEnum::String(l))) => language = l.sval.to_lowercase(),
                        ("as", Some(NodeEnum::List(list))) => source = strings(&list.items).first().copied(),
                        ("set", Some(set @ NodeEnum::VariableSetStmt(_))) => scope.after(set),
                        _ => {}
                    }
                }
                let kind = if s.is_procedure { "procedure" } else { "function" };
                let name = format!("{kind} {}", strings(&s.funcname).join("."));
                Some(Routine { name, language, source, atomic: s.sql_body.is_some(), scope })
            }
            NodeEnum::DoStmt(s) => {
                let (mut language, mut source) = ("plpgsql".to_string(), None);
                for option in s.args.iter().filter_map(def_elem) {
                    match (option.defname.as_str(), option.arg.as_ref().and_then(|a| a.node.as_ref())) {
                        ("language", Some(NodeEnum::String(l))) => language = l.sval.to_lowercase(),
                        ("as", Some(NodeEnum::String(body))) => source = Some(body.sval.as_str()),
                        _ => {}
                    }
                }
                Some(Routine { name: "a DO block".to_string(), language, source, atomic: false, scope })
            }
            _ => None,
        }
    }
}

struct Reader {
    effects: Vec<BodyEffect>,
}

impl Reader {
    fn routine(&mut self, node: &NodeEnum, snippet: Snippet, scope: &Scope, depth: usize) {
        let Some(routine) = Routine::of(node, scope) else { return };
        let mut analyzer = Analyzer { scope: routine.scope.clone(), touches: Vec::new() };
        if routine.atomic {
            return self.atomic(&mut analyzer, &routine.name, snippet);
        }
        let Some(source) = routine.source else { return };
        let body = Snippet { text: source, line: snippet.line_at(body_offset(snippet.text, source)) };
        match routine.language.as_str() {
            "sql" => self.sql(&mut analyzer, &routine.name, body, false, depth),
            "plpgsql" => match plpgsql::body_sql(snippet.text) {
                Ok(statements) => {
                    for statement in statements {
                        let line = body.line + statement.line - 1;
                        match &statement.sql {
                            Sql::Static(text) => {
                                self.sql(&mut analyzer, &routine.name, Snippet { text, line }, false, depth)
                            }
                            Sql::Dynamic(expr) => match dynamic::text_of(expr) {
                                Some(text) => {
                                    self.sql(&mut analyzer, &routine.name, Snippet { text: &text, line }, true, depth)
                                }
                                None => self.push(&routine.name, line, Effect::Unresolved),
                            },
                        }
                    }
                }
                Err(message) => self.push(
                    &routine.name,
                    body.line,
                    Effect::NotAnalysed(format!("does not compile as PL/pgSQL ({message})")),
                ),
            },
            // Compiled code: a migration names a symbol, it writes no body.
            "c" | "internal" => {}
            other => self.push(
                &routine.name,
                body.line,
                Effect::NotAnalysed(format!("is in language {other}, which mynatca does not read")),
            ),
        }
    }

    /// The statements of `body` in order, in one name resolution; `dynamic` for the text
    /// of an `EXECUTE`, whose lines are all the `EXECUTE`'s.
    fn sql(&mut self, analyzer: &mut Analyzer, routine: &str, body: Snippet, dynamic: bool, depth: usize) {
        let parsed = match pg_query::parse(body.text, 0) {
            Ok(parsed) => parsed,
            Err(_) if dynamic => return self.push(routine, body.line, Effect::Unresolved),
            Err(err) => {
                let message = match err {
                    pg_query::Error::Parse(message) => message,
                    other => other.to_string(),
                };
                return self.push(routine, body.line, Effect::NotAnalysed(format!("does not parse ({message})")));
            }
        };
        let mut source = Source::new(body.text);
        for raw in &parsed.protobuf.stmts {
            let Some(node) = raw.stmt.as_ref().and_then(|s| s.node.as_ref()) else { continue };
            let location = offset(raw.stmt_location);
            let line = if dynamic { body.line } else { body.line + source.statement_start(location).0 - 1 };
            analyzer.statement(node);
            let lookup = analyzer.scope.lookup_schemas();
            for touch in std::mem::take(&mut analyzer.touches) {
                let effect = match dynamic {
                    true if dynamic::unresolved(&touch, &lookup) => Effect::Unresolved,
                    true => Effect::Touch { touch: dynamic::shown(touch), dynamic },
                    false => Effect::Touch { touch, dynamic },
                };
                self.push(routine, line, effect);
            }
            if depth < MAX_DEPTH && !dynamic {
                let end = if raw.stmt_len == 0 { body.text.len() } else { location + offset(raw.stmt_len) };
                let text = body.text.get(location..end).unwrap_or_default();
                self.routine(node, Snippet { text, line: body.line_at(location) }, &analyzer.scope, depth + 1);
            }
            analyzer.scope.after(node);
        }
    }

    /// `BEGIN ATOMIC ... END`: statements already parsed, each at its table's line.
    fn atomic(&mut self, analyzer: &mut Analyzer, routine: &str, snippet: Snippet) {
        let Ok(parsed) = pg_query::parse(snippet.text, 0) else { return };
        let Some(NodeEnum::CreateFunctionStmt(s)) =
            parsed.protobuf.stmts.first().and_then(|raw| raw.stmt.as_ref()).and_then(|s| s.node.as_ref())
        else {
            return;
        };
        let mut pending: Vec<&pg_query::Node> = s.sql_body.iter().map(|b| b.as_ref()).collect();
        while let Some(node) = pending.pop() {
            match node.node.as_ref() {
                Some(NodeEnum::List(list)) => pending.extend(list.items.iter().rev()),
                Some(statement) => {
                    let line = snippet.line_at(table_location(statement).unwrap_or(0));
                    analyzer.statement(statement);
                    for touch in std::mem::take(&mut analyzer.touches) {
                        self.push(routine, line, Effect::Touch { touch, dynamic: false });
                    }
                }
                None => {}
            }
        }
    }

    fn push(&mut self, routine: &str, line: usize, effect: Effect) {
        self.effects.push(BodyEffect { line, routine: routine.to_string(), effect });
    }
}

/// Where the table a DML statement writes is named.
fn table_location(statement: &NodeEnum) -> Option<usize> {
    let relation = match statement {
        NodeEnum::InsertStmt(s) => s.relation.as_ref(),
        NodeEnum::UpdateStmt(s) => s.relation.as_ref(),
        NodeEnum::DeleteStmt(s) => s.relation.as_ref(),
        NodeEnum::MergeStmt(s) => s.relation.as_ref(),
        _ => None,
    };
    relation.map(|r| offset(r.location))
}

/// Where the string holding `body` starts in `statement` (its opening quote, the line
/// the body's line 1 is on): the string at the statement's top level whose content is
/// `body`, else its first top-level string.
fn body_offset(statement: &str, body: &str) -> usize {
    let Ok(tokens) = crate::text::scan_tokens(statement) else { return 0 };
    let mut depth = 0i32;
    let mut first = None;
    for token in &tokens {
        match Token::try_from(token.token) {
            Ok(Token::Ascii40) => depth += 1,
            Ok(Token::Ascii41) => depth -= 1,
            Ok(Token::Sconst) if depth == 0 => {
                let (start, end) = (offset(token.start), offset(token.end));
                if unquote(statement.get(start..end).unwrap_or_default()).as_deref() == Some(body) {
                    return start;
                }
                first.get_or_insert(start);
            }
            _ => {}
        }
    }
    first.unwrap_or(0)
}

/// The content of a `'...'` or `$tag$...$tag$` string.
fn unquote(token: &str) -> Option<String> {
    if let Some(rest) = token.strip_prefix('$') {
        let tag_len = rest.find('$')? + 2;
        return token.get(tag_len..token.len().checked_sub(tag_len)?).map(str::to_string);
    }
    let inner = token.strip_prefix('\'')?.strip_suffix('\'')?;
    Some(inner.replace("''", "'"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_body_starts_at_its_quote() {
        let sql =
            "create function f(a text default 'x')\n  returns int\n  language sql\n  as $body$\nselect 1\n$body$;";
        assert_eq!(body_offset(sql, "\nselect 1\n"), sql.find("$body$").unwrap());
        let quoted = "create function f() returns int language sql as 'select ''a''';";
        assert_eq!(body_offset(quoted, "select 'a'"), quoted.find("'select").unwrap());
        assert_eq!(unquote("$$x$$").as_deref(), Some("x"));
    }
}
