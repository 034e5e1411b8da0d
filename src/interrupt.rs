//! Ctrl-C (SIGINT), SIGTERM and SIGHUP handling.
//!
//! Before anything is written, an interrupt ends the process at once: there is nothing to
//! clean up. While the writer runs, an interrupt only raises a flag; the writer checks it
//! between files, removes its temporary directory and returns [`crate::Error::Interrupted`],
//! so nothing half-written is left behind.
//!
//! Either way the process then ends by the signal itself ([`reraise`]), not by a plain exit
//! code: a calling shell sees 130 (or 143 for SIGTERM) in `$?` and knows the command was
//! interrupted, so a script's loop stops too instead of going on with the next item.

use std::io::Read;
use std::os::fd::FromRawFd;
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};

static WRITING: AtomicBool = AtomicBool::new(false);
static REQUESTED: AtomicBool = AtomicBool::new(false);
/// The signal that arrived (0 for none yet).
static SIGNAL: AtomicI32 = AtomicI32::new(0);
/// The write end of the pipe the handler wakes the watcher thread through (-1 before
/// [`install`]).
static WAKE: AtomicI32 = AtomicI32::new(-1);

const SIGNALS: [libc::c_int; 3] = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP];

/// The handler: async-signal-safe (atomics and `write(2)` only).
extern "C" fn on_signal(sig: libc::c_int) {
    SIGNAL.store(sig, Ordering::SeqCst);
    if WRITING.load(Ordering::SeqCst) {
        REQUESTED.store(true, Ordering::SeqCst);
        return;
    }
    let fd = WAKE.load(Ordering::SeqCst);
    if fd >= 0 {
        let byte = 1u8;
        // SAFETY: `fd` is the pipe's write end, open for the life of the process.
        let _ = unsafe { libc::write(fd, std::ptr::addr_of!(byte).cast(), 1) };
    }
}

/// Install the handlers. Safe to call more than once; only the first call installs them.
pub fn install() {
    static INSTALLED: AtomicBool = AtomicBool::new(false);
    if INSTALLED.swap(true, Ordering::SeqCst) {
        return;
    }
    let mut fds = [-1; 2];
    // SAFETY: `fds` has room for the two descriptors.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        // Without the pipe the default behaviour (die at once) remains, which is still safe
        // before writing; the writer's temp directory is then the only leftover, and the
        // next run removes it.
        return;
    }
    // SAFETY: the read end was just created and is owned by this file from now on.
    let mut wake = unsafe { std::fs::File::from_raw_fd(fds[0]) };
    WAKE.store(fds[1], Ordering::SeqCst);
    let spawned = std::thread::Builder::new()
        .name("interrupt".into())
        .spawn(move || {
            let mut byte = [0u8; 1];
            while wake.read(&mut byte).is_ok_and(|n| n == 1) {
                if !WRITING.load(Ordering::SeqCst) {
                    stop_now();
                }
                // A signal that raced with the start of the write phase is the writer's.
                REQUESTED.store(true, Ordering::SeqCst);
            }
        });
    if spawned.is_err() {
        return;
    }
    for sig in SIGNALS {
        // SAFETY: a zeroed sigaction with a valid handler and an empty mask is well formed.
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
            action.sa_flags = libc::SA_RESTART;
            libc::sigemptyset(&raw mut action.sa_mask);
            libc::sigaction(sig, &raw const action, std::ptr::null_mut());
        }
    }
}

/// An interrupt outside the write phase: nothing was written, so say so and end.
fn stop_now() -> ! {
    // A prompt may have hidden the cursor; a redirected stderr, or a dumb terminal, gets no
    // escape code.
    let term = console::Term::stderr();
    if term.is_term() && !std::env::var("TERM").is_ok_and(|t| t == "dumb") {
        let _ = term.show_cursor();
    }
    eprintln!("error: interrupted; nothing was written");
    reraise()
}

/// End the process by the signal that interrupted it (SIGINT when the interrupt was a
/// Ctrl-C read by a prompt), with its default action, so the parent sees how it ended.
/// Falls back to exit code 128 + the signal's number if the signal does not end it.
pub fn reraise() -> ! {
    use std::io::Write;
    let sig = match SIGNAL.load(Ordering::SeqCst) {
        0 => libc::SIGINT,
        s => s,
    };
    let _ = std::io::stdout().flush();
    // SAFETY: resetting a signal to its default action and raising it in this process.
    unsafe {
        libc::signal(sig, libc::SIG_DFL);
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&raw mut set);
        libc::sigaddset(&raw mut set, sig);
        libc::pthread_sigmask(libc::SIG_UNBLOCK, &raw const set, std::ptr::null_mut());
        libc::raise(sig);
    }
    std::process::exit(128 + sig)
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
