//! Where things are in a migration: a statement's first line, the allow comments above
//! it, and the token PostgreSQL's parser gave up at.

use pg_query::protobuf::{self, Token};

use crate::text::{offset, LineIndex};

/// The comment that lets the statement on the next line through the ownership rule.
pub(crate) const ALLOW_OWNERSHIP: &str = "mynatca:allow ownership";

/// Line numbers and comments of one file, worked out only when a statement needs them.
pub(crate) struct Source<'a> {
    sql: &'a str,
    lines: Option<LineIndex<'a>>,
    tokens: Option<Vec<protobuf::ScanToken>>,
}

impl<'a> Source<'a> {
    pub(crate) fn new(sql: &'a str) -> Self {
        Source { sql, lines: None, tokens: None }
    }

    pub(crate) fn line(&mut self, byte_offset: usize) -> usize {
        let sql = self.sql;
        self.lines.get_or_insert_with(|| LineIndex::new(sql)).line(byte_offset)
    }

    /// The 1-based line of the statement's first token (libpg_query's location includes
    /// the whitespace and comments before it), and whether the line directly above is
    /// the allow comment.
    pub(crate) fn statement_start(&mut self, location: usize) -> (usize, bool) {
        let sql = self.sql;
        let tokens = self.tokens.get_or_insert_with(|| crate::text::scan_tokens(sql).unwrap_or_default());
        let Some(first) = tokens.iter().position(|t| offset(t.start) >= location && !is_comment(t)) else {
            return (self.line(location), false);
        };
        let (start, previous) = (offset(tokens[first].start), first.checked_sub(1).map(|i| tokens[i]));
        let line = self.line(start);
        let allowed = previous.is_some_and(|comment| {
            comment.token == Token::SqlComment as i32
                && self.line(offset(comment.start)) + 1 == line
                && is_allow_comment(&sql[offset(comment.start)..offset(comment.end)], "ownership")
        });
        (line, allowed)
    }

    /// The statement's first line, and whether `-- mynatca:allow <rule>` is on that line
    /// or the line above it.
    pub(crate) fn allowed_at(&mut self, location: usize, rule: &str) -> (usize, bool) {
        let (line, _) = self.statement_start(location);
        let sql = self.sql;
        let comments: Vec<(usize, usize)> = self
            .tokens
            .iter()
            .flatten()
            .filter(|t| t.token == Token::SqlComment as i32)
            .map(|t| (offset(t.start), offset(t.end)))
            .collect();
        let allowed = comments.into_iter().any(|(start, end)| {
            let at = self.line(start);
            (at == line || at + 1 == line) && is_allow_comment(&sql[start..end], rule)
        });
        (line, allowed)
    }

    /// Whether the comment lines before the first statement hold `-- mynatca:allow <rule>`.
    pub(crate) fn allowed_in_header(&mut self, rule: &str) -> bool {
        let sql = self.sql;
        let tokens = self.tokens.get_or_insert_with(|| crate::text::scan_tokens(sql).unwrap_or_default());
        tokens
            .iter()
            .take_while(|t| is_comment(t))
            .any(|t| is_allow_comment(&sql[offset(t.start)..offset(t.end)], rule))
    }
}

pub(crate) fn is_comment(token: &protobuf::ScanToken) -> bool {
    token.token == Token::SqlComment as i32 || token.token == Token::CComment as i32
}

/// `-- mynatca:allow <rule>`, optionally followed by a reason.
pub(crate) fn is_allow_comment(comment: &str, rule: &str) -> bool {
    let text = comment.trim_start_matches('-').trim();
    text.strip_prefix("mynatca:allow ")
        .and_then(|rest| rest.trim_start().strip_prefix(rule))
        .is_some_and(|rest| !rest.starts_with(|c: char| c.is_alphanumeric() || c == '_' || c == '-'))
}
