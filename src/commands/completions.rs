//! `scaffold completions <SHELL>`.

use clap::CommandFactory;

use crate::cli::{Cli, CompletionsArgs};

/// Print the completion script for a shell on stdout.
pub fn run(args: &CompletionsArgs) {
    let mut cmd = Cli::command();
    clap_complete::generate(args.shell, &mut cmd, "scaffold", &mut std::io::stdout());
}
