//! Where a build starts: template0 and the base, a copy of a cache, or a spare renamed.

use anyhow::Context as _;
use postgres::Client;

use super::cache::{self, Found};
use super::interrupt::failpoint;
use super::{drop_database, marks};

/// Migrations at most applied twice (to the build and to a spare becoming the next
/// cache) rather than copying the build: past this many, one copy is cheaper.
const PAIR_MAX_FILES: usize = 100;

/// Where the build database comes from.
pub(super) enum Start {
    /// template0, then the base.
    Scratch,
    /// A copy of a cache.
    Copy(Found),
    /// A ready spare of the cache, renamed; with a second one to become the next cache.
    Spare { found: Found, spare: String, pair: Option<String> },
}

impl Start {
    pub(super) fn choose(admin: &mut Client, target: &str, keys: &[String]) -> Result<Start, postgres::Error> {
        let Some(found) = cache::find(admin, target, keys)? else { return Ok(Start::Scratch) };
        let mut spares = cache::spares(admin, target, &found.key)?.into_iter();
        let Some(spare) = spares.next() else { return Ok(Start::Copy(found)) };
        let new = keys.len() - 1 - found.count;
        let pair = if (1..=PAIR_MAX_FILES).contains(&new) { spares.next() } else { None };
        Ok(Start::Spare { found, spare, pair })
    }

    pub(super) fn count(&self) -> usize {
        match self {
            Start::Scratch => 0,
            Start::Copy(found) | Start::Spare { found, .. } => found.count,
        }
    }

    pub(super) fn pair(&self) -> Option<&str> {
        match self {
            Start::Spare { pair, .. } => pair.as_deref(),
            _ => None,
        }
    }

    /// The build, and `pair_name` when the start has a pair (see [`Start::pair`]).
    pub(super) fn create(
        &self,
        admin: &mut Client,
        build: &str,
        pair_name: Option<&str>,
        version: i32,
    ) -> anyhow::Result<()> {
        let names: Vec<&str> = [build].into_iter().chain(pair_name).collect();
        for name in &names {
            clear_name(admin, name, version)?;
        }
        self.lay(admin, build, pair_name)?;
        failpoint(admin, "mark")?;
        // What the upkeep may sweep if this process is killed before it ends (a build
        // killed during its copy carries the birth mark already).
        for name in names {
            marks::mark(admin, name, Some(marks::BUILDING)).context("cannot mark the build")?;
        }
        Ok(())
    }

    fn lay(&self, admin: &mut Client, build: &str, pair_name: Option<&str>) -> anyhow::Result<()> {
        failpoint(admin, "copy")?;
        let cannot = || format!("cannot create the build database {build}");
        match self {
            // template0 is pristine and never busy: template1 may hold local additions or sessions.
            Start::Scratch => marks::create(admin, build, "template0").with_context(cannot),
            Start::Copy(found) => {
                cache::copy(admin, &found.name, build).with_context(cannot)?;
                cache::touch(admin, &found.name).context("cannot mark the cache used")
            }
            Start::Spare { found, spare, pair } => {
                cache::take_spare(admin, spare, build).with_context(cannot)?;
                if let (Some(pair), Some(pair_name)) = (pair, pair_name) {
                    cache::take_spare(admin, pair, pair_name).with_context(cannot)?;
                }
                cache::touch(admin, &found.name).context("cannot mark the cache used")
            }
        }
    }
}

/// Frees a build's name: a database there is this pid's orphan (marked building, or
/// never marked after its copy) and is dropped; anything else there (a build kept by
/// --keep-failed under a reused pid, someone's database) is not ours to drop.
fn clear_name(admin: &mut Client, name: &str, version: i32) -> anyhow::Result<()> {
    match marks::named(admin, name)? {
        None => Ok(()),
        Some(db) if db.comment == marks::BUILDING || db.is_unfinished() => {
            drop_database(admin, name, version).context("cannot drop an old build")
        }
        Some(_) => anyhow::bail!(
            "database \"{name}\" already exists (a build kept by --keep-failed, say); drop it (dropdb '{name}') and refresh again"
        ),
    }
}
