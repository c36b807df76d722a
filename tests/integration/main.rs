//! Integration tests: the real binary on temp workspaces of real git repos.

mod support;

mod link;
mod refresh;
