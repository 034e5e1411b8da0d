//! Human output on stderr: status lines, warnings and colour (only on a terminal, never
//! with `NO_COLOR`). Data goes to stdout, and only through the command that owns it.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};

/// `--color`: when stderr gets colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ColorChoice {
    /// Colour on a terminal, unless NO_COLOR is set or TERM is dumb.
    #[default]
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

/// Whether a JSON document went to stdout (an error then does not add a second one).
static JSON_WRITTEN: AtomicBool = AtomicBool::new(false);

/// The process's one [`Ui`], from the global flags (`-q`, `-v` repeatable, `--color`) and
/// whether the command prints JSON; also sets the colour of the prompts' library to match.
/// Called once, by the binary, before the command runs.
#[must_use]
pub fn configure(quiet: bool, json: bool, verbose: u8, color: ColorChoice) -> Ui {
    let on = color_enabled(color);
    console::set_colors_enabled(on);
    console::set_colors_enabled_stderr(on);
    Ui {
        quiet: quiet || json,
        verbose,
        color: on,
    }
}

/// Whether `TERM=dumb`: no colour and no cursor movement.
#[must_use]
pub fn dumb_terminal() -> bool {
    std::env::var("TERM").is_ok_and(|t| t == "dumb")
}

/// Whether stderr gets colour: `--color always`, or on a terminal that is not dumb and
/// without `NO_COLOR`, unless `--color never`.
#[must_use]
pub fn color_enabled(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
            std::io::stderr().is_terminal() && !no_color && !dumb_terminal()
        }
    }
}

/// Print an error as one JSON document on stdout, unless the command already printed its
/// document (which then carries the error itself).
pub fn error_json(code: u8, message: &str) {
    if JSON_WRITTEN.load(Ordering::Relaxed) {
        return;
    }
    let doc = serde_json::json!({ "error": { "code": code, "message": message } });
    let _ = out_json(&doc);
}

/// How to talk to the person running the command: made once per process by
/// [`configure`] and handed down.
#[derive(Debug, Clone, Copy, Default)]
pub struct Ui {
    /// `-q` or `--json`: status lines are suppressed (warnings still go to stderr).
    pub quiet: bool,
    /// `-v` given this many times: details are shown.
    pub verbose: u8,
    /// Whether stderr gets ANSI colour.
    pub color: bool,
}

impl Ui {
    /// A Ui that prints no status lines and no colour (tests, other front ends).
    #[must_use]
    pub fn silent() -> Ui {
        Ui {
            quiet: true,
            verbose: 0,
            color: false,
        }
    }

    /// This Ui with status lines suppressed too (a command whose stdout is JSON).
    #[must_use]
    pub fn quieter(self, quiet: bool) -> Ui {
        Ui {
            quiet: self.quiet || quiet,
            ..self
        }
    }

    /// Whether prompts may be shown: stdin and stderr are terminals.
    #[must_use]
    pub fn can_prompt() -> bool {
        std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
    }

    /// A status line on stderr (not with `--json`).
    pub fn status(&self, msg: &str) {
        if !self.quiet {
            eprintln!("{msg}");
        }
    }

    /// A detail on stderr, only with `-v`.
    pub fn detail(&self, msg: &str) {
        if self.verbose > 0 {
            eprintln!("{}", self.dim(msg));
        }
    }

    /// A warning on stderr, always.
    pub fn warn(&self, msg: &str) {
        eprintln!("{} {msg}", self.paint("warning:", "33"));
    }

    /// `text` in bold (for headings), when colour is on.
    #[must_use]
    pub fn bold(&self, text: &str) -> String {
        self.paint(text, "1")
    }

    /// `text` dimmed (for help lines), when colour is on.
    #[must_use]
    pub fn dim(&self, text: &str) -> String {
        self.paint(text, "2")
    }

    fn paint(&self, text: &str, code: &str) -> String {
        if self.color {
            format!("\u{1b}[{code}m{text}\u{1b}[0m")
        } else {
            text.to_string()
        }
    }
}

/// Write data to stdout. A closed pipe (`scaffold list --json | head`) is not an error:
/// the reader has what it wanted.
///
/// # Errors
/// Any other I/O error on stdout.
pub fn out(text: &str) -> crate::Result<()> {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(crate::Error::io("cannot write to", "stdout", e))
        }
        _ => Ok(()),
    }
}

/// Write a value as pretty JSON, one document, to stdout.
///
/// # Errors
/// See [`out`].
pub fn out_json<T: serde::Serialize>(value: &T) -> crate::Result<()> {
    let text = serde_json::to_string_pretty(value).map_err(|e| {
        crate::Error::io("cannot write JSON to", "stdout", std::io::Error::other(e))
    })?;
    JSON_WRITTEN.store(true, Ordering::Relaxed);
    out(&format!("{text}\n"))
}

/// The longest line an error message prints; longer ones (a huge value echoed back) are
/// cut in the middle.
pub const MAX_LINE: usize = 400;

/// Cut every line longer than [`MAX_LINE`] characters in the middle, marking the cut.
#[must_use]
pub fn elide_long_lines(text: &str) -> String {
    text.lines()
        .map(|line| {
            let n = line.chars().count();
            if n <= MAX_LINE {
                return line.to_string();
            }
            let keep = MAX_LINE / 2 - 10;
            let head: String = line.chars().take(keep).collect();
            let tail: String = line.chars().skip(n - keep).collect();
            format!("{head} …({} characters)… {tail}", n - 2 * keep)
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Replace control characters (terminal escapes included) with `?`, so names and paths a
/// user or a pack supplied cannot drive the terminal when echoed back.
#[must_use]
pub fn sanitize(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() && c != '\n' && c != '\t' {
                '?'
            } else {
                c
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_are_elided() {
        let long = "x".repeat(10_000);
        let out = elide_long_lines(&format!("error: unknown stack `{long}`\nnext"));
        let first = out.lines().next().unwrap();
        assert!(first.chars().count() < MAX_LINE + 40, "{}", first.len());
        assert!(first.starts_with("error: unknown stack `") && first.ends_with("xx`"));
        assert_eq!(out.lines().nth(1), Some("next"));
    }

    #[test]
    fn sanitize_strips_escapes() {
        assert_eq!(sanitize("a\u{1b}[31mb\nc"), "a?[31mb\nc");
    }

    #[test]
    fn no_color_when_not_enabled() {
        let ui = Ui::default();
        assert_eq!(ui.bold("x"), "x");
        let ui = Ui {
            color: true,
            ..Ui::default()
        };
        assert_eq!(ui.bold("x"), "\u{1b}[1mx\u{1b}[0m");
    }

    #[test]
    fn json_and_quiet_both_silence_status_lines_never_colour_choice() {
        assert!(configure(true, false, 0, ColorChoice::Always).color);
        // Last, so the process-wide colour setting of the prompts' library ends up off.
        let ui = configure(false, true, 2, ColorChoice::Never);
        assert!(ui.quiet && !ui.color && ui.verbose == 2);
        assert!(!Ui::silent().quieter(false).color && Ui::silent().quiet);
        assert!(Ui::default().quieter(true).quiet);
    }
}
