//! Git hook shims: where git looks for hooks, and installing or removing mynatca's.
