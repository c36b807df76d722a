//! `check` as a CI gate on a team: each repo pushed to a bare remote, a teammate's clone
//! pushing to main, `git fetch`, feature branches and worktrees. A branch behind its base
//! is told to merge, not that it deleted anything; every suggested name is distinct and
//! fixes every rule at once; a `--base` some repo lacks is exit 2.

use crate::check::{clean, clock, clock_versions, install_hooks, linked, pay_file, summary, PAY_MIGRATION};
use crate::support::Ws;

/// [`clean`] with each repo pushed to a bare remote, `$TMP/remotes/<repo>.git`, whose
/// default branch is main (as a clone has it): `origin/HEAD` is every repo's base.
pub(crate) fn team() -> Ws {
    let ws = clean();
    for repo in ["platform", "pay", "discord"] {
        let remote = remote(&ws, repo);
        ws.git(".", &["init", "-q", "--bare", "-b", "main", &remote]);
        ws.git(repo, &["remote", "add", "origin", &remote]);
        ws.git(repo, &["push", "-q", "-u", "origin", "main"]);
        ws.git(repo, &["remote", "set-head", "origin", "main"]);
    }
    ws
}

fn remote(ws: &Ws, repo: &str) -> String {
    ws.tmp().join("remotes").join(format!("{repo}.git")).display().to_string()
}

/// A teammate's clone of `repo` (`$TMP/teammate/<repo>`, made on first use) commits the
/// migration `name` on main and pushes it.
pub(crate) fn teammate_pushes(ws: &Ws, repo: &str, name: &str) {
    let clone = format!("../teammate/{repo}");
    if ws.path(&clone).exists() {
        ws.git(&clone, &["pull", "-q"]);
    } else {
        ws.git(".", &["clone", "-q", &remote(ws, repo), &clone]);
        ws.git(&clone, &["config", "user.email", "teammate@example.com"]);
        ws.git(&clone, &["config", "user.name", "Teammate"]);
    }
    ws.migration(&clone, name, "select 1;\n");
    ws.commit_all(&clone, &format!("add {name}"));
    ws.git(&clone, &["push", "-q", "origin", "main"]);
}

const MINE: &str = "20251215140000_pay_add_rates.sql";
const LATE: &str = "20251215150000_pay_late.sql";

/// The warning for a repo whose branch lacks `names` of origin/HEAD.
pub(crate) fn behind(folder: &str, names: &str, count: &str) -> String {
    format!("{folder}:1: warning[history-edit]: origin/HEAD has {count} this branch lacks ({names}): merge or rebase\n")
}

