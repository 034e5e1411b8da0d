//! `git init` and a first commit in a freshly generated project, and the hardened way every
//! git command of scaffold is run.
//!
//! A pack is untrusted, so git never runs anything a pack could influence: hooks and the
//! file-system monitor are off, no template directory is copied, the system config is not
//! read, and only the transports in [`ALLOWED_PROTOCOLS`] may be used (`ext::` never). The
//! repository is built under a temporary name and renamed to `.git` as the last step, so it
//! is either complete or absent; only the files scaffold wrote are committed.

use std::ffi::OsStr;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

/// The transports git may use, whatever the user's configuration says.
pub const ALLOWED_PROTOCOLS: &[&str] = &["https", "ssh", "file", "http", "git"];

/// Environment variables that would point git at another repository or configuration.
const CLEARED_ENV: &[&str] = &[
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_COMMON_DIR",
    "GIT_NAMESPACE",
    "GIT_TEMPLATE_DIR",
    "GIT_CONFIG",
    "GIT_CONFIG_COUNT",
    "GIT_EXEC_PATH",
    "GIT_EXTERNAL_DIFF",
    "GIT_SSH_COMMAND",
    "GIT_PROXY_COMMAND",
];

/// A `git` command with scaffold's fixed safety settings; `-c` options on the command line
/// win over every configuration file, and `GIT_ALLOW_PROTOCOL` over `protocol.*` settings.
#[must_use]
pub fn command() -> Command {
    let mut cmd = Command::new("git");
    for opt in [
        "core.hooksPath=/dev/null",
        "core.fsmonitor=false",
        "core.protectHFS=true",
        "core.protectNTFS=true",
        "submodule.recurse=false",
        "protocol.allow=never",
    ] {
        cmd.arg("-c").arg(opt);
    }
    for p in ALLOWED_PROTOCOLS {
        cmd.arg("-c").arg(format!("protocol.{p}.allow=always"));
    }
    for var in CLEARED_ENV {
        cmd.env_remove(var);
    }
    // git dies with scaffold: a killed run must not leave git writing into a directory
    // the next run cleans up.
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::process::CommandExt;
        // SAFETY: prctl is async-signal-safe and touches only the child being started.
        unsafe {
            cmd.pre_exec(|| {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                Ok(())
            });
        }
    }
    cmd.env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_ALLOW_PROTOCOL", ALLOWED_PROTOCOLS.join(":"))
        .env("GIT_TERMINAL_PROMPT", "0")
        .stdin(Stdio::null());
    cmd
}

/// What happened with git.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GitOutcome {
    /// A repository with one commit.
    Committed,
    /// Not done, with the reason to show as a warning or note.
    Skipped(String),
    /// Ctrl-C (or SIGTERM) arrived during the git step; no repository was created.
    Interrupted,
}

/// The temporary name the repository is built under, inside the work tree.
pub const TEMP_GIT_PREFIX: &str = ".scaffold-git-tmp-";

fn run(
    dir: &Path,
    git_dir: Option<&Path>,
    args: &[&str],
    stdin: Option<&[u8]>,
) -> std::io::Result<std::process::Output> {
    let mut cmd = command();
    if let Some(g) = git_dir {
        // Both relative to `dir`, the working directory of the command.
        cmd.arg(OsStr::new("--git-dir")).arg(g);
        cmd.arg("--work-tree=.");
    }
    cmd.args(args).current_dir(dir);
    match stdin {
        None => cmd.output(),
        Some(input) => {
            let mut child = cmd
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()?;
            if let Some(mut pipe) = child.stdin.take() {
                pipe.write_all(input)?;
            }
            child.wait_with_output()
        }
    }
}

/// Removes the half-made repository on drop unless disarmed.
struct Scratch(Option<std::path::PathBuf>);

impl Drop for Scratch {
    fn drop(&mut self) {
        if let Some(p) = self.0.take() {
            let _ = std::fs::remove_dir_all(p);
        }
    }
}

