//! `EXECUTE` in PL/pgSQL: the SQL text an expression builds, when the body spells it out.
//! A string literal, literals joined with `||`, `format()` with a literal template,
//! `quote_ident`/`quote_literal` of literals: their text is known. What only the run
//! knows (a variable, a column of `NEW`) stands in as a placeholder: as a value it harms
//! nothing (`where id = mynatca_run_time_text`); as a schema it leaves the write
//! unresolved; as a name, the schema still tells the owner, unless the name came in as
//! raw text (`%s`, `||`), which may carry a schema of its own.

use pg_query::protobuf::{a_const, AExprKind};
use pg_query::{Node, NodeEnum};

use super::{PendingTouch, Place};
use crate::lint::nodes::strings;

/// What stands for an identifier only the run knows (`%I`, `quote_ident`).
const RUN_TIME_NAME: &str = "mynatca_run_time_name";
/// What stands for raw text only the run knows (`%s`, `||`).
const RUN_TIME_TEXT: &str = "mynatca_run_time_text";
/// How a finding shows a name only the run knows.
const SHOWN: &str = "<run-time name>";

/// A piece of text: known, or only known at run time.
enum Piece {
    Known(String),
    Unknown,
}

/// The SQL text `expr` builds, with placeholders where a part is only known at run time;
/// None when nothing of it is written in the body (`execute sql_text`).
pub(super) fn text_of(expr: &str) -> Option<String> {
    let parsed = pg_query::parse(&format!("select {expr}"), 0).ok()?;
    let stmt = parsed.protobuf.stmts.first()?.stmt.as_ref()?.node.as_ref()?;
    let NodeEnum::SelectStmt(select) = stmt else { return None };
    let [target] = select.target_list.as_slice() else { return None };
    let Some(NodeEnum::ResTarget(target)) = &target.node else { return None };
    match piece(target.val.as_deref()?) {
        Piece::Known(text) => Some(text),
        Piece::Unknown => None,
    }
}

/// Whether the run alone knows where a write lands: its schema is a placeholder, or its
/// unqualified name (`lookup`: the search_path it resolves through) came in as raw text.
pub(super) fn unresolved(touch: &PendingTouch, lookup: &[String]) -> bool {
    let raw_name = touch.name.as_deref().is_some_and(|name| name.contains(RUN_TIME_TEXT));
    match &touch.place {
        Place::Schema(schema) => {
            schema.contains(RUN_TIME_NAME)
                || schema.contains(RUN_TIME_TEXT)
                || (raw_name && lookup.len() == 1 && lookup[0] == *schema)
        }
        Place::Path(_) => raw_name,
    }
}

/// `touch` with its placeholders shown as such in a finding.
pub(super) fn shown(mut touch: PendingTouch) -> PendingTouch {
    if let Some(name) = &mut touch.name {
        *name = name.replace(RUN_TIME_NAME, SHOWN).replace(RUN_TIME_TEXT, SHOWN);
    }
    touch
}

fn piece(node: &Node) -> Piece {
    let Some(node) = node.node.as_ref() else { return Piece::Unknown };
    match node {
        NodeEnum::AConst(c) => match &c.val {
            Some(a_const::Val::Sval(s)) => Piece::Known(s.sval.clone()),
            Some(a_const::Val::Ival(i)) => Piece::Known(i.ival.to_string()),
            Some(a_const::Val::Fval(f)) => Piece::Known(f.fval.clone()),
            _ => Piece::Unknown,
        },
        NodeEnum::TypeCast(cast) => cast.arg.as_deref().map_or(Piece::Unknown, piece),
        NodeEnum::AExpr(e) if e.kind == AExprKind::AexprOp as i32 && strings(&e.name) == ["||"] => {
            let side = |n: Option<&Node>| match n.map(piece) {
                Some(Piece::Known(text)) => Some(text),
                _ => None,
            };
            match (side(e.lexpr.as_deref()), side(e.rexpr.as_deref())) {
                (None, None) => Piece::Unknown,
                (left, right) => Piece::Known(
                    left.unwrap_or_else(|| RUN_TIME_TEXT.to_string())
                        + &right.unwrap_or_else(|| RUN_TIME_TEXT.to_string()),
                ),
            }
        }
        NodeEnum::FuncCall(call) => function(call),
        _ => Piece::Unknown,
    }
}

