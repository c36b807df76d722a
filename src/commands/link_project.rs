//! `mynatca link-project`.

use crate::cli::LinkProjectArgs;
use crate::commands::Context;
use crate::error::Outcome;

pub fn run(_ctx: &Context, _args: &LinkProjectArgs) -> anyhow::Result<Outcome> {
    super::not_implemented("link-project")
}