#[test]
fn a_feature_branch_behind_main_is_told_to_merge_not_that_it_deleted_anything() {
    let ws = team();
    ws.git("pay", &["switch", "-q", "-c", "feature/rates"]);
    ws.migration("pay", MINE, "select 1;\n");
    ws.commit_all("pay", "add rates");
    ws.run("platform", ["link"]).stdout(linked(1, 0, 5)).go();
    ws.run("platform", ["check"]).stdout(summary(5, 0, 0)).go();

    // A teammate merges a later migration to pay's main; the branch fetches it.
    teammate_pushes(&ws, "pay", LATE);
    ws.git("pay", &["fetch", "-q"]);
    let lacks = behind("../pay/supabase/migrations", LATE, "1 migration");
    let before = clock();
    ws.run("platform", ["check"])
        .stdout(format!(
            "{lacks}{}:1: warning[out-of-order]: version 20251215140000 is new on this branch but sorts before {LATE} (pay on origin/HEAD), which origin/HEAD gained after pay's branch forked from it: merged as it is, `supabase db push` refuses it and a fresh reset runs it in another order than production; rename it to <now>_pay_add_rates.sql\n{}",
            pay_file(MINE),
            summary(5, 0, 2)
        ))
        .filter(clock_versions(before))
        .go();

    // What the branch itself deleted is still an error.
    ws.remove(&format!("pay/supabase/migrations/{PAY_MIGRATION}"));
    ws.run("platform", ["link"]).stdout(linked(0, 1, 5)).go();
    let before = clock();
    ws.run("platform", ["check"])
        .status(1)
        .stdout(format!(
            "{lacks}{}:1: error[history-edit]: deleted, but it is on origin/HEAD, where production may have applied it: restore it (`git checkout origin/HEAD -- {PAY_MIGRATION}` in its folder) and undo it in a new migration\n{}:1: warning[out-of-order]: version 20251215140000 is new on this branch but sorts before {LATE} (pay on origin/HEAD), which origin/HEAD gained after pay's branch forked from it: merged as it is, `supabase db push` refuses it and a fresh reset runs it in another order than production; rename it to <now>_pay_add_rates.sql\n{}",
            pay_file(PAY_MIGRATION),
            pay_file(MINE),
            summary(4, 1, 2)
        ))
        .filter(clock_versions(before))
        .go();
    ws.git("pay", &["checkout", "-q", "--", "supabase/migrations"]);

    // Renamed as suggested and merged: clean.
    let suggested = format!("{}_pay_add_rates.sql", clock());
    ws.git("pay", &["mv", &format!("supabase/migrations/{MINE}"), &format!("supabase/migrations/{suggested}")]);
    ws.commit_all("pay", "later version");
    ws.git("pay", &["merge", "-q", "--no-edit", "origin/HEAD"]);
    ws.run("platform", ["link"]).stdout(linked(3, 1, 4)).go();
    ws.run("platform", ["check"]).stdout(summary(6, 0, 0)).go();
}

#[test]
fn main_behind_origin_after_a_fetch_is_one_warning_per_repo() {
    let ws = team();
    teammate_pushes(&ws, "platform", "20251215150000_add_regions.sql");
    teammate_pushes(&ws, "discord", "20251215150100_discord_add_roles.sql");
    teammate_pushes(&ws, "discord", "20251215150200_discord_add_bans.sql");
    for repo in ["platform", "discord"] {
        ws.git(repo, &["fetch", "-q"]);
    }
    ws.run("platform", ["check"])
        .stdout(format!(
            "{}{}{}",
            behind(
                "../discord/supabase/migrations",
                "20251215150100_discord_add_roles.sql, 20251215150200_discord_add_bans.sql",
                "2 migrations"
            ),
            behind("supabase/migrations", "20251215150000_add_regions.sql", "1 migration"),
            summary(4, 0, 2)
        ))
        .go();
    for repo in ["platform", "discord"] {
        ws.git(repo, &["merge", "-q", "--ff-only", "origin/HEAD"]);
    }
    ws.run("platform", ["link"]).stdout(linked(2, 0, 5)).go();
    ws.run("platform", ["check"]).stdout(summary(7, 0, 0)).go();
}

#[test]
fn a_worktree_is_judged_by_its_own_branch() {
    let ws = team();
    // The registry's ../pay is a worktree on a feature branch; the main checkout is elsewhere.
    ws.git(".", &["clone", "-q", &remote(&ws, "pay"), "../pay-main"]);
    install_hooks(&ws, "../pay-main");
    ws.remove("pay");
    let worktree = ws.path("pay").display().to_string();
    ws.git("../pay-main", &["worktree", "add", "-q", "-b", "feature/rates", &worktree]);
    ws.migration("pay", "20251215160000_pay_add_rates.sql", "select 1;\n");
    ws.run("platform", ["link"]).stdout(linked(1, 0, 5)).go();
    teammate_pushes(&ws, "pay", LATE);
    ws.git("pay", &["fetch", "-q"]);
    ws.run("platform", ["check"])
        .stdout(format!("{}{}", behind("../pay/supabase/migrations", LATE, "1 migration"), summary(5, 0, 1)))
        .go();
}

