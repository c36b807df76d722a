//! Integration tests: the real binary on temp workspaces of real git repos.

mod support;

mod adoption;
mod architecture;
mod check;
mod check_bodies;
mod check_branches;
mod check_rules;
mod check_tuning;
mod discovery;
mod docs;
mod gate;
mod hardening;
mod hook_managers;
mod hook_skip;
mod hooks;
mod limits;
mod link;
mod link_project;
mod new;
mod rebase;
mod refresh;
mod status;
