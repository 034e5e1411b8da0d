//! Plan → disk, atomically.
//!
//! A new target is written into a temporary directory beside it and renamed into place in
//! one step, so it either appears complete or not at all; on any error or interrupt the
//! temporary directory is removed. With `--force` into an existing directory, each file is
//! written to a temporary file beside it and renamed over the old one; user files are never
//! deleted, and every conflict (a directory where a file goes, a symlink on the way) is
//! found before the first byte is written.

use std::collections::HashSet;
use std::fs::{self, OpenOptions};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::interrupt;
use crate::plan::Plan;

/// What the target looks like before writing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetState {
    /// Nothing there.
    Missing,
    /// An empty directory.
    Empty,
    /// A directory with entries.
    NonEmpty,
}

/// Inspect the target path.
///
/// # Errors
/// A usage error when the target is a file or a symlink; an I/O error when it cannot be read.
pub fn inspect(target: &Path) -> Result<TargetState> {
    match fs::symlink_metadata(target) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(TargetState::Missing),
        Err(e) => Err(Error::io("cannot inspect", target, e)),
        Ok(meta) if meta.is_dir() => {
            let mut entries =
                fs::read_dir(target).map_err(|e| Error::io("cannot read", target, e))?;
            Ok(if entries.next().is_some() {
                TargetState::NonEmpty
            } else {
                TargetState::Empty
            })
        }
        Ok(_) => Err(Error::usage(format!(
            "target `{}` exists and is not a directory; choose another name or --output",
            target.display()
        ))),
    }
}

/// Check that `output` is (or can become) a directory we can write into, before anything
/// is rendered or asked.
///
/// # Errors
/// A usage error naming the part of the path that is in the way.
pub fn check_output(output: &Path) -> Result<()> {
    if output.to_str().is_none() {
        return Err(Error::usage(format!(
            "--output must be UTF-8 (`{}`); choose another directory",
            output.display()
        )));
    }
    let mut probe = output.to_path_buf();
    loop {
        match fs::metadata(&probe) {
            Ok(meta) if meta.is_dir() => break,
            Ok(_) => {
                return Err(Error::usage(format!(
                    "output `{}`: `{}` is not a directory; choose another --output",
                    output.display(),
                    probe.display()
                )))
            }
            Err(e)
                if !matches!(
                    e.kind(),
                    std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory
                ) =>
            {
                return Err(Error::usage(format!(
                    "output `{}`: {e}; choose another --output",
                    output.display()
                )))
            }
            Err(_) => match probe.parent() {
                Some(up) if !up.as_os_str().is_empty() => probe = up.to_path_buf(),
                _ => {
                    probe = PathBuf::from(".");
                    break;
                }
            },
        }
    }
    if !writable(&probe) {
        return Err(Error::usage(format!(
            "output `{}`: `{}` is not writable; choose another --output or fix its permissions",
            output.display(),
            probe.display()
        )));
    }
    Ok(())
}

fn writable(dir: &Path) -> bool {
    use std::os::unix::ffi::OsStrExt;
    let Ok(c) = std::ffi::CString::new(dir.as_os_str().as_bytes()) else {
        return false;
    };
    // SAFETY: `c` is a valid NUL-terminated path for the duration of the call.
    unsafe { libc::access(c.as_ptr(), libc::W_OK | libc::X_OK) == 0 }
}

/// What a write did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    /// Temporary directories of earlier runs that were killed (SIGKILL cannot be caught),
    /// found beside the target and removed.
    pub removed_leftovers: Vec<PathBuf>,
    /// Files that replaced existing ones (`--force` only).
    pub overwritten: Vec<String>,
    /// Files that already had exactly the planned bytes and were left alone (`--force` only).
    pub unchanged: Vec<String>,
}

