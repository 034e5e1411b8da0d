//! `git init` and a first commit in a freshly generated project.

use std::path::Path;
use std::process::{Command, Stdio};

/// What happened with git.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GitOutcome {
    /// A repository with one commit.
    Committed,
    /// Not done, with the reason to show as a warning or note.
    Skipped(String),
}

fn git(dir: &Path, args: &[&str]) -> std::io::Result<std::process::Output> {
    Command::new("git")
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
}

/// Initialize a repository in `dir` and commit everything in it.
///
/// A missing git, a directory already inside a work tree, or a missing identity are not
/// errors: the project is complete without a repository, and the reason is returned.
#[must_use]
pub fn init_and_commit(dir: &Path, message: &str) -> GitOutcome {
    match git(dir, &["rev-parse", "--is-inside-work-tree"]) {
        Err(_) => return GitOutcome::Skipped("git is not on PATH; skipped `git init`".into()),
        Ok(out) if out.status.success() => {
            return GitOutcome::Skipped(
                "the project is inside an existing git work tree; skipped `git init`".into(),
            )
        }
        Ok(_) => {}
    }
    let step = |args: &[&str]| -> Result<(), String> {
        let out = git(dir, args).map_err(|e| format!("`git {}` failed: {e}", args.join(" ")))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!(
                "`git {}` failed: {}",
                args.join(" "),
                String::from_utf8_lossy(&out.stderr).trim()
            ))
        }
    };
    if let Err(e) = step(&["init", "--quiet"]) {
        return GitOutcome::Skipped(e);
    }
    if let Err(e) = step(&["add", "--all"]) {
        return GitOutcome::Skipped(e);
    }
    let has_identity = ["user.name", "user.email"].iter().all(|key| {
        git(dir, &["config", key])
            .is_ok_and(|o| o.status.success() && !o.stdout.trim_ascii().is_empty())
    });
    if !has_identity {
        return GitOutcome::Skipped(
            "git has no user.name/user.email; initialized the repository and staged the files without committing"
                .into(),
        );
    }
    match step(&["commit", "--quiet", "--no-verify", "-m", message]) {
        Ok(()) => GitOutcome::Committed,
        Err(e) => GitOutcome::Skipped(e),
    }
}
