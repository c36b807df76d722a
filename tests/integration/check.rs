//! `mynatca check`: every rule, clean and violated, on real git repos and real links.
//! Every run states its exit status, its whole stdout and its whole stderr.

use std::path::Path;

use crate::support::{rewrite_versions, Test, Ws};

pub(crate) const PAY_MIGRATION: &str = "20251215130000_pay_add_shifts.sql";

/// platform + pay + discord that pass every rule: a platform migration, config.toml
/// listing both schemas and seed globs, mynatca's hooks in each repo, links made.
pub(crate) fn clean() -> Ws {
    let ws = Ws::new().with_project("pay").with_project("discord");
    ws.migration("platform", "00000000000001_baseline_platform_schema.sql", "create table public.members (membernumber text primary key);\nalter table public.members enable row level security;\n")
        .write(
            "platform/supabase/config.toml",
            "[api]\nschemas = [\"public\", \"graphql_public\", \"pay\", \"discord\"]\n\n[db.seed]\nsql_paths = [\"./seed.sql\", \"./seeds/pay/*.sql\", \"./seeds/discord/*.sql\"]\n",
        )
        .migration(
            "pay",
            PAY_MIGRATION,
            "create table pay.shifts (\n    membernumber text references public.members (membernumber)\n);\nalter table pay.shifts enable row level security;\n",
        );
    for repo in ["platform", "pay", "discord"] {
        install_hooks(&ws, repo);
        ws.commit_all(repo, "clean");
    }
    // Three pay and discord migrations and two seeds.
    ws.run("platform", ["link"]).stdout(linked(5, 0, 0)).go();
    ws
}

/// What `mynatca setup-hooks` leaves: a shim carrying the marker for each hook.
pub(crate) fn install_hooks(ws: &Ws, repo: &str) {
    use std::os::unix::fs::PermissionsExt;
    for name in mynatca::hooks::HOOK_NAMES {
        let rel = format!("{repo}/.git/hooks/{name}");
        ws.write(&rel, &format!("#!/bin/sh\n{}\nexit 0\n", mynatca::hooks::MARKER));
        std::fs::set_permissions(ws.path(&rel), std::fs::Permissions::from_mode(0o755)).unwrap();
    }
}

/// Writes a pay migration; the `link` run that follows is the caller's to state.
pub(crate) fn add_pay_migration<'a>(ws: &'a Ws, name: &str, sql: &str) -> Test<'a> {
    ws.migration("pay", name, sql);
    ws.run("platform", ["link"])
}

/// What `link` prints when it creates and removes links and leaves `unchanged` alone.
pub(crate) fn linked(created: usize, removed: usize, unchanged: usize) -> String {
    format!("linked: {created} created, 0 updated, {removed} removed, {unchanged} unchanged\n")
}

/// `link` after a new migration in [`clean`]'s pay, or after one more.
pub(crate) const LINKED_ONE_MORE: &str = "linked: 1 created, 0 updated, 0 removed, 5 unchanged\n";
/// `link` after editing a migration that is linked already: nothing to do.
pub(crate) const LINKED_NOTHING: &str = "linked: 0 created, 0 updated, 0 removed, 6 unchanged\n";

pub(crate) fn pay_file(name: &str) -> String {
    format!("../pay/supabase/migrations/{name}")
}

/// `check`'s last line for [`clean`]'s three repos.
pub(crate) fn summary(migrations: usize, errors: usize, warnings: usize) -> String {
    let plural = |n: usize, word: &str| if n == 1 { format!("1 {word}") } else { format!("{n} {word}s") };
    format!(
        "checked {migrations} migrations in 3 repos: {}, {}\n",
        plural(errors, "error"),
        plural(warnings, "warning")
    )
}

/// The clock's version now, for [`clock_versions`].
pub(crate) fn clock() -> String {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    mynatca::migration::version_at(now)
}

/// Rewrites the versions a run took from the clock (14 digits, not before `before`, the
/// [`clock`] when the test started) as `<now>`, `<now+1>`, …: the first seen is `<now>`,
/// every other its distance in seconds from that one.
pub(crate) fn clock_versions(before: String) -> impl Fn(&str) -> String {
    move |text| {
        let seconds = |v: &str| mynatca::migration::seconds_at(v).unwrap() as i64;
        let mut first: Option<i64> = None;
        rewrite_versions(text, |run| {
            (run >= before.as_str()).then(|| match seconds(run) - *first.get_or_insert(seconds(run)) {
                0 => "<now>".to_string(),
                offset => format!("<now{offset:+}>"),
            })
        })
    }
}

