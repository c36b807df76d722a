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
