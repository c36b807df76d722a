//! The planner on hand-made inputs: no disk.
use super::*;
use crate::diagnostic::{Code, Diagnostic};
use crate::reconcile::{Existing, Input, LinkDir, Offer, Owner, Plan};
use std::path::PathBuf;

const LINKS: &str = "/ws/platform/supabase/migrations";
const PAY: &str = "/ws/pay/supabase/migrations";
const DISCORD: &str = "/ws/discord/supabase/migrations";

fn pay_target(name: &str) -> PathBuf {
    PathBuf::from(format!("../../../pay/supabase/migrations/{name}"))
}

fn offer(project: &str, name: &str) -> Offer {
    Offer {
        project: project.into(),
        name: name.into(),
        target: PathBuf::from(format!("../../../{project}/supabase/migrations/{name}")),
    }
}

fn dir(entries: Vec<(&str, Existing)>, offers: Vec<Offer>) -> Input {
    Input {
        migrations: LinkDir {
            rel: "supabase/migrations".into(),
            path: LINKS.into(),
            exists: true,
            migrations: true,
            entries: entries.into_iter().map(|(n, e)| (n.to_string(), e)).collect(),
            offers,
            refused: vec![],
            owners: vec![
                Owner { project: "pay".into(), location: PAY.into() },
                Owner { project: "discord".into(), location: DISCORD.into() },
            ],
            reported: vec![],
        },
        seeds: vec![],
        warnings: vec![],
    }
}

fn changes<'a>(plan: &Plan<'a>) -> Vec<(&'static str, &'a str)> {
    plan.actions.iter().map(|a| (a.verb(), a.link().name)).collect()
}

#[test]
fn missing_links_are_created() {
    let input = dir(vec![], vec![offer("pay", "2_pay_a.sql")]);
    let plan = plan(&input);
    assert_eq!(changes(&plan), vec![("create", "2_pay_a.sql")]);
    assert_eq!(plan.actions[0].to(), Some(pay_target("2_pay_a.sql").as_path()));
    assert_eq!(plan.managed().iter().map(|l| l.name).collect::<Vec<_>>(), vec!["2_pay_a.sql"]);
    assert!(!plan.verdict.has_problems());
}

#[test]
fn correct_links_are_kept_untouched() {
    let input =
        dir(vec![("2_pay_a.sql", Existing::Link(pay_target("2_pay_a.sql")))], vec![offer("pay", "2_pay_a.sql")]);
    let plan = plan(&input);
    assert!(plan.actions.is_empty());
    assert_eq!(plan.verdict.unchanged, 1);
}

#[test]
fn owned_wrong_target_is_retargeted() {
    let old = PathBuf::from("../../../pay/supabase/migrations/old/2_pay_a.sql");
    let input = dir(vec![("2_pay_a.sql", Existing::Link(old))], vec![offer("pay", "2_pay_a.sql")]);
    let plan = plan(&input);
    assert_eq!(changes(&plan), vec![("update", "2_pay_a.sql")]);
}

#[test]
fn owned_links_not_wanted_are_removed_dangling_or_not() {
    let input = dir(
        vec![
            ("2_pay_gone.sql", Existing::Link(pay_target("2_pay_gone.sql"))),
            ("3_discord_x.sql", Existing::Link("../../../discord/supabase/migrations/3_discord_x.sql".into())),
        ],
        vec![],
    );
    let plan = plan(&input);
    assert_eq!(changes(&plan), vec![("remove", "2_pay_gone.sql"), ("remove", "3_discord_x.sql")]);
    assert_eq!(plan.actions[1].link().project, "discord");
}

#[test]
fn ownership_is_lexical_against_the_link_folder() {
    // Resolves outside pay's migrations folder: not mynatca's.
    let sneaky = PathBuf::from("../../../pay/supabase/migrations/../seed.sql");
    let absolute_owned = PathBuf::from("/ws/pay/supabase/migrations/9_x.sql");
    let input = dir(vec![("a.sql", Existing::Link(sneaky)), ("9_x.sql", Existing::Link(absolute_owned))], vec![]);
    let plan = plan(&input);
    assert_eq!(changes(&plan), vec![("remove", "9_x.sql")]);
    assert_eq!(plan.verdict.warnings.len(), 1);
    assert_eq!(plan.verdict.warnings[0].code, Code::ForeignLink);
}

