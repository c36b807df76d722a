//! `mynatca new DESCRIPTION [--project NAME]`: a migration file whose version no other
//! file in the workspace has and that sorts after every one there and on the bases, then `link`.

use std::path::PathBuf;
use std::time::SystemTime;

use anyhow::Context as _;

use crate::audit;
use crate::cli::NewArgs;
use crate::commands::{render, Context, Format};
use crate::emit::{FileRef, PathStyle, Places};
use crate::error::{config_error, Outcome};
use crate::fsutil;
use crate::json;
use crate::migration;
use crate::reconcile::{self, Mode};
use crate::workspace::{canonical_or_lexical, Repo, Workspace};

/// Where the migration goes.
struct Owner {
    name: String,
    schema: String,
    /// A linked project: descriptions start with its schema. The platform's don't.
    linked: bool,
    root: PathBuf,
    migrations: PathBuf,
}

pub(crate) fn run(ctx: &Context, args: &NewArgs) -> anyhow::Result<Outcome> {
    if !migration::is_valid_description(&args.description) {
        return Err(config_error(invalid_description(&args.description)));
    }
    let found = ctx.workspace()?;
    // Versions are picked, the file written and the links made under one lock, from a
    // registry read under it.
    let _lock = reconcile::lock(&found, reconcile::Lock::Exclusive, ctx.wait)?;
    let ws = Workspace::load(found.platform)?;
    // From a worktree of a project's repo, the file goes into the worktree (the links,
    // made below, stay the platform's).
    let seen = ws.seen_from(&ctx.cwd).map(|(seen, _)| seen);
    let reading = seen.as_ref().unwrap_or(&ws);
    let owner = owner(ctx, reading, args.project.as_deref())?;
    let description = if owner.linked {
        migration::with_schema_prefix(&args.description, &owner.schema)
    } else {
        args.description.clone()
    };
    check_length(&args.description, &description, &owner)?;
    let path = create(reading, &owner, &description)?;
    let shown = fsutil::relative_path(&canonical_or_lexical(&ctx.cwd), &canonical_or_lexical(&path));
    if ctx.format == Format::Text {
        ctx.ui.out(&shown.display().to_string());
    }

    let report = reconcile::relink_locked(&ws, Mode::Apply, &[])?;
    render::problems(ctx.ui, &report);
    if ctx.format == Format::Json {
        let places = Places::new(&ws, &ctx.cwd, PathStyle::Cwd);
        let body = NewJson {
            file: places.repo_path(&path).unwrap_or_else(|| FileRef { project: owner.name.clone(), path: "".into() }),
            shown: shown.display().to_string(),
            version: path.file_name().and_then(|name| migration::parse(name.to_str()?)).map(|m| m.version.to_string()),
        };
        let ok = !report.has_problems();
        ctx.ui.out(&json::document("new", Some(&ws.platform), ok, body, &report.diagnostics(), &places)?);
    }
    Ok(Outcome::from_problems(report.has_problems()))
}

/// `new --json`, inside the envelope: the file made, and the relink's findings.
#[derive(serde::Serialize)]
struct NewJson {
    #[serde(flatten)]
    file: FileRef,
    /// As the text output prints it: relative to the current directory.
    shown: String,
    version: Option<String>,
}

fn invalid_description(description: &str) -> String {
    let rule = "a migration description uses lowercase letters, digits and underscores only";
    match migration::suggest_description(description) {
        suggestion if suggestion.is_empty() => {
            format!("{description:?}: {rule}; say what it does, e.g. `mynatca new add_member_status`")
        }
        suggestion => format!("{description:?}: {rule}; did you mean `mynatca new {suggestion}`?"),
    }
}

/// The most bytes a file name may have (ext4, APFS, tmpfs...).
const MAX_NAME: usize = 255;

/// The bytes `<version>_<description>.sql` adds around the description.
const NAME_OVERHEAD: usize = 14 + 1 + 4;

/// A name over 255 bytes cannot be created: refused with a description that fits.
fn check_length(given: &str, description: &str, owner: &Owner) -> anyhow::Result<()> {
    let length = NAME_OVERHEAD + description.len();
    if length <= MAX_NAME {
        return Ok(());
    }
    let prefix = description.len() - given.len().min(description.len());
    let mut shorter = &given[..(MAX_NAME - NAME_OVERHEAD - prefix).min(given.len())];
    // Cut at a word when there is one, and never end on '_'.
    if let Some(cut) = shorter.rfind('_').filter(|&cut| cut > 0) {
        shorter = &shorter[..cut];
    }
    let shorter = shorter.trim_end_matches('_');
    let what = if owner.linked { format!(" (with {}'s prefix {}_)", owner.name, owner.schema) } else { String::new() };
    Err(config_error(format!(
        "the description gives a file name of {length} bytes{what}, over the {MAX_NAME} a file name may have; shorten it, e.g. `mynatca new {shorter}`"
    )))
}

