//! Positions in text: byte offsets (what parsers report) to 1-based lines and columns
//! (what people read).

/// The 1-based line and column (in characters) of `byte_offset` in `text`; an offset
/// past the end counts as the end, one inside a character as that character.
pub(crate) fn line_col(text: &str, byte_offset: usize) -> (usize, usize) {
    LineIndex::new(text).line_col(byte_offset)
}

/// Line starts of one text, for many lookups (each then costs a binary search).
#[derive(Debug, Clone)]
pub(crate) struct LineIndex<'a> {
    text: &'a str,
    newlines: Vec<usize>,
    /// The characters before every [`CHUNK`]th byte, so that a column on a very long line
    /// (a minified dump is one line) costs at most one chunk's count, not the line's;
    /// empty for ASCII text, where a column is a byte difference.
    chars_before: Vec<usize>,
}

/// Bytes between the checkpoints of [`LineIndex::chars_before`].
const CHUNK: usize = 4096;

impl<'a> LineIndex<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        let newlines = text.match_indices('\n').map(|(i, _)| i).collect();
        let mut chars_before = Vec::new();
        if !text.is_ascii() {
            let mut count = 0;
            let mut chunk_start = 0;
            while chunk_start < text.len() {
                chars_before.push(count);
                let end = (chunk_start + CHUNK).min(text.len());
                count += text.as_bytes()[chunk_start..end].iter().filter(|&&b| !is_continuation(b)).count();
                chunk_start = end;
            }
            // The end of a text whose length is a multiple of CHUNK.
            chars_before.push(count);
        }
        LineIndex { text, newlines, chars_before }
    }

    /// See [`line_col`].
    pub(crate) fn line_col(&self, byte_offset: usize) -> (usize, usize) {
        let mut offset = byte_offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.newlines.partition_point(|&i| i < offset);
        let start = if line == 0 { 0 } else { self.newlines[line - 1] + 1 };
        (line + 1, self.chars_to(offset) - self.chars_to(start) + 1)
    }

    /// The characters before byte `offset` (a character boundary).
    fn chars_to(&self, offset: usize) -> usize {
        if self.chars_before.is_empty() {
            return offset;
        }
        let chunk = offset / CHUNK;
        let rest = &self.text.as_bytes()[chunk * CHUNK..offset];
        self.chars_before[chunk] + rest.iter().filter(|&&b| !is_continuation(b)).count()
    }

    /// The 1-based line of `byte_offset`.
    pub(crate) fn line(&self, byte_offset: usize) -> usize {
        self.newlines.partition_point(|&i| i < byte_offset.min(self.text.len())) + 1
    }
}

/// A UTF-8 byte that continues a character.
fn is_continuation(byte: u8) -> bool {
    byte & 0xC0 == 0x80
}

/// A libpg_query offset (an `i32`, never negative for a real position) as a byte offset.
pub(crate) fn offset(location: i32) -> usize {
    usize::try_from(location).unwrap_or(0)
}

/// `1 repo`, `3 repos`: a count with its noun, plural unless the count is one.
pub(crate) fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// PostgreSQL's scanner over `sql`. Text with no token at all (empty, or white space
/// only) is answered here: libpg_query returns a null token array for it, which its Rust
/// binding turns into a slice from a null pointer (undefined behaviour, a panic in debug
/// builds).
pub(crate) fn scan_tokens(sql: &str) -> Result<Vec<pg_query::protobuf::ScanToken>, pg_query::Error> {
    if sql.trim().is_empty() {
        return Ok(Vec::new());
    }
    pg_query::scan_tokens(sql)
}

/// Lowercase hex of `bytes`.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_on_a_long_line_count_characters_across_chunks() {
        let text = format!("{}\n{}x", "é".repeat(3000), "ü".repeat(5000));
        let index = LineIndex::new(&text);
        assert_eq!(index.line_col(6000), (1, 3001), "the newline after 3000 two-byte characters");
        assert_eq!(index.line_col(6001 + 10_000), (2, 5001));
        assert_eq!(index.line_col(6001 + 4097), (2, 2049), "inside a character past a chunk's start");
        let whole = "é".repeat(CHUNK);
        assert_eq!(LineIndex::new(&whole).line_col(2 * CHUNK), (1, CHUNK + 1), "the end, at a chunk's end");
    }

    #[test]
    fn lines_and_columns_are_one_based() {
        let text = "ab\ncé\n\nx";
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, 2), (1, 3), "the newline itself ends line 1");
        assert_eq!(line_col(text, 3), (2, 1));
        assert_eq!(line_col(text, 6), (2, 3), "é is one column");
        assert_eq!(line_col(text, 5), (2, 2), "inside é counts as é");
        assert_eq!(line_col(text, 8), (4, 1));
        assert_eq!(line_col(text, 99), (4, 2), "past the end is the end");
        assert_eq!(LineIndex::new(text).line(7), 3);
        assert_eq!(offset(-1), 0);
        assert_eq!(line_col("abc", 2), (1, 3));
        assert_eq!(offset(7), 7);
    }
}
