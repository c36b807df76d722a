//! `mynatca hook`.

use crate::cli::HookArgs;
use crate::commands::Context;
use crate::error::Outcome;

pub fn run(_ctx: &Context, _args: &HookArgs) -> anyhow::Result<Outcome> {
    super::not_implemented("hook")
}