/// Finding lines, each ended, then the summary.
pub(crate) fn report(findings: &[impl AsRef<str>], summary: impl AsRef<str>) -> String {
    findings.iter().map(|line| format!("{}\n", line.as_ref())).collect::<String>() + summary.as_ref()
}

#[test]
fn a_clean_workspace_passes_even_with_strict() {
    let ws = clean();
    ws.run("platform", ["check"]).stdout(summary(4, 0, 0)).go();
    ws.run("platform", ["check", "--strict"]).stdout(summary(4, 0, 0)).go();
    ws.run("platform", ["-q", "check"]).go();
}

#[test]
fn the_summary_counts_one_migration_in_one_repo_in_the_singular() {
    let ws = Ws::new();
    ws.migration(
        "platform",
        "20251215120000_add_members.sql",
        "create table public.members (id int);\nalter table public.members enable row level security;\n",
    );
    install_hooks(&ws, "platform");
    ws.commit_all("platform", "one migration");
    ws.run("platform", ["check"]).stdout("checked 1 migration in 1 repo: 0 errors, 0 warnings\n").go();
}

#[test]
fn the_example_workspace_passes_after_link() {
    let ws = Ws::empty();
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/workspace");
    for entry in walkdir::WalkDir::new(&example) {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(&example).unwrap();
        if entry.file_type().is_file() {
            ws.write(rel.to_str().unwrap(), &std::fs::read_to_string(entry.path()).unwrap());
        }
    }
    ws.run("platform", ["link"]).stdout("linked: 6 created, 0 updated, 0 removed, 0 unchanged\n").go();
    // Not git repos, so no hooks: the only findings.
    let hooks = |dir: &str, name: &str| {
        format!("{dir}:1: warning[hooks]: {name} is not a git repo, so no hook keeps the links current; run `mynatca link` after each change")
    };
    let findings = [hooks(".", "platform"), hooks("../discord", "discord"), hooks("../pay", "pay")];
    ws.run("platform", ["check"]).stdout(report(&findings, summary(6, 0, 3))).go();
}

#[test]
fn pay_changing_public_members_is_an_error_at_each_statement() {
    let ws = clean();
    add_pay_migration(
        &ws,
        "20251215130001_pay_touch_members.sql",
        "-- Pay wants a column on members.\n\
         alter table public.members add column pay_grade text;\n\
         \n\
         insert into public.members (membernumber)\n    values ('1003');\n\
         grant select on public.members to anon;\n\
         create trigger members_audit after update on public.members\n    for each row execute function pay.audit();\n",
    )
    .stdout(LINKED_ONE_MORE)
    .go();
    let file = pay_file("20251215130001_pay_touch_members.sql");
    // Reported once, at pay's own file, never at the platform's link.
    let findings = [
        format!("{file}:2: error[ownership]: pay may not alter table public.members (owned by platform)"),
        format!("{file}:4: error[ownership]: pay may not insert into public.members (owned by platform)"),
        format!("{file}:6: error[ownership]: pay may not grant on table public.members (owned by platform)"),
        format!("{file}:7: error[ownership]: pay may not create a trigger on public.members (owned by platform)"),
    ];
    ws.run("platform", ["check"]).status(1).stdout(report(&findings, summary(5, 4, 0))).go();
}

#[test]
fn an_unqualified_table_in_pay_lands_in_public_unless_the_file_sets_search_path() {
    let ws = clean();
    let name = "20251215130001_pay_add_rates.sql";
    add_pay_migration(&ws, name, "create table rates (id int);\nalter table rates enable row level security;\n")
        .stdout(LINKED_ONE_MORE)
        .go();
    let file = pay_file(name);
    let findings = [
        format!("{file}:1: error[ownership]: pay may not create table public.rates (owned by platform)"),
        format!("{file}:2: error[ownership]: pay may not alter table public.rates (owned by platform)"),
    ];
    ws.run("platform", ["check"]).status(1).stdout(report(&findings, summary(5, 2, 0))).go();

    add_pay_migration(
        &ws,
        name,
        "set search_path = pay;\ncreate table rates (id int);\nalter table rates enable row level security;\n",
    )
    .stdout(LINKED_NOTHING)
    .go();
    ws.run("platform", ["check"]).stdout(summary(5, 0, 0)).go();
}

