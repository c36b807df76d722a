use std::path::Path;

use super::*;
use crate::diagnostic::Code;
use crate::registry::{Project, Registry};

/// A workspace of paths that need not exist: `/w/platform` and `/w/pay`.
fn workspace() -> Workspace {
    let mut registry = Registry::empty("/w/platform/.linked-projects.json".into());
    registry.projects.push(Project {
        name: "pay".into(),
        path: "../pay".into(),
        schema: "pay".into(),
        migrations: "supabase/migrations".into(),
        seeds: vec![],
    });
    Workspace { platform: "/w/platform".into(), registry }
}

fn findings() -> Vec<Diagnostic> {
    vec![
        Diagnostic::new(
            Code::Ownership,
            "/w/pay/supabase/migrations/1_pay_x.sql",
            2,
            "pay may not alter public.members",
        ),
        Diagnostic::new(Code::ConfigSchemas, "/w/platform/supabase/config.toml", 3, "schema pay, not exposed")
            .column(5)
            .hint("add \"pay\""),
        Diagnostic::general(Code::BranchMix, "repos on different branches"),
    ]
}

fn emitted(emit: impl Fn(&mut Vec<u8>) -> io::Result<()>) -> String {
    let mut out = Vec::new();
    emit(&mut out).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn text_names_files_from_the_current_directory_or_inside_their_repo() {
    let ws = workspace();
    let plain = |text: &str, _: &str| text.to_string();
    let cwd = Places::new(&ws, Path::new("/w/platform"), PathStyle::Cwd);
    assert_eq!(
        emitted(|out| text(out, &findings(), &cwd, &plain)),
        "../pay/supabase/migrations/1_pay_x.sql:2: error[ownership]: pay may not alter public.members\n\
         supabase/config.toml:3: warning[config-schemas]: schema pay, not exposed\n  help: add \"pay\"\n\
         warning[branch-mix]: repos on different branches\n"
    );
    let repo = Places::new(&ws, Path::new("/w/platform/supabase"), PathStyle::Repo);
    assert!(emitted(|out| text(out, &findings(), &repo, &plain))
        .starts_with("supabase/migrations/1_pay_x.sql:2: error[ownership]"));
}

#[test]
fn text_paints_only_the_label_and_escapes_control_characters() {
    let ws = workspace();
    let places = Places::new(&ws, Path::new("/w"), PathStyle::Cwd);
    let d = [Diagnostic::new(Code::Parse, "/w/pay/a\x1b.sql", 1, "bad\nthing")];
    let painted = emitted(|out| text(out, &d, &places, &|text, style| format!("<{style}>{text}</>")));
    assert_eq!(painted, "pay/a\\x1b.sql:1: <1;31>error[parse]</>: bad\\nthing\n");
}

#[test]
fn github_annotates_the_checked_out_repo_and_names_the_others_in_the_message() {
    let ws = workspace();
    let places = Places::new(&ws, Path::new("/w/pay"), PathStyle::Repo);
    assert_eq!(
        emitted(|out| github(out, &findings(), &places)),
        "::error file=supabase/migrations/1_pay_x.sql,line=2,title=mynatca ownership::pay may not alter public.members\n\
         ::warning title=mynatca config-schemas::platform: supabase/config.toml:3: schema pay, not exposed%0Aadd \"pay\"\n\
         ::warning title=mynatca branch-mix::repos on different branches\n"
    );
    let platform = Places::new(&ws, Path::new("/w/pay"), PathStyle::Repo).annotating(Some("platform"));
    assert!(emitted(|out| github(out, &findings(), &platform))
        .contains("::warning file=supabase/config.toml,line=3,col=5,title=mynatca config-schemas::"));
}

#[test]
fn github_escapes_what_workflow_commands_reserve() {
    let ws = workspace();
    let places = Places::new(&ws, Path::new("/elsewhere"), PathStyle::Cwd);
    let d = [Diagnostic::new(Code::Parse, "/w/pay/a,b:c.sql", 1, "100% bad\r\nnow")];
    assert_eq!(
        emitted(|out| github(out, &d, &places)),
        "::error file=../w/pay/a%2Cb%3Ac.sql,line=1,title=mynatca parse::100%25 bad%0D%0Anow\n"
    );
}

#[test]
fn a_file_outside_every_repo_keeps_its_absolute_path_in_json() {
    let ws = workspace();
    let places = Places::new(&ws, Path::new("/w"), PathStyle::Cwd);
    let outside = Diagnostic::new(Code::Registry, "/etc/x", 1, "m");
    assert_eq!(places.file(&outside), (None, Some("/etc/x".to_string())));
    let inside = Diagnostic::new(Code::Registry, "/w/pay", 1, "m");
    assert_eq!(places.file(&inside), (Some("pay".to_string()), Some(".".to_string())));
}
