//! `mynatca check`'s cross-repo rules (`history-edit`, `out-of-order`, `order`, `rls`)
//! and `--format github`: a true case, a clean case and the allow comment each, on real
//! git repos.

use crate::check::{
    add_pay_migration, clean, clock, clock_versions, linked, pay_file, summary, LINKED_NOTHING, LINKED_ONE_MORE,
    PAY_MIGRATION,
};
use crate::support::{Test, Ws};

/// `mynatca check ARGS` in the platform, its status and both streams to be stated.
fn check<'a>(ws: &'a Ws, args: &[&str]) -> Test<'a> {
    ws.run("platform", ["check"]).args(args)
}

// ---------------------------------------------------------------------------------------
// history-edit

#[test]
fn editing_a_migration_that_is_on_the_base_is_an_error() {
    let ws = clean();
    ws.git("pay", &["checkout", "-q", "-b", "feature"]);
    let file = pay_file(PAY_MIGRATION);
    let original = ws.read(&format!("pay/supabase/migrations/{PAY_MIGRATION}"));
    ws.migration("pay", PAY_MIGRATION, &original.replace("membernumber text", "membernumber text not null"));
    let edited = format!(
        "{file}:1: error[history-edit]: changed since main, where production may have applied it: applied migrations never change; restore it (`git checkout main -- {PAY_MIGRATION}` in its folder) and write a new migration\n{}",
        summary(4, 1, 0)
    );
    check(&ws, &[]).status(1).stdout(&edited).go();
    // Committed on the branch: still an edit of what main has.
    ws.commit_all("pay", "edit history");
    check(&ws, &[]).status(1).stdout(edited).go();
    // --base says what production has, for every repo.
    check(&ws, &["--base", "feature"])
        .status(2)
        .stderr("error: --base feature: no such branch, tag or commit in platform, discord; fetch it there (`git fetch origin`), or pass a ref every repo has\n")
        .go();
    for repo in ["platform", "discord"] {
        ws.git(repo, &["branch", "feature"]);
    }
    check(&ws, &["--base", "feature"]).stdout(summary(4, 0, 0)).go();
}

#[test]
fn whitespace_and_comment_edits_are_a_warning() {
    let ws = clean();
    let original = ws.read(&format!("pay/supabase/migrations/{PAY_MIGRATION}"));
    ws.migration("pay", PAY_MIGRATION, &format!("-- Shifts worked.\n{}", original.replace("(\n    ", "(\n        ")));
    check(&ws, &[])
        .stdout(format!(
            "{}:1: warning[history-edit]: only whitespace or comments changed since main; applied migrations are best left byte for byte as production ran them\n{}",
            pay_file(PAY_MIGRATION),
            summary(4, 0, 1)
        ))
        .go();
}

#[test]
fn renaming_or_deleting_a_migration_on_the_base_is_an_error() {
    let ws = clean();
    let renamed = "20251215130500_pay_add_shifts.sql";
    std::fs::rename(
        ws.path(&format!("pay/supabase/migrations/{PAY_MIGRATION}")),
        ws.path(&format!("pay/supabase/migrations/{renamed}")),
    )
    .unwrap();
    ws.run("platform", ["link"]).stdout(linked(1, 1, 4)).go();
    check(&ws, &[])
        .status(1)
        .stdout(format!(
            "{}:1: error[history-edit]: renamed from {PAY_MIGRATION}, which is on main: production recorded it under its old version; rename it back and write a new migration for any change\n{}",
            pay_file(renamed),
            summary(4, 1, 0)
        ))
        .go();
    ws.remove(&format!("pay/supabase/migrations/{renamed}"));
    ws.run("platform", ["link"]).stdout(linked(0, 1, 4)).go();
    check(&ws, &[])
        .status(1)
        .stdout(format!(
            "{}:1: error[history-edit]: deleted, but it is on main, where production may have applied it: restore it (`git checkout main -- {PAY_MIGRATION}` in its folder) and undo it in a new migration\n{}",
            pay_file(PAY_MIGRATION),
            summary(3, 1, 0)
        ))
        .go();
}