#[test]
fn every_suggested_name_is_free_distinct_and_fixes_every_rule() {
    let ws = team();
    teammate_pushes(&ws, "pay", LATE);
    ws.git("pay", &["pull", "-q"]);
    // Four new files, all before what main has applied; one shares discord's version.
    for name in ["20251215140000_pay_a.sql", "20251215140001_Pay-B.sql", "20251215140002_c.sql"] {
        ws.migration("pay", name, "select 1;\n");
    }
    ws.migration("discord", "20251215140000_discord_d.sql", "select 1;\n");
    ws.run("platform", ["link"])
        .status(1)
        .stdout(linked(5, 0, 5))
        .stderr("error: duplicate version 20251215140000: 20251215140000_discord_d.sql (discord), 20251215140000_pay_a.sql (pay); `supabase db reset` would fail on schema_migrations_pkey: give all but one a new version (`mynatca new` picks a free one)\n")
        .go();
    let late = |file: String, version: &str, name: &str| {
        format!("{file}:1: error[out-of-order]: version {version} is new on this branch but sorts before {LATE} (pay on origin/HEAD), which production has already applied as far as git knows: `supabase db push` refuses it and a fresh reset runs it in another order than production; rename it to {name}\n")
    };
    let (d, a, b, c) = ("<now>_discord_d.sql", "<now+1>_pay_a.sql", "<now+2>_pay_b.sql", "<now+3>_pay_c.sql");
    let discord = "../discord/supabase/migrations/20251215140000_discord_d.sql".to_string();
    let before = clock();
    let done = ws
        .run("platform", ["check"])
        .status(1)
        .stdout(format!(
            "{discord}:1: error[duplicate-version]: version 20251215140000 is also used by 20251215140000_pay_a.sql (pay); `supabase db reset` would fail on schema_migrations_pkey: rename it to {d}\n{}\
             {}:1: error[duplicate-version]: version 20251215140000 is also used by 20251215140000_discord_d.sql (discord); `supabase db reset` would fail on schema_migrations_pkey: rename it to {a}\n{}\
             {}:1: warning[name-style]: description \"Pay-B\" is not lowercase with underscores; rename it to {b}\n{}\
             {}:1: warning[name-prefix]: description \"c\" does not name the schema pay; rename it to {c}\n{}{}",
            late(discord.clone(), "20251215140000", d),
            pay_file("20251215140000_pay_a.sql"),
            late(pay_file("20251215140000_pay_a.sql"), "20251215140000", a),
            pay_file("20251215140001_Pay-B.sql"),
            late(pay_file("20251215140001_Pay-B.sql"), "20251215140001", b),
            pay_file("20251215140002_c.sql"),
            late(pay_file("20251215140002_c.sql"), "20251215140002", c),
            summary(9, 6, 2)
        ))
        .filter(clock_versions(before))
        .go();

    // Following every suggestion leaves nothing to fix.
    let suggested = |old: &str| {
        let at = done.stdout.find(&format!("{old}:1: error[out-of-order]")).unwrap();
        let line = done.stdout[at..].lines().next().unwrap();
        line.rsplit("rename it to ").next().unwrap().to_string()
    };
    for (repo, old) in [
        ("discord", "20251215140000_discord_d.sql"),
        ("pay", "20251215140000_pay_a.sql"),
        ("pay", "20251215140001_Pay-B.sql"),
        ("pay", "20251215140002_c.sql"),
    ] {
        let new = suggested(old);
        std::fs::rename(
            ws.path(&format!("{repo}/supabase/migrations/{old}")),
            ws.path(&format!("{repo}/supabase/migrations/{new}")),
        )
        .unwrap();
    }
    ws.run("platform", ["link"]).stdout(linked(4, 4, 6)).go();
    ws.run("platform", ["check"]).stdout(summary(9, 0, 0)).go();
}