#[test]
fn foreign_links_are_never_changed() {
    let foreign = PathBuf::from("/elsewhere/5_x.sql");
    let input = dir(
        vec![("5_x.sql", Existing::Link(foreign.clone())), ("2_pay_a.sql", Existing::Link(foreign))],
        vec![offer("pay", "2_pay_a.sql")],
    );
    let plan = plan(&input);
    assert!(plan.actions.is_empty());
    assert_eq!(plan.verdict.warnings.iter().filter(|w| w.code == Code::ForeignLink).count(), 1);
    assert_eq!(plan.verdict.conflicts.len(), 1);
    assert_eq!(plan.verdict.conflicts[0].kind, ConflictKind::ForeignLink);
}

#[test]
fn real_files_and_folders_conflict_and_stay() {
    let input = dir(
        vec![("2_pay_a.sql", Existing::File), ("3_pay_b.sql", Existing::Dir)],
        vec![offer("pay", "2_pay_a.sql"), offer("pay", "3_pay_b.sql"), offer("pay", "4_pay_c.sql")],
    );
    let plan = plan(&input);
    assert_eq!(changes(&plan), vec![("create", "4_pay_c.sql")]);
    assert_eq!(plan.verdict.conflicts.len(), 2);
    assert!(plan.verdict.conflicts.iter().all(|c| c.kind == ConflictKind::RealFile));
    assert_eq!(plan.verdict.conflicts[0].projects, vec!["platform", "pay"]);
    assert!(plan.verdict.has_problems());
}

#[test]
fn same_name_in_two_projects_links_the_first() {
    let input = dir(vec![], vec![offer("pay", "5_shared.sql"), offer("discord", "5_shared.sql")]);
    let plan = plan(&input);
    assert_eq!(changes(&plan), vec![("create", "5_shared.sql")]);
    assert_eq!(plan.actions[0].link().project, "pay");
    assert_eq!(plan.verdict.conflicts[0].kind, ConflictKind::SameName);
    assert_eq!(plan.verdict.conflicts[0].projects, vec!["pay", "discord"]);
}

#[test]
fn duplicate_versions_name_every_file_and_project() {
    let input = dir(
        vec![("7_platform_x.sql", Existing::File)],
        vec![offer("pay", "7_pay_y.sql"), offer("discord", "7_discord_z.sql"), offer("pay", "8_ok.sql")],
    );
    let plan = plan(&input);
    assert_eq!(plan.actions.len(), 3, "links are still made");
    assert_eq!(plan.verdict.duplicates.len(), 1);
    let dup = &plan.verdict.duplicates[0];
    assert_eq!(dup.version, "7");
    let files: Vec<(&str, &str)> = dup.files.iter().map(|f| (f.project.as_str(), f.name.as_str())).collect();
    assert_eq!(files, vec![("discord", "7_discord_z.sql"), ("pay", "7_pay_y.sql"), ("platform", "7_platform_x.sql")]);
}

#[test]
fn bad_names_are_linked_with_a_warning() {
    let input = dir(vec![("notes.sql", Existing::File)], vec![offer("pay", "pay_fix.sql")]);
    let plan = plan(&input);
    assert_eq!(changes(&plan), vec![("create", "pay_fix.sql")]);
    let kinds: Vec<_> = plan.verdict.warnings.iter().map(|w| w.code).collect();
    assert_eq!(kinds, vec![Code::NamePattern, Code::NamePattern]);
}

#[test]
fn platform_files_that_are_not_sql_are_ignored() {
    let input = dir(vec![("README.md", Existing::File), (".gitkeep", Existing::File)], vec![]);
    let plan = plan(&input);
    assert_eq!(plan, Plan::default());
}

#[test]
fn scan_warnings_pass_through() {
    let mut input = dir(vec![("2_pay_a.sql", Existing::Link(pay_target("2_pay_a.sql")))], vec![]);
    input.warnings.push(Diagnostic::general(Code::Registry, "pay missing").warning());
    let plan = plan(&input);
    assert_eq!(changes(&plan), vec![("remove", "2_pay_a.sql")]);
    assert_eq!(plan.verdict.warnings[0].code, Code::Registry);
}