/// Initialize a repository in `dir` and commit `files` (paths relative to `dir`, the files
/// scaffold wrote), minus those the project's ignore rules exclude.
///
/// A missing git, a directory already inside a work tree, or a missing identity are not
/// errors: the project is complete without a repository, and the reason is returned.
// Long because the git step is one transaction in a scratch repository: every stage
// checks for an interrupt and must leave the scratch directory removed on each way out.
#[must_use]
pub fn init_and_commit(dir: &Path, files: &[&str], message: &str) -> GitOutcome {
    match run(dir, None, &["rev-parse", "--is-inside-work-tree"], None) {
        Err(_) => return GitOutcome::Skipped("git is not on PATH; skipped `git init`".into()),
        Ok(out) if out.status.success() => {
            return GitOutcome::Skipped(
                "the project is inside an existing git work tree; skipped `git init`".into(),
            )
        }
        Ok(_) => {}
    }
    if std::fs::symlink_metadata(dir.join(".git")).is_ok() {
        return GitOutcome::Skipped(
            "`.git` already exists in the project; skipped `git init`".into(),
        );
    }
    let mut suffix = [0u8; 6];
    let _ = getrandom::fill(&mut suffix);
    let name = format!(
        "{TEMP_GIT_PREFIX}{}-{}",
        std::process::id(),
        suffix
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    );
    let scratch_path = dir.join(&name);
    // Locked, so another run's clean-up never takes it for a leftover.
    let _lock = match crate::fsx::DirLock::create(&scratch_path) {
        Ok(lock) => lock,
        Err(e) => {
            return GitOutcome::Skipped(format!(
                "cannot create `{}` for the repository: {e}",
                scratch_path.display()
            ))
        }
    };
    let mut scratch = Scratch(Some(scratch_path.clone()));
    let g = Some(Path::new(&name));
    let step = |args: &[&str], stdin: Option<&[u8]>| -> Result<std::process::Output, String> {
        if crate::interrupt::requested() {
            return Err(String::new());
        }
        let out = run(dir, g, args, stdin)
            .map_err(|e| format!("`git {}` failed: {e}", args.join(" ")))?;
        if crate::interrupt::requested() {
            return Err(String::new());
        }
        Ok(out)
    };
    let ok = |args: &[&str], stdin: Option<&[u8]>| -> Result<(), String> {
        let out = step(args, stdin)?;
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
    let outcome = (|| -> Result<bool, String> {
        ok(&["init", "--quiet", "--template="], None)?;
        // The files the project's own ignore rules exclude (such as `.env`) stay out.
        let list: Vec<u8> = files
            .iter()
            .flat_map(|f| f.as_bytes().iter().copied().chain([0]))
            .collect();
        let ignored = step(&["check-ignore", "--stdin", "-z"], Some(&list))?;
        if !matches!(ignored.status.code(), Some(0 | 1)) {
            return Err(format!(
                "`git check-ignore` failed: {}",
                String::from_utf8_lossy(&ignored.stderr).trim()
            ));
        }
        let ignored: std::collections::HashSet<&[u8]> = ignored
            .stdout
            .split(|b| *b == 0)
            .filter(|s| !s.is_empty())
            .collect();
        let add: Vec<u8> = files
            .iter()
            .filter(|f| !ignored.contains(f.as_bytes()))
            .flat_map(|f| f.as_bytes().iter().copied().chain([0]))
            .collect();
        ok(
            &[
                "--literal-pathspecs",
                "add",
                "--pathspec-from-file=-",
                "--pathspec-file-nul",
            ],
            Some(&add),
        )?;
        let has_identity = ["user.name", "user.email"].iter().all(|key| {
            step(&["config", key], None)
                .is_ok_and(|o| o.status.success() && !o.stdout.trim_ascii().is_empty())
        });
        if has_identity {
            ok(&["commit", "--quiet", "--no-verify", "-m", message], None)?;
        }
        // Built under another name, the repository must not remember that work tree.
        let _ = step(&["config", "--unset", "core.worktree"], None)?;
        Ok(has_identity)
    })();
    if crate::interrupt::requested() {
        return GitOutcome::Interrupted;
    }
    let committed = match outcome {
        Ok(c) => c,
        Err(e) => return GitOutcome::Skipped(e),
    };
    if let Err(e) = crate::fsx::rename_noreplace(&scratch_path, &dir.join(".git")) {
        return GitOutcome::Skipped(format!("cannot move the new repository to `.git`: {e}"));
    }
    scratch.0 = None;
    if committed {
        GitOutcome::Committed
    } else {
        GitOutcome::Skipped(
            "git has no user.name/user.email; initialized the repository and staged the files without committing"
                .into(),
        )
    }
}
