//! `mynatca status`.

use crate::cli::StatusArgs;
use crate::commands::Context;
use crate::error::Outcome;

pub fn run(_ctx: &Context, _args: &StatusArgs) -> anyhow::Result<Outcome> {
    super::not_implemented("status")
}
