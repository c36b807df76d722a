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
        let tokens = self.tokens.get_or_insert_with(|| pg_query::scan_tokens(sql).unwrap_or_default());
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
        let tokens = self.tokens.get_or_insert_with(|| pg_query::scan_tokens(sql).unwrap_or_default());
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

/// Where PostgreSQL's parser gave up, as a byte offset. `pg_query` reports the message
/// but not the cursor, so: the parser reads tokens left to right and fails at the first
/// one no statement can continue with, hence parsing ever longer token prefixes fails
/// "at end of input" until that token is included; a binary search finds it. A lexer
/// error (an unterminated string or comment) names the rest of the input after it.
pub(crate) fn error_offset(sql: &str, message: &str) -> usize {
    let at_end = |message: &str| message.ends_with("at end of input");
    let tokens = pg_query::scan_tokens(sql);
    if at_end(message) {
        let last = tokens.iter().flatten().rev().find(|t| !is_comment(t));
        return last.map_or(sql.trim_end().len(), |t| offset(t.start));
    }
    if let Ok(tokens) = tokens {
        let fails_before_end = |k: usize| match pg_query::parse(&sql[..offset(tokens[k - 1].end)], 0) {
            Err(pg_query::Error::Parse(message)) => !at_end(&message),
            _ => false,
        };
        // Smallest k in 1..=len whose prefix fails before its end.
        let (mut low, mut high) = (1, tokens.len());
        if high > 0 && fails_before_end(high) {
            while low < high {
                let mid = (low + high) / 2;
                if fails_before_end(mid) {
                    high = mid;
                } else {
                    low = mid + 1;
                }
            }
            return offset(tokens[low - 1].start);
        }
    }
    let near = message.split_once(" at or near \"").map(|(_, rest)| rest.strip_suffix('"').unwrap_or(rest));
    match near {
        Some(near) if !near.is_empty() => sql.rfind(near).unwrap_or(0),
        _ => 0,
    }
}