#[test]
fn reading_public_is_allowed_views_and_foreign_keys() {
    let ws = clean();
    add_pay_migration(
        &ws,
        "20251215130001_pay_add_member_hours.sql",
        "create table pay.hours (membernumber text not null references public.members (membernumber), hours numeric);\n\
         alter table pay.hours enable row level security;\n\
         create view pay.member_hours with (security_invoker = true) as\n    select m.membernumber, sum(h.hours) from public.members m join pay.hours h using (membernumber)\n    group by m.membernumber;\n\
         create function pay.member_count() returns bigint language sql as $$ select count(*) from public.members $$;\n",
    )
    .stdout(LINKED_ONE_MORE)
    .go();
    ws.run("platform", ["check"]).stdout(summary(5, 0, 0)).go();
}

#[test]
fn the_platform_writing_to_pay_schema_is_an_error() {
    let ws = clean();
    ws.migration("platform", "20251215140000_backfill_pay.sql", "update pay.shifts set membernumber = null;\n");
    let findings = ["supabase/migrations/20251215140000_backfill_pay.sql:1: error[ownership]: platform may not update pay.shifts (owned by pay)"];
    ws.run("platform", ["check"]).status(1).stdout(report(&findings, summary(5, 1, 0))).go();
}

#[test]
fn the_allow_comment_lets_a_reviewed_statement_through() {
    let ws = clean();
    let name = "20251215130001_pay_members_index.sql";
    add_pay_migration(&ws, name, "-- mynatca:allow ownership (agreed with the platform team)\ncreate index members_pay_idx on public.members (membernumber);\n")
        .stdout(LINKED_ONE_MORE)
        .go();
    ws.run("platform", ["check"]).stdout(summary(5, 0, 0)).go();

    // The comment covers only the statement directly below it.
    add_pay_migration(
        &ws,
        name,
        "-- mynatca:allow ownership\n\ncreate index members_pay_idx on public.members (membernumber);\n",
    )
    .stdout(LINKED_NOTHING)
    .go();
    let findings = [format!(
        "{}:3: error[ownership]: pay may not create an index on public.members (owned by platform)",
        pay_file(name)
    )];
    ws.run("platform", ["check"]).status(1).stdout(report(&findings, summary(5, 1, 0))).go();
}

#[test]
fn a_syntax_error_is_reported_at_its_line() {
    let ws = clean();
    let name = "20251215130001_pay_add_rates.sql";
    add_pay_migration(&ws, name, "create table pay.rates (\n    id int,\n    rate numeric,,\n    since date\n);\n")
        .stdout(LINKED_ONE_MORE)
        .go();
    let findings =
        [format!("{}:3: error[parse]: PostgreSQL rejects this: syntax error at or near \",\"", pay_file(name))];
    ws.run("platform", ["check"]).status(1).stdout(report(&findings, summary(5, 1, 0))).go();
}

#[test]
fn a_do_block_mynatca_cannot_read_is_a_warning_that_fails_only_with_strict() {
    let ws = clean();
    let name = "20251215130001_pay_backfill.sql";
    add_pay_migration(&ws, name, "do $$\nbegin\n  execute current_setting('pay.backfill');\nend\n$$;\n")
        .stdout(LINKED_ONE_MORE)
        .go();
    let warning = format!("{}:3: warning[ownership]: a DO block runs SQL built at run time (EXECUTE), so mynatca cannot tell what it writes; build it with format() from a literal template, or review it and put `-- mynatca-ignore: ownership REASON` above its CREATE or DO statement (not inside the body)", pay_file(name));
    ws.run("platform", ["check"]).stdout(report(&[&warning], summary(5, 0, 1))).go();
    // --strict fails on the warning; only stale-link becomes an error.
    ws.run("platform", ["check", "--strict"]).status(1).stdout(report(&[warning], summary(5, 0, 1))).go();
}