/// A random hex suffix for temporary names.
fn temp_suffix() -> String {
    let mut buf = [0u8; 6];
    // Without randomness the pid alone still makes the name unique on this machine.
    let _ = getrandom::fill(&mut buf);
    let hex: String = buf.iter().map(|b| format!("{b:02x}")).collect();
    format!("{}-{hex}", std::process::id())
}

/// The prefix of every temporary name scaffold creates for `name`.
#[must_use]
pub fn temp_prefix(name: &str) -> String {
    format!(".{name}.scaffold-tmp-")
}

/// Whether a process with this id is running.
fn alive(pid: i32) -> bool {
    // SAFETY: signal 0 only checks that the process exists and may be signalled.
    let rc = unsafe { libc::kill(pid, 0) };
    rc == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

/// Remove temporary directories that earlier runs for the same name left beside the target
/// when they were killed: `.NAME.scaffold-tmp-PID-RANDOM` whose PID no longer runs.
fn remove_leftovers(parent: &Path, name: &str) -> Vec<PathBuf> {
    let prefix = temp_prefix(name);
    let Ok(entries) = fs::read_dir(parent) else {
        return Vec::new();
    };
    let mut removed = Vec::new();
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(rest) = file_name.to_str().and_then(|n| n.strip_prefix(&prefix)) else {
            continue;
        };
        let Some(pid) = rest.split('-').next().and_then(|p| p.parse::<i32>().ok()) else {
            continue;
        };
        if i32::try_from(std::process::id()).ok() != Some(pid) && !alive(pid) {
            let path = entry.path();
            if fs::remove_dir_all(&path).is_ok() {
                removed.push(path);
            }
        }
    }
    removed
}

/// Directories this run created (deepest first), removed on drop while they are empty,
/// unless disarmed.
struct EmptyDirs(Vec<PathBuf>);

impl Drop for EmptyDirs {
    fn drop(&mut self) {
        for dir in &self.0 {
            // `remove_dir` refuses a non-empty directory, which is what we want.
            if fs::remove_dir(dir).is_err() {
                break;
            }
        }
    }
}

/// Removes a path on drop unless disarmed.
struct Cleanup {
    path: Option<PathBuf>,
    dir: bool,
}

impl Cleanup {
    fn disarm(&mut self) {
        self.path = None;
    }
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        if let Some(path) = self.path.take() {
            let _ = if self.dir {
                fs::remove_dir_all(&path)
            } else {
                fs::remove_file(&path)
            };
        }
    }
}

/// A test-only seam (debug builds only): `SCAFFOLD_TEST_FAIL_AFTER=N` makes the write of the
/// (N+1)th file fail as if the disk were full, so the tests can prove what a failure in the
/// middle of the write phase leaves behind.
#[cfg(debug_assertions)]
fn injected_failure() -> std::io::Result<()> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static WRITTEN: AtomicUsize = AtomicUsize::new(0);
    let Some(limit) = std::env::var("SCAFFOLD_TEST_FAIL_AFTER")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
    else {
        return Ok(());
    };
    if WRITTEN.fetch_add(1, Ordering::SeqCst) >= limit {
        return Err(std::io::Error::from_raw_os_error(libc::ENOSPC));
    }
    Ok(())
}

#[cfg(not(debug_assertions))]
fn injected_failure() -> std::io::Result<()> {
    Ok(())
}

fn write_file(path: &Path, bytes: &[u8], executable: bool) -> Result<()> {
    injected_failure().map_err(|e| Error::io("cannot write", path, e))?;
    let mode = if executable { 0o755 } else { 0o644 };
    let mut f = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(path)
        .map_err(|e| Error::io("cannot create", path, e))?;
    f.write_all(bytes)
        .map_err(|e| Error::io("cannot write", path, e))
}

