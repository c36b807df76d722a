//! Where PostgreSQL's parser rejects a file, in one parse.
//!
//! The pg_query crate reports a parse error's message but drops the cursor position
//! libpg_query computes. Without it, finding the offending token meant re-parsing ever
//! longer prefixes (tens of seconds and gigabytes on a 10 MB file), so this reads the
//! position from libpg_query's own split entry point, which the crate links in already
//! and which builds no protobuf tree.

use std::ffi::{c_char, c_int, CStr, CString};

/// libpg_query's error, as every entry point reports it.
#[repr(C)]
pub(crate) struct PgQueryError {
    pub(crate) message: *mut c_char,
    funcname: *mut c_char,
    filename: *mut c_char,
    lineno: c_int,
    /// 1-based character (not byte) position in the input; 0 when unknown.
    cursorpos: c_int,
    context: *mut c_char,
}

#[repr(C)]
struct PgQuerySplitResult {
    stmts: *mut *mut std::ffi::c_void,
    n_stmts: c_int,
    stderr_buffer: *mut c_char,
    error: *mut PgQueryError,
}

extern "C" {
    fn pg_query_split_with_parser(input: *const c_char) -> PgQuerySplitResult;
    fn pg_query_free_split_result(result: PgQuerySplitResult);
}

/// A syntax error: PostgreSQL's message and the byte offset it points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SyntaxError {
    pub(crate) message: String,
    /// Byte offset into the parsed text, when PostgreSQL gave one.
    pub(crate) offset: Option<usize>,
}

/// The first syntax error in `sql`, if PostgreSQL's grammar rejects it.
pub(crate) fn syntax_error(sql: &str) -> Option<SyntaxError> {
    // A NUL cannot reach the C parser; PostgreSQL would refuse it the same way.
    let Ok(input) = CString::new(sql) else {
        let offset = sql.find('\0');
        return Some(SyntaxError { message: "the file holds a NUL byte".to_string(), offset });
    };
    // SAFETY: `input` is a valid C string that outlives the call; the result is read
    // before it is freed exactly once, as libpg_query's header prescribes.
    unsafe {
        let result = pg_query_split_with_parser(input.as_ptr());
        let error = result.error.as_ref().map(|error| {
            let message = CStr::from_ptr(error.message).to_string_lossy().into_owned();
            let chars = usize::try_from(error.cursorpos).ok().filter(|&c| c > 0);
            // "at end of input" points past the last character: show the last one that
            // is not blank, where the unfinished statement is.
            let offset = if message.ends_with("at end of input") {
                Some(sql.trim_end().len().saturating_sub(1))
            } else {
                chars.map(|c| byte_offset(sql, c - 1))
            };
            SyntaxError { message, offset }
        });
        pg_query_free_split_result(result);
        error
    }
}

/// Above this size a file is parsed a chunk of statements at a time: one protobuf tree
/// of a whole 10 MB file costs gigabytes, a chunk's next to nothing.
const CHUNK_BYTES: usize = 256 << 10;

/// Calls `each` with every statement of `sql` as libpg_query parses it, each
/// `stmt_location` a byte offset into `sql`, and drops it after. A large file is split
/// by PostgreSQL's own parser first (which builds no protobuf), then parsed in chunks of
/// whole statements: the same statements, in bounded memory. (Locations inside a
/// statement count from its chunk's start; the rules read only statement locations and
/// lengths.)
pub(crate) fn each_statement(
    sql: &str,
    mut each: impl FnMut(&pg_query::protobuf::RawStmt),
) -> Result<(), pg_query::Error> {
    if sql.len() <= CHUNK_BYTES {
        pg_query::parse(sql, 0)?.protobuf.stmts.iter().for_each(each);
        return Ok(());
    }
    let mut chunks: Vec<(usize, usize)> = Vec::new();
    for piece in pg_query::split_with_parser(sql)? {
        // The pieces are slices of `sql`: their distance from its start is their offset.
        let start = piece.as_ptr() as usize - sql.as_ptr() as usize;
        let end = start + piece.len();
        match chunks.last_mut() {
            Some(chunk) if chunk.1 - chunk.0 < CHUNK_BYTES => chunk.1 = end,
            _ => chunks.push((start, end)),
        }
    }
    for (start, end) in chunks {
        let base = i32::try_from(start).unwrap_or(i32::MAX);
        for mut raw in pg_query::parse(&sql[start..end], 0)?.protobuf.stmts {
            // A length of 0 means "to the end": of the chunk, not of the file.
            if raw.stmt_len == 0 {
                raw.stmt_len = i32::try_from(end - start).unwrap_or(i32::MAX).saturating_sub(raw.stmt_location);
            }
            raw.stmt_location = base.saturating_add(raw.stmt_location);
            each(&raw);
        }
    }
    Ok(())
}

/// The byte offset of the character at `index` (0-based), or the end of `text`.
fn byte_offset(text: &str, index: usize) -> usize {
    text.char_indices().nth(index).map_or(text.len(), |(offset, _)| offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_large_file_parses_in_chunks_at_file_offsets() {
        let large = format!("create table a (id int);\n-- note\n{}", "select 2;\n".repeat(3 * CHUNK_BYTES / 10));
        let whole = pg_query::parse(&large, 0).unwrap().protobuf.stmts;
        let mut chunked = Vec::new();
        each_statement(&large, |raw| chunked.push(raw.stmt_location)).unwrap();
        let expected: Vec<i32> = whole.iter().map(|raw| raw.stmt_location).collect();
        assert_eq!(chunked, expected);
    }

    #[test]
    fn valid_sql_has_no_error() {
        assert_eq!(syntax_error("create table t (id int);\nselect 1;"), None);
    }

    #[test]
    fn the_error_points_at_the_offending_token() {
        let sql = "create table t (id int);\nselec 1;";
        let error = syntax_error(sql).unwrap();
        assert_eq!(error.message, "syntax error at or near \"selec\"");
        assert_eq!(error.offset, Some(sql.find("selec").unwrap()));
    }

    #[test]
    fn positions_count_characters_not_bytes() {
        let sql = "select 'été';\nselec 1;";
        assert_eq!(syntax_error(sql).unwrap().offset, Some(sql.rfind("selec").unwrap()));
    }

    #[test]
    fn an_unterminated_string_points_at_its_start() {
        let sql = "select 1;\nselect 'oops;\n";
        let error = syntax_error(sql).unwrap();
        assert_eq!(error.offset, Some(sql.find('\'').unwrap()), "{error:?}");
    }
}
