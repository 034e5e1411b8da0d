//! Human output on stderr: status lines, warnings and colour (only on a terminal, never
//! with `NO_COLOR`). Data goes to stdout, and only through the command that owns it.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};

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

/// The process-wide output settings from `-q`, `-v` and `--color` (set once by [`configure`]).
static QUIET: AtomicBool = AtomicBool::new(false);
static VERBOSE: AtomicU8 = AtomicU8::new(0);
/// 0 auto, 1 always, 2 never.
static COLOR: AtomicU8 = AtomicU8::new(0);
/// Whether a JSON document went to stdout (an error then does not add a second one).
static JSON_WRITTEN: AtomicBool = AtomicBool::new(false);

/// Apply the global flags: `-q`, `-v` (repeatable) and `--color`.
pub fn configure(quiet: bool, verbose: u8, color: ColorChoice) {
    QUIET.store(quiet, Ordering::Relaxed);
    VERBOSE.store(verbose, Ordering::Relaxed);
    COLOR.store(
        match color {
            ColorChoice::Auto => 0,
            ColorChoice::Always => 1,
            ColorChoice::Never => 2,
        },
        Ordering::Relaxed,
    );
    let on = color_enabled();
    console::set_colors_enabled(on);
    console::set_colors_enabled_stderr(on);
}

/// Whether `TERM=dumb`: no colour and no cursor movement.
#[must_use]
pub fn dumb_terminal() -> bool {
    std::env::var("TERM").is_ok_and(|t| t == "dumb")
}

/// Whether stderr gets colour: `--color always`, or on a terminal that is not dumb and
/// without `NO_COLOR`, unless `--color never`.
#[must_use]
pub fn color_enabled() -> bool {
    match COLOR.load(Ordering::Relaxed) {
        1 => true,
        2 => false,
        _ => {
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

/// How to talk to the person running the command.
#[derive(Debug, Clone, Copy)]
pub struct Ui {
    /// `--json`: status lines are suppressed (warnings still go to stderr).
    pub quiet: bool,
    /// Whether stderr gets ANSI colour.
    pub color: bool,
}

impl Ui {
    /// Settings for this process: colour only on a terminal, and never with `NO_COLOR` set
    /// (to anything non-empty) or `TERM=dumb`.
    #[must_use]
    pub fn detect(quiet: bool) -> Ui {
        Ui {
            quiet: quiet || QUIET.load(Ordering::Relaxed),
            color: color_enabled(),
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
        if VERBOSE.load(Ordering::Relaxed) > 0 {
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
        let ui = Ui {
            quiet: false,
            color: false,
        };
        assert_eq!(ui.bold("x"), "x");
        let ui = Ui {
            quiet: false,
            color: true,
        };
        assert_eq!(ui.bold("x"), "\u{1b}[1mx\u{1b}[0m");
    }
}
