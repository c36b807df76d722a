//! Bakes the commit and the build date into `mynatca --version`.

use std::process::Command;

#[path = "src/civil.rs"]
mod civil;

fn main() {
    let git = |args: &[&str]| {
        Command::new("git")
            .args(args)
            .output()
            .ok()
            .filter(|out| out.status.success())
            .and_then(|out| String::from_utf8(out.stdout).ok())
            .map(|text| text.trim().to_string())
            .filter(|text| !text.is_empty())
    };
    let commit = git(&["rev-parse", "--short=10", "HEAD"]).unwrap_or_else(|| "unknown commit".to_string());
    println!("cargo:rustc-env=MYNATCA_COMMIT={commit}");
    println!("cargo:rustc-env=MYNATCA_BUILD_DATE={}", build_date());
    // Rebuild when HEAD moves: its file, and the branch it points at.
    for path in [
        git(&["rev-parse", "--git-path", "HEAD"]),
        git(&["rev-parse", "--symbolic-full-name", "HEAD"])
            .and_then(|branch| git(&["rev-parse", "--git-path", &branch])),
    ]
    .into_iter()
    .flatten()
    {
        println!("cargo:rerun-if-changed={path}");
    }
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=SOURCE_DATE_EPOCH");
}

/// `YYYY-MM-DD` (UTC) of `$SOURCE_DATE_EPOCH` (reproducible builds) or now.
fn build_date() -> String {
    let seconds = std::env::var("SOURCE_DATE_EPOCH").ok().and_then(|s| s.parse::<u64>().ok()).unwrap_or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs())
    });
    let (year, month, day) = civil::civil_from_days(seconds / 86_400);
    format!("{year:04}-{month:02}-{day:02}")
}
