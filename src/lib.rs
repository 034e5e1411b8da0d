//! `scaffold` recommends a backend stack for a project's needs and renders a starter from
//! Tera template packs into a new directory, atomically.
//!
//! The data flow is one direction: [`cli`] → [`commands`] (glue) → the pure core
//! ([`names`], [`pack`], [`answers`], [`render`]) → [`write`]. Only [`prompt`] talks to a
//! terminal; only [`write`] and [`git`] change the disk.

#![warn(clippy::unwrap_used)]
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod answers;
pub mod cli;
pub mod commands;
pub mod error;
pub mod git;
pub mod interrupt;
pub mod lint;
pub mod matrix;
pub mod names;
pub mod pack;
pub mod prompt;
pub mod recommend;
pub mod render;
pub mod secrets;
pub mod serve;
pub mod stack;
pub mod ui;
pub mod write;

pub use error::{Error, Result};

use cli::{Cli, Command};

/// Run a parsed command line.
///
/// # Errors
/// Whatever the command fails with; [`Error::exit_code`] gives the process's exit code.
pub fn run(cli: Cli) -> Result<()> {
    interrupt::install();
    match cli.command {
        Command::New(args) => commands::new::run(args),
        Command::Recommend(args) => commands::recommend::run(&args),
        Command::List(args) => commands::list::run(&args),
        Command::Pack(cmd) => commands::pack::run(&cmd),
        Command::Serve(args) => serve::run(&args),
        Command::Completions(args) => {
            commands::completions::run(&args);
            Ok(())
        }
    }
}