#[test]
fn pending_links_are_one_warning_and_foreign_links_errors() {
    let ws = clean();
    // Stale: a new pay migration that is not linked yet.
    ws.migration("pay", "20251215130001_pay_add_rates.sql", "select 1;\n");
    // Broken: discord's migration deleted, its link left dangling.
    ws.migration("discord", "20251215140000_discord_add_logs.sql", "create table discord.logs (id int);\n");
    ws.run("platform", ["link"]).stdout(linked(2, 0, 5)).go();
    ws.remove("discord/supabase/migrations/20251215140000_discord_add_logs.sql");
    // Foreign: a symlink mynatca does not own.
    ws.symlink("/elsewhere/20251215150000_x.sql", "platform/supabase/migrations/20251215150000_x.sql");
    ws.remove("platform/supabase/migrations/20251215130001_pay_add_rates.sql");

    let pending = "supabase/migrations:1: warning[stale-link]: 2 link changes pending (1 to create, 0 to update, 1 to remove); run `mynatca link`";
    let foreign = "supabase/migrations/20251215150000_x.sql:1: error[foreign-link]: supabase/migrations/20251215150000_x.sql points to /elsewhere/20251215150000_x.sql, outside every linked project; left alone (remove it if it is stale)";
    ws.run("platform", ["check"]).status(1).stdout(report(&[pending, foreign], summary(5, 1, 1))).go();
    ws.remove("platform/supabase/migrations/20251215150000_x.sql");
    // Pending changes alone pass; --strict makes them an error.
    ws.run("platform", ["check"]).stdout(report(&[pending], summary(5, 0, 1))).go();
    ws.run("platform", ["check", "--strict"])
        .status(1)
        .stdout(report(&[pending.replace("warning[", "error[")], summary(5, 1, 0)))
        .go();
    ws.symlink("/elsewhere/20251215150000_x.sql", "platform/supabase/migrations/20251215150000_x.sql");
    // `mynatca link` fixes the first two; the foreign link is the user's to remove.
    ws.run("platform", ["link"])
        .stdout(linked(1, 1, 5))
        .stderr(format!("warning: {}\n", foreign.split_once(": error[foreign-link]: ").unwrap().1))
        .go();
    ws.remove("platform/supabase/migrations/20251215150000_x.sql");
    ws.run("platform", ["check"]).stdout(summary(5, 0, 0)).go();
}

#[test]
fn a_link_committed_to_git_is_an_error() {
    let ws = clean();
    let link = format!("supabase/migrations/{PAY_MIGRATION}");
    ws.git("platform", &["add", "-f", &link]);
    ws.git("platform", &["commit", "-q", "-m", "oops, a link"]);
    let tracked = format!(
        "{link}:1: error[tracked-link]: a managed link is tracked by git; run `git rm --cached {link}` and commit (mynatca keeps it in .git/info/exclude)"
    );
    ws.run("platform", ["check"]).status(1).stdout(report(&[tracked], summary(4, 1, 0))).go();
    // Untracked but not yet committed: HEAD still holds it.
    ws.git("platform", &["rm", "-q", "--cached", &link]);
    let committed = format!("{link}:1: error[tracked-link]: a managed link is committed in HEAD; commit its removal");
    ws.run("platform", ["check"]).status(1).stdout(report(&[committed], summary(4, 1, 0))).go();
    ws.git("platform", &["commit", "-q", "-m", "untrack the link"]);
    ws.run("platform", ["check"]).stdout(summary(4, 0, 0)).go();
}

#[test]
fn names_that_break_the_pattern_or_the_style() {
    let ws = clean();
    ws.migration("pay", "pay_notes.sql", "select 1;\n")
        .migration("pay", "2025121513_pay_short_version.sql", "-- mynatca:allow out-of-order\nselect 1;\n")
        .migration("pay", "20251215130002_Pay-Mixed.sql", "select 1;\n")
        .migration("pay", "20251215130003_add_rates.sql", "select 1;\n");
    ws.run("platform", ["link"])
        .stdout(linked(4, 0, 5))
        .stderr(
            "warning: pay_notes.sql (pay) does not match <version>_<name>.sql; the Supabase CLI skips it (rename it)\n",
        )
        .go();
    // The pattern is a warning, as in `link`.
    let findings = [
        format!("{}:1: warning[name-style]: description \"Pay-Mixed\" is not lowercase with underscores; rename it to 20251215130002_pay_mixed.sql", pay_file("20251215130002_Pay-Mixed.sql")),
        format!("{}:1: warning[name-prefix]: description \"add_rates\" does not name the schema pay; rename it to 20251215130003_pay_add_rates.sql", pay_file("20251215130003_add_rates.sql")),
        format!("{}:1: warning[name-style]: version 2025121513 is not 14 digits (UTC YYYYMMDDHHMMSS); rename it to <now>_pay_short_version.sql", pay_file("2025121513_pay_short_version.sql")),
        format!("{}:1: warning[name-pattern]: pay_notes.sql is not <digits>_<name>.sql, so the Supabase CLI skips it; rename it (`mynatca new` makes a proper name)", pay_file("pay_notes.sql")),
    ];
    let before = clock();
    ws.run("platform", ["check"]).stdout(report(&findings, summary(8, 0, 4))).filter(clock_versions(before)).go();
}

