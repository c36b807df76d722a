//! `mynatca repair VERSION… --status applied|reverted`: the database's history edited as
//! `supabase migration repair` edits it, in one transaction.

use crate::cli::{RepairArgs, RepairStatus};
use crate::commands::Context;
use crate::db::{self, Mark, Record};
use crate::error::{config_error, Outcome};

pub(crate) fn run(ctx: &Context, args: &RepairArgs) -> anyhow::Result<Outcome> {
    let ws = ctx.workspace()?;
    let target = super::up::target(ctx, &ws, args.database.allow_remote, "repair")?;
    let local = super::up::local_migrations(&ws)?;
    let find = |version: &str| local.iter().find(|s| matches!(&s.record, Record::Migration(h) if h.version == version));
    let mark = match args.status {
        RepairStatus::Applied => Mark::Applied,
        RepairStatus::Reverted => Mark::Reverted,
    };
    let mut versions = Vec::new();
    for version in &args.versions {
        let script = find(version);
        if mark == Mark::Applied && script.is_none() {
            return Err(config_error(format!(
                "no migration of the workspace has version {version}, so there is nothing to record as applied; \
                 check the version (`mynatca status --db` lists them)"
            )));
        }
        versions.push((version.as_str(), script));
    }
    let changed = db::repair(&target, &versions, mark)?;
    let word = if mark == Mark::Applied { "applied" } else { "reverted" };
    for ((version, script), changed) in versions.iter().zip(changed) {
        let whose = script.map(|s| format!(" ({})", s.file.project)).unwrap_or_default();
        let what = if changed { format!("marked {word}") } else { format!("already {word}, unchanged") };
        ctx.ui.info(&format!("{version}{whose}: {what}"));
    }
    Ok(Outcome::Clean)
}
