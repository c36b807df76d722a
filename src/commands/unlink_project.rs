//! `mynatca unlink-project`.

use crate::cli::UnlinkProjectArgs;
use crate::commands::Context;
use crate::error::Outcome;

pub fn run(_ctx: &Context, _args: &UnlinkProjectArgs) -> anyhow::Result<Outcome> {
    super::not_implemented("unlink-project")
}