/// Write every planned file under `root`, creating directories as needed.
fn write_tree(plan: &Plan<'_>, root: &Path) -> Result<()> {
    let mut made: HashSet<&str> = HashSet::new();
    for file in &plan.files {
        if interrupt::requested() {
            return Err(Error::Interrupted);
        }
        if let Some((dir, _)) = file.path.rsplit_once('/') {
            if !made.contains(dir) {
                let d = root.join(dir);
                fs::create_dir_all(&d).map_err(|e| Error::io("cannot create directory", &d, e))?;
                made.insert(dir);
            }
        }
        place(&root.join(&file.path), file)?;
    }
    Ok(())
}

/// Create one planned entry: a file with its bytes and mode, or a symbolic link.
fn place(path: &Path, file: &crate::plan::PlannedFile<'_>) -> Result<()> {
    match (&file.link, &file.on_disk) {
        (Some(target), _) => std::os::unix::fs::symlink(target, path)
            .map_err(|e| Error::io("cannot create the link", path, e)),
        (None, Some((src, _))) => stream_file(src, path, file.executable),
        (None, None) => write_file(path, &file.bytes, file.executable),
    }
}

/// Copy a large verbatim file from the pack without holding it in memory.
fn stream_file(src: &Path, dest: &Path, executable: bool) -> Result<()> {
    let mut from = fs::File::open(src).map_err(|e| Error::io("cannot read", src, e))?;
    let mut to = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(if executable { 0o755 } else { 0o644 })
        .open(dest)
        .map_err(|e| Error::io("cannot create", dest, e))?;
    std::io::copy(&mut from, &mut to).map_err(|e| Error::io("cannot write", dest, e))?;
    Ok(())
}

/// Whether the file at `path` already holds exactly what `file` would write.
fn same_content(path: &Path, file: &crate::plan::PlannedFile<'_>) -> bool {
    use std::io::Read;
    if file.link.is_some() {
        return false;
    }
    let Some((src, size)) = &file.on_disk else {
        return fs::read(path).is_ok_and(|old| old == *file.bytes);
    };
    if fs::metadata(path).map(|m| m.len()).ok() != Some(*size) {
        return false;
    }
    let (Ok(mut a), Ok(mut b)) = (fs::File::open(path), fs::File::open(src)) else {
        return false;
    };
    // Fill each buffer completely (or to the end), so the two reads line up.
    fn fill(r: &mut fs::File, buf: &mut [u8]) -> std::io::Result<usize> {
        let mut n = 0;
        while n < buf.len() {
            match r.read(&mut buf[n..])? {
                0 => break,
                k => n += k,
            }
        }
        Ok(n)
    }
    let (mut x, mut y) = (vec![0u8; 64 * 1024], vec![0u8; 64 * 1024]);
    loop {
        let (Ok(n), Ok(m)) = (fill(&mut a, &mut x), fill(&mut b, &mut y)) else {
            return false;
        };
        if n != m || x[..n] != y[..m] {
            return false;
        }
        if n == 0 {
            return true;
        }
    }
}

/// Rename `from` to `to`, failing if `to` exists (unless it is an empty directory, which
/// `rename(2)` replaces atomically; a non-empty one makes it fail).
fn rename_into_place(from: &Path, to: &Path, to_exists: bool) -> std::io::Result<()> {
    if to_exists {
        return fs::rename(from, to);
    }
    #[cfg(target_os = "linux")]
    {
        use std::ffi::CString;
        use std::os::unix::ffi::OsStrExt;
        let f = CString::new(from.as_os_str().as_bytes()).map_err(std::io::Error::other)?;
        let t = CString::new(to.as_os_str().as_bytes()).map_err(std::io::Error::other)?;
        // SAFETY: both pointers are valid NUL-terminated strings for the duration of the call.
        let rc = unsafe {
            libc::renameat2(
                libc::AT_FDCWD,
                f.as_ptr(),
                libc::AT_FDCWD,
                t.as_ptr(),
                libc::RENAME_NOREPLACE,
            )
        };
        if rc == 0 {
            return Ok(());
        }
        let err = std::io::Error::last_os_error();
        // Filesystems without RENAME_NOREPLACE fall through to the portable path.
        if !matches!(err.raw_os_error(), Some(libc::EINVAL | libc::ENOSYS)) {
            return Err(err);
        }
    }
    if fs::symlink_metadata(to).is_ok() {
        return Err(std::io::Error::from(std::io::ErrorKind::AlreadyExists));
    }
    fs::rename(from, to)
}

