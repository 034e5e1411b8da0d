//! The `scaffold` binary: parse, run, print the error, set the exit code.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    // First thing, so that an early Ctrl-C also ends with the documented 130.
    scaffold::interrupt::install();
    let cli = scaffold::cli::Cli::parse();
    match scaffold::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            let mut msg = format!("error: {err}");
            let mut source = std::error::Error::source(&err);
            while let Some(cause) = source {
                msg.push_str(&format!("\n  caused by: {cause}"));
                source = cause.source();
            }
            eprintln!(
                "{}",
                scaffold::ui::elide_long_lines(&scaffold::ui::sanitize(&msg))
            );
            ExitCode::from(err.exit_code())
        }
    }
}