#[test]
fn a_repo_without_a_base_is_one_warning() {
    let ws = clean();
    ws.git("discord", &["branch", "-q", "-m", "main", "trunk"]);
    check(&ws, &[])
        .stdout(format!(
            "../discord:1: warning[history-edit]: discord has no base to compare with (tried origin/HEAD, origin/main, origin/master, main, master), so history-edit and out-of-order skip it; fetch the base branch or pass --base REF\n{}",
            summary(4, 0, 1)
        ))
        .go();
    // origin/HEAD comes first: a remote's default branch is what production has.
    ws.git("discord", &["update-ref", "refs/remotes/origin/trunk", "HEAD"]);
    ws.git("discord", &["symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/trunk"]);
    check(&ws, &[]).stdout(summary(4, 0, 0)).go();
}

// ---------------------------------------------------------------------------------------
// out-of-order

#[test]
fn a_new_migration_older_than_what_production_has_is_out_of_order() {
    let ws = clean();
    let name = "20251215125900_pay_backfill.sql";
    add_pay_migration(&ws, name, "select 1;\n").stdout(LINKED_ONE_MORE).go();
    let before = clock();
    check(&ws, &[])
        .status(1)
        .stdout(format!(
            "{}:1: error[out-of-order]: version 20251215125900 is new on this branch but sorts before {PAY_MIGRATION} (pay on main), which production has already applied as far as git knows: `supabase db push` refuses it and a fresh reset runs it in another order than production; rename it to <now>_pay_backfill.sql\n{}",
            pay_file(name),
            summary(5, 1, 0)
        ))
        .filter(clock_versions(before))
        .go();
    // After the newest: fine.
    ws.remove(&format!("pay/supabase/migrations/{name}"));
    add_pay_migration(&ws, "20251215130100_pay_backfill.sql", "select 1;\n").stdout(linked(1, 1, 5)).go();
    check(&ws, &[]).stdout(summary(5, 0, 0)).go();
    // A reviewed backport says so in its leading comments.
    add_pay_migration(&ws, name, "-- Backported hotfix, applied by hand.\n-- mynatca:allow out-of-order\nselect 1;\n")
        .stdout(linked(1, 0, 6))
        .go();
    check(&ws, &[]).stdout(summary(6, 0, 0)).go();
}

// ---------------------------------------------------------------------------------------
// order

#[test]
fn a_reference_to_what_a_later_file_creates_is_an_order_error() {
    let ws = clean();
    ws.migration(
        "platform",
        "20251215140000_add_regions.sql",
        "create table public.regions (code text primary key);\nalter table public.regions enable row level security;\n",
    );
    let name = "20251215130100_pay_add_region_rates.sql";
    let sql = "create table pay.region_rates (\n    region text references public.regions (code)\n);\nalter table pay.region_rates enable row level security;\n";
    add_pay_migration(&ws, name, sql).stdout(LINKED_ONE_MORE).go();
    check(&ws, &[])
        .status(1)
        .stdout(format!(
            "{}:1: error[order]: public.regions is only created later, by 20251215140000_add_regions.sql (platform): a fresh `supabase db reset` applies files by name and fails here; give this migration a later version than that one\n{}",
            pay_file(name),
            summary(6, 1, 0)
        ))
        .go();
    add_pay_migration(&ws, name, &format!("-- mynatca:allow order: regions exist in production already\n{sql}"))
        .stdout(LINKED_NOTHING)
        .go();
    check(&ws, &[]).stdout(summary(6, 0, 0)).go();
    // Clean: the reference comes after the creation.
    ws.remove(&format!("pay/supabase/migrations/{name}"));
    add_pay_migration(&ws, "20251215150000_pay_add_region_rates.sql", sql).stdout(linked(1, 1, 5)).go();
    check(&ws, &[]).stdout(summary(6, 0, 0)).go();
}

