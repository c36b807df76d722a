use std::path::Path;

use super::*;
use crate::diagnostic::Severity;
use crate::lint::positions::is_allow_comment;

/// A project `../<name>` owning schema `<name>`.
pub(crate) fn project(name: &str) -> Project {
    Project {
        name: name.into(),
        path: format!("../{name}"),
        schema: name.into(),
        migrations: "supabase/migrations".into(),
        seeds: vec![],
    }
}

pub(super) fn owners() -> Owners {
    Owners::new(&[project("pay"), project("discord")])
}

/// (line, level, message) of each finding for `sql` in `project`.
pub(super) fn check(project: &str, sql: &str) -> Vec<(usize, Severity, String)> {
    sql_findings(Path::new("/x.sql"), sql, project, &owners())
        .into_iter()
        .map(|f| (f.line.unwrap_or(0), f.severity, f.message))
        .collect()
}

pub(super) fn messages(project: &str, sql: &str) -> Vec<String> {
    check(project, sql).into_iter().map(|(_, _, m)| m).collect()
}

#[test]
fn pay_may_not_change_public_members() {
    let sql = "alter table public.members add column pay_grade text;\n\
               insert into public.members (membernumber) values ('1');\n\
               grant select on public.members to anon;\n\
               create trigger t after insert on public.members for each row execute function pay.f();\n";
    assert_eq!(
        check("pay", sql),
        vec![
            (1, Severity::Error, "pay may not alter table public.members (owned by platform)".into()),
            (2, Severity::Error, "pay may not insert into public.members (owned by platform)".into()),
            (3, Severity::Error, "pay may not grant on table public.members (owned by platform)".into()),
            (4, Severity::Error, "pay may not create a trigger on public.members (owned by platform)".into()),
        ]
    );
}

#[test]
fn every_kind_of_change_is_seen() {
    let sql = "update public.members set x = 1;\n\
               delete from public.members;\n\
               truncate public.members, pay.shifts;\n\
               copy public.members from stdin;\n\
               merge into public.members m using pay.x p on m.id = p.id when matched then delete;\n\
               with gone as (delete from public.regions returning *) select * from gone;\n\
               drop table public.members;\n\
               comment on column public.members.name is 'x';\n\
               create policy p on public.members using (true);\n\
               create index on public.members (name);\n\
               create rule r as on insert to public.members do nothing;\n\
               drop policy p on public.members;\n\
               revoke all on all tables in schema public from anon;\n\
               alter table public.members rename column a to b;\n\
               alter default privileges in schema public grant select on tables to anon;\n\
               create function public.f() returns int language sql as 'select 1';\n\
               drop function public.f();\n\
               create schema auth;\n\
               create extension pgcrypto with schema extensions;\n\
               create table pay.members_2025 partition of public.members for values in ('2025');\n\
               alter table public.members owner to pay_admin;\n\
               alter table public.members set schema pay;\n\
               alter table public.members rename to people;\n\
               create rule r as on insert to pay.x do also insert into public.audit values (1);\n\
               select * into public.copy from pay.x;\n\
               refresh materialized view public.stats;\n\
               copy (insert into public.audit values (1) returning *) to stdout;\n\
               alter function public.f() owner to pay_admin;\n\
               alter schema public owner to pay_admin;\n";
    assert_eq!(
        messages("pay", sql),
        vec![
            "pay may not update public.members (owned by platform)",
            "pay may not delete from public.members (owned by platform)",
            "pay may not truncate public.members (owned by platform)",
            "pay may not copy into public.members (owned by platform)",
            "pay may not merge into public.members (owned by platform)",
            "pay may not delete from public.regions (owned by platform)",
            "pay may not drop table public.members (owned by platform)",
            "pay may not comment on a column of public.members (owned by platform)",
            "pay may not create a policy on public.members (owned by platform)",
            "pay may not create an index on public.members (owned by platform)",
            "pay may not create a rule on public.members (owned by platform)",
            "pay may not drop a policy on public.members (owned by platform)",
            "pay may not revoke on all tables in schema public (owned by platform)",
            "pay may not rename a column of public.members (owned by platform)",
            "pay may not alter default privileges in schema public (owned by platform)",
            "pay may not create function public.f (owned by platform)",
            "pay may not drop function public.f (owned by platform)",
            "pay may not create schema auth (owned by platform)",
            "pay may not create extension pgcrypto in schema extensions (owned by platform)",
            "pay may not add a partition to public.members (owned by platform)",
            // OWNER TO on a table is an ALTER TABLE subcommand.
            "pay may not alter table public.members (owned by platform)",
            "pay may not move table public.members (owned by platform)",
            "pay may not rename table public.members (owned by platform)",
            "pay may not insert into public.audit (owned by platform)",
            "pay may not create table public.copy (owned by platform)",
            "pay may not refresh materialized view public.stats (owned by platform)",
            "pay may not insert into public.audit (owned by platform)",
            "pay may not change the owner of function public.f (owned by platform)",
            "pay may not change the owner of schema public (owned by platform)",
        ]
    );
}