fn function(call: &pg_query::protobuf::FuncCall) -> Piece {
    let name = strings(&call.funcname);
    let name = match name.as_slice() {
        ["pg_catalog", name] | [name] => *name,
        _ => return Piece::Unknown,
    };
    let args: Vec<Piece> = call.args.iter().map(piece).collect();
    match (name, args.as_slice()) {
        ("format", [Piece::Known(template), rest @ ..]) if !call.func_variadic => {
            format(template, rest).map_or(Piece::Unknown, Piece::Known)
        }
        ("quote_ident", [arg]) => Piece::Known(substitute('I', arg)),
        ("quote_literal" | "quote_nullable", [arg]) => Piece::Known(substitute('L', arg)),
        _ => Piece::Unknown,
    }
}

/// `format()`'s `%s`, `%I`, `%L` (with `N$` positions, `-` and widths) and `%%`; None
/// where PostgreSQL would raise an error.
fn format(template: &str, args: &[Piece]) -> Option<String> {
    let mut out = String::new();
    let mut chars = template.chars().peekable();
    let mut next = 0usize;
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        if chars.peek() == Some(&'%') {
            chars.next();
            out.push('%');
            continue;
        }
        let mut spec = String::new();
        let kind = loop {
            match chars.next()? {
                kind @ ('s' | 'I' | 'L') => break kind,
                c @ ('0'..='9' | '$' | '-' | '*') => spec.push(c),
                _ => return None,
            }
        };
        // `N$` picks the argument; `*` takes the width from the next one.
        let (position, width) = match spec.split_once('$') {
            Some((n, rest)) if !rest.contains('$') => (Some(n.parse::<usize>().ok()?.checked_sub(1)?), rest),
            Some(_) => return None,
            None => (None, spec.as_str()),
        };
        if width.contains('*') {
            next += 1;
        }
        let index = position.unwrap_or(next);
        next = index + 1;
        out.push_str(&substitute(kind, args.get(index)?));
    }
    Some(out)
}

/// An argument as `format()` puts it in: as is (`s`), as an identifier (`I`), as a
/// literal (`L`).
fn substitute(kind: char, arg: &Piece) -> String {
    match (kind, arg) {
        ('I', Piece::Known(name)) => {
            let plain = name.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
                && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '$');
            if plain {
                name.clone()
            } else {
                format!("\"{}\"", name.replace('"', "\"\""))
            }
        }
        ('L', Piece::Known(value)) => format!("'{}'", value.replace('\'', "''")),
        ('L', Piece::Unknown) => "NULL".to_string(),
        ('I', Piece::Unknown) => RUN_TIME_NAME.to_string(),
        (_, Piece::Known(text)) => text.clone(),
        (_, Piece::Unknown) => RUN_TIME_TEXT.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_text_is_known_where_the_body_writes_it() {
        let text = |expr: &str| text_of(expr);
        assert_eq!(text("'delete from public.members'").as_deref(), Some("delete from public.members"));
        assert_eq!(text("$x$ update public.m set a = 1 $x$").as_deref(), Some(" update public.m set a = 1 "));
        assert_eq!(
            text("format('insert into %I.%I values (%L, %s)', 'public', 'Members', new.id, 2)").as_deref(),
            Some("insert into public.\"Members\" values (NULL, 2)")
        );
        assert_eq!(
            text("format('update %2$I.t set a = %1$L', 'x''y', 'pay')").as_deref(),
            Some("update pay.t set a = 'x''y'")
        );
        assert_eq!(
            text("'delete from public.members where id = ' || quote_literal(new.id)").as_deref(),
            Some("delete from public.members where id = NULL")
        );
        assert_eq!(
            text("'insert into ' || tbl || ' values (1)'").as_deref(),
            Some("insert into mynatca_run_time_text values (1)")
        );
        assert_eq!(
            text("format('grant select on %I.%s to anon', s, t)").as_deref(),
            Some("grant select on mynatca_run_time_name.mynatca_run_time_text to anon")
        );
        assert_eq!(text("format('100%% of %s', 'x')").as_deref(), Some("100% of x"));
        // Nothing written in the body, or a template PostgreSQL would refuse.
        assert_eq!(text("sql_text"), None);
        assert_eq!(text("format(template, 1)"), None);
        assert_eq!(text("format('%s %s', 'only one')"), None);
        assert_eq!(text("format('%x', 1)"), None);
    }
}
