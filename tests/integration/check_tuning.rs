//! A team tunes `mynatca check` (issue 24, item 10): rule levels and narrow ownership
//! grants in the platform's mynatca.toml, and `-- mynatca-ignore:` comments in a
//! migration, on real git repos.

use crate::check::{add_pay_migration, clean, pay_file, report, summary, LINKED_ONE_MORE};

#[test]
fn mynatca_toml_sets_a_rule_to_error_warning_or_off() {
    let ws = clean();
    let name = "20251215130001_add_rates.sql";
    add_pay_migration(
        &ws,
        name,
        "create table pay.rates (id int);\nalter table pay.rates enable row level security;\ninsert into public.members values ('1');\n",
    )
    .stdout(LINKED_ONE_MORE)
    .go();
    let file = pay_file(name);
    let prefix = |level: &str| {
        format!("{file}:1: {level}[name-prefix]: description \"add_rates\" does not name the schema pay; rename it to 20251215130001_pay_add_rates.sql")
    };
    let members = |level: &str| {
        format!("{file}:3: {level}[ownership]: pay may not insert into public.members (owned by platform)")
    };
    ws.run("platform", ["check"])
        .status(1)
        .stdout(report(&[prefix("warning"), members("error")], summary(5, 1, 1)))
        .go();

    ws.write(
        "platform/mynatca.toml",
        "# How this team runs mynatca check.\n[rules]\nname-prefix = \"off\"\nownership = \"warning\"\n",
    );
    ws.run("platform", ["check"]).stdout(report(&[members("warning")], summary(5, 0, 1))).go();

    ws.write("platform/mynatca.toml", "[rules]\nname-prefix = \"error\"\n");
    ws.run("platform", ["check"]).status(1).stdout(report(&[prefix("error"), members("error")], summary(5, 2, 0))).go();
}

#[test]
fn a_wrong_mynatca_toml_is_exit_2_naming_the_file_and_key() {
    let ws = clean();
    let cases = [
        (
            "[rules]\nnme-prefix = \"off\"\n",
            "2:1: rules.nme-prefix: no such rule (did you mean name-prefix?); the rules are registry, stale-link, foreign-link, conflict, duplicate-version, name-pattern, name-style, name-prefix, ownership, parse, config-schemas, config-seeds, tracked-link, hooks, history-edit, out-of-order, order, rls, transaction, ignore",
        ),
        ("[rules]\nrls = \"fatal\"\n", "2:7: rules.rls: \"fatal\" is not a level; use \"error\", \"warning\" or \"off\""),
        ("[ownership.pya]\nallow = []\n", "1:12: ownership.pya: no project pya in .linked-projects.json (did you mean pay?)"),
    ];
    for (text, error) in cases {
        ws.write("platform/mynatca.toml", text);
        ws.run("platform", ["check"]).status(2).stderr(format!("error: $WS/platform/mynatca.toml:{error}\n")).go();
    }
}

#[test]
fn ownership_can_be_granted_narrowly() {
    let ws = clean();
    let name = "20251215130001_pay_reader.sql";
    add_pay_migration(
        &ws,
        name,
        "grant select on public.members to authenticated;\n\
         revoke select on public.members from anon;\n\
         create function pay.log_member() returns trigger language plpgsql as $$\n\
         begin\n\
         \x20 insert into public.member_log values (new.membernumber);\n\
         \x20 return new;\n\
         end $$;\n",
    )
    .stdout(LINKED_ONE_MORE)
    .go();
    let file = pay_file(name);
    let revoke = format!("{file}:2: error[ownership]: pay may not revoke on table public.members (owned by platform)");
    ws.write(
        "platform/mynatca.toml",
        "[ownership.pay]\n# Agreed with the platform team: pay's readers, and its audit trail.\nallow = [\"grant on public.members\", \"insert into public.member_log\"]\n",
    );
    ws.run("platform", ["check"]).status(1).stdout(report(&[revoke], summary(5, 1, 0))).go();
    // Granted to pay, not to discord.
    ws.write("platform/mynatca.toml", "[ownership.discord]\nallow = [\"grant on public.members\"]\n");
    let findings = [
        format!("{file}:1: error[ownership]: pay may not grant on table public.members (owned by platform)"),
        format!("{file}:2: error[ownership]: pay may not revoke on table public.members (owned by platform)"),
        format!("{file}:5: error[ownership]: pay may not insert into public.member_log (owned by platform) in function pay.log_member"),
    ];
    ws.run("platform", ["check"]).status(1).stdout(report(&findings, summary(5, 3, 0))).go();
}

#[test]
fn an_ignore_comment_silences_one_statement_and_a_careless_one_is_a_warning() {
    let ws = clean();
    let name = "20251215130001_pay_members_index.sql";
    add_pay_migration(
        &ws,
        name,
        "-- mynatca-ignore: ownership agreed with the platform team (ticket 41)\n\
         create index members_pay_idx on public.members (membernumber);\n\
         \n\
         insert into public.members values ('2');\n\
         \n\
         -- mynatca-ignore: ownership\n\
         create function pay.forget() returns void language sql as $$\n\
         \x20 delete from public.members\n\
         $$;\n\
         \n\
         -- mynatca-ignore: order left over from an old review\n\
         create table pay.rates (id int);\n\
         alter table pay.rates enable row level security;\n",
    )
    .stdout(LINKED_ONE_MORE)
    .go();
    let file = pay_file(name);
    let findings = [
        format!("{file}:4: error[ownership]: pay may not insert into public.members (owned by platform)"),
        format!("{file}:6: warning[ignore]: `-- mynatca-ignore: ownership` gives no reason; say why after the rule, for whoever reads it next"),
        format!("{file}:11: warning[ignore]: `-- mynatca-ignore: order` silences nothing: its statement has no order finding; remove it"),
    ];
    ws.run("platform", ["check"]).status(1).stdout(report(&findings, summary(5, 1, 2))).go();
    // The warnings are a rule like any other.
    ws.write("platform/mynatca.toml", "[rules]\nignore = \"off\"\n");
    ws.run("platform", ["check"]).status(1).stdout(report(&findings[..1], summary(5, 1, 0))).go();
}
