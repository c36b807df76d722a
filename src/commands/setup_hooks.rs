//! `mynatca setup-hooks`.

use crate::cli::SetupHooksArgs;
use crate::commands::Context;
use crate::error::Outcome;

pub fn run(_ctx: &Context, _args: &SetupHooksArgs) -> anyhow::Result<Outcome> {
    super::not_implemented("setup-hooks")
}
