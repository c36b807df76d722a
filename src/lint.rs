//! The rules behind `mynatca check`.
