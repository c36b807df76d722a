//! `mynatca check`'s `ownership` inside function and `DO` bodies (issue 24, item 9): the
//! guide's "DON'T add triggers/functions that write to public schema from sub-projects",
//! on real git repos.

use crate::check::{add_pay_migration, clean, pay_file, report, summary, LINKED_ONE_MORE};

#[test]
fn a_pay_trigger_function_writing_public_members_is_an_error_at_its_body_lines() {
    let ws = clean();
    let name = "20251215130001_pay_sync_members.sql";
    add_pay_migration(
        &ws,
        name,
        "create table pay.items (membernumber text);\n\
         alter table pay.items enable row level security;\n\
         \n\
         create function pay.sync_member() returns trigger\n\
         language plpgsql as $$\n\
         begin\n\
         \x20 insert into public.members (membernumber) values (new.membernumber)\n\
         \x20   on conflict do nothing;\n\
         \x20 update public.members set membernumber = new.membernumber\n\
         \x20   where membernumber = new.membernumber;\n\
         \x20 return new;\n\
         end $$;\n\
         \n\
         create trigger items_sync after insert on pay.items\n\
         \x20 for each row execute function pay.sync_member();\n\
         \n\
         create function pay.forget_members() returns void language sql as $$\n\
         \x20 delete from public.members\n\
         $$;\n\
         \n\
         -- Reading public is fine.\n\
         create function pay.member_count() returns bigint language sql stable as $$\n\
         \x20 select count(*) from public.members\n\
         $$;\n",
    )
    .stdout(LINKED_ONE_MORE)
    .go();
    let file = pay_file(name);
    let findings = [
        format!("{file}:7: error[ownership]: pay may not insert into public.members (owned by platform) in function pay.sync_member"),
        format!("{file}:9: error[ownership]: pay may not update public.members (owned by platform) in function pay.sync_member"),
        format!("{file}:18: error[ownership]: pay may not delete from public.members (owned by platform) in function pay.forget_members"),
    ];
    ws.run("platform", ["check"]).status(1).stdout(report(&findings, summary(5, 3, 0))).go();
}

#[test]
fn execute_is_judged_when_its_text_is_written_in_the_body_and_a_warning_otherwise() {
    let ws = clean();
    let name = "20251215130001_pay_dynamic.sql";
    add_pay_migration(
        &ws,
        name,
        "create function pay.touch_members(id text) returns void language plpgsql as $$\n\
         begin\n\
         \x20 execute 'delete from public.members where membernumber is null';\n\
         \x20 execute format('insert into %I.members (membernumber) values (%L)', 'public', id);\n\
         \x20 execute format('insert into pay.%I values (%L)', 'log_' || id, id);\n\
         \x20 execute current_setting('pay.cleanup');\n\
         end $$;\n",
    )
    .stdout(LINKED_ONE_MORE)
    .go();
    let file = pay_file(name);
    let findings = [
        format!("{file}:3: error[ownership]: pay may not delete from public.members (owned by platform) in function pay.touch_members, through EXECUTE"),
        format!("{file}:4: error[ownership]: pay may not insert into public.members (owned by platform) in function pay.touch_members, through EXECUTE"),
        format!("{file}:6: warning[ownership]: function pay.touch_members runs SQL built at run time (EXECUTE), so mynatca cannot tell what it writes; build it with format() from a literal template, or review it and put `-- mynatca-ignore: ownership REASON` above its CREATE or DO statement (not inside the body)"),
    ];
    ws.run("platform", ["check"]).status(1).stdout(report(&findings, summary(5, 2, 1))).go();
}

#[test]
fn do_blocks_are_read_in_every_repo_and_the_allow_comment_covers_a_body() {
    let ws = clean();
    let name = "20251215130001_pay_backfill.sql";
    add_pay_migration(
        &ws,
        name,
        "do $$\nbegin\n  perform 1;\n  delete from public.members;\nend $$;\n\n\
         -- mynatca:allow ownership: the platform team reviewed this one\n\
         create function pay.reviewed() returns void language sql as 'truncate public.members';\n",
    )
    .stdout(LINKED_ONE_MORE)
    .go();
    // The platform writing pay's table from a DO block is as wrong as from a statement.
    ws.migration(
        "platform",
        "20251215140000_backfill_pay.sql",
        "do $$\nbegin\n  update pay.shifts set membernumber = upper(membernumber);\nend $$;\n",
    );
    ws.run("platform", ["link"]).stdout("linked: 0 created, 0 updated, 0 removed, 6 unchanged\n").go();
    let findings = [
        format!("{}:4: error[ownership]: pay may not delete from public.members (owned by platform) in a DO block", pay_file(name)),
        "supabase/migrations/20251215140000_backfill_pay.sql:3: error[ownership]: platform may not update pay.shifts (owned by pay) in a DO block".to_string(),
    ];
    ws.run("platform", ["check"]).status(1).stdout(report(&findings, summary(6, 2, 0))).go();
}
