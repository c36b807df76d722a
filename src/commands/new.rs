//! `mynatca new`.

use crate::cli::NewArgs;
use crate::commands::Context;
use crate::error::Outcome;

pub fn run(_ctx: &Context, _args: &NewArgs) -> anyhow::Result<Outcome> {
    super::not_implemented("new")
}
