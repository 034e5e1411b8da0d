//! Where a pack named on the command line comes from: a built-in pack, a directory, a git
//! repository (shallow-cloned into a temporary directory), or the user pack directory
//! (`$SCAFFOLD_PACKS_DIR`, default `~/.config/scaffold/packs`). A user pack never shadows a
//! built-in one: the same name is an error that says how to rename it.

use std::path::{Path, PathBuf};
use std::process::Stdio;

use crate::error::{Error, Result};
use crate::pack::{self, Origin, Pack, Reading};

/// Whether `spec` names a git repository rather than a directory or a name.
#[must_use]
pub fn is_git_url(spec: &str) -> bool {
    ["https://", "http://", "ssh://", "git://", "file://", "git@"]
        .iter()
        .any(|p| spec.starts_with(p))
        || Path::new(spec.split('#').next().unwrap_or(spec))
            .extension()
            .is_some_and(|e| e == "git")
            && !Path::new(spec).exists()
}

/// The user pack directory: `$SCAFFOLD_PACKS_DIR`, else `$XDG_CONFIG_HOME/scaffold/packs`,
/// else `~/.config/scaffold/packs`.
#[must_use]
pub fn user_packs_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("SCAFFOLD_PACKS_DIR").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir));
    }
    let config = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))?;
    Some(config.join("scaffold").join("packs"))
}

/// The user packs found, and those skipped.
#[derive(Debug, Default)]
pub struct UserPacks {
    /// (pack name, directory), sorted by name.
    pub found: Vec<(String, PathBuf)>,
    /// One line per directory skipped because its manifest is broken: which and why. The
    /// caller decides whether to show them (`list` warns; shell completion stays silent).
    pub skipped: Vec<String>,
}

impl UserPacks {
    /// `; skipped user packs: ...` for an error that did not find a pack, or nothing.
    #[must_use]
    pub fn skipped_note(&self) -> String {
        if self.skipped.is_empty() {
            String::new()
        } else {
            format!("; skipped {}", self.skipped.join("; "))
        }
    }
}

/// The user packs: every directory under the user pack directory with a `pack.toml`.
/// One broken user pack must not make every other command fail: it is skipped, and the
/// result says why.
///
/// # Errors
/// A user pack whose name is a built-in pack's.
pub fn user_packs() -> Result<UserPacks> {
    let Some(root) = user_packs_dir() else {
        return Ok(UserPacks::default());
    };
    let Ok(entries) = std::fs::read_dir(&root) else {
        return Ok(UserPacks::default());
    };
    let builtins = pack::builtin_names();
    let (mut found, mut skipped) = (Vec::new(), Vec::new());
    for entry in entries.flatten() {
        let dir = entry.path();
        if std::fs::symlink_metadata(dir.join(pack::MANIFEST)).is_err() {
            continue;
        }
        // Only the manifest is needed for the name; the pack itself is read when it is used.
        // A manifest that is a link, a FIFO or huge is skipped too, with its reason.
        let parsed = pack::read_manifest_text(&dir)
            .map_err(|e| e.to_string())
            .and_then(|text| pack::Manifest::parse(&text).map_err(|e| e.to_string()));
        let name = match parsed {
            Ok(manifest) => manifest.pack.name,
            Err(why) => {
                skipped.push(format!("the user pack in `{}`: {why}", dir.display()));
                continue;
            }
        };
        if builtins.contains(&name.as_str()) {
            return Err(Error::usage(format!(
                "the user pack in `{}` is named `{name}`, like the built-in pack; rename it (its directory and `name` in its pack.toml) so it cannot be mistaken for the built-in one",
                dir.display()
            )));
        }
        found.push((name, dir));
    }
    found.sort();
    skipped.sort();
    Ok(UserPacks { found, skipped })
}

/// Find a user pack by name.
///
/// # Errors
/// See [`user_packs`].
pub fn find_user_pack(name: &str) -> Result<Option<Pack>> {
    find_user_pack_reading(name, Reading::Now)
}

/// [`find_user_pack`], reading its verbatim files now or when the project is written.
///
/// # Errors
/// See [`user_packs`].
pub fn find_user_pack_reading(name: &str, reading: Reading) -> Result<Option<Pack>> {
    for (n, dir) in user_packs()?.found {
        if n == name {
            let mut p = pack::load_dir_reading(&dir, reading)?;
            p.origin = Origin::User(dir);
            return Ok(Some(p));
        }
    }
    Ok(None)
}