#[test]
fn unqualified_names_follow_the_search_path() {
    assert_eq!(
        messages("pay", "create table shifts (id int);"),
        vec!["pay may not create table public.shifts (owned by platform)"]
    );
    assert!(check("pay", "set search_path = pay;\ncreate table shifts (id int);").is_empty());
    assert!(check(
        "pay",
        "create table pay.shifts (id int);\nSET search_path TO pay, public;\ninsert into shifts values (1);"
    )
    .is_empty());
    assert!(
        check("pay", "select pg_catalog.set_config('search_path', 'pay', false);\ncreate table t (id int);").is_empty()
    );
    // Back to the default after RESET, in file order.
    assert_eq!(
        check("pay", "set search_path = pay;\ncreate table a (id int);\nreset search_path;\ncreate table b (id int);"),
        vec![(4, Severity::Error, "pay may not create table public.b (owned by platform)".into())]
    );
    // An empty search_path leaves nothing to resolve to (PostgreSQL would refuse).
    assert!(check("pay", "select set_config('search_path', '', false);\ncreate table t (id int);").is_empty());
    // Temporary tables live in pg_temp.
    assert!(check("pay", "create temp table t (id int);\ninsert into t values (1);\ndrop table t;").is_empty());
    // However the temporary table was made: AS SELECT, SELECT INTO TEMP.
    let ctas = "create temp table t as select membernumber from public.members;\ninsert into t values ('x');\n";
    assert!(check("pay", ctas).is_empty(), "{:?}", check("pay", ctas));
    let into = "select 1 as id into temp w;\ninsert into w values (2);\n";
    assert!(check("pay", into).is_empty(), "{:?}", check("pay", into));
    let body = "create function pay.f() returns void language plpgsql as $$\nbegin\n  create temp table x as select 1 as id;\n  insert into x values (2);\nend $$;\n";
    assert!(check("pay", body).is_empty(), "{:?}", check("pay", body));
}

#[test]
fn reads_are_fine() {
    let sql = "create table pay.shifts (membernumber text references public.members (membernumber));\n\
               create view pay.member_hours as select m.membernumber from public.members m;\n\
               create function pay.f() returns int language sql as $$ select count(*) from public.members $$;\n\
               insert into pay.shifts select membernumber from public.members;\n\
               grant usage on schema pay to authenticated;\n\
               create schema if not exists pay;\n\
               create index on pay.shifts (membernumber);\n";
    assert_eq!(check("pay", sql), vec![]);
}

#[test]
fn the_platform_may_not_write_to_a_project_schema() {
    assert_eq!(
        messages("platform", "insert into pay.shifts values (1);\ncreate table public.x (id int);"),
        vec!["platform may not insert into pay.shifts (owned by pay)"]
    );
    // Schemas no project claims are the platform's.
    assert!(check("platform", "create trigger t after insert on auth.users for each row execute function public.f();")
        .is_empty());
    assert_eq!(
        messages("discord", "alter table pay.shifts add column x int;"),
        vec!["discord may not alter table pay.shifts (owned by pay)"]
    );
}

