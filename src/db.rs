//! The built-in Postgres engine behind `mynatca refresh --db-url`.