/// Resolve `--pack SPEC` (with `--pack-ref`): a git URL, a directory, or a pack name.
///
/// # Errors
/// Nothing found by that spec, a clone that fails, or a broken pack.
pub fn resolve(spec: &str, reference: Option<&str>) -> Result<Pack> {
    resolve_reading(spec, reference, Reading::Now)
}

/// [`resolve`], reading a directory or git pack's verbatim files now or when the project is
/// written.
///
/// # Errors
/// See [`resolve`].
pub fn resolve_reading(spec: &str, reference: Option<&str>, reading: Reading) -> Result<Pack> {
    if is_git_url(spec) {
        let (url, from_url) = match spec.rsplit_once('#') {
            Some((u, r)) if !r.is_empty() => (u, Some(r)),
            _ => (spec, None),
        };
        return load_git_reading(url, reference.or(from_url), reading);
    }
    if reference.is_some() {
        return Err(Error::usage(
            "--pack-ref only applies to a git URL given with --pack",
        ));
    }
    let path = Path::new(spec);
    if path.exists() {
        return pack::load_dir_reading(path, reading);
    }
    if !spec.contains('/') {
        if let Some(p) = find_user_pack_reading(spec, reading)? {
            return Ok(p);
        }
        if pack::builtin_names().contains(&spec) {
            return pack::load_builtin(spec);
        }
    }
    let skipped = user_packs().map(|u| u.skipped_note()).unwrap_or_default();
    Err(Error::usage(format!(
        "--pack `{spec}` is not a directory, a git URL, or the name of a built-in or user pack (user packs live in {}){skipped}",
        user_packs_dir().map_or_else(|| "$SCAFFOLD_PACKS_DIR".into(), |d| d.display().to_string())
    )))
}

/// Shallow-clone a pack repository into a temporary directory and load it.
///
/// # Errors
/// git missing, the clone failing (with git's own message), or a broken pack.
pub fn load_git(url: &str, reference: Option<&str>) -> Result<Pack> {
    load_git_reading(url, reference, Reading::Now)
}

/// [`load_git`], reading the verbatim files now or when the project is written.
///
/// # Errors
/// See [`load_git`].
pub fn load_git_reading(url: &str, reference: Option<&str>, reading: Reading) -> Result<Pack> {
    let tmp = clone_dir()?;
    let checkout = tmp.path().join("pack");
    // A pack is untrusted: no hooks, no system config, only the allowed transports (never
    // `ext::`), no prompt for credentials; see `git::command`.
    let mut cmd = crate::git::command();
    cmd.args([
        "clone",
        "--quiet",
        "--depth",
        "1",
        "--no-tags",
        "--template=",
        "--no-recurse-submodules",
    ]);
    if let Some(r) = reference {
        cmd.args(["--branch", r]);
    }
    cmd.arg("--").arg(url).arg(&checkout);
    // A clone that fails is not bad input (exit 2): the URL may be right and the network or
    // the server down, so it is a failure (exit 1) that says what git said.
    let out = cmd.output().map_err(|e| Error::Failed {
        message: format!(
            "git is needed to use a pack from a git URL, and it could not be run: {e}; install git and try again"
        ),
    })?;
    if !out.status.success() {
        return Err(Error::Failed {
            message: format!(
                "cannot clone pack `{url}`{}: {}; check the URL (and --pack-ref) and that the repository is reachable",
                reference.map(|r| format!(" at `{r}`")).unwrap_or_default(),
                String::from_utf8_lossy(&out.stderr).trim()
            ),
        });
    }
    let origin = Origin::Git {
        url: url.to_string(),
        reference: reference.map(str::to_string),
        commit: head_commit(&checkout),
    };
    load_checkout(tmp, &checkout, origin, url, reading)
}

/// Load the pack in a clone. Verbatim files are read from the clone when the project is
/// written (a pack read at write, or large files), so it lives until the process ends.
fn load_checkout(
    tmp: tempfile::TempDir,
    checkout: &Path,
    origin: Origin,
    url: &str,
    reading: Reading,
) -> Result<Pack> {
    if reading == Reading::AtWrite {
        if let Some(p) = pack::load_at_write(checkout, origin.clone(), url)? {
            keep_until_exit(tmp);
            return Ok(p);
        }
    }
    let (files, content_hash) = pack::read_dir(checkout, true, pack::IN_MEMORY_BUDGET)?;
    let hash = content_hash.map_or(pack::Hash::Record, pack::Hash::Known);
    let mut p = pack::assemble(files, origin, url, hash)?;
    pack::load_includes(&mut p, Some(checkout), 0)?;
    keep_until_exit(tmp);
    Ok(p)
}

