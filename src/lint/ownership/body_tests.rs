//! `ownership` inside function and `DO` bodies.

use super::tests::{check, messages};
use crate::diagnostic::Severity;

const MEMBERS: &str = "pay may not insert into public.members (owned by platform)";

#[test]
fn a_plpgsql_trigger_function_writing_public_is_an_error_at_each_line() {
    let sql = "create table pay.items (id int);\n\
               create function pay.sync_member() returns trigger\n\
               language plpgsql as $$\n\
               begin\n\
               \x20 insert into public.members (id) values (new.id);\n\
               \x20 if tg_op = 'UPDATE' then\n\
               \x20   update public.members set id = new.id where id = old.id;\n\
               \x20 end if;\n\
               \x20 perform count(*) from public.members;\n\
               \x20 return new;\n\
               end $$;\n\
               create trigger sync after insert on pay.items for each row execute function pay.sync_member();\n\
               create function pay.purge() returns void language sql as 'delete from public.members';\n";
    assert_eq!(
        check("pay", sql),
        vec![
            (5, Severity::Error, format!("{MEMBERS} in function pay.sync_member")),
            (
                7,
                Severity::Error,
                "pay may not update public.members (owned by platform) in function pay.sync_member".into()
            ),
            (
                13,
                Severity::Error,
                "pay may not delete from public.members (owned by platform) in function pay.purge".into()
            ),
        ]
    );
}

#[test]
fn reads_and_own_writes_in_bodies_are_fine() {
    let sql = "create function pay.f() returns int language plpgsql as $$\n\
               declare n int;\n\
               begin\n\
               \x20 select count(*) into n from public.members;\n\
               \x20 insert into pay.log select id from public.members;\n\
               \x20 create temp table scratch (id int);\n\
               \x20 insert into scratch values (1);\n\
               \x20 return n;\n\
               end $$;\n\
               create function pay.g() returns setof public.members language sql stable as $$ select * from public.members $$;\n";
    assert_eq!(check("pay", sql), vec![]);
}

#[test]
fn execute_of_text_the_body_spells_out_is_judged_and_the_rest_is_a_warning() {
    let sql = "create function pay.f(t text) returns void language plpgsql as $$\n\
               begin\n\
               \x20 execute 'delete from public.members';\n\
               \x20 execute format('insert into %I.members values (%L)', 'public', t);\n\
               \x20 execute format('insert into pay.%I values (1)', t);\n\
               \x20 execute 'select * from ' || t;\n\
               \x20 execute format('update public.%I set a = 1', t);\n\
               \x20 execute 'update ' || t || ' set a = 1';\n\
               \x20 execute format('truncate %I.log', t);\n\
               end $$;\n";
    let through = "in function pay.f, through EXECUTE";
    let cannot = "function pay.f runs SQL built at run time (EXECUTE), so mynatca cannot tell what it writes; build it with format() from a literal template, or review it and put `-- mynatca-ignore: ownership REASON` above its CREATE or DO statement (not inside the body)";
    // Its own schema with a run-time name, and a read of a run-time table, are fine.
    assert_eq!(
        check("pay", sql),
        vec![
            (3, Severity::Error, format!("pay may not delete from public.members (owned by platform) {through}")),
            (4, Severity::Error, format!("{MEMBERS} {through}")),
            (7, Severity::Error, format!("pay may not update public.<run-time name> (owned by platform) {through}")),
            (8, Severity::Warning, cannot.into()),
            (9, Severity::Warning, cannot.into()),
        ]
    );
    // The platform's own dynamic SQL is its business.
    assert_eq!(check("platform", &sql.replace("pay.", "public.")), vec![]);
}

#[test]
fn unqualified_names_resolve_through_the_functions_search_path() {
    let body = "language plpgsql as $$ begin insert into log values (1); end $$;";
    assert_eq!(check("pay", &format!("create function pay.f() returns void set search_path = pay {body}")), vec![]);
    assert_eq!(
        messages("pay", &format!("create function pay.f() returns void {body}")),
        vec!["pay may not insert into public.log (owned by platform) in function pay.f"]
    );
    // Without its own, the file's.
    assert_eq!(check("pay", &format!("set search_path = pay;\ncreate function f() returns void {body}")), vec![]);
    // An empty path resolves nothing.
    assert_eq!(check("pay", &format!("create function pay.f() returns void set search_path = '' {body}")), vec![]);
}

#[test]
fn do_blocks_are_read_as_plpgsql() {
    let sql =
        "select 1;\ndo $$\nbegin\n  insert into public.members values (1);\nend $$;\ndo $$ begin perform 1; end $$;\n";
    assert_eq!(check("pay", sql), vec![(4, Severity::Error, format!("{MEMBERS} in a DO block"))]);
    let dynamic = check("pay", "do $$ begin execute current_setting('x'); end $$;");
    assert_eq!((dynamic.len(), dynamic[0].1), (1, Severity::Warning));
    assert!(dynamic[0].2.starts_with("a DO block runs SQL built at run time"), "{}", dynamic[0].2);
    assert_eq!(
        check("pay", "do language plv8 $$ plv8.execute('delete from public.members') $$;"),
        vec![(1, Severity::Warning, "a DO block is in language plv8, which mynatca does not read, so mynatca cannot tell what it writes; review it and put `-- mynatca-ignore: ownership REASON` above its CREATE or DO statement (not inside the body)".into())]
    );
    assert!(check("platform", "do $$ begin execute current_setting('x'); end $$;").is_empty());
    assert_eq!(
        messages("platform", "do $$ begin delete from pay.items; end $$;"),
        vec!["platform may not delete from pay.items (owned by pay) in a DO block"]
    );
}

#[test]
fn the_allow_comment_above_the_statement_covers_its_body() {
    let sql = "-- mynatca:allow ownership: reviewed\ncreate function pay.f() returns void language sql as $$\ndelete from public.members\n$$;\n";
    assert_eq!(check("pay", sql), vec![]);
}

#[test]
fn begin_atomic_quoted_bodies_and_nested_routines_are_read() {
    let atomic = "create function pay.f() returns void language sql\nbegin atomic\n  select 1;\n  insert into public.members values (1);\nend;\n";
    assert_eq!(check("pay", atomic), vec![(4, Severity::Error, format!("{MEMBERS} in function pay.f"))]);
    let quoted = "create procedure pay.p()\nlanguage plpgsql\nas '\nbegin\n  insert into public.members values (''x'');\nend';\n";
    assert_eq!(check("pay", quoted), vec![(5, Severity::Error, format!("{MEMBERS} in procedure pay.p"))]);
    let nested = "do $$\nbegin\n  create function pay.inner() returns void language sql as $f$\n    insert into public.members values (1)\n  $f$;\nend $$;\n";
    assert_eq!(check("pay", nested), vec![(4, Severity::Error, format!("{MEMBERS} in function pay.inner"))]);
}

#[test]
fn bodies_mynatca_cannot_read_are_a_warning_in_a_project() {
    let found = check("pay", "create function pay.f() returns void language plpgsql as $$ begin selec 1; end $$;");
    assert_eq!(found.len(), 1);
    assert!(
        found[0].2.starts_with("function pay.f does not compile as PL/pgSQL (syntax error at or near \"selec\")"),
        "{}",
        found[0].2
    );
    assert!(check("pay", "create function pay.f() returns int language c as 'pay', 'f';").is_empty());
}