#[test]
fn duplicate_versions_are_errors_at_every_file() {
    let ws = clean();
    ws.migration("discord", "20251215130000_discord_add_logs.sql", "select 1;\n");
    ws.run("platform", ["link"])
        .status(1)
        .stdout(LINKED_ONE_MORE)
        .stderr("error: duplicate version 20251215130000: 20251215130000_discord_add_logs.sql (discord), 20251215130000_pay_add_shifts.sql (pay); `supabase db reset` would fail on schema_migrations_pkey: give all but one a new version (`mynatca new` picks a free one)\n")
        .go();
    // pay's is on main, where production may have applied it: the new one moves.
    let findings = [
        "../discord/supabase/migrations/20251215130000_discord_add_logs.sql:1: error[duplicate-version]: version 20251215130000 is also used by 20251215130000_pay_add_shifts.sql (pay); `supabase db reset` would fail on schema_migrations_pkey: rename it to <now>_discord_add_logs.sql".to_string(),
        format!("{}:1: error[duplicate-version]: version 20251215130000 is also used by 20251215130000_discord_add_logs.sql (discord); `supabase db reset` would fail on schema_migrations_pkey: this one is on main, so it keeps the version; rename the others", pay_file(PAY_MIGRATION)),
    ];
    let before = clock();
    ws.run("platform", ["check"])
        .status(1)
        .stdout(report(&findings, summary(5, 2, 0)))
        .filter(clock_versions(before))
        .go();
}

#[test]
fn a_real_file_in_the_platform_with_a_linked_name_is_a_conflict() {
    let ws = clean();
    ws.remove(&format!("platform/supabase/migrations/{PAY_MIGRATION}"));
    ws.migration("platform", PAY_MIGRATION, "select 1;\n");
    let findings = [format!(
        "supabase/migrations/{PAY_MIGRATION}:1: error[conflict]: supabase/migrations/{PAY_MIGRATION} is a real file in the platform and also a migration of pay; rename one of them"
    )];
    ws.run("platform", ["check"]).status(1).stdout(report(&findings, summary(5, 1, 0))).go();
}

#[test]
fn config_toml_must_list_each_schema_and_seed_glob() {
    let ws = clean();
    ws.write(
        "platform/supabase/config.toml",
        "# local dev\n[api]\nschemas = [\"public\", \"pay\"]\n\n[db.seed]\nsql_paths = [\"./seed.sql\", \"./seeds/pay/*.sql\"]\n",
    );
    let findings = [
        "supabase/config.toml:3: warning[config-schemas]: schema discord of discord is not in [api] schemas, so the API does not expose it; add \"discord\" (`mynatca link-project discord` does)",
        "supabase/config.toml:6: warning[config-seeds]: [db.seed] sql_paths lacks \"./seeds/discord/*.sql\", so discord's seeds never run; add it (`mynatca link-project discord` does)",
    ];
    // Warnings only; --strict fails on them.
    ws.run("platform", ["check"]).stdout(report(&findings, summary(4, 0, 2))).go();
    ws.run("platform", ["check", "--strict"]).status(1).stdout(report(&findings, summary(4, 0, 2))).go();
}

#[test]
fn a_repo_without_mynatcas_hooks_is_a_warning() {
    let ws = clean();
    ws.remove("discord/.git/hooks/post-merge");
    let discord = "../discord:1: warning[hooks]: discord lacks mynatca's post-merge hook, so links go stale on checkout, merge and rebase; run `mynatca setup-hooks` in it";
    ws.run("platform", ["check"]).stdout(report(&[&discord], summary(4, 0, 1))).go();
    // core.hooksPath is where git looks, so that is where the hooks must be.
    ws.git("pay", &["config", "core.hooksPath", ".githooks"]);
    let pay = "../pay:1: warning[hooks]: pay lacks mynatca's post-checkout, post-merge, post-rewrite, pre-commit hooks, so links go stale on checkout, merge and rebase, and direct commits to protected branches are not blocked; run `mynatca setup-hooks` in it";
    ws.run("platform", ["check"]).stdout(report(&[discord, pay], summary(4, 0, 2))).go();
}