// ---------------------------------------------------------------------------------------
// rls

#[test]
fn a_table_in_an_exposed_schema_needs_row_level_security() {
    let ws = clean();
    let name = "20251215130100_pay_add_rates.sql";
    // pay's baseline only creates the schema: the API roles need USAGE to reach it.
    add_pay_migration(
        &ws,
        name,
        "-- Rates.\ncreate table pay.rates (id int);\ngrant usage on schema pay to anon, authenticated;\n",
    )
    .stdout(LINKED_ONE_MORE)
    .go();
    check(&ws, &[])
        .status(1)
        .stdout(format!(
            "{}:2: error[rls]: table pay.rates is in schema pay, which the Data API exposes, and no migration enables row level security on it, so anyone with the anon key can read and write it; add `alter table pay.rates enable row level security;` and policies\n{}",
            pay_file(name),
            summary(5, 1, 0)
        ))
        .go();
    // Enabled by a later migration, in apply order: fine.
    add_pay_migration(&ws, "20251215130200_pay_secure_rates.sql", "alter table pay.rates enable row level security;\n")
        .stdout(linked(1, 0, 6))
        .go();
    check(&ws, &[]).stdout(summary(6, 0, 0)).go();
    // A schema the API does not expose needs none; a reviewed table says so.
    ws.remove("pay/supabase/migrations/20251215130200_pay_secure_rates.sql");
    add_pay_migration(
        &ws,
        name,
        "create table pay.rates (id int); -- mynatca:allow rls: public price list\ngrant usage on schema pay to anon;\n",
    )
    .stdout(linked(0, 1, 6))
    .go();
    ws.migration(
        "platform",
        "20251215140000_add_private.sql",
        "create schema private;\ncreate table private.jobs (id int);\n",
    );
    check(&ws, &[]).stdout(summary(6, 0, 0)).go();
    // No API role may use the schema (never granted, or revoked): nothing to reach.
    add_pay_migration(
        &ws,
        "20251215130200_pay_private_rates.sql",
        "create table pay.hidden (id int);\nrevoke all on schema pay from public, anon, authenticated;\n",
    )
    .stdout(linked(1, 0, 6))
    .go();
    check(&ws, &[]).stdout(summary(7, 0, 0)).go();
    ws.write(
        "platform/supabase/config.toml",
        &ws.read("platform/supabase/config.toml")
            .replace("schemas = [\"public\"", "schemas = [\"public\", \"private\""),
    );
    check(&ws, &[]).stdout(summary(7, 0, 0)).go();
}

#[test]
fn without_api_schemas_the_supabase_default_is_exposed() {
    let ws = clean();
    ws.write(
        "platform/supabase/config.toml",
        "[db.seed]\nsql_paths = [\"./seed.sql\", \"./seeds/pay/*.sql\", \"./seeds/discord/*.sql\"]\n",
    );
    ws.migration("platform", "20251215140000_add_audit.sql", "create table public.audit (id int);\n");
    let not_listed = |schema: &str| {
        format!("supabase/config.toml:1: warning[config-schemas]: schema {schema} of {schema} is not in [api] schemas, so the API does not expose it; add \"{schema}\" (`mynatca link-project {schema}` does)\n")
    };
    check(&ws, &[])
        .status(1)
        .stdout(format!(
            "{}{}supabase/migrations/20251215140000_add_audit.sql:1: error[rls]: table public.audit is in schema public, which the Data API exposes, and no migration enables row level security on it, so anyone with the anon key can read and write it; add `alter table public.audit enable row level security;` and policies\n{}",
            not_listed("discord"),
            not_listed("pay"),
            summary(5, 1, 2)
        ))
        .go();
}

