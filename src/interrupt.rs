//! Ctrl-C (and SIGTERM) handling.
//!
//! Before anything is written, an interrupt exits at once with 130: there is nothing to clean
//! up. While the writer runs, an interrupt only raises a flag; the writer checks it between
//! files, removes its temporary directory and returns [`crate::Error::Interrupted`], so
//! nothing half-written is left behind.

use std::sync::atomic::{AtomicBool, Ordering};

static WRITING: AtomicBool = AtomicBool::new(false);
static REQUESTED: AtomicBool = AtomicBool::new(false);

/// Install the handler. Safe to call more than once; only the first call installs it.
pub fn install() {
    static INSTALLED: AtomicBool = AtomicBool::new(false);
    if INSTALLED.swap(true, Ordering::SeqCst) {
        return;
    }
    // If a handler cannot be installed, the default behaviour (die at once) remains, which
    // is still safe before writing; the writer's temp directory is then the only leftover.
    let _ = ctrlc::set_handler(|| {
        if WRITING.load(Ordering::SeqCst) {
            REQUESTED.store(true, Ordering::SeqCst);
        } else {
            // A prompt may have hidden the cursor; a redirected stderr, or a dumb terminal,
            // gets no escape code.
            let term = console::Term::stderr();
            if term.is_term() && !std::env::var("TERM").is_ok_and(|t| t == "dumb") {
                let _ = term.show_cursor();
            }
            eprintln!("error: interrupted; nothing was written");
            std::process::exit(i32::from(crate::error::EXIT_INTERRUPTED));
        }
    });
}

/// Whether an interrupt arrived during the write phase.
#[must_use]
pub fn requested() -> bool {
    REQUESTED.load(Ordering::SeqCst)
}

/// Marks the write phase for as long as it lives.
pub struct WritePhase(());

impl WritePhase {
    /// Enter the write phase: from now on an interrupt is deferred to the writer.
    #[must_use]
    pub fn enter() -> WritePhase {
        WRITING.store(true, Ordering::SeqCst);
        WritePhase(())
    }
}

impl Drop for WritePhase {
    fn drop(&mut self) {
        WRITING.store(false, Ordering::SeqCst);
    }
}
