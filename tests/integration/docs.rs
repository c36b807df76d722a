//! The README and the benchmark scripts stand alone: a clone has everything they name.

use std::path::Path;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// README.md, the scripts and the benchmark kit, as (name, text).
fn documents() -> Vec<(String, String)> {
    let mut docs = vec![("README.md".to_string(), std::fs::read_to_string(Path::new(ROOT).join("README.md")).unwrap())];
    for dir in ["scripts", "bench", ".ci"] {
        for entry in std::fs::read_dir(Path::new(ROOT).join(dir)).unwrap() {
            let path = entry.unwrap().path();
            let name = format!("{dir}/{}", path.file_name().unwrap().to_string_lossy());
            docs.push((name, std::fs::read_to_string(&path).unwrap()));
        }
    }
    docs
}

#[test]
fn nothing_points_outside_the_repo() {
    for (name, text) in documents() {
        for outside in ["../shared", "MYNATCA_SHARED", "SPEC.md", "mkws.py"] {
            assert!(!text.contains(outside), "{name} mentions {outside}, which a clone does not have");
        }
    }
}

/// The old scripts live in the platform repo, not here; the README names them as such.
const PLATFORM_SCRIPTS: [&str; 4] =
    ["scripts/link-migrations.sh", "scripts/link-project.sh", "scripts/setup-git-hooks.sh", "scripts/db-refresh.sh"];

#[test]
fn every_repo_path_the_readme_names_exists() {
    let readme = std::fs::read_to_string(Path::new(ROOT).join("README.md")).unwrap();
    let named: Vec<&str> = readme
        .split('`')
        .skip(1)
        .step_by(2)
        .filter_map(|code| code.split_whitespace().next())
        .filter(|word| {
            ["scripts/", "bench/", "tests/", "examples/", "src/", ".ci/"].iter().any(|p| word.starts_with(p))
        })
        .collect();
    assert!(named.contains(&"bench/workspace.py") && named.contains(&"bench/floor.c"), "{named:?}");
    for path in named.into_iter().filter(|path| !PLATFORM_SCRIPTS.contains(path)) {
        assert!(Path::new(ROOT).join(path).exists(), "README.md names {path}, which is not in the repo");
    }
}

/// Every `refreshed: …` summary the README shows counts as `refresh` prints it: one in the
/// singular (`1 migration`, `1 seed file`), any other number in the plural; and one such
/// summary shows the singular (the README said `seed files` "even for one"). What refresh
/// prints for one is in `refresh::the_summary_counts_one_migration_and_one_seed_file_in_the_singular`.
#[test]
fn the_readme_counts_refresh_summaries_as_refresh_prints_them() {
    let readme = std::fs::read_to_string(Path::new(ROOT).join("README.md")).unwrap();
    let flat = readme.split_whitespace().collect::<Vec<_>>().join(" ");
    let examples: Vec<&str> =
        flat.split('`').skip(1).step_by(2).filter(|code| code.starts_with("refreshed: ")).collect();
    assert!(examples.iter().any(|e| e.contains(" 1 migration,") && e.contains(" 1 seed file ")), "{examples:?}");
    for example in &examples {
        let words: Vec<&str> = example.split(' ').map(|w| w.trim_end_matches([',', ')'])).collect();
        for at in 0..words.len().saturating_sub(2) {
            let Ok(n) = words[at].parse::<usize>() else { continue };
            let noun = match words[at + 1] {
                "seed" => words[at + 2],
                word if word.starts_with("migration") => word,
                _ => continue,
            };
            assert_eq!(noun.ends_with('s'), n != 1, "README: `{example}` counts {n} as {noun}");
        }
    }
}
