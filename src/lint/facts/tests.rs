use super::*;

/// The events of every statement of `sql`, with the file's search_path followed.
fn events(sql: &str) -> Vec<Event> {
    let parsed = pg_query::parse(sql, 0).unwrap();
    let mut scope = Scope::default();
    let mut all = Vec::new();
    for raw in &parsed.protobuf.stmts {
        let node = raw.stmt.as_ref().and_then(|s| s.node.as_ref()).unwrap();
        all.extend(statement_events(node, &scope));
        scope.after(node);
    }
    all
}

fn rel(schema: &str, name: &str) -> Object {
    Object::Relation(schema.into(), name.into())
}

fn creates(sql: &str) -> Vec<Object> {
    events(sql).into_iter().filter_map(|e| if let Event::Create(o) = e { Some(o) } else { None }).collect()
}

fn references(sql: &str) -> Vec<Vec<Object>> {
    events(sql).into_iter().filter_map(|e| if let Event::Reference(o) = e { Some(o) } else { None }).collect()
}

#[test]
fn creations_by_kind() {
    assert_eq!(
        creates(
            "create table pay.t (a int);\nalter table pay.t add column b int;\ncreate type pay.s as enum ('x');\n\
             create function pay.f(a int, out b int, c text) returns record language sql as 'select 1';\n\
             create schema x create view v as select 1;\ncreate temp table tmp (id int);"
        ),
        vec![
            rel("pay", "t"),
            Object::Column("pay".into(), "t".into(), "a".into()),
            Object::Column("pay".into(), "t".into(), "b".into()),
            Object::Type("pay".into(), "s".into()),
            Object::Function("pay".into(), "f".into(), Some(2)),
            Object::Schema("x".into()),
            rel("x", "v"),
        ]
    );
}

#[test]
fn references_foreign_keys_triggers_grants_and_view_relations() {
    let refs = references(
        "create table pay.t (m text references public.members (membernumber), s public.status);\n\
         create trigger tr after insert on pay.t for each row execute function pay.audit();\n\
         grant select on pay.t to anon;\n\
         create view pay.v as with c as (select 1) select * from c join public.regions r on true;\n\
         drop table if exists public.gone;",
    );
    assert_eq!(
        refs,
        vec![
            vec![Object::Schema("pay".into())],
            vec![Object::Type("public".into(), "text".into())],
            vec![rel("public", "members")],
            vec![Object::Column("public".into(), "members".into(), "membernumber".into())],
            vec![Object::Type("public".into(), "status".into())],
            vec![rel("pay", "t")],
            vec![Object::Function("pay".into(), "audit".into(), Some(0))],
            vec![rel("pay", "t")],
            vec![rel("public", "regions")],
        ]
    );
}

#[test]
fn unqualified_lookups_try_each_schema_of_the_search_path() {
    assert_eq!(
        references("set search_path = pay, public;\ninsert into shifts values (1);"),
        vec![vec![rel("pay", "shifts"), rel("public", "shifts")]]
    );
}

#[test]
fn security_settings() {
    let found = events(
        "alter table pay.t enable row level security;\n\
         create view pay.v with (security_invoker = true) as select 1;\n\
         alter view pay.v reset (security_invoker);\n\
         create function pay.f() returns int language sql security definer set search_path = '' as 'select 1';",
    );
    let security: Vec<&Event> = found.iter().filter(|e| !matches!(e, Event::Create(_) | Event::Reference(_))).collect();
    assert_eq!(
        security,
        vec![
            &Event::RowSecurity("pay".into(), "t".into(), true),
            &Event::View { schema: "pay".into(), name: "v".into(), invoker: true, created: true },
            &Event::View { schema: "pay".into(), name: "v".into(), invoker: false, created: false },
            &Event::Function {
                schema: "pay".into(),
                name: "f".into(),
                arity: Some(0),
                created: true,
                definer: Some(true),
                search_path: Some(true)
            },
        ]
    );
}