/// Write a plan into a target that does not exist or is an empty directory.
///
/// # Errors
/// [`Error::TargetNotEmpty`] if the target filled up meanwhile, [`Error::Interrupted`] on
/// Ctrl-C, or the I/O error; in every case nothing is left behind.
pub fn write_new(plan: &Plan<'_>, target: &Path, name: &str) -> Result<Outcome> {
    let parent = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    // Create a missing output directory, and remove what we created if we fail, as long as
    // it is still empty: a concurrent run may have put its project there meanwhile.
    let mut created_parent = EmptyDirs(Vec::new());
    if !parent.exists() {
        let mut missing = vec![parent.clone()];
        let mut up = parent.parent();
        while let Some(dir) = up.filter(|d| !d.as_os_str().is_empty() && !d.exists()) {
            missing.push(dir.to_path_buf());
            up = dir.parent();
        }
        fs::create_dir_all(&parent)
            .map_err(|e| Error::io("cannot create directory", &parent, e))?;
        created_parent.0 = missing;
    }
    let removed_leftovers = remove_leftovers(&parent, name);
    let tmp = parent.join(format!("{}{}", temp_prefix(name), temp_suffix()));
    let _phase = interrupt::WritePhase::enter();
    fs::create_dir(&tmp).map_err(|e| Error::io("cannot write into", &parent, e))?;
    let mut cleanup = Cleanup {
        path: Some(tmp.clone()),
        dir: true,
    };
    write_tree(plan, &tmp)?;
    if interrupt::requested() {
        return Err(Error::Interrupted);
    }
    let existed = target.exists();
    match rename_into_place(&tmp, target, existed) {
        Ok(()) => {
            cleanup.disarm();
            created_parent.0.clear();
            Ok(Outcome {
                removed_leftovers,
                ..Outcome::default()
            })
        }
        Err(e)
            if e.kind() == std::io::ErrorKind::AlreadyExists
                || e.kind() == std::io::ErrorKind::DirectoryNotEmpty
                || e.raw_os_error() == Some(libc::ENOTEMPTY)
                || e.raw_os_error() == Some(libc::EEXIST) =>
        {
            Err(Error::TargetNotEmpty {
                path: target.to_path_buf(),
            })
        }
        Err(e) => Err(Error::io("cannot move the project into", target, e)),
    }
}

