//! `scaffold completions <SHELL>`: the shell's registration for dynamic completions (the
//! same as `COMPLETE=<shell> scaffold`). The shell calls `scaffold` back to complete, so
//! values (stacks, needs, the chosen pack's `--set` keys, user packs) are always current.

use clap_complete::env::{Bash, Elvish, EnvCompleter, Fish, Powershell, Zsh};
use clap_complete::Shell;

use crate::cli::CompletionsArgs;
use crate::error::{Error, Result};

/// Print the registration script for a shell on stdout.
///
/// # Errors
/// An unsupported shell, or stdout cannot be written.
pub fn run(args: &CompletionsArgs) -> Result<()> {
    let shell: &dyn EnvCompleter = match args.shell {
        Shell::Bash => &Bash,
        Shell::Zsh => &Zsh,
        Shell::Fish => &Fish,
        Shell::Elvish => &Elvish,
        Shell::PowerShell => &Powershell,
        _ => return Err(Error::usage("completions for this shell are not supported")),
    };
    let mut buf = Vec::new();
    shell
        .write_registration("COMPLETE", "scaffold", "scaffold", "scaffold", &mut buf)
        .map_err(|e| Error::io("cannot write to", "stdout", e))?;
    crate::ui::out(&String::from_utf8_lossy(&buf))
}
