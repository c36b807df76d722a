//! Files a refresh cannot read as SQL are refused before the database is touched.

use super::{database_with_marker, pg, refresh, table_exists, three_schemas};
use crate::support::stderr;

#[test]
fn unreadable_sql_files_are_refused_before_the_database_is_touched() {
    let cases: [(&str, &[u8], &str); 2] = [
        (
            "20251215120009_pay_nul.sql",
            b"create table pay.n (id int);\0\n",
            "a NUL byte at offset 28, so it is not SQL text",
        ),
        (
            "20251215120009_pay_latin1.sql",
            b"-- caf\xe9\ncreate table pay.l (id int);\n",
            "not UTF-8 (invalid bytes at offset 6)",
        ),
    ];
    for (name, content, why) in cases {
        let ws = three_schemas();
        std::fs::write(ws.path(&format!("pay/supabase/migrations/{name}")), content).unwrap();
        let mut client = database_with_marker("unreadable");
        let out = refresh(&ws, "unreadable").assert().code(2).get_output().clone();
        assert_eq!(stderr(&out), format!("error: supabase/migrations/{name} (pay): {why}; fix or remove it\n"));
        assert!(!String::from_utf8_lossy(&out.stdout).contains("resetting"), "never connected");
        assert!(table_exists(&mut client, "marker"));
    }

    // A FIFO in the platform's migrations folder: refused, not waited on.
    let ws = three_schemas();
    let fifo = ws.path("platform/supabase/migrations/20251215120009_fifo.sql");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let out =
        refresh(&ws, "unreadable").timeout(std::time::Duration::from_secs(60)).assert().code(2).get_output().clone();
    assert!(
        stderr(&out).ends_with(
            "error: supabase/migrations/20251215120009_fifo.sql (platform): not a regular file; fix or remove it\n"
        ),
        "{}",
        stderr(&out)
    );
    let _ = pg::server();
}
