//! The Supabase engine's faults: without a URL, `mynatca refresh` runs `supabase db
//! reset` in the platform, here a stand-in `supabase` first on PATH that fails, or none.

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;

use super::{elapsed, three_schemas, LINKED};
use crate::support::{Test, Ws};

/// What a successful stand-in reset prints, its own line streamed through.
pub(super) const RESET: &str = "Resetting local database...\nrefreshed: supabase db reset in $SECS\n";

/// A stand-in `supabase` on PATH recording its working directory and arguments, and
/// whether the links were made before it ran.
pub(super) struct Standin {
    bin: PathBuf,
    pub(super) record: PathBuf,
}

impl Standin {
    pub(super) fn new(ws: &Ws, exit: i32) -> Standin {
        let bin = ws.tmp().join("standin-bin");
        let record = ws.tmp().join("supabase-args");
        std::fs::create_dir_all(&bin).unwrap();
        let script = format!(
            "#!/bin/sh\n\
             {{ pwd -P; printf '%s\\n' \"$@\"; test -L supabase/migrations/00000000000002_baseline_pay_schema.sql && echo linked; }} > '{}'\n\
             echo 'Resetting local database...'\n\
             exit {exit}\n",
            record.display()
        );
        let path = bin.join("supabase");
        std::fs::write(&path, script).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        Standin { bin, record }
    }

    /// `mynatca refresh ARGS` in `dir` with the stand-in first on PATH.
    pub(super) fn run<'a>(&self, ws: &'a Ws, dir: &str, args: &[&str]) -> Test<'a> {
        let path = std::env::join_paths(
            std::iter::once(self.bin.clone()).chain(std::env::split_paths(&std::env::var_os("PATH").unwrap())),
        )
        .unwrap();
        ws.run(dir, ["refresh"]).args(args).env("PATH", path).filter(elapsed)
    }

    pub(super) fn recorded(&self) -> Vec<String> {
        std::fs::read_to_string(&self.record).unwrap().lines().map(str::to_string).collect()
    }
}

// Running from a linked repo, in the platform, after linking, with --no-seed passed on:
// `refresh::oracle::the_supabase_engine_runs_the_real_cli_over_the_links`, with the real
// CLI. The stand-in stays for what must be injected: a failing CLI, and none on PATH.

#[test]
fn a_failing_supabase_db_reset_fails_the_refresh() {
    let ws = three_schemas();
    let standin = Standin::new(&ws, 3);
    standin
        .run(&ws, "platform", &[])
        .status(1)
        .stdout(format!("{LINKED}Resetting local database...\n"))
        .stderr(
            "error: `supabase db reset` failed (exit status: 3); see its output above, \
             fix the cause and run `mynatca refresh` again\n",
        )
        .go();
}

#[test]
fn without_supabase_on_path_it_is_a_missing_tool() {
    let ws = three_schemas();
    let empty = ws.tmp().join("empty-bin");
    std::fs::create_dir_all(&empty).unwrap();
    ws.run("platform", ["refresh"])
        .env("PATH", &empty)
        .status(2)
        .stdout(LINKED)
        .stderr(
            "error: `supabase` not found on PATH; install the Supabase CLI \
             (https://supabase.com/docs/guides/local-development/cli/getting-started), \
             or use the built-in engine with --db-url URL or MYNATCA_DB_URL\n",
        )
        .go();
}
