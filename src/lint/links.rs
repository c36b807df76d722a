//! `stale-link`, `broken-link`, `foreign-link`, `conflict` and `duplicate-version`.

use std::path::Path;

use super::renames::{Renames, Suggestion};
use super::{Code, Diagnostic};
use crate::fsutil;
use crate::reconcile::{self, Action, Duplicate};

/// `stale-link`, `broken-link`, `foreign-link` and `conflict`, from the plan `mynatca link`
/// would carry out: anything it would change is not as it should be. `exists` tells
/// whether a link's target is there (a dangling link is broken).
pub(crate) fn link_findings(plan: &reconcile::Plan, exists: impl Fn(&Path) -> bool) -> Vec<Diagnostic> {
    let mut findings: Vec<Diagnostic> = plan.actions.iter().map(|action| action_finding(action, &exists)).collect();
    // The plan's conflicts and the foreign links it leaves alone: duplicate versions are
    // `duplicate_findings`' (with the names to rename to), and the other link warnings (a
    // missing project, a file not linked) are the registry's and the names' rules here.
    let verdict = &plan.verdict;
    findings.extend(verdict.conflict_diagnostics());
    let foreign = verdict.warnings.iter().filter(|d| d.code == Code::ForeignLink);
    findings.extend(foreign.cloned().map(Diagnostic::error));
    findings
}

/// The files of each shared version that need another: all but the one that keeps it
/// (one on its base, else the first in apply order). `applied(project, name)` tells
/// whether a file is on its base; a file on its base is never renamed.
pub(crate) fn version_renewals(
    shared: &[Duplicate],
    applied: impl Fn(&str, &str) -> bool,
) -> impl Iterator<Item = &Path> {
    shared.iter().flat_map(move |duplicate| {
        let on_base: Vec<bool> = duplicate.files.iter().map(|file| applied(&file.project, &file.name)).collect();
        let keeper = on_base.iter().position(|&b| b).unwrap_or(0);
        duplicate
            .files
            .iter()
            .zip(on_base)
            .enumerate()
            .filter(move |(i, (_, on_base))| *i != keeper && !on_base)
            .map(|(_, (file, _))| file.path.as_path())
    })
}

/// `duplicate-version` at every file of each shared version, with what to do: the name
/// [`Renames`] gives a file that needs another version, else that it keeps this one
/// (`applied(project, name)`: the base it is on, if any).
pub(crate) fn duplicate_findings(
    shared: &[Duplicate],
    renames: &Renames,
    applied: impl Fn(&str, &str) -> Option<String>,
) -> Vec<Diagnostic> {
    let mut findings = Vec::new();
    for duplicate in shared {
        for file in &duplicate.files {
            let others: Vec<String> = duplicate
                .files
                .iter()
                .filter(|other| *other != file)
                .map(|other| format!("{} ({})", other.name, other.project))
                .collect();
            let hint = match (renames.of(&file.path), applied(&file.project, &file.name)) {
                (Some(rename @ Suggestion::Rename { new_version: true, .. }), _) => rename.hint(),
                (_, Some(reference)) => {
                    format!("this one is on {reference}, so it keeps the version; rename the others")
                }
                _ => "this one keeps the version; rename the others".to_string(),
            };
            findings.push(Diagnostic::new(
                Code::DuplicateVersion,
                &file.path,
                1,
                format!(
                    "version {} is also used by {}; `supabase db reset` would fail on schema_migrations_pkey: {hint}",
                    duplicate.version,
                    others.join(", ")
                ),
            ));
        }
    }
    findings
}

