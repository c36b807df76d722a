//! PL/pgSQL bodies, read by PostgreSQL's own PL/pgSQL compiler (libpg_query's
//! `pg_query_parse_plpgsql`): the SQL each statement of a function or `DO` block runs,
//! at its line in the body.
//!
//! The pg_query crate's wrapper of that entry point fails on every trigger function:
//! libpg_query writes the trigger's implicit variables (`tg_op`, `tg_name`, ...) as `{}}`,
//! which is not JSON. So mynatca calls the entry point itself, as [`crate::sqlerror`]
//! does for the split, and mends those entries before reading the document.

use std::ffi::{c_char, CStr, CString};

use serde_json::Value;

use crate::sqlerror::PgQueryError;

#[repr(C)]
struct PgQueryPlpgsqlParseResult {
    plpgsql_funcs: *mut c_char,
    error: *mut PgQueryError,
}

extern "C" {
    fn pg_query_parse_plpgsql(input: *const c_char) -> PgQueryPlpgsqlParseResult;
    fn pg_query_free_plpgsql_parse_result(result: PgQueryPlpgsqlParseResult);
}

/// The SQL a PL/pgSQL statement runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Sql {
    /// Written in the body (`insert into ...;`, `for r in select ...`).
    Static(String),
    /// An expression giving the text to run (`execute format('...', x)`).
    Dynamic(String),
}

/// One statement's SQL, at its 1-based line in the body (line 1 is the line of the
/// opening quote).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BodySql {
    pub(crate) line: usize,
    pub(crate) sql: Sql,
}

/// The SQL of every statement of the PL/pgSQL function or `DO` block `statement` (the
/// text of one `CREATE FUNCTION` or `DO` statement), in body order; the compiler's
/// message when it rejects the body.
pub(crate) fn body_sql(statement: &str) -> Result<Vec<BodySql>, String> {
    let functions = compile(statement)?;
    let mut found = Vec::new();
    walk(&functions, 1, &mut found);
    Ok(found)
}

/// libpg_query's JSON document of the PL/pgSQL routines in `statement`.
fn compile(statement: &str) -> Result<Value, String> {
    let input = CString::new(statement).map_err(|_| "the body holds a NUL byte".to_string())?;
    // SAFETY: `input` is a valid C string that outlives the call; the result is read
    // before it is freed exactly once, as libpg_query's header prescribes.
    let text = unsafe {
        let result = pg_query_parse_plpgsql(input.as_ptr());
        let text = match (result.error.as_ref(), result.plpgsql_funcs.is_null()) {
            (Some(error), _) if !error.message.is_null() => {
                Err(CStr::from_ptr(error.message).to_string_lossy().into_owned())
            }
            (Some(_), _) => Err("rejected".to_string()),
            (None, true) => Ok("[]".to_string()),
            (None, false) => Ok(CStr::from_ptr(result.plpgsql_funcs).to_string_lossy().into_owned()),
        };
        pg_query_free_plpgsql_parse_result(result);
        text
    }?;
    serde_json::from_str(&mend(&text)).map_err(|err| format!("unreadable compiler output ({err})"))
}

/// `{}}` as an array element (after `[` or `,`, outside strings) becomes `{}`: what
/// libpg_query writes for a variable kind it does not print. Valid JSON never has it.
fn mend(json: &str) -> String {
    let bytes = json.as_bytes();
    let mut out: Vec<u8> = Vec::with_capacity(bytes.len());
    let (mut in_string, mut escaped, mut previous) = (false, false, b' ');
    let mut i = 0;
    while i < bytes.len() {
        let byte = bytes[i];
        if in_string {
            in_string = escaped || byte != b'"';
            escaped = !escaped && byte == b'\\';
        } else if byte == b'"' {
            in_string = true;
        } else if matches!(previous, b'[' | b',') && bytes[i..].starts_with(b"{}}") {
            out.extend_from_slice(b"{}");
            i += 3;
            previous = b'}';
            continue;
        }
        if !byte.is_ascii_whitespace() {
            previous = byte;
        }
        out.push(byte);
        i += 1;
    }
    // Only ASCII was ever dropped, so the bytes are still UTF-8.
    String::from_utf8(out).unwrap_or_else(|_| json.to_string())
}

