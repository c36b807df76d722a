//! Migration file names as the Supabase CLI reads them: `^([0-9]+)_(.*)\.sql$`.

/// A migration file name split into its version and description.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct MigrationName<'a> {
    pub(crate) version: &'a str,
    pub(crate) description: &'a str,
}

/// Splits `name` as the Supabase CLI does; `None` means the CLI skips the file.
pub(crate) fn parse(name: &str) -> Option<MigrationName<'_>> {
    let stem = name.strip_suffix(".sql")?;
    let digits = stem.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || stem.as_bytes().get(digits) != Some(&b'_') {
        return None;
    }
    Some(MigrationName { version: &stem[..digits], description: &stem[digits + 1..] })
}

/// Whether a folder entry is a candidate migration: a `.sql` name not starting with `.`.
pub(crate) fn is_sql_name(name: &str) -> bool {
    name.ends_with(".sql") && !name.starts_with('.')
}

/// The description style `mynatca new` accepts: lowercase letters, digits, underscores.
pub(crate) fn is_valid_description(description: &str) -> bool {
    !description.is_empty() && description.bytes().all(|b| matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'_'))
}

/// The nearest valid description: camelCase split into words, every run of other
/// characters one underscore, lowercase, a typed `.sql` dropped. Empty if nothing is left.
pub(crate) fn suggest_description(input: &str) -> String {
    let input = input.strip_suffix(".sql").unwrap_or(input);
    let mut out = String::with_capacity(input.len() + 4);
    let mut previous: Option<char> = None;
    for c in input.chars() {
        if c.is_ascii_alphanumeric() {
            let word_starts = c.is_ascii_uppercase() && previous.is_some_and(|p| p.is_ascii_lowercase());
            if word_starts || (!out.is_empty() && previous.is_some_and(|p| !p.is_ascii_alphanumeric())) {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        }
        previous = Some(c);
    }
    out
}

/// A linked project's description starts with its schema as a word (`pay_add_x`); added
/// when missing.
pub(crate) fn with_schema_prefix(description: &str, schema: &str) -> String {
    let prefixed = description.strip_prefix(schema).is_some_and(|rest| rest.is_empty() || rest.starts_with('_'));
    if prefixed {
        description.to_string()
    } else {
        format!("{schema}_{description}")
    }
}

/// The Supabase CLI's version for a moment: `YYYYMMDDHHMMSS` in UTC.
pub fn version_at(unix_seconds: u64) -> String {
    let (year, month, day) = crate::civil::civil_from_days(unix_seconds / 86_400);
    let seconds = unix_seconds % 86_400;
    format!("{year:04}{month:02}{day:02}{:02}{:02}{:02}", seconds / 3600, seconds % 3600 / 60, seconds % 60)
}

/// The first version at or after `start` (Unix seconds), a second at a time, that is not `taken`.
pub fn free_version(start: u64, taken: impl Fn(&str) -> bool) -> String {
    (start..).map(version_at).find(|version| !taken(version)).expect("some second is free")
}

/// The first second a new version may name: `now`, or a second after the newest 14-digit
/// version of `taken` when that is later (a teammate's clock ahead of this one, a version
/// typed by hand), so a new migration never sorts before one already written.
pub fn first_second<'a>(taken: impl IntoIterator<Item = &'a str>, now: u64) -> u64 {
    taken.into_iter().filter_map(seconds_at).map(|second| second + 1).fold(now, u64::max)
}

