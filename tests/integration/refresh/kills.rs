//! The random-kill harness: refreshes stopped by SIGINT, SIGTERM or SIGKILL at random
//! moments leave the target there, old or new and nothing else, and the next refresh
//! leaves nothing behind. `MYNATCA_KILL_TRIALS` sets the count (default 12; 50 for the
//! issue's bar), `MYNATCA_KILL_SEED` the seed.

use std::process::Stdio;
use std::time::Duration;

use super::{count, pg, refresh, strings, three_schemas};
use crate::support::{finish, spawn, Killer, RUN_LIMIT};

/// xorshift64: reproducible from its seed.
struct Random(u64);

impl Random {
    fn next(&mut self, below: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % below
    }
}

/// The `pay.gen_N` tables the target holds.
fn generations(database: &str) -> Vec<String> {
    strings(
        &mut pg::server().client(database),
        "select relname::text from pg_class where relnamespace = 'pay'::regnamespace and relname like 'gen\\_%' order by 1",
    )
}

#[test]
fn random_kills_leave_the_target_old_or_new_and_nothing_past_the_next_refresh() {
    let env = |name: &str, default: u64| std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default);
    let (trials, seed) = (env("MYNATCA_KILL_TRIALS", 12), env("MYNATCA_KILL_SEED", 0x5eed_1234_abcd));
    let mut random = Random(seed);
    let database = "random_kills";
    let ws = three_schemas();
    let gen = |n: u64| format!("create table pay.gen_{n} (id int);\n");
    ws.migration("pay", "20251215120009_pay_gen.sql", &gen(0));
    refresh(&ws, database).arg("--no-detach").stdout(super::first_refresh(database).replace(
        "applying 20251215120002_discord_add_links.sql (discord)\n",
        "applying 20251215120002_discord_add_links.sql (discord)\napplying 20251215120009_pay_gen.sql (pay)\n",
    ).replace("6 created", "7 created").replace("5 migrations", "6 migrations")).go();
    let mut old = "gen_0".to_string();
    for trial in 1..=trials {
        ws.migration("pay", "20251215120009_pay_gen.sql", &gen(trial));
        let new = format!("gen_{trial}");
        let signal = [libc::SIGINT, libc::SIGTERM, libc::SIGKILL][random.next(3) as usize];
        let delay = Duration::from_millis(random.next(1500));
        let mut command = ws.mynatca_std("platform");
        command.args(["refresh", "--db-url", &pg::server().url(database)]);
        command.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = Killer(Some(spawn(&mut command)));
        std::thread::sleep(delay);
        // SAFETY: signals the child this test spawned, by its id (it may have ended: ESRCH).
        unsafe { libc::kill(child.child().id() as i32, signal) };
        let out = finish(child.0.take().unwrap(), RUN_LIMIT);
        let what = format!("seed {seed:#x}, trial {trial}, signal {signal} after {delay:?}: {out:?}");
        let held = generations(database);
        assert!(held == [old.clone()] || held == [new.clone()], "{what}: the target holds {held:?}");
        if out.status.code() == Some(0) {
            assert_eq!(held, std::slice::from_ref(&new), "{what}: exit 0 but the old database");
        }
        old = held[0].clone();
    }
    // The next refresh (its upkeep run here) leaves nothing of the killed ones.
    // What it applies depends on which generation the kills left cached: only its success
    // and its silence on stderr are asserted.
    let mut last = ws.mynatca_std("platform");
    last.args(["refresh", "--no-detach", "--db-url", &pg::server().url(database)]);
    let out = finish(spawn(last.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped())), RUN_LIMIT);
    assert!(out.status.success() && out.stderr.is_empty(), "seed {seed:#x}: {out:?}");
    let mut admin = pg::server().client("postgres");
    for kind in ["build", "prev", "trash"] {
        let left = format!("select count(*) from pg_database where datname like 'mynatca\\_{kind}\\_{database}\\_%'");
        assert_eq!(count(&mut admin, &left), 0, "seed {seed:#x}: a {kind} database is left");
    }
    let caches = format!("select count(*) from pg_database where datname like 'mynatca\\_cache\\_{database}\\_%'");
    assert!(count(&mut admin, &caches) <= 3, "seed {seed:#x}: caches pruned");
}
