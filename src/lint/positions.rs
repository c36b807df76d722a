//! Where things are in a migration: a statement's first line, the allow comments above
//! it, and the token PostgreSQL's parser gave up at.

use pg_query::protobuf::{self, Token};

use crate::text::{offset, LineIndex};

/// Line numbers and comments of one file, worked out only when a statement needs them,
/// once per file: each statement then costs a binary search, so a file of 40,000 tables
/// that all have a finding is not quadratic.
pub(crate) struct Source<'a> {
    sql: &'a str,
    lines: Option<LineIndex<'a>>,
    tokens: Option<Vec<protobuf::ScanToken>>,
    /// `--` comments as (line, start, end), in file order (so by line).
    comments: Option<Vec<(usize, usize, usize)>>,
}

impl<'a> Source<'a> {
    pub(crate) fn new(sql: &'a str) -> Self {
        Source { sql, lines: None, tokens: None, comments: None }
    }

    pub(crate) fn line(&mut self, byte_offset: usize) -> usize {
        let sql = self.sql;
        self.lines.get_or_insert_with(|| LineIndex::new(sql)).line(byte_offset)
    }

    fn tokens(&mut self) -> &[protobuf::ScanToken] {
        let sql = self.sql;
        self.tokens.get_or_insert_with(|| crate::text::scan_tokens(sql).unwrap_or_default())
    }

    /// The 1-based line of the statement's first token (libpg_query's location includes
    /// the whitespace and comments before it), and whether the line directly above is
    /// the allow comment.
    pub(crate) fn statement_start(&mut self, location: usize) -> (usize, bool) {
        let sql = self.sql;
        let tokens = self.tokens();
        // Tokens are in file order: the first at or after `location`, then past comments.
        let at = tokens.partition_point(|t| offset(t.start) < location);
        let Some(first) = tokens[at..].iter().position(|t| !is_comment(t)).map(|i| at + i) else {
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
        let comments = self.comments();
        let from = comments.partition_point(|&(at, _, _)| at + 1 < line);
        let allowed = comments[from..]
            .iter()
            .take_while(|&&(at, _, _)| at <= line)
            .any(|&(_, start, end)| is_allow_comment(&sql[start..end], rule));
        (line, allowed)
    }

    /// Every `--` comment with its line, worked out once.
    fn comments(&mut self) -> &[(usize, usize, usize)] {
        if self.comments.is_none() {
            let spans: Vec<(usize, usize)> = self
                .tokens()
                .iter()
                .filter(|t| t.token == Token::SqlComment as i32)
                .map(|t| (offset(t.start), offset(t.end)))
                .collect();
            let comments = spans.into_iter().map(|(start, end)| (self.line(start), start, end)).collect();
            self.comments = Some(comments);
        }
        self.comments.as_deref().unwrap_or_default()
    }

    /// Whether the comment lines before the first statement hold `-- mynatca:allow <rule>`.
    pub(crate) fn allowed_in_header(&mut self, rule: &str) -> bool {
        let sql = self.sql;
        self.tokens()
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
