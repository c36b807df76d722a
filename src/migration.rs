//! Migration file names as the Supabase CLI reads them: `^([0-9]+)_(.*)\.sql$`.

/// A migration file name split into its version and description.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MigrationName<'a> {
    pub version: &'a str,
    pub description: &'a str,
}

/// Splits `name` as the Supabase CLI does; `None` means the CLI skips the file.
pub fn parse(name: &str) -> Option<MigrationName<'_>> {
    let stem = name.strip_suffix(".sql")?;
    let digits = stem.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || stem.as_bytes().get(digits) != Some(&b'_') {
        return None;
    }
    Some(MigrationName { version: &stem[..digits], description: &stem[digits + 1..] })
}

/// Whether a folder entry is a candidate migration: a `.sql` name not starting with `.`.
pub fn is_sql_name(name: &str) -> bool {
    name.ends_with(".sql") && !name.starts_with('.')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_supabase_names() {
        let m = parse("20251215120000_add_facility_ratings_table.sql").unwrap();
        assert_eq!(m.version, "20251215120000");
        assert_eq!(m.description, "add_facility_ratings_table");
        assert_eq!(parse("00000000000001_.sql").unwrap().description, "");
        assert_eq!(parse("1_x.y.sql").unwrap().description, "x.y");
    }

    #[test]
    fn rejects_what_supabase_skips() {
        for name in ["add_table.sql", "_x.sql", "2025x_a.sql", "20251215.sql", "1_a.SQL", "1_a.sql.bak"] {
            assert_eq!(parse(name), None, "{name}");
        }
    }
}