/// `--project NAME` (`platform` for the platform, unless a project has that name), else
/// the repo holding the current directory.
fn owner(ctx: &Context, ws: &Workspace, flag: Option<&str>) -> anyhow::Result<Owner> {
    let project = match flag {
        Some(name) => match ws.repo(name) {
            Some(repo) => repo.project(),
            None => {
                let mut known: Vec<&str> = ws.repos().skip(1).map(|repo| repo.name()).collect();
                known.push(Repo::PLATFORM);
                return Err(config_error(format!(
                    "--project {name}: no such project in {}; pass one of: {}",
                    ws.registry.path.display(),
                    known.join(", ")
                )));
            }
        },
        None => match ws.project_holding(&ctx.cwd) {
            Some(project) => Some(project),
            None if canonical_or_lexical(&ctx.cwd).starts_with(canonical_or_lexical(&ws.platform)) => None,
            None => {
                return Err(config_error(format!(
                    "{} is not inside the platform or a linked repo; run this there or pass --project NAME",
                    ctx.cwd.display()
                )))
            }
        },
    };
    Ok(match project {
        Some(project) => Owner {
            name: project.name.clone(),
            schema: project.schema.clone(),
            linked: true,
            root: ws.project_root(project),
            migrations: ws.migrations_dir(project),
        },
        None => Owner {
            name: Repo::PLATFORM.to_string(),
            schema: "public".to_string(),
            linked: false,
            root: ws.platform.clone(),
            migrations: ws.link_dir(),
        },
    })
}

/// Picks the first free version from now, after every version in the work trees and on
/// the bases `check` compares with, and writes the file. The caller holds the
/// workspace lock, so two `new`s in different repos can't pick the same second.
fn create(ws: &Workspace, owner: &Owner, description: &str) -> anyhow::Result<PathBuf> {
    if !owner.root.is_dir() {
        return Err(config_error(format!(
            "project {}: folder {} not found; clone it there or fix its \"path\" in {}",
            owner.name,
            owner.root.display(),
            ws.registry.path.display()
        )));
    }
    std::fs::create_dir_all(&owner.migrations)
        .with_context(|| format!("cannot create {}", owner.migrations.display()))?;
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .context("the system clock is before 1970; fix the clock")?
        .as_secs();
    let mut taken = audit::versions_in_play(ws);
    let start = migration::first_second(taken.iter().map(String::as_str), now);
    let content = header(owner, description);
    loop {
        let version = migration::free_version(start, |v| taken.contains(v));
        let path = owner.migrations.join(format!("{version}_{description}.sql"));
        match fsutil::write_new_atomic(&path, content.as_bytes()) {
            Ok(()) => return Ok(path),
            // Written meanwhile by something that doesn't take the lock: try the next second.
            Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => {
                taken.insert(version);
            }
            Err(err) => return Err(err).with_context(|| format!("cannot write {}", path.display())),
        }
    }
}

fn header(owner: &Owner, description: &str) -> String {
    format!(
        "-- Migration: {description}\n\
         -- Owner: {} (schema {})\n\
         -- Rollback notes: how to undo this by hand (the Supabase CLI has no down migrations)\n\n",
        owner.name, owner.schema
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_description_gets_the_corrected_command() {
        let message = invalid_description("add-Member Status");
        assert!(message.starts_with("\"add-Member Status\": a migration description uses lowercase"), "{message}");
        assert!(message.ends_with("did you mean `mynatca new add_member_status`?"), "{message}");
        assert!(invalid_description("").contains("e.g. `mynatca new add_member_status`"));
    }

    #[test]
    fn the_header_names_description_owner_and_rollback() {
        let owner = Owner {
            name: "pay".into(),
            schema: "pay".into(),
            linked: true,
            root: "/ws/pay".into(),
            migrations: "/ws/pay/supabase/migrations".into(),
        };
        let text = header(&owner, "pay_add_shifts");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "-- Migration: pay_add_shifts");
        assert_eq!(lines[1], "-- Owner: pay (schema pay)");
        assert!(lines[2].starts_with("-- Rollback notes:"));
        assert!(text.ends_with("\n\n"));
    }
}
