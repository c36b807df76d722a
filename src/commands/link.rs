//! `mynatca link`: reconcile the platform's links and print the report.

use crate::cli::LinkArgs;
use crate::commands::{render, Context};
use crate::error::Outcome;
use crate::reconcile;

pub fn run(ctx: &Context, args: &LinkArgs) -> anyhow::Result<Outcome> {
    let ws = ctx.workspace()?;
    let report = reconcile::relink(&ws, args.mode(), &[])?;
    if args.json {
        ctx.ui.out(&serde_json::to_string(&report)?);
        render::problems(ctx.ui, &report);
    } else {
        render::report(ctx.ui, &report);
    }
    Ok(Outcome::from_problems(report.has_problems()))
}