#[test]
fn definer_views_and_functions_in_an_exposed_schema_are_warnings() {
    let ws = clean();
    let name = "20251215130100_pay_add_views.sql";
    let sql = "create view pay.totals as select count(*) from pay.shifts;\n\
               create function pay.total() returns bigint language sql security definer\n    as $$ select count(*) from pay.shifts $$;\n\
               create view pay.safe with (security_invoker = on) as select 1;\n\
               create function pay.safe_total() returns bigint language sql security definer set search_path = ''\n    as $$ select count(*) from pay.shifts $$;\n\
               grant usage on schema pay to authenticated;\n";
    add_pay_migration(&ws, name, sql).stdout(LINKED_ONE_MORE).go();
    let file = pay_file(name);
    let warnings = format!(
        "{file}:1: warning[rls]: view pay.totals in exposed schema pay runs with its owner's rights, bypassing row level security; create it `with (security_invoker = true)`\n\
         {file}:2: warning[rls]: SECURITY DEFINER function pay.total in exposed schema pay has no `SET search_path`, so a caller's objects can stand in for the ones it means; add `set search_path = ''` and qualify names\n{}",
        summary(5, 0, 2)
    );
    check(&ws, &[]).stdout(&warnings).go();
    // --strict fails on them; they stay warnings.
    check(&ws, &["--strict"]).status(1).stdout(warnings).go();
    // Fixed later, or allowed where they are made.
    add_pay_migration(
        &ws,
        "20251215130200_pay_fix_views.sql",
        "alter view pay.totals set (security_invoker = true);\nalter function pay.total() set search_path = '';\n",
    )
    .stdout(linked(1, 0, 6))
    .go();
    check(&ws, &[]).stdout(summary(6, 0, 0)).go();
    ws.remove("pay/supabase/migrations/20251215130200_pay_fix_views.sql");
    add_pay_migration(
        &ws,
        name,
        &format!(
            "-- mynatca:allow rls\n{}",
            sql.replacen("\ncreate function", "\n-- mynatca:allow rls\ncreate function", 1)
        ),
    )
    .stdout(linked(0, 1, 6))
    .go();
    check(&ws, &[]).stdout(summary(5, 0, 0)).go();
}

// ---------------------------------------------------------------------------------------
// --format github

#[test]
fn github_format_prints_one_annotation_per_finding() {
    let ws = clean();
    add_pay_migration(&ws, "20251215130100_add_rates.sql", "insert into public.members values ('1, 2');\n")
        .stdout(LINKED_ONE_MORE)
        .go();
    let name_prefix =
        "description \"add_rates\" does not name the schema pay; rename it to 20251215130100_pay_add_rates.sql";
    let ownership = "pay may not insert into public.members (owned by platform)";
    let annotations = |file: &str| {
        format!(
            "::warning file={file},line=1,title=mynatca name-prefix::{name_prefix}\n\
             ::error file={file},line=1,title=mynatca ownership::{ownership}\n{}",
            summary(5, 1, 1)
        )
    };
    // A file is named inside its own repo, as GitHub names the files of the repository a
    // workflow checked out: pay's, in pay or with --project pay.
    let in_pay = annotations("supabase/migrations/20251215130100_add_rates.sql");
    ws.run("pay", ["check", "--format", "github"]).status(1).stdout(&in_pay).go();
    check(&ws, &["--format", "github", "--project", "pay"]).status(1).stdout(&in_pay).go();
    // From the platform, pay's file is not the platform's to annotate: named in the message.
    let file = "supabase/migrations/20251215130100_add_rates.sql";
    check(&ws, &["--format", "github"])
        .status(1)
        .stdout(format!(
            "::warning title=mynatca name-prefix::pay: {file}:1: {name_prefix}\n\
             ::error title=mynatca ownership::pay: {file}:1: {ownership}\n{}",
            summary(5, 1, 1)
        ))
        .go();
    // --paths cwd names it from the current directory, with no repo to judge by.
    ws.run(".", ["check", "--format", "github", "--paths", "cwd"])
        .status(1)
        .stdout(annotations("pay/supabase/migrations/20251215130100_add_rates.sql"))
        .go();
    // --json and --format are exclusive.
    let usage = "the argument '--format <FORMAT>' cannot be used with '--json'";
    check(&ws, &["--format", "github", "--json"])
        .status(2)
        .stdout_json(serde_json::json!({
            "schema": 1, "command": "check", "platform": null, "ok": false,
            "errors": [{"kind": "usage", "message": usage}], "warnings": [],
        }))
        .stderr(format!(
            "error: {usage}\n\nUsage: mynatca check --format <FORMAT>\n\nFor more information, try '--help'.\n"
        ))
        .go();
}

