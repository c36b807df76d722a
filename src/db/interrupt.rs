//! Ctrl-C, SIGTERM, SIGHUP and SIGQUIT during a refresh: the signal is noted (not acted on in the
//! handler), the running statement is cancelled, and the refresh cleans up its build.

use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use postgres::{CancelToken, NoTls};

use super::wire::Canceller;

/// What cancels the statement a connection runs.
pub(crate) enum Cancel {
    Client(CancelToken),
    Wire(Canceller),
}

impl Cancel {
    fn cancel(&self) -> Result<(), String> {
        match self {
            Cancel::Client(token) => token.cancel_query(NoTls).map_err(|err| err.to_string()),
            Cancel::Wire(canceller) => canceller.cancel().map_err(|err| err.to_string()),
        }
    }
}

impl From<CancelToken> for Cancel {
    fn from(token: CancelToken) -> Cancel {
        Cancel::Client(token)
    }
}

impl From<Canceller> for Cancel {
    fn from(canceller: Canceller) -> Cancel {
        Cancel::Wire(canceller)
    }
}

static SIGNAL: AtomicI32 = AtomicI32::new(0);

extern "C" fn note(signal: libc::c_int) {
    SIGNAL.store(signal, Ordering::SeqCst);
}

/// The signal received since [`Watch::start`], if any.
pub(crate) fn received() -> Option<i32> {
    match SIGNAL.load(Ordering::SeqCst) {
        0 => None,
        signal => Some(signal),
    }
}

/// The signals a refresh cleans up after: Ctrl-C, `kill`, a closed terminal or SSH
/// session, Ctrl-\\.
const HANDLED: [libc::c_int; 4] = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP, libc::SIGQUIT];

pub(crate) use crate::error::signal_name;

/// Handlers installed for its lifetime, and a thread cancelling the statement running
/// on the registered connection when a signal comes.
pub(crate) struct Watch {
    token: Arc<Mutex<Option<Cancel>>>,
    done: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
    previous: Vec<(libc::c_int, libc::sigaction)>,
}

impl Watch {
    pub(crate) fn start() -> Watch {
        SIGNAL.store(0, Ordering::SeqCst);
        let previous = HANDLED.into_iter().map(|signal| (signal, install(signal))).collect();
        let token: Arc<Mutex<Option<Cancel>>> = Arc::default();
        let done = Arc::new(AtomicBool::new(false));
        let (thread_token, thread_done) = (token.clone(), done.clone());
        let thread = std::thread::spawn(move || {
            while !thread_done.load(Ordering::SeqCst) {
                if received().is_some() {
                    // Cancelled under the lock: `unregister` returns only once no cancel is in flight.
                    let mut held = thread_token.lock().expect("not poisoned");
                    if let Some(token) = held.take() {
                        if let Err(err) = token.cancel() {
                            tracing::warn!(%err, "cannot cancel the running statement");
                        }
                    }
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        });
        Watch { token, done, thread: Some(thread), previous }
    }

    /// The connection whose statement a signal cancels from now on.
    pub(crate) fn register(&self, token: impl Into<Cancel>) {
        *self.token.lock().expect("not poisoned") = Some(token.into());
    }

    /// Ends the watch but keeps the handlers, noting signals and nothing more, for the
    /// rest of the process: once the target is replaced, a signal changes nothing.
    pub(crate) fn keep_noting(mut self) {
        self.previous.clear();
    }

    /// No statement is cancelled by a signal from now on (it is still noted).
    pub(crate) fn unregister(&self) {
        *self.token.lock().expect("not poisoned") = None;
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        self.done.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        for (signal, action) in &self.previous {
            // SAFETY: restores the action saved by `install` for the same signal.
            unsafe { libc::sigaction(*signal, action, std::ptr::null_mut()) };
        }
    }
}

fn install(signal: libc::c_int) -> libc::sigaction {
    // SAFETY: `note` only stores to an atomic, which is async-signal-safe; the structs are
    // zeroed C structs that sigaction fills or reads.
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = note as extern "C" fn(libc::c_int) as libc::sighandler_t;
        libc::sigemptyset(&mut action.sa_mask);
        let mut previous: libc::sigaction = std::mem::zeroed();
        libc::sigaction(signal, &action, &mut previous);
        previous
    }
}

/// Fault injection for the tests (debug builds only): `MYNATCA_TEST_PAUSE_IN=<phase>`
/// runs a long statement on that phase's session, for a signal to cancel as it would
/// cancel the phase's own (a copy, the base, the roles).
pub(crate) fn failpoint(client: &mut postgres::Client, phase: &str) -> anyhow::Result<()> {
    #[cfg(debug_assertions)]
    if std::env::var("MYNATCA_TEST_PAUSE_IN").is_ok_and(|wanted| wanted == phase) {
        client.batch_execute(&format!("SELECT pg_sleep(600) /* mynatca failpoint {phase} */"))?;
    }
    let _ = (client, phase);
    Ok(())
}
