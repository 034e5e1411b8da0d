//! One error type for the whole tool. Each variant knows its exit code, so `main` only has
//! to print the message and its cause chain.
//!
//! Exit codes (a contract, documented in the README and `--help`):
//! 0 success; 1 failure while generating (I/O, a template error in a pack);
//! 2 bad input (usage, unknown stack, invalid name or value, missing answer without a TTY,
//! target exists and is not empty); 130 interrupted.

use std::path::PathBuf;

/// The exit code for a failure while generating.
pub const EXIT_FAILURE: u8 = 1;
/// The exit code for bad input.
pub const EXIT_USAGE: u8 = 2;
/// The exit code after Ctrl-C.
pub const EXIT_INTERRUPTED: u8 = 130;

/// Everything that can go wrong, in one voice: lowercase, names in backticks, with a hint
/// saying what to do where there is one.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The user asked for something that cannot be done as asked (exit 2).
    #[error("{message}")]
    Usage {
        /// What is wrong and how to fix it.
        message: String,
    },

    /// A value that fails a variable's validation (exit 2).
    #[error("invalid value for `{name}`: {reason}")]
    InvalidValue {
        /// The variable's name.
        name: String,
        /// Why the value is refused, with the accepted values where that helps.
        reason: String,
    },

    /// An answer is missing and there is no terminal to ask on (exit 2).
    #[error("{what} is missing and stdin is not a terminal; {hint}")]
    MissingAnswer {
        /// What is missing.
        what: String,
        /// The flag that supplies it.
        hint: String,
    },

    /// The target directory exists and is not empty (exit 2).
    #[error("target `{}` already exists and is not empty; choose another name or --output, or pass --force to write into it (user files are never deleted)", path.display())]
    TargetNotEmpty {
        /// The target directory.
        path: PathBuf,
    },

    /// A pack that is broken: bad manifest, template error, unsafe path (exit 1).
    #[error("pack `{pack}`: {message}")]
    Pack {
        /// The pack's name or directory.
        pack: String,
        /// What is wrong, including file and line where known.
        message: String,
    },

    /// A template of a pack that does not compile or render (exit 1), as data: the
    /// template, the line, the engine's one-line message and its full report.
    #[error("pack `{pack}`: {}", problem.report)]
    Template {
        /// The pack's name or directory.
        pack: String,
        /// Where and what.
        problem: TemplateError,
    },

    /// An I/O failure, with the path it happened on (exit 1).
    #[error("{action} `{}`", path.display())]
    Io {
        /// What was being done, e.g. "cannot write".
        action: &'static str,
        /// The path involved.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },

    /// A check failed: `pack lint --strict` found warnings, `pack test` a failing
    /// combination (exit 1).
    #[error("{message}")]
    Failed {
        /// The summary.
        message: String,
    },

    /// A resource limit was reached while resolving or rendering a pack (exit 1): the
    /// message says which, and the environment variable that raises it.
    #[error("{what} (raise the limit with {env})")]
    Limit {
        /// What ran over, and the limit.
        what: String,
        /// The setting that raises it, as `NAME=VALUE`.
        env: String,
    },

    /// Ctrl-C (exit 130). Nothing half-written is left behind.
    #[error("interrupted; nothing was written")]
    Interrupted,

    /// Ctrl-C (exit 130) after files were written; says exactly what was done.
    #[error("interrupted; {done}")]
    InterruptedAfter {
        /// What was written before the interrupt, and what was not.
        done: String,
    },
}

impl Error {
    /// A usage error with a message.
    pub fn usage(message: impl Into<String>) -> Self {
        Error::Usage {
            message: message.into(),
        }
    }

    /// A pack error with a message.
    pub fn pack(pack: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Pack {
            pack: pack.into(),
            message: message.into(),
        }
    }

    /// An I/O error on a path.
    pub fn io(action: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            action,
            path: path.into(),
            source,
        }
    }

    /// The process exit code for this error.
    #[must_use]
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Usage { .. }
            | Error::InvalidValue { .. }
            | Error::MissingAnswer { .. }
            | Error::TargetNotEmpty { .. } => EXIT_USAGE,
            Error::Pack { .. }
            | Error::Template { .. }
            | Error::Io { .. }
            | Error::Failed { .. }
            | Error::Limit { .. } => EXIT_FAILURE,
            Error::Interrupted | Error::InterruptedAfter { .. } => EXIT_INTERRUPTED,
        }
    }
}

/// A template error as data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError {
    /// The template it happened in (a file of the pack, or a condition's name).
    pub template: Option<String>,
    /// The 1-based line in that template.
    pub line: Option<usize>,
    /// What went wrong, in one line.
    pub headline: String,
    /// The engine's full report (with the excerpt), as shown to people.
    pub report: String,
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_follow_the_contract() {
        assert_eq!(Error::usage("x").exit_code(), 2);
        assert_eq!(Error::TargetNotEmpty { path: "a".into() }.exit_code(), 2);
        assert_eq!(
            Error::MissingAnswer {
                what: "a".into(),
                hint: "b".into()
            }
            .exit_code(),
            2
        );
        assert_eq!(Error::pack("p", "m").exit_code(), 1);
        let io = std::io::Error::other("boom");
        assert_eq!(Error::io("cannot write", "x", io).exit_code(), 1);
        assert_eq!(Error::Interrupted.exit_code(), 130);
        let limit = Error::Limit {
            what: "rendering took longer than 1 s".into(),
            env: "SCAFFOLD_RENDER_TIMEOUT=SECONDS".into(),
        };
        assert_eq!(limit.exit_code(), 1);
        assert!(limit
            .to_string()
            .contains("raise the limit with SCAFFOLD_RENDER_TIMEOUT"));
        let failed = Error::Failed {
            message: "x".into(),
        };
        assert_eq!(failed.exit_code(), 1);
        let invalid = Error::InvalidValue {
            name: "n".into(),
            reason: "r".into(),
        };
        assert_eq!(invalid.exit_code(), 2);
    }
}