#[test]
fn the_allow_comment_lets_the_next_statement_through() {
    let sql = "-- mynatca:allow ownership: reviewed with the platform team\n\
               alter table public.members add column x int;\n\
               alter table public.members add column y int;\n\
               -- mynatca:allow ownership\n\n\
               alter table public.members add column z int;\n";
    // Not directly above: the statement in between, the blank line.
    let flagged: Vec<usize> = check("pay", sql).into_iter().map(|(line, _, _)| line).collect();
    assert_eq!(flagged, vec![3, 6]);
    // Only a real comment counts, not text in a string.
    assert_eq!(check("pay", "select '-- mynatca:allow ownership';\ninsert into public.members values (1);").len(), 1);
    assert!(!is_allow_comment("-- mynatca:allow ownerships", "ownership"));
    assert!(is_allow_comment("--mynatca:allow rls: a public lookup table", "rls"));
}

#[test]
fn lines_skip_leading_comments_and_blank_lines() {
    let sql = "create table pay.a (id int);\n\n-- why\n/* more */\ninsert into\n  public.members values (1);\n";
    assert_eq!(check("pay", sql)[0].0, 5);
}

#[test]
fn syntax_errors_are_reported_at_their_line() {
    let found = sql_findings(Path::new("/x.sql"), "create table pay.a (\n  id int,,\n  b int\n);\n", "pay", &owners());
    assert_eq!(found.len(), 1);
    assert_eq!((found[0].code, found[0].line.unwrap_or(0)), (Code::Parse, 2));
    assert_eq!(found[0].message, "PostgreSQL rejects this: syntax error at or near \",\"");
    let line = |sql: &str| sql_findings(Path::new("/x.sql"), sql, "pay", &owners())[0].line.unwrap_or(0);
    assert_eq!(line("select 1;\n\ncreate tabel x (id int);"), 3);
    assert_eq!(line("select 1;\nselect 'unterminated\n;"), 2);
    assert_eq!(line("select 1;\ncreate table x (\n  id int\n"), 3);
    assert_eq!(line("select 1;\n/* never closed\n"), 2);
}

#[test]
fn a_search_path_of_several_schemas_resolves_as_postgresql_does() {
    // Creation: the first schema that exists (pay is created by no migration here, so public).
    assert_eq!(
        messages("pay", "set search_path = nowhere, public;\ncreate table t (id int);"),
        vec!["pay may not create table public.t (owned by platform)"]
    );
    assert!(check("pay", "create schema pay;\nset search_path = pay, public;\ncreate table t (id int);").is_empty());
    // Lookup: the first schema that has it, in apply order.
    assert_eq!(
        messages(
            "pay",
            "-- mynatca:allow ownership\ncreate table public.members (id int);\nset search_path = pay, public;\ninsert into members values (1);"
        ),
        vec!["pay may not insert into public.members (owned by platform)"]
    );
    // Nothing tells which: ambiguous between owners.
    assert_eq!(
        check("pay", "set search_path = pay, public;\nupdate shifts set x = 1;"),
        vec![(
            2,
            Severity::Error,
            "pay may not update shifts unqualified: search_path pay, public resolves it to the first of pay.shifts (pay), public.shifts (platform) that exists, and the migrations do not tell which; qualify it".into()
        )]
    );
    // Schemas of one owner leave nothing to tell apart.
    assert!(check("platform", "set search_path = public, extensions;\nupdate shifts set x = 1;").is_empty());
}

#[test]
fn ownership_gaps_are_closed() {
    let sql = "prepare p as insert into public.members values ($1);\n\
               import foreign schema remote from server s into public;\n\
               create statistics public.s on a, b from public.members;\n\
               create conversion public.c for 'LATIN1' to 'UTF8' from iso8859_1_to_utf8;\n\
               alter default privileges grant select on tables to anon;\n\
               alter default privileges in schema pay grant select on tables to anon;\n";
    assert_eq!(
        messages("pay", sql),
        vec![
            "pay may not insert into public.members (owned by platform)",
            "pay may not import foreign tables into schema public (owned by platform)",
            "pay may not create statistics object public.s (owned by platform)",
            "pay may not create a statistics object on public.members (owned by platform)",
            "pay may not create conversion public.c (owned by platform)",
            "pay may not alter default privileges without IN SCHEMA: they apply in every schema, platform's too; add `in schema pay`",
        ]
    );
    assert!(check("platform", "alter default privileges grant select on tables to anon;").is_empty());
}