/// A fresh temporary directory for one clone.
fn clone_dir() -> Result<tempfile::TempDir> {
    tempfile::Builder::new()
        .prefix("scaffold-pack-")
        .tempdir()
        .map_err(|e| {
            Error::io(
                "cannot create a temporary directory in",
                std::env::temp_dir(),
                e,
            )
        })
}

/// Clones that must outlive [`load_git`]; removed when the process exits (also through
/// `std::process::exit`, as on Ctrl-C).
static CLONES: std::sync::Mutex<Vec<tempfile::TempDir>> = std::sync::Mutex::new(Vec::new());

extern "C" fn remove_clones() {
    // `try_lock`: never wait at exit for a thread that was stopped holding the lock.
    if let Ok(mut clones) = CLONES.try_lock() {
        clones.clear();
    }
}

fn keep_until_exit(dir: tempfile::TempDir) {
    static REGISTERED: std::sync::Once = std::sync::Once::new();
    REGISTERED.call_once(|| {
        // SAFETY: registers a plain `extern "C"` function with no arguments.
        unsafe {
            libc::atexit(remove_clones);
        }
    });
    CLONES
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .push(dir);
}

/// Clone a git pack and check out one commit (the recorded one).
///
/// # Errors
/// git missing, the repository unreachable, or the commit gone (exit 2).
pub fn load_git_at(url: &str, commit: &str) -> Result<Pack> {
    load_git_at_reading(url, commit, Reading::Now)
}

/// [`load_git_at`], reading the verbatim files now or when the project is written.
///
/// # Errors
/// See [`load_git_at`].
pub fn load_git_at_reading(url: &str, commit: &str, reading: Reading) -> Result<Pack> {
    let tmp = clone_dir()?;
    let checkout = tmp.path().join("pack");
    // The same hardened git as every clone of an untrusted pack (see `git::command`). Here
    // the source comes from a project's record, and a source that is gone is fixed by an
    // answer (`--pack`), so it is bad input (exit 2) that names the fix.
    let git = |args: &[&str], dir: Option<&Path>| -> Result<()> {
        let mut cmd = crate::git::command();
        cmd.args(args).stdin(Stdio::null());
        if let Some(d) = dir {
            cmd.current_dir(d);
        }
        let out = cmd.output().map_err(|e| {
            Error::usage(format!(
                "git is needed to use a pack from a git URL, and it could not be run: {e}; install git, or pass --pack to point at the pack"
            ))
        })?;
        if out.status.success() {
            Ok(())
        } else {
            Err(Error::usage(format!(
                "cannot fetch pack `{url}` at commit {commit}: {}; check that the repository is reachable, or pass --pack to point at the pack",
                String::from_utf8_lossy(&out.stderr).trim()
            )))
        }
    };
    let target = checkout.to_string_lossy().to_string();
    git(
        &[
            "clone",
            "--quiet",
            "--no-checkout",
            "--template=",
            "--no-recurse-submodules",
            "--",
            url,
            &target,
        ],
        None,
    )?;
    git(
        &[
            "-c",
            "advice.detachedHead=false",
            "checkout",
            "--quiet",
            commit,
        ],
        Some(&checkout),
    )?;
    let origin = Origin::Git {
        url: url.to_string(),
        reference: None,
        commit: Some(commit.to_string()),
    };
    load_checkout(tmp, &checkout, origin, url, reading)
}

/// The commit checked out in a clone, for the project's record.
#[must_use]
pub fn head_commit(checkout: &Path) -> Option<String> {
    let out = crate::git::command()
        .args(["rev-parse", "HEAD"])
        .current_dir(checkout)
        .stdin(Stdio::null())
        .output()
        .ok()?;
    let sha = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (out.status.success() && sha.len() >= 40 && sha.bytes().all(|b| b.is_ascii_hexdigit()))
        .then_some(sha)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn git_urls() {
        for url in [
            "https://example.com/p.git",
            "file:///tmp/p",
            "git@host:p.git",
            "ssh://h/p",
            "x.git#v1",
        ] {
            assert!(is_git_url(url), "{url}");
        }
        for not in ["./pack", "pack", "/abs/dir"] {
            assert!(!is_git_url(not), "{not}");
        }
    }
}
