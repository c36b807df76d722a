//! Extension preflight: every `CREATE EXTENSION` of every migration, checked against
//! what the server can install, before anything is dropped.

use std::collections::HashSet;

use pg_query::NodeEnum;
use postgres::Client;

use super::apply::Script;

pub(crate) const CRON: &str = "pg_cron";

/// Extensions that only work when preloaded at server start.
const PRELOADED: [&str; 2] = ["pg_cron", "pg_net"];

/// The Debian package giving an extension for PostgreSQL `{}` (the server's major
/// version), as Debian 12 has them (`apt-cache search postgresql-15-`).
const PACKAGES: [(&str, &str); 16] = [
    ("pg_cron", "postgresql-{}-cron"),
    ("postgis", "postgresql-{}-postgis-3"),
    ("postgis_topology", "postgresql-{}-postgis-3"),
    ("postgis_raster", "postgresql-{}-postgis-3"),
    ("pgrouting", "postgresql-{}-pgrouting"),
    ("pgtap", "postgresql-{}-pgtap"),
    ("plpgsql_check", "postgresql-{}-plpgsql-check"),
    ("pg_partman", "postgresql-{}-partman"),
    ("pgaudit", "postgresql-{}-pgaudit"),
    ("hypopg", "postgresql-{}-hypopg"),
    ("rum", "postgresql-{}-rum"),
    ("pg_repack", "postgresql-{}-repack"),
    ("orafce", "postgresql-{}-orafce"),
    ("hll", "postgresql-{}-hll"),
    ("semver", "postgresql-{}-semver"),
    ("pglogical", "postgresql-{}-pglogical"),
];

/// Extensions Supabase's image has that no Debian 12 package gives, and where they are.
const ELSEWHERE: [(&str, &str); 3] = [
    ("vector", "PGDG's apt repository has postgresql-{}-pgvector, Debian 13 postgresql-17-pgvector"),
    ("http", "PGDG's apt repository has postgresql-{}-http"),
    ("postgis_tiger_geocoder", "postgresql-{}-postgis-3 in PGDG"),
];

/// One `CREATE EXTENSION` of a migration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ExtensionUse {
    /// Index of the migration in the refresh's list, and of the statement in it.
    pub(crate) script: usize,
    pub(crate) statement: usize,
    pub(crate) line: usize,
    pub(crate) name: String,
    /// `WITH SCHEMA s`.
    pub(crate) schema: Option<String>,
}

/// Why the server cannot give an extension.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Lack {
    NotAvailable,
    /// Installed, but `shared_preload_libraries` lacks it.
    NotPreloaded,
    /// pg_cron, whose `CREATE EXTENSION` works only in the database named by the server's
    /// `cron.database_name`: this one.
    OtherDatabase(String),
}

/// Every top-level `CREATE EXTENSION` of `scripts`. Only statements mentioning
/// "extension" are parsed, so thousands of migrations cost milliseconds.
pub(crate) fn scan(scripts: &[Script]) -> Vec<ExtensionUse> {
    let mut uses = Vec::new();
    for (index, script) in scripts.iter().enumerate() {
        if !contains_word(&script.sql, "extension") {
            continue;
        }
        for (statement, range) in script.statements.iter().enumerate() {
            let text = &script.sql[range.clone()];
            if !contains_word(text, "extension") {
                continue;
            }
            let Ok(parsed) = pg_query::parse(text, 0) else { continue };
            for raw in &parsed.protobuf.stmts {
                if let Some(NodeEnum::CreateExtensionStmt(stmt)) = raw.stmt.as_ref().and_then(|s| s.node.as_ref()) {
                    uses.push(ExtensionUse {
                        script: index,
                        statement,
                        line: script.line_at(script.code_offset(statement)),
                        name: stmt.extname.clone(),
                        schema: schema_option(&stmt.options),
                    });
                }
            }
        }
    }
    uses
}

fn contains_word(text: &str, word: &str) -> bool {
    text.as_bytes().windows(word.len()).any(|w| w.eq_ignore_ascii_case(word.as_bytes()))
}

fn schema_option(options: &[pg_query::protobuf::Node]) -> Option<String> {
    options.iter().find_map(|option| match option.node.as_ref() {
        Some(NodeEnum::DefElem(def)) if def.defname == "schema" => match def.arg.as_ref()?.node.as_ref() {
            Some(NodeEnum::String(s)) => Some(s.sval.clone()),
            _ => None,
        },
        _ => None,
    })
}