/// What is wrong on disk when the plan holds `action`.
fn action_finding(action: &Action, exists: impl Fn(&Path) -> bool) -> Diagnostic {
    let link = action.link();
    let dir = link.dir;
    let dangling = |target: &Path| !exists(&fsutil::absolute_from(&dir.path, target));
    match *action {
        Action::Create { to, .. } => {
            let place = if dir.migrations {
                "platform/supabase/migrations".to_string()
            } else {
                format!("platform/{}", dir.rel)
            };
            let what = if dir.migrations { "migration" } else { "seed" };
            Diagnostic::new(
                Code::StaleLink,
                fsutil::absolute_from(&dir.path, to),
                1,
                format!("{what} {} of {} is not linked into {place}; run `mynatca link`", link.name, link.project),
            )
        }
        Action::Retarget { from, to, .. } => {
            let broken = dangling(from);
            Diagnostic::new(
                if broken { Code::BrokenLink } else { Code::StaleLink },
                link.path(),
                1,
                format!(
                    "points to {}{} instead of {}; run `mynatca link`",
                    from.display(),
                    if broken { ", which does not exist," } else { "" },
                    to.display()
                ),
            )
        }
        Action::Remove { from, .. } => {
            let (rule, why) = if dangling(from) {
                (Code::BrokenLink, "which does not exist".to_string())
            } else {
                (Code::StaleLink, format!("which is no longer a file {} offers", link.project))
            };
            Diagnostic::new(
                rule,
                link.path(),
                1,
                format!("points to {}, {why}; run `mynatca link` to remove it", from.display()),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    #[test]
    fn link_findings_follow_the_plan_and_point_at_the_right_file() {
        use crate::reconcile::{Existing, Input, LinkDir, Offer, Owner};
        let target =
            |project: &str, name: &str| PathBuf::from(format!("../../../{project}/supabase/migrations/{name}"));
        let offer = |project: &str, name: &str| Offer {
            project: project.into(),
            name: name.into(),
            target: target(project, name),
        };
        let input = Input {
            migrations: LinkDir {
                rel: "supabase/migrations".into(),
                path: "/ws/platform/supabase/migrations".into(),
                exists: true,
                migrations: true,
                entries: vec![
                    ("2_pay_gone.sql".into(), Existing::Link(target("pay", "2_pay_gone.sql"))),
                    ("3_pay_moved.sql".into(), Existing::Link(target("pay", "3_pay_moved.sql"))),
                    ("4_pay_old.sql".into(), Existing::Link(target("pay", "old/4_pay_old.sql"))),
                ],
                refused: vec![],
                offers: vec![
                    offer("pay", "1_pay_new.sql"),
                    offer("pay", "4_pay_old.sql"),
                    offer("pay", "5_same.sql"),
                    offer("discord", "5_same.sql"),
                    offer("discord", "4_discord_dup.sql"),
                ],
                owners: vec![
                    Owner { project: "pay".into(), location: "/ws/pay/supabase/migrations".into() },
                    Owner { project: "discord".into(), location: "/ws/discord/supabase/migrations".into() },
                ],
                reported: vec![],
            },
            seeds: vec![],
            warnings: vec![],
        };
        let plan = reconcile::plan(&input);
        // 2_pay_gone.sql's file is deleted; 3_pay_moved.sql's exists but is no longer offered.
        let exists = |path: &Path| !path.ends_with("2_pay_gone.sql");
        let found: Vec<(Code, String)> =
            link_findings(&plan, exists).into_iter().map(|f| (f.code, f.file().display().to_string())).collect();
        let links = "/ws/platform/supabase/migrations";
        assert_eq!(
            found,
            vec![
                (Code::StaleLink, "/ws/pay/supabase/migrations/1_pay_new.sql".into()),
                (Code::StaleLink, "/ws/discord/supabase/migrations/4_discord_dup.sql".into()),
                (Code::StaleLink, "/ws/pay/supabase/migrations/5_same.sql".into()),
                (Code::StaleLink, format!("{links}/4_pay_old.sql")),
                (Code::BrokenLink, format!("{links}/2_pay_gone.sql")),
                (Code::StaleLink, format!("{links}/3_pay_moved.sql")),
                (Code::Conflict, "/ws/discord/supabase/migrations/5_same.sql".into()),
            ]
        );
        let shared = plan.verdict.duplicates.clone();
        let paths: Vec<Vec<String>> =
            shared.iter().map(|s| s.files.iter().map(|f| f.path.display().to_string()).collect()).collect();
        assert_eq!(
            paths,
            vec![vec![
                "/ws/discord/supabase/migrations/4_discord_dup.sql",
                "/ws/pay/supabase/migrations/4_pay_old.sql"
            ]]
        );
        // The first keeps the version, unless another is on its base.
        let renewed: Vec<&Path> = version_renewals(&shared, |_, _| false).collect();
        assert_eq!(renewed, [Path::new("/ws/pay/supabase/migrations/4_pay_old.sql")]);
        let renewed: Vec<&Path> = version_renewals(&shared, |project, _| project == "pay").collect();
        assert_eq!(renewed, [Path::new("/ws/discord/supabase/migrations/4_discord_dup.sql")]);
        let found = duplicate_findings(&shared, &Renames::default(), |_, _| None);
        assert!(found.iter().all(|f| f.code == Code::DuplicateVersion && f.message.ends_with("rename the others")));
        let managed = plan.managed_paths();
        assert!(managed.contains(&PathBuf::from(format!("{links}/2_pay_gone.sql"))), "links to remove are managed");
        assert!(managed.contains(&PathBuf::from(format!("{links}/1_pay_new.sql"))));
    }
}
