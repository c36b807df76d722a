//! `mynatca refresh`.

use crate::cli::RefreshArgs;
use crate::commands::Context;
use crate::error::Outcome;

pub fn run(_ctx: &Context, _args: &RefreshArgs) -> anyhow::Result<Outcome> {
    super::not_implemented("refresh")
}
