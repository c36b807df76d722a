//! The one JSON language of every `--json` document (README, "JSON output"): an envelope
//! `{"schema", "command", "platform", "ok", …}`; every file as `{"project", "path"}`, the
//! path inside that project's repo; every warning and error as
//! `{"kind", "message", "project"?, "path"?, "line"?}`.

use std::path::Path;

use serde::Serialize;

use crate::diagnostic::{Code, Diagnostic, Severity};
pub(crate) use crate::emit::FileRef;
use crate::emit::Places;

/// Bumped when a field changes meaning or goes away (new fields do not bump it).
pub(crate) const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct Document<'a, B: Serialize> {
    schema: u32,
    command: Option<&'a str>,
    /// Absolute; null when no platform was found.
    platform: Option<String>,
    ok: bool,
    #[serde(flatten)]
    body: B,
    errors: Vec<Issue>,
    warnings: Vec<Issue>,
}

/// What a document holds besides its diagnostics.
pub(crate) struct Envelope<'a> {
    pub(crate) command: &'a str,
    pub(crate) platform: Option<&'a Path>,
    pub(crate) ok: bool,
}

/// The JSON emitter: writes the document of `envelope.command` to `out`, on one line, the
/// envelope around `body`'s fields and every diagnostic as an error or a warning.
pub(crate) fn emit(
    out: &mut dyn std::io::Write,
    envelope: &Envelope,
    body: impl Serialize,
    diagnostics: &[Diagnostic],
    places: &Places,
) -> std::io::Result<()> {
    let of = |severity: Severity| {
        diagnostics.iter().filter(|d| d.severity == severity).map(|d| Issue::of(d, places)).collect()
    };
    let document = Document {
        schema: SCHEMA_VERSION,
        command: Some(envelope.command),
        platform: envelope.platform.map(|p| p.display().to_string()),
        ok: envelope.ok,
        body,
        errors: of(Severity::Error),
        warnings: of(Severity::Warning),
    };
    serde_json::to_writer(&mut *out, &document)?;
    writeln!(out)
}

/// [`emit`] into a string, without its newline (for `Ui::out`).
pub(crate) fn document(
    command: &str,
    platform: Option<&Path>,
    ok: bool,
    body: impl Serialize,
    diagnostics: &[Diagnostic],
    places: &Places,
) -> std::io::Result<String> {
    let mut out = Vec::new();
    emit(&mut out, &Envelope { command, platform, ok }, body, diagnostics, places)?;
    out.pop();
    Ok(String::from_utf8(out).expect("JSON is UTF-8"))
}

/// The document printed on stdout when a command given `--json` fails before it has one
/// of its own (a bad flag, no platform, a bad registry): `ok: false` and the error.
pub(crate) fn error_document(command: Option<&str>, platform: Option<&Path>, code: Code, message: &str) -> String {
    let error = Issue { kind: code.as_str().to_string(), message: message.to_string(), ..Issue::default() };
    let platform = platform.map(|p| p.display().to_string());
    let body = serde_json::Map::new();
    serde_json::to_string(&Document {
        schema: SCHEMA_VERSION,
        command,
        platform,
        ok: false,
        body,
        errors: vec![error],
        warnings: vec![],
    })
    .expect("an error document serialises")
}

/// The error document of a command that failed after parsing: `config` for a usage or
/// configuration error (exit 2), `error` for anything else (exit 1).
pub(crate) fn failure(command: &str, err: &anyhow::Error) -> String {
    let code = if crate::error::exit_code(err) == 2 { Code::Config } else { Code::Error };
    error_document(Some(command), None, code, &format!("{err:#}"))
}

/// The error document for arguments clap refused, when `args` hold `--json`: kind `usage`,
/// the command named when one was recognised.
pub(crate) fn usage_failure(args: &[String], err: &clap::Error) -> Option<String> {
    let json = args.iter().zip(args.iter().skip(1).map(Some).chain([None])).any(|(arg, next)| {
        arg == "--json" || arg == "--format=json" || (arg == "--format" && next.is_some_and(|next| next == "json"))
    });
    if !err.use_stderr() || !json {
        return None;
    }
    let cli = <crate::cli::Cli as clap::CommandFactory>::command();
    let command = args.iter().skip(1).find_map(|arg| cli.find_subcommand(arg).map(|c| c.get_name().to_string()));
    let rendered = err.render().to_string();
    // clap's first paragraph, its lines joined: `… were not provided: <DESCRIPTION>`.
    let paragraph: Vec<&str> = rendered.lines().take_while(|line| !line.trim().is_empty()).map(str::trim).collect();
    let joined = paragraph.join(" ");
    let message = joined.trim_start_matches("error: ");
    Some(error_document(command.as_deref(), None, Code::Usage, message))
}

/// A diagnostic as JSON has it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub(crate) struct Issue {
    pub(crate) kind: String,
    pub(crate) message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) project: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) column: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) hint: Option<String>,
}

impl Issue {
    fn of(d: &Diagnostic, places: &Places) -> Issue {
        let (project, path) = places.file(d);
        Issue {
            kind: d.code.as_str().to_string(),
            message: d.message.clone(),
            project,
            path,
            line: d.line,
            column: d.column,
            hint: d.hint.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::diagnostic::Code;

    #[test]
    fn the_json_emitter_writes_one_line_with_every_diagnostic_in_its_place() {
        let places = Places::none(Path::new("/w"));
        let diagnostics = [
            Diagnostic::new(Code::Parse, "/w/x.sql", 2, "bad").column(3).in_project("pay").hint("fix it"),
            Diagnostic::general(Code::BranchMix, "mixed"),
        ];
        let mut out = Vec::new();
        let envelope = Envelope { command: "check", platform: Some(Path::new("/w/platform")), ok: false };
        emit(&mut out, &envelope, serde_json::json!({"checked": 1}), &diagnostics, &places).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text.lines().count(), 1);
        assert!(text.ends_with('\n'));
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&text).unwrap(),
            serde_json::json!({"schema": 1, "command": "check", "platform": "/w/platform", "ok": false, "checked": 1,
                "errors": [{"kind": "parse", "message": "bad", "project": "pay", "path": "/w/x.sql", "line": 2,
                    "column": 3, "hint": "fix it"}],
                "warnings": [{"kind": "branch-mix", "message": "mixed"}]})
        );
    }
}