#[test]
fn a_base_some_repo_lacks_is_exit_2_naming_each() {
    let ws = team();
    ws.git("platform", &["push", "-q", "origin", "main:production"]);
    ws.git("platform", &["fetch", "-q"]);
    let lacking = |base: &str, repos: &str| {
        format!("error: --base {base}: no such branch, tag or commit in {repos}; fetch it there (`git fetch origin`), or pass a ref every repo has\n")
    };
    // Named once per repo lacking it, none of them checked against nothing.
    ws.run("platform", ["check", "--base", "origin/production"])
        .status(2)
        .stderr(lacking("origin/production", "pay, discord"))
        .go();
    ws.run("platform", ["check", "--base", "origin/staging"])
        .status(2)
        .stderr(lacking("origin/staging", "platform, pay, discord"))
        .go();
    for repo in ["pay", "discord"] {
        ws.git(repo, &["push", "-q", "origin", "main:production"]);
        ws.git(repo, &["fetch", "-q"]);
    }
    ws.run("platform", ["check", "--base", "origin/production"]).stdout(summary(4, 0, 0)).go();
}

#[test]
fn a_version_main_gained_since_the_branch_forked_is_a_warning_to_rename() {
    let ws = team();
    ws.git("pay", &["switch", "-q", "-c", "feature/rates"]);
    ws.migration("pay", "20251215150000_pay_add_rates.sql", "select 1;\n");
    ws.run("platform", ["link"]).stdout(linked(1, 0, 5)).go();
    teammate_pushes(&ws, "pay", LATE);
    ws.git("pay", &["fetch", "-q"]);
    let before = clock();
    ws.run("platform", ["check"])
        .stdout(format!(
            "{}{}:1: warning[out-of-order]: version 20251215150000 is new on this branch and also the version of {LATE} (pay on origin/HEAD), which origin/HEAD gained after pay's branch forked from it: merged as it is, `supabase db reset` would fail on schema_migrations_pkey; rename it to <now>_pay_add_rates.sql\n{}",
            behind("../pay/supabase/migrations", LATE, "1 migration"),
            pay_file("20251215150000_pay_add_rates.sql"),
            summary(5, 0, 2)
        ))
        .filter(clock_versions(before))
        .go();
}

#[test]
fn a_name_already_on_the_base_is_kept_not_renamed() {
    let ws = team();
    let old = "20251215140000_Pay-Old.sql";
    ws.migration("pay", old, "select 1;\n");
    ws.commit_all("pay", "an old name");
    ws.git("pay", &["push", "-q", "origin", "main"]);
    ws.run("platform", ["link"]).stdout(linked(1, 0, 5)).go();
    // Renaming it would be a history-edit: production recorded it under this name.
    ws.run("platform", ["check"])
        .stdout(format!(
            "{}:1: warning[name-style]: description \"Pay-Old\" is not lowercase with underscores; keep its name all the same: it is on origin/HEAD, where production recorded it under this name\n{}",
            pay_file(old),
            summary(5, 0, 1)
        ))
        .go();
}

#[test]
fn a_shallow_clone_without_the_shared_history_is_a_warning_not_a_deletion() {
    let ws = team();
    ws.git("pay", &["switch", "-q", "-c", "feature/rates"]);
    ws.migration("pay", MINE, "select 1;\n");
    ws.commit_all("pay", "add rates");
    ws.git("pay", &["push", "-q", "origin", "feature/rates"]);
    teammate_pushes(&ws, "pay", LATE);
    // CI's shallow checkout of the branch, with the base's tip fetched but no shared history.
    let url = format!("file://{}", remote(&ws, "pay"));
    std::fs::rename(ws.path("pay"), ws.path("pay-full")).unwrap();
    ws.git(".", &["clone", "-q", "--depth", "1", "--no-single-branch", "-b", "feature/rates", &url, "pay"]);
    ws.run("pay", ["check", "--project", "pay"])
        .env("CI", "true")
        .stdout(format!(
            ".:1: warning[history-edit]: pay has no base to compare with (a shallow clone without the history shared with origin/HEAD; fetch it (`git fetch --unshallow`, or `fetch-depth: 0` in CI)), so history-edit and out-of-order skip it; fetch the base branch or pass --base REF\n{}",
            summary(5, 0, 1)
        ))
        .go();
}
