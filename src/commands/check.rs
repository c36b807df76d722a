//! `mynatca check`.

use crate::cli::CheckArgs;
use crate::commands::Context;
use crate::error::Outcome;

pub fn run(_ctx: &Context, _args: &CheckArgs) -> anyhow::Result<Outcome> {
    super::not_implemented("check")
}
