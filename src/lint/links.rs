//! `stale-link`, `broken-link`, `foreign-link`, `conflict` and `duplicate-version`.

use std::path::Path;

use super::{Finding, Rule};
use crate::fsutil;
use crate::reconcile::{self, Action};

/// `stale-link`, `broken-link`, `foreign-link`, `conflict` and `duplicate-version`, from
/// the plan `mynatca link` would carry out: anything it would change is not as it should
/// be. `exists` tells whether a link's target is there (a dangling link is broken).
pub(crate) fn link_findings(plan: &reconcile::Plan, exists: impl Fn(&Path) -> bool) -> Vec<Finding> {
    let mut findings: Vec<Finding> = plan.actions.iter().map(|action| action_finding(action, &exists)).collect();
    // The plan's conflicts and duplicates, and the foreign links it leaves alone: the
    // other link warnings (a missing project, a file not linked) are the registry's and
    // the names' rules here.
    let verdict = plan.verdict.diagnostics().into_iter();
    findings.extend(verdict.filter(|d| d.is_error() || d.code == Rule::ForeignLink).map(Finding::error));
    findings
}

/// What is wrong on disk when the plan holds `action`.
fn action_finding(action: &Action, exists: impl Fn(&Path) -> bool) -> Finding {
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
            Finding::new(
                Rule::StaleLink,
                fsutil::absolute_from(&dir.path, to),
                1,
                format!("{what} {} of {} is not linked into {place}; run `mynatca link`", link.name, link.project),
            )
        }
        Action::Retarget { from, to, .. } => {
            let broken = dangling(from);
            Finding::new(
                if broken { Rule::BrokenLink } else { Rule::StaleLink },
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
                (Rule::BrokenLink, "which does not exist".to_string())
            } else {
                (Rule::StaleLink, format!("which is no longer a file {} offers", link.project))
            };
            Finding::new(
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
    use crate::workspace::Workspace;

    #[test]
    fn link_findings_follow_the_plan_and_point_at_the_right_file() {
        use crate::reconcile::{Existing, Input, LinkDir, Offer, Owner};
        let registry = r#"{"version":1,"projects":[{"name":"pay","path":"../pay","schema":"pay"},{"name":"discord","path":"../discord","schema":"discord"}]}"#;
        let ws = Workspace {
            platform: "/ws/platform".into(),
            registry: crate::registry::Registry::parse("/ws/platform/.linked-projects.json".into(), registry).unwrap(),
        };
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
        let found: Vec<(Rule, String)> =
            link_findings(&plan, exists).into_iter().map(|f| (f.code, f.file().display().to_string())).collect();
        let links = "/ws/platform/supabase/migrations";
        assert_eq!(
            found,
            vec![
                (Rule::StaleLink, "/ws/pay/supabase/migrations/1_pay_new.sql".into()),
                (Rule::StaleLink, "/ws/discord/supabase/migrations/4_discord_dup.sql".into()),
                (Rule::StaleLink, "/ws/pay/supabase/migrations/5_same.sql".into()),
                (Rule::StaleLink, format!("{links}/4_pay_old.sql")),
                (Rule::BrokenLink, format!("{links}/2_pay_gone.sql")),
                (Rule::StaleLink, format!("{links}/3_pay_moved.sql")),
                (Rule::Conflict, "/ws/discord/supabase/migrations/5_same.sql".into()),
                (Rule::DuplicateVersion, "/ws/discord/supabase/migrations/4_discord_dup.sql".into()),
                (Rule::DuplicateVersion, "/ws/pay/supabase/migrations/4_pay_old.sql".into()),
            ]
        );
        let managed = plan.managed_paths();
        assert!(managed.contains(&PathBuf::from(format!("{links}/2_pay_gone.sql"))), "links to remove are managed");
        assert!(managed.contains(&PathBuf::from(format!("{links}/1_pay_new.sql"))));
    }
}