#[test]
fn a_broken_registry_is_a_finding_and_the_rest_is_still_checked() {
    let ws = clean();
    ws.write("platform/.linked-projects.json", "{\n  \"version\": 1,\n  \"projects\": [,]\n}\n");
    ws.migration("platform", "20251215120000_touch.sql", "create tabel x (id int);\n");
    // A finding, not a configuration error.
    let findings = [
        ".linked-projects.json:3: error[registry]: invalid JSON: expected value; fix the file (see `mynatca link-project --help`); `mynatca check` skipped the link rules",
        "supabase/migrations/20251215120000_touch.sql:1: error[parse]: PostgreSQL rejects this: syntax error at or near \"tabel\"",
    ];
    // Without the registry only the platform's own two migrations are known.
    ws.run("platform", ["check"])
        .status(1)
        .stdout(report(&findings, "checked 2 migrations in 1 repo: 2 errors, 0 warnings\n"))
        .go();
}

#[test]
fn a_missing_project_folder_is_a_registry_error_at_its_entry() {
    let ws = clean();
    std::fs::rename(ws.path("discord"), ws.path("discord-moved")).unwrap();
    let registry_line =
        ws.read("platform/.linked-projects.json").lines().position(|l| l.contains("\"discord\"")).unwrap() + 1;
    // Its links are now dangling: `link` would remove them.
    let findings = [
        format!(".linked-projects.json:{registry_line}: error[registry]: project discord: folder $WS/discord not found; clone it there or fix its \"path\", or `mynatca unlink-project discord`"),
        "supabase/migrations:1: warning[stale-link]: 2 link changes pending (0 to create, 0 to update, 2 to remove); run `mynatca link`".to_string(),
    ];
    ws.run("platform", ["check"])
        .status(1)
        .stdout(report(&findings, "checked 3 migrations in 2 repos: 1 error, 1 warning\n"))
        .go();
}

#[test]
fn no_platform_is_exit_2() {
    let ws = Ws::empty();
    ws.mkdir("alone");
    ws.run("alone", ["check"])
        .status(2)
        .stderr("error: no platform found from $WS/alone; run inside the platform or a linked repo, pass --platform DIR, or set MYNATCA_PLATFORM\n")
        .go();
}

#[test]
fn json_is_one_document_with_counts_and_findings() {
    let ws = clean();
    add_pay_migration(&ws, "20251215130001_add_rates.sql", "insert into public.members values ('1');\n")
        .stdout(LINKED_ONE_MORE)
        .go();
    let path = "supabase/migrations/20251215130001_add_rates.sql";
    ws.run("platform", ["check", "--json"])
        .status(1)
        .stdout_json(serde_json::json!({
            "schema": 1,
            "command": "check",
            "platform": "$WS/platform",
            "ok": false,
            "checked": {"migrations": 5, "repos": 3},
            "errors": [
                {"kind": "ownership", "message": "pay may not insert into public.members (owned by platform)",
                 "project": "pay", "path": path, "line": 1},
            ],
            "warnings": [
                {"kind": "name-prefix", "message": "description \"add_rates\" does not name the schema pay; rename it to 20251215130001_pay_add_rates.sql",
                 "project": "pay", "path": path, "line": 1},
            ]
        }))
        .go();
}

#[test]
fn paths_are_relative_to_where_you_stand() {
    let ws = clean();
    add_pay_migration(&ws, "20251215130001_pay_x.sql", "drop table public.members;\n").stdout(LINKED_ONE_MORE).go();
    let finding =
        |path: &str| format!("{path}:1: error[ownership]: pay may not drop table public.members (owned by platform)");
    ws.run("pay", ["check"])
        .status(1)
        .stdout(report(&[finding("supabase/migrations/20251215130001_pay_x.sql")], summary(5, 1, 0)))
        .go();
    ws.run("pay/supabase/migrations", ["check"])
        .status(1)
        .stdout(report(&[finding("20251215130001_pay_x.sql")], summary(5, 1, 0)))
        .go();
}