/// Write a plan into an existing, non-empty directory, one file at a time.
///
/// # Errors
/// A usage error for any conflict (found before writing anything), [`Error::Interrupted`]
/// on Ctrl-C, or the I/O error.
pub fn write_force(plan: &Plan<'_>, target: &Path) -> Result<Outcome> {
    let mut outcome = Outcome::default();
    let mut to_write = Vec::with_capacity(plan.files.len());
    let mut checked_dirs: HashSet<&str> = HashSet::new();
    for file in &plan.files {
        // Every directory on the way must be a real directory (or missing), never a symlink.
        let mut at = 0;
        while let Some(i) = file.path[at..].find('/') {
            let dir = &file.path[..at + i];
            at += i + 1;
            if !checked_dirs.insert(dir) {
                continue;
            }
            let p = target.join(dir);
            match fs::symlink_metadata(&p) {
                Ok(m) if m.file_type().is_symlink() => {
                    return Err(Error::usage(format!(
                        "`{}` is a symbolic link; scaffold does not write through links (remove it or choose another target)",
                        p.display()
                    )))
                }
                Ok(m) if !m.is_dir() => {
                    return Err(Error::usage(format!(
                        "`{}` is a file, but the pack puts a directory there; move it away first",
                        p.display()
                    )))
                }
                _ => {}
            }
        }
        let p = target.join(&file.path);
        match fs::symlink_metadata(&p) {
            // The pack's own link, already there as it would write it.
            Ok(m)
                if m.file_type().is_symlink()
                    && file.link.is_some()
                    && fs::read_link(&p).ok().and_then(|t| t.to_str().map(str::to_string)) == file.link =>
            {
                outcome.unchanged.push(file.path.clone());
            }
            Ok(m) if m.file_type().is_symlink() => {
                return Err(Error::usage(format!(
                    "`{}` is a symbolic link; scaffold does not replace links (remove it or choose another target)",
                    p.display()
                )))
            }
            Ok(m) if m.is_dir() => {
                return Err(Error::usage(format!(
                    "`{}` is a directory, but the pack writes a file there; move it away first",
                    p.display()
                )))
            }
            Ok(_) => {
                let same = same_content(&p, file);
                if same {
                    outcome.unchanged.push(file.path.clone());
                } else {
                    outcome.overwritten.push(file.path.clone());
                    to_write.push(file);
                }
            }
            Err(_) => to_write.push(file),
        }
    }

    let _phase = interrupt::WritePhase::enter();
    for file in to_write {
        if interrupt::requested() {
            return Err(Error::Interrupted);
        }
        let dest = target.join(&file.path);
        let dir = dest.parent().unwrap_or(target);
        fs::create_dir_all(dir).map_err(|e| Error::io("cannot create directory", dir, e))?;
        let base = dest.file_name().and_then(|n| n.to_str()).unwrap_or("file");
        let tmp = dir.join(format!("{}{}", temp_prefix(base), temp_suffix()));
        let mut cleanup = Cleanup {
            path: Some(tmp.clone()),
            dir: false,
        };
        place(&tmp, file)?;
        fs::rename(&tmp, &dest).map_err(|e| Error::io("cannot replace", &dest, e))?;
        cleanup.disarm();
    }
    Ok(outcome)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::PlannedFile;
    use std::borrow::Cow;
    use std::os::unix::fs::PermissionsExt;

    fn plan(files: &[(&str, &str)]) -> Plan<'static> {
        Plan {
            files: files
                .iter()
                .map(|(p, c)| PlannedFile {
                    path: (*p).into(),
                    bytes: Cow::Owned(c.as_bytes().to_vec()),
                    executable: c.starts_with("#!"),
                    link: None,
                    on_disk: None,
                })
                .collect(),
        }
    }

    fn listing(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = walkdir::WalkDir::new(dir)
            .min_depth(1)
            .into_iter()
            .filter_map(std::result::Result::ok)
            .map(|e| e.path().strip_prefix(dir).unwrap().display().to_string())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn writes_a_new_tree_and_leaves_no_temp() {
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("out/nested/app");
        let p = plan(&[("a/b.txt", "b"), ("run.sh", "#!/bin/sh\n"), ("z", "z")]);
        write_new(&p, &target, "app").unwrap();
        assert_eq!(listing(&target), ["a", "a/b.txt", "run.sh", "z"]);
        let mode = fs::metadata(target.join("run.sh"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o111, 0o111);
        assert_eq!(
            listing(&tmp.path().join("out/nested")),
            ["app", "app/a", "app/a/b.txt", "app/run.sh", "app/z"]
        );
    }

    #[test]
    fn fills_an_empty_directory() {
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("app");
        fs::create_dir(&target).unwrap();
        assert_eq!(inspect(&target).unwrap(), TargetState::Empty);
        write_new(&plan(&[("x", "1")]), &target, "app").unwrap();
        assert_eq!(listing(&target), ["x"]);
    }

    #[test]
    fn refuses_to_replace_a_target_that_appeared() {
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("app");
        fs::create_dir(&target).unwrap();
        fs::write(target.join("mine"), "keep").unwrap();
        // Pretend we inspected it while it was missing.
        let tmpdir = tmp.path().join(".app.scaffold-tmp-x");
        fs::create_dir(&tmpdir).unwrap();
        let err = rename_into_place(&tmpdir, &target, false).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::AlreadyExists);
        assert_eq!(fs::read_to_string(target.join("mine")).unwrap(), "keep");
    }

    #[test]
    fn failure_leaves_nothing_behind() {
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("new-parent/app");
        // Two files at the same path: the second create_new fails mid-write.
        let p = plan(&[("a", "1"), ("a", "2")]);
        assert!(write_new(&p, &target, "app").is_err());
        assert!(listing(tmp.path()).is_empty(), "{:?}", listing(tmp.path()));
    }

    #[test]
    fn force_keeps_user_files_and_reports_overwrites() {
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path();
        fs::write(target.join("user.txt"), "mine").unwrap();
        fs::write(target.join("README.md"), "old").unwrap();
        fs::write(target.join("same.txt"), "same").unwrap();
        let p = plan(&[("README.md", "new"), ("same.txt", "same"), ("src/x", "x")]);
        let out = write_force(&p, target).unwrap();
        assert_eq!(out.overwritten, ["README.md"]);
        assert_eq!(out.unchanged, ["same.txt"]);
        assert_eq!(fs::read_to_string(target.join("user.txt")).unwrap(), "mine");
        assert_eq!(fs::read_to_string(target.join("README.md")).unwrap(), "new");
        assert_eq!(
            listing(target),
            ["README.md", "same.txt", "src", "src/x", "user.txt"]
        );
    }

    #[test]
    fn force_refuses_conflicts_before_writing() {
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path();
        fs::write(target.join("src"), "a file where a dir goes").unwrap();
        let p = plan(&[("a.txt", "a"), ("src/x", "x")]);
        let err = write_force(&p, target).unwrap_err();
        assert_eq!(err.exit_code(), 2);
        assert!(
            !target.join("a.txt").exists(),
            "nothing written before the conflict check"
        );

        let tmp = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(outside.path(), tmp.path().join("src")).unwrap();
        let err = write_force(&p, tmp.path()).unwrap_err();
        assert!(err.to_string().contains("symbolic link"), "{err}");
        assert!(listing(outside.path()).is_empty());
    }

    #[test]
    fn leftovers_of_killed_runs_are_removed() {
        let tmp = tempfile::tempdir().unwrap();
        // A pid that cannot be running (above the kernel's pid_max).
        let dead = tmp.path().join(".app.scaffold-tmp-2147483646-abcdef");
        fs::create_dir_all(dead.join("half")).unwrap();
        let mine = tmp
            .path()
            .join(format!(".app.scaffold-tmp-{}-x", std::process::id()));
        fs::create_dir(&mine).unwrap();
        let other = tmp.path().join(".other.scaffold-tmp-2147483646-abcdef");
        fs::create_dir(&other).unwrap();
        let out = write_new(&plan(&[("a", "1")]), &tmp.path().join("app"), "app").unwrap();
        assert_eq!(out.removed_leftovers, vec![dead.clone()]);
        assert!(!dead.exists());
        assert!(mine.exists(), "a running process's directory is kept");
        assert!(other.exists(), "another name's directory is kept");
    }

    #[test]
    fn inspect_states() {
        let tmp = tempfile::tempdir().unwrap();
        assert_eq!(
            inspect(&tmp.path().join("none")).unwrap(),
            TargetState::Missing
        );
        fs::write(tmp.path().join("f"), "").unwrap();
        assert_eq!(inspect(tmp.path()).unwrap(), TargetState::NonEmpty);
        assert_eq!(inspect(&tmp.path().join("f")).unwrap_err().exit_code(), 2);
    }
}
