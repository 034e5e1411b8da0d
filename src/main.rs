//! The `scaffold` binary: parse, run, print the error, set the exit code.

use std::process::ExitCode;

use clap::{CommandFactory, Parser};

fn main() -> ExitCode {
    // Before any thread starts, so that each one's allocations follow it.
    share_malloc_arena_under_address_limit();
    // First thing after, so that an early Ctrl-C also ends with the documented 130.
    scaffold::interrupt::install();
    // `COMPLETE=bash scaffold` prints the shell's registration; the shell then calls back
    // with the words to complete. Nothing else runs then.
    clap_complete::CompleteEnv::with_factory(scaffold::cli::Cli::command).complete();
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let cli = match scaffold::cli::Cli::try_parse_from(&args) {
        Ok(cli) => cli,
        Err(e) => {
            // A usage error of a command asked for JSON is one JSON document too.
            if e.use_stderr() && args.iter().skip(1).any(|a| a == "--json") {
                let text = e.to_string();
                let first = text
                    .lines()
                    .next()
                    .unwrap_or("invalid usage")
                    .trim_start_matches("error: ");
                scaffold::ui::error_json(2, &scaffold::ui::sanitize(first));
            }
            e.exit()
        }
    };
    let json = cli.json();
    let ui = scaffold::ui::configure(cli.quiet, json, cli.verbose, cli.color);
    match scaffold::run(cli, ui) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            if json {
                scaffold::ui::error_json(
                    err.exit_code(),
                    &scaffold::ui::sanitize(&err.to_string()),
                );
            }
            let prefix = if ui.color {
                "\u{1b}[1;31merror:\u{1b}[0m"
            } else {
                "error:"
            };
            let mut msg = err.to_string();
            let mut source = std::error::Error::source(&err);
            while let Some(cause) = source {
                msg.push_str(&format!("\n  caused by: {cause}"));
                source = cause.source();
            }
            eprintln!(
                "{prefix} {}",
                scaffold::ui::elide_long_lines(&scaffold::ui::sanitize(&msg))
            );
            if err.exit_code() == scaffold::error::EXIT_INTERRUPTED {
                // Cleaned up; now end by the signal itself, so a calling shell stops too.
                scaffold::interrupt::reraise();
            }
            ExitCode::from(err.exit_code())
        }
    }
}

/// Under an address-space limit (`ulimit -v`, `prlimit --as`), let every thread allocate
/// from the one malloc arena of the main thread. glibc gives each new thread that allocates
/// an arena of its own and reserves 64 MiB of address space for it; under a limit that
/// reservation can fail, and the thread then maps pages of its own for every allocation: a
/// system call each, and many times the memory. Call it first thing, before any thread
/// starts. Without a limit (or with another C library) it does nothing.
fn share_malloc_arena_under_address_limit() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        let mut limit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: `limit` is a valid rlimit to fill; mallopt takes plain integers.
        unsafe {
            if libc::getrlimit(libc::RLIMIT_AS, &raw mut limit) == 0
                && limit.rlim_cur != libc::RLIM_INFINITY
            {
                libc::mallopt(libc::M_ARENA_MAX, 1);
            }
        }
    }
}
