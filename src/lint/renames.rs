//! The one name `check` suggests for a migration that rules want renamed (`name-style`,
//! `name-prefix`, `out-of-order`, `duplicate-version`): every rule's message gives the
//! same name, which fixes the style, the prefix and the version at once. New versions
//! come from one allocator per run, so no two files are told the same one and none is
//! taken in the work trees or on the bases.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use super::parsed::MigrationFile;
use crate::migration;

/// What a file's message suggests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Suggestion {
    /// This whole file name; `new_version` when its version changes.
    Rename { name: String, new_version: bool },
    /// The file is on its base (`reference`): production recorded it under this name, so
    /// renaming it would be a `history-edit`.
    Keep { reference: String },
}

impl Suggestion {
    /// The end of a message: what to do.
    pub(crate) fn hint(&self) -> String {
        match self {
            Suggestion::Rename { name, .. } => format!("rename it to {name}"),
            Suggestion::Keep { reference } => {
                format!(
                    "keep its name all the same: it is on {reference}, where production recorded it under this name"
                )
            }
        }
    }
}

/// The description a suggested name gets when nothing of the old one is left.
const PLACEHOLDER: &str = "what_it_does";

/// The suggestions of one `check` run, by file.
#[derive(Debug, Default)]
pub(crate) struct Renames {
    suggestions: HashMap<PathBuf, Suggestion>,
}

impl Renames {
    /// A name for every file of `files` that needs one: a version that is not 14 digits,
    /// or one in `renew` (out of order, or a duplicate's other files), gets a new version;
    /// a description not in style or (in a linked project) without its schema as a word
    /// gets the corrected one. `applied` gives the base a file is on, if any: such a file
    /// keeps its name. New versions are later than every version in `taken` (the work
    /// trees' and the bases') and not before `now` (Unix seconds), a second apart, given
    /// in apply order so the renamed files keep their order among themselves.
    pub(crate) fn plan(
        files: &[MigrationFile],
        renew: &HashSet<&Path>,
        applied: impl Fn(&str, &str) -> Option<String>,
        taken: &HashSet<String>,
        now: u64,
    ) -> Renames {
        let mut suggestions = HashMap::new();
        let mut wanted = Vec::new();
        for file in files {
            let Some(name) = migration::parse(file.name()) else { continue };
            let description = described(name.description, file.schema);
            let new_version = name.version.len() != 14 || renew.contains(file.path.as_path());
            if !new_version && description == name.description {
                continue;
            }
            match applied(file.project, file.name()) {
                Some(reference) => {
                    suggestions.insert(file.path.clone(), Suggestion::Keep { reference });
                }
                None => wanted.push((file, name.version, description, new_version)),
            }
        }
        wanted.sort_by(|a, b| a.0.name().cmp(b.0.name()));
        let mut second = migration::first_second(taken.iter().map(String::as_str), now);
        for (file, version, description, new_version) in wanted {
            let version = if new_version {
                let free = migration::free_version(second, |v| taken.contains(v));
                second = migration::seconds_at(&free).map_or(second + 1, |s| s + 1);
                free
            } else {
                version.to_string()
            };
            let name = format!("{version}_{description}.sql");
            suggestions.insert(file.path.clone(), Suggestion::Rename { name, new_version });
        }
        Renames { suggestions }
    }

    pub(crate) fn of(&self, path: &Path) -> Option<&Suggestion> {
        self.suggestions.get(path)
    }
}

/// `description` as the rules want it: `mynatca new`'s correction of its style and, in a
/// linked project (`schema`), its schema in front unless it has it as a word.
pub(crate) fn described(description: &str, schema: Option<&str>) -> String {
    let mut fixed = migration::suggest_description(description);
    if fixed.is_empty() {
        fixed = PLACEHOLDER.to_string();
    }
    match schema {
        Some(schema) if !has_word(&fixed, schema) => format!("{schema}_{fixed}"),
        _ => fixed,
    }
}

/// `schema` as whole underscore-separated words of `description`.
pub(crate) fn has_word(description: &str, schema: &str) -> bool {
    format!("_{description}_").contains(&format!("_{schema}_"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, schema: Option<&'static str>) -> MigrationFile<'static> {
        MigrationFile { path: PathBuf::from(path), project: if schema.is_some() { "pay" } else { "platform" }, schema }
    }

    #[test]
    fn each_file_gets_one_name_fixing_every_rule_and_versions_are_distinct() {
        let files = [
            file("/p/20251215120000_late.sql", Some("pay")),
            file("/p/20251215110000_Pay-Late-0.sql", Some("pay")),
            file("/p/2025_pay_short.sql", Some("pay")),
            file("/p/20251215130000_pay_fine.sql", Some("pay")),
            file("/p/20251215130001_Old-Name.sql", Some("pay")),
            file("/m/20251215130002_.sql", None),
        ];
        let renew: HashSet<&Path> =
            [Path::new("/p/20251215120000_late.sql"), Path::new("/p/20251215110000_Pay-Late-0.sql")].into();
        let taken: HashSet<String> = ["20251215140000", "20251215140001", "20251215140003"].map(String::from).into();
        let applied = |_: &str, name: &str| name.contains("Old").then(|| "main".to_string());
        let now = migration::seconds_at("20251215000000").unwrap();
        let renames = Renames::plan(&files, &renew, applied, &taken, now);
        let name = |path: &str| match renames.of(Path::new(path)) {
            Some(Suggestion::Rename { name, .. }) => name.clone(),
            other => format!("{other:?}"),
        };
        // In apply order, after every taken version.
        assert_eq!(name("/p/20251215110000_Pay-Late-0.sql"), "20251215140004_pay_late_0.sql");
        assert_eq!(name("/p/20251215120000_late.sql"), "20251215140005_pay_late.sql");
        assert_eq!(name("/p/2025_pay_short.sql"), "20251215140006_pay_short.sql");
        assert_eq!(name("/p/20251215130000_pay_fine.sql"), "None");
        assert_eq!(name("/m/20251215130002_.sql"), "20251215130002_what_it_does.sql");
        assert_eq!(
            renames.of(Path::new("/p/20251215130001_Old-Name.sql")),
            Some(&Suggestion::Keep { reference: "main".into() })
        );
    }

    #[test]
    fn the_prefix_is_a_whole_word_anywhere() {
        assert_eq!(described("add_pay_rates", Some("pay")), "add_pay_rates");
        assert_eq!(described("payroll_fix", Some("pay")), "pay_payroll_fix");
        assert_eq!(described("Pay-Mixed", Some("pay")), "pay_mixed");
        assert_eq!(described("AddThings", None), "add_things");
    }
}
