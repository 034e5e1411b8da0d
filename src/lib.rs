//! `scaffold` recommends a backend stack for a project's needs and renders a starter from
//! Tera template packs into a new directory, atomically.
//!
//! The data flow is one direction: [`cli`] → [`commands`] (glue) → the pure core
//! ([`names`], [`pack`], [`answers`], [`render`]) → [`write`]. Only [`prompt`] talks to a
//! terminal; only [`write`] and [`git`] change the disk.

#![warn(clippy::unwrap_used, unreachable_pub, clippy::pedantic)]
// The pedantic lints that do not help here, each with why:
// `.tera` is matched case-sensitively on purpose: `x.TERA` is a verbatim file.
#![allow(clippy::case_sensitive_file_extension_comparisons)]
// Messages are built with format! and push_str; the clarity beats the saved allocation.
#![allow(clippy::format_push_string, clippy::format_collect)]
// Small enums (Stack, Need, Team) take &self like the rest of their API.
#![allow(clippy::trivially_copy_pass_by_ref)]
// Function length is checked by tests/architecture.rs (80 lines, or a comment saying why).
#![allow(clippy::too_many_lines)]
// Prose in doc comments names frameworks (NestJS, FastAPI) that are words, not code.
#![allow(clippy::doc_markdown)]
// Command-line switches are independent bools.
#![allow(clippy::struct_excessive_bools)]
// Scores are multiples of 0.5, exact in binary floating point, so equality is exact.
#![allow(clippy::float_cmp)]
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod answers;
pub mod cli;
pub mod commands;
pub mod complete;
pub mod engine;
pub mod error;
pub mod escape;
pub mod fsx;
pub mod git;
pub mod interrupt;
pub mod lint;
pub mod matrix;
pub mod names;
pub mod pack;
pub mod plan;
pub mod prompt;
pub mod recommend;
pub mod render;
pub mod request;
pub mod resolve;
pub mod secrets;
pub mod serve;
pub mod stack;
pub mod ui;
pub mod update;
pub mod value;
pub mod write;

pub use error::{Error, Result};

use cli::{Cli, Command};

/// Run a parsed command line.
///
/// # Errors
/// Whatever the command fails with; [`Error::exit_code`] gives the process's exit code.
pub fn run(cli: Cli, ui: ui::Ui) -> Result<()> {
    interrupt::install();
    match cli.command {
        Command::New(args) => commands::new::run(args, ui),
        Command::Recommend(args) => commands::recommend::run(&args),
        Command::List(args) => commands::list::run(&args, ui),
        Command::Pack(cmd) => commands::pack::run(&cmd, ui),
        Command::Update(args) => update::command::run(&args, ui),
        Command::Completions(args) => commands::completions::run(&args),
        Command::Serve(args) => serve::run(&args, ui),
    }
}