/// The uses the server cannot satisfy in `database`, each with why.
pub(crate) fn check(
    client: &mut Client,
    uses: &[ExtensionUse],
    database: &str,
) -> Result<Vec<(ExtensionUse, Lack)>, postgres::Error> {
    if uses.is_empty() {
        return Ok(Vec::new());
    }
    let cron_database: Option<String> =
        client.query_one("SELECT current_setting('cron.database_name', true)", &[])?.get(0);
    let available: HashSet<String> =
        client.query("SELECT name FROM pg_available_extensions", &[])?.iter().map(|row| row.get(0)).collect();
    let preload: String = client.query_one("SELECT current_setting('shared_preload_libraries')", &[])?.get(0);
    let preloaded: HashSet<&str> = preload.split(',').map(|l| l.trim().trim_matches('"')).collect();
    Ok(uses
        .iter()
        .filter_map(|usage| {
            let lack = if !available.contains(&usage.name) {
                Lack::NotAvailable
            } else if PRELOADED.contains(&usage.name.as_str()) && !preloaded.contains(usage.name.as_str()) {
                Lack::NotPreloaded
            } else if let Some(other) = cron_database.as_ref().filter(|db| usage.name == CRON && *db != database) {
                Lack::OtherDatabase(other.clone())
            } else {
                return None;
            };
            Some((usage.clone(), lack))
        })
        .collect())
}

/// How to get `name` onto a PostgreSQL `major` server.
pub(crate) fn how_to_get(name: &str, lack: &Lack, major: u32) -> String {
    match lack {
        Lack::NotPreloaded => {
            return format!(
                "installed but not preloaded: add {name} to shared_preload_libraries in postgresql.conf and restart the server"
            )
        }
        Lack::OtherDatabase(other) => {
            return format!(
                "created only in database \"{other}\" (cron.database_name): refresh that database, or set cron.database_name to this one in postgresql.conf and restart the server"
            )
        }
        Lack::NotAvailable => {}
    }
    let major = major.to_string();
    if let Some((_, package)) = PACKAGES.iter().find(|(extension, _)| *extension == name) {
        return format!("not on this server: apt-get install {}", package.replace("{}", &major));
    }
    match ELSEWHERE.iter().find(|(extension, _)| *extension == name) {
        Some((_, where_)) => format!(
            "not on this server, and no Debian package for PostgreSQL {major} has it ({}); run the supabase/postgres image, or --allow-missing-extensions",
            where_.replace("{}", &major)
        ),
        None => "not on this server: no Debian package has it; run the supabase/postgres image (see the README's extension table), or --allow-missing-extensions".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::apply::{History, Record};
    use crate::db::SqlFile;

    fn script(sql: &str) -> Script {
        let file = SqlFile { path: "x.sql".into(), project: "platform".into(), shown: "x.sql".into() };
        let history = History { version: "1".into(), name: "x".into() };
        Script::new(file, Record::Migration(history), sql.to_string())
    }

    #[test]
    fn scan_finds_each_create_extension_with_its_line_and_schema() {
        let scripts = [
            script("create table t (id int);\n"),
            script(
                "-- extensions\ncreate extension if not exists \"pg_net\"\n  with schema \"extensions\";\n\
                 select 'create extension nope';\nCREATE EXTENSION vector;\n",
            ),
        ];
        let names: Vec<(usize, usize, String, Option<String>)> =
            scan(&scripts).into_iter().map(|u| (u.script, u.line, u.name, u.schema)).collect();
        assert_eq!(
            names,
            vec![(1, 2, "pg_net".to_string(), Some("extensions".to_string())), (1, 5, "vector".to_string(), None)]
        );
    }

    #[test]
    fn how_to_get_names_a_package_or_the_image_or_the_preload_setting() {
        assert_eq!(
            how_to_get("pg_cron", &Lack::NotAvailable, 15),
            "not on this server: apt-get install postgresql-15-cron"
        );
        assert!(how_to_get("pg_net", &Lack::NotAvailable, 15).contains("supabase/postgres image"));
        assert!(how_to_get("vector", &Lack::NotAvailable, 15).contains("no Debian package for PostgreSQL 15 has it"));
        assert!(how_to_get("pg_cron", &Lack::NotPreloaded, 15).contains("add pg_cron to shared_preload_libraries"));
    }
}