// ---------------------------------------------------------------------------------------
// transaction

#[test]
fn transaction_errs_only_where_the_supabase_cli_fails_and_warns_where_a_file_can_half_apply() {
    let ws = clean();
    let name = "20251215130100_pay_index_shifts.sql";
    let index = "create unique index concurrently shifts_member_idx on pay.shifts (membernumber);\n";
    add_pay_migration(&ws, name, &format!("begin;\n{index}commit;\n")).stdout(LINKED_ONE_MORE).go();
    let file = pay_file(name);
    check(&ws, &[])
        .status(1)
        .stdout(format!(
            "{file}:2: error[transaction]: CREATE INDEX CONCURRENTLY cannot run inside the BEGIN … COMMIT block opened at line 1, so `supabase db reset` fails here; move it after the COMMIT or to a migration of its own\n{}",
            summary(5, 1, 0)
        ))
        .go();
    add_pay_migration(&ws, name, &format!("alter table pay.shifts add column note text;\n{index}"))
        .stdout(LINKED_NOTHING)
        .go();
    check(&ws, &[])
        .stdout(format!(
            "{file}:2: warning[transaction]: CREATE INDEX CONCURRENTLY runs outside the file's transaction (the Supabase CLI 3.x commits what comes before it and runs it alone): if a statement after it fails, or it fails, what ran before stays applied with no history row; put it in a migration of its own (the CLI's 2.x releases sent a file as one pipeline and accepted such a statement only as its first)\n{}",
            summary(5, 0, 1)
        ))
        .go();
    // What the CLI applies whole: a concurrent index alone, a file inside one BEGIN … COMMIT.
    add_pay_migration(&ws, name, index).stdout(LINKED_NOTHING).go();
    check(&ws, &[]).stdout(summary(5, 0, 0)).go();
    add_pay_migration(
        &ws,
        name,
        "BEGIN;\nset local role service_role;\nalter table pay.shifts add column note text;\nEND;\n",
    )
    .stdout(LINKED_NOTHING)
    .go();
    check(&ws, &[]).stdout(summary(5, 0, 0)).go();
}

// ---------------------------------------------------------------------------------------
// ownership gaps

#[test]
fn prepared_writes_default_privileges_and_ambiguous_lookups_are_ownership_errors() {
    let ws = clean();
    let name = "20251215130100_pay_gaps.sql";
    add_pay_migration(
        &ws,
        name,
        "prepare add_member as insert into public.members values ($1);\n\
         alter default privileges grant select on tables to anon;\n\
         set search_path = pay, public;\n\
         update members set membernumber = membernumber;\n\
         update nowhere set x = 1;\n",
    )
    .stdout(LINKED_ONE_MORE)
    .go();
    let file = pay_file(name);
    check(&ws, &[])
        .status(1)
        .stdout(format!(
            "{file}:1: error[ownership]: pay may not insert into public.members (owned by platform)\n\
             {file}:2: error[ownership]: pay may not alter default privileges without IN SCHEMA: they apply in every schema, platform's too; add `in schema pay`\n\
             {file}:4: error[ownership]: pay may not update public.members (owned by platform)\n\
             {file}:5: error[ownership]: pay may not update nowhere unqualified: search_path pay, public resolves it to the first of pay.nowhere (pay), public.nowhere (platform) that exists, and the migrations do not tell which; qualify it\n{}",
            summary(5, 4, 0)
        ))
        .go();
}