/// Every statement under `value`, each with its line (or its parent's).
fn walk(value: &Value, line: usize, found: &mut Vec<BodySql>) {
    match value {
        Value::Array(items) => items.iter().for_each(|item| walk(item, line, found)),
        Value::Object(map) => {
            for (key, inner) in map {
                if key == "datums" {
                    continue;
                }
                let line = match key.strip_prefix("PLpgSQL_stmt_") {
                    Some(kind) => {
                        let line = inner.get("lineno").and_then(Value::as_u64).map_or(line, |l| l as usize);
                        statement(kind, inner, line, found);
                        line
                    }
                    None => line,
                };
                walk(inner, line, found);
            }
        }
        _ => {}
    }
}

/// The SQL one statement runs; expressions (conditions, assignments) are not statements.
fn statement(kind: &str, stmt: &Value, line: usize, found: &mut Vec<BodySql>) {
    let keys: &[(&str, bool)] = match kind {
        "execsql" => &[("sqlstmt", false)],
        "perform" => &[("expr", false)],
        "fors" => &[("query", false)],
        "return_query" | "open" => &[("query", false), ("dynquery", true)],
        "dynexecute" | "dynfors" => &[("query", true)],
        _ => return,
    };
    for (key, dynamic) in keys {
        let query = stmt.get(key).and_then(|e| e.get("PLpgSQL_expr")).and_then(|e| e.get("query"));
        if let Some(query) = query.and_then(Value::as_str) {
            let sql = if *dynamic { Sql::Dynamic(query.to_string()) } else { Sql::Static(query.to_string()) };
            found.push(BodySql { line, sql });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn routine(body: &str) -> String {
        format!("create function pay.f() returns trigger language plpgsql as $$\n{body}\n$$;")
    }

    #[test]
    fn statements_come_with_their_lines_in_trigger_functions_too() {
        let body = "declare n int; r record;\nbegin\n  insert into public.members values (new.id);\n  if n > 1 then\n    update members set x = 1;\n  end if;\n  execute format('delete from %I.members', 'public');\n  for r in select 1 loop perform 1; end loop;\n  select id into n from public.members;\n  return new;\nend";
        let found = body_sql(&routine(body)).unwrap();
        let got: Vec<(usize, Sql)> = found.into_iter().map(|s| (s.line, s.sql)).collect();
        assert_eq!(
            got,
            vec![
                (4, Sql::Static("insert into public.members values (new.id)".into())),
                (6, Sql::Static("update members set x = 1".into())),
                (8, Sql::Dynamic("format('delete from %I.members', 'public')".into())),
                (9, Sql::Static("select 1".into())),
                (9, Sql::Static("SELECT 1".into())),
                (10, Sql::Static("select id        from public.members".into())),
            ]
        );
    }

    #[test]
    fn exception_handlers_and_do_blocks_are_read() {
        let sql = "do $$\nbegin\n  insert into public.x values (1);\nexception when others then\n  delete from public.y;\nend $$;";
        let lines: Vec<usize> = body_sql(sql).unwrap().iter().map(|s| s.line).collect();
        assert_eq!(lines, vec![3, 5]);
        assert_eq!(body_sql("do $$ begin selec 1; end $$;").unwrap_err(), "syntax error at or near \"selec\"");
        // Not PL/pgSQL: nothing to read.
        assert!(body_sql("create function f() returns int language sql as $$ select 1 $$;").unwrap().is_empty());
    }

    #[test]
    fn mending_leaves_strings_and_empty_objects_alone() {
        assert_eq!(
            mend(r#"{"a":[{"x":1},{}},{}}],"b":{"c":{}},"s":",{}}é"}"#),
            r#"{"a":[{"x":1},{},{}],"b":{"c":{}},"s":",{}}é"}"#
        );
        assert_eq!(mend(r#"["q\",{}}"]"#), r#"["q\",{}}"]"#);
    }
}