/// The moment (Unix seconds) a 14-digit `YYYYMMDDHHMMSS` version stands for; `None`
/// for any other version (a baseline's `00000000000001` is before 1970).
pub fn seconds_at(version: &str) -> Option<u64> {
    if version.len() != 14 || !version.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let field = |range: std::ops::Range<usize>| version[range].parse::<u64>().ok();
    let (year, month, day) = (field(0..4)?, field(4..6)?, field(6..8)?);
    if year < 1970 || !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    // Howard Hinnant's `days_from_civil`.
    let y = if month <= 2 { year - 1 } else { year };
    let era = y / 400;
    let year_of_era = y % 400;
    let month_from_march = (month + 9) % 12;
    let day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    let days = (era * 146_097 + day_of_era).checked_sub(719_468)?;
    Some(days * 86_400 + field(8..10)? * 3600 + field(10..12)? * 60 + field(12..14)?)
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
    fn descriptions_are_lowercase_digits_and_underscores() {
        for good in ["add_member_status", "pay_add_2fa", "x"] {
            assert!(is_valid_description(good), "{good}");
        }
        for bad in ["", "add-member", "Add_member", "add member", "add.sql", "café"] {
            assert!(!is_valid_description(bad), "{bad}");
        }
    }

    #[test]
    fn suggestions_fix_case_dashes_and_spaces() {
        assert_eq!(suggest_description("add-Member Status"), "add_member_status");
        assert_eq!(suggest_description("AddMemberVerificationStatus"), "add_member_verification_status");
        assert_eq!(suggest_description("add-member-verification-status.sql"), "add_member_verification_status");
        assert_eq!(suggest_description("  fix -- positions2FA "), "fix_positions2fa");
        assert_eq!(suggest_description("--- !"), "");
        assert!(is_valid_description(&suggest_description("Pay: add LES import (v2)")));
    }

    #[test]
    fn schema_prefix_is_added_once() {
        assert_eq!(with_schema_prefix("add_shifts", "pay"), "pay_add_shifts");
        assert_eq!(with_schema_prefix("pay_add_shifts", "pay"), "pay_add_shifts");
        assert_eq!(with_schema_prefix("pay", "pay"), "pay");
        assert_eq!(with_schema_prefix("payroll_fix", "pay"), "pay_payroll_fix");
    }

    #[test]
    fn versions_are_utc_civil_time() {
        // Reference values from `date -u -d @N +%Y%m%d%H%M%S`.
        assert_eq!(version_at(0), "19700101000000");
        assert_eq!(version_at(951_782_399), "20000228235959");
        assert_eq!(version_at(951_782_400), "20000229000000"); // 2000 is a leap year
        assert_eq!(version_at(1_709_251_199), "20240229235959");
        assert_eq!(version_at(1_765_800_000), "20251215120000");
        assert_eq!(version_at(1_767_225_599), "20251231235959");
        assert_eq!(version_at(1_767_225_600), "20260101000000");
        assert_eq!(version_at(4_107_542_400), "21000301000000"); // 2100 is not
        assert_eq!(version_at(4_107_542_399), "21000228235959");
    }

    #[test]
    fn versions_read_back_as_the_moment_they_name() {
        for seconds in [0, 951_782_399, 951_782_400, 1_709_251_199, 1_765_800_000, 4_107_542_400] {
            assert_eq!(seconds_at(&version_at(seconds)), Some(seconds));
        }
        assert_eq!(seconds_at("00000000000001"), None);
        assert_eq!(seconds_at("2025121512"), None);
    }

    #[test]
    fn a_taken_version_is_bumped_a_second_at_a_time() {
        let start = 1_767_225_598; // 2025-12-31 23:59:58
        assert_eq!(free_version(start, |_| false), "20251231235958");
        let taken = ["20251231235958", "20251231235959", "20260101000000"];
        assert_eq!(free_version(start, |v| taken.contains(&v)), "20260101000001");
    }

    #[test]
    fn a_new_version_comes_after_every_taken_one() {
        let now = 1_765_800_000; // 2025-12-15 12:00:00
        assert_eq!(first_second(["20251215110000", "00000000000001", "2"], now), now);
        assert_eq!(version_at(first_second(["20251215110000", "20251215120500"], now)), "20251215120501");
    }

    #[test]
    fn rejects_what_supabase_skips() {
        for name in ["add_table.sql", "_x.sql", "2025x_a.sql", "20251215.sql", "1_a.SQL", "1_a.sql.bak"] {
            assert_eq!(parse(name), None, "{name}");
        }
    }
}
