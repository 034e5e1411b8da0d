//! Plan → disk, atomically.
//!
//! A new target is written into a temporary directory beside it and renamed into place in
//! one step, so it either appears complete or not at all; on any error or interrupt the
//! temporary directory is removed. With `--force` into an existing directory, each file is
//! written to a temporary file beside it and renamed over the old one; user files are never
//! deleted, and every conflict (a directory where a file goes, a symlink on the way) is
//! found before the first byte is written.

use std::collections::HashSet;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use crate::error::{Error, Result};
use crate::fsx::{create_at, flock, mkdir_at, open_dir, open_dir_at, rename_at, symlink_at};
pub use crate::fsx::{rename_noreplace, DirLock};
use crate::interrupt;
use crate::plan::{is_git_name, LinkTrouble, OnDisk, Plan, PlannedFile};

mod stream;

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
    /// found beside the target (or staged inside it) and removed.
    pub removed_leftovers: Vec<PathBuf>,
    /// Files that replaced existing ones (`--force` only).
    pub overwritten: Vec<String>,
    /// Files that already had exactly the planned bytes and were left alone (`--force` only).
    pub unchanged: Vec<String>,
    /// Secret files (such as `.env`) that already existed with other content and were kept:
    /// `--force` never replaces a secret.
    pub kept: Vec<String>,
}

/// How `--force` treats an existing file whose content differs from the new render.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Force {
    /// `--force`: replace only files that still hold what scaffold generated there (per the
    /// `[files]` hashes of the project's `.scaffold.toml`); anything else is refused.
    Generated,
    /// `--force --force`: replace every file the pack writes. Secret files are still kept.
    All,
}

/// The last step of a write, run while interrupts are still deferred: the git step. It gets
/// the directory holding the project and the files scaffold wrote there.
pub type Finish<'f> = &'f mut dyn FnMut(&Path, &[&str]) -> Result<()>;

/// The record scaffold writes at the root of every project; written last under `--force`.
const RECORD: &str = ".scaffold.toml";

/// The prefix of the staging directory `--force` creates inside the target.
pub const STAGE_PREFIX: &str = ".scaffold-stage-";

/// The environment variable that sets how long a run waits for another one writing into the
/// same project (seconds; `0` fails at once).
pub const ENV_LOCK_TIMEOUT: &str = "SCAFFOLD_LOCK_TIMEOUT";

/// How long a run waits for the project lock by default.
const LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(60);

/// A project held by this run: `--force` and `scaffold update` take it for their whole write
/// (checks, staging, renames, `.scaffold.toml` last, the git step), so two of them never
/// interleave in one project. It is an `flock` on the project directory itself, so it adds
/// no file to the project and the kernel releases it when the run ends, however it ends.
pub struct ProjectLock {
    _held: crate::fsx::HeldLock,
}

/// Take the project lock of `project`, waiting (up to `SCAFFOLD_LOCK_TIMEOUT` seconds, 60
/// by default) while another run holds it; that run's writes are complete when it is ours.
///
/// # Errors
/// [`Error::Limit`] when another run still holds it after the wait (nothing was written);
/// the I/O error when the directory cannot be opened or locked.
pub fn lock_project(project: &Path) -> Result<ProjectLock> {
    let wait = std::env::var(ENV_LOCK_TIMEOUT)
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map_or(LOCK_WAIT, std::time::Duration::from_secs);
    match crate::fsx::lock_dir(project, wait) {
        Ok(held) => Ok(ProjectLock { _held: held }),
        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => Err(Error::Limit {
            what: format!(
                "another scaffold run (`new --force` or `update`) is still writing into `{}` after {} s of waiting; nothing was written, run again when it is done",
                project.display(),
                wait.as_secs()
            ),
            env: format!("{ENV_LOCK_TIMEOUT}=SECONDS"),
        }),
        Err(e) => Err(Error::io("cannot lock the project directory", project, e)),
    }
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

/// Remove what earlier runs left in `parent` when they were killed: directories whose
/// name starts with one of `prefixes` and that no live run holds locked (a run that loses
/// its just-made directory this way notices and makes it again, see [`DirLock::create`]).
#[must_use]
pub fn remove_leftovers_in(parent: &Path, prefixes: &[&str]) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(parent) else {
        return Vec::new();
    };
    let mut removed = Vec::new();
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(n) = file_name.to_str() else {
            continue;
        };
        if !prefixes.iter().any(|p| n.starts_with(p)) {
            continue;
        }
        let path = entry.path();
        let Ok(handle) = open_dir(&path) else {
            continue;
        };
        if flock(&handle, false).is_err() {
            // A live run holds it.
            continue;
        }
        // A child of the killed run (git) may still be finishing a write: try a few times.
        for attempt in 0..5 {
            if fs::remove_dir_all(&path).is_ok() || !path.exists() {
                removed.push(path.clone());
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(50 << attempt));
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
            let _ = fs::remove_dir(dir);
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

/// Defence in depth: nothing scaffold writes may have a `.git` component, or git would run
/// the pack's hooks and configuration in the git step.
fn refuse_git_paths(plan: &Plan<'_>) -> Result<()> {
    check_links(plan)?;
    for f in &plan.files {
        let link_segs = f.link.as_deref().into_iter().flat_map(|l| l.split('/'));
        if f.path.split('/').chain(link_segs).any(is_git_name) {
            return Err(Error::usage(format!(
                "`{}` has a `.git` component; scaffold never writes repository metadata (the pack is unsafe)",
                f.path
            )));
        }
    }
    Ok(())
}

/// Every planned link must reach, through any chain of planned links, a file or directory
/// of the planned tree: never outside it, never itself, never a loop (the check lives in
/// [`crate::plan`], where `pack lint` uses it too).
fn check_links(plan: &Plan<'_>) -> Result<()> {
    let Some(problem) = plan.link_problems().into_iter().next() else {
        return Ok(());
    };
    let path = &problem.path;
    Err(Error::usage(match problem.trouble {
        LinkTrouble::Missing(_) => format!("the link `{path}` {}", problem.trouble),
        why => format!(
            "the link `{path}` {why}; scaffold only writes links that stay inside the project (the pack is unsafe)"
        ),
    }))
}

/// Whether a file's name marks it as holding secrets (`.env`, `.env.local`, but not
/// `.env.example`).
fn is_secret_name(path: &str) -> bool {
    let base = path.rsplit('/').next().unwrap_or(path);
    base == ".env"
        || base.strip_prefix(".env.").is_some_and(|rest| {
            !matches!(
                rest,
                "example" | "sample" | "template" | "dist" | "defaults" | "example.tera"
            )
        })
}

/// Whether a planned file holds secrets: by its name, or because it contains a secret
/// generated by `secret()` in its render. Such files are written 0600 and never replaced
/// by `--force`.
#[must_use]
pub fn is_secret(file: &PlannedFile<'_>) -> bool {
    file.link.is_none() && (file.secret || is_secret_name(&file.path))
}

fn mode_for(file: &PlannedFile<'_>) -> u32 {
    mode_of(file, file.executable)
}

/// The mode of a planned file that is `executable` or not.
fn mode_of(file: &PlannedFile<'_>, executable: bool) -> u32 {
    if is_secret(file) {
        0o600
    } else if executable {
        0o755
    } else {
        0o644
    }
}

/// Create one planned entry `name` inside the directory `dir`: a file with its bytes and
/// mode, or a symbolic link; never through a link.
fn place_at(dir: &fs::File, name: &str, file: &PlannedFile<'_>, shown: &Path) -> Result<()> {
    injected_failure().map_err(|e| Error::io("cannot write", shown, e))?;
    if let Some(target) = &file.link {
        return symlink_at(target, dir, name)
            .map_err(|e| Error::io("cannot create the link", shown, e));
    }
    let mut to =
        create_at(dir, name, mode_for(file)).map_err(|e| Error::io("cannot create", shown, e))?;
    match &file.on_disk {
        Some(d) => copy_checked(d, &mut to, shown)?,
        None => to
            .write_all(&file.bytes)
            .map_err(|e| Error::io("cannot write", shown, e))?,
    }
    Ok(())
}

thread_local! {
    /// The buffer pack files are copied through (one per thread, reused for every file).
    static COPY_BUF: std::cell::RefCell<Vec<u8>> = std::cell::RefCell::new(vec![0u8; 64 * 1024]);
}

/// Copy a pack file left on disk into `to`, checking that its bytes are still the ones hashed
/// when the pack was loaded (the record says what was written, even if the pack changes
/// while scaffold runs).
fn copy_checked(d: &OnDisk, to: &mut fs::File, shown: &Path) -> Result<()> {
    use sha2::Digest;
    use std::io::Read;
    use std::os::unix::fs::OpenOptionsExt;
    let read_err = |e| Error::io("cannot read", &d.path, e);
    // A file of a pack read at write is written by the write pass (`stream`), never here.
    let Some(seen) = d.seen() else {
        return Err(Error::Failed {
            message: format!(
                "`{}` was not read before it was copied; this is a bug in scaffold, please report it",
                d.path.display()
            ),
        });
    };
    let mut from = fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
        .open(&d.path)
        .map_err(read_err)?;
    COPY_BUF.with_borrow_mut(|buf| {
        let mut hasher = sha2::Sha256::new();
        let mut left = seen.size;
        while left > 0 {
            let want = usize::try_from(left).map_or(buf.len(), |l| l.min(buf.len()));
            let k = match from.read(&mut buf[..want]) {
                Ok(0) => break,
                Ok(k) => k,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(read_err(e)),
            };
            hasher.update(&buf[..k]);
            to.write_all(&buf[..k])
                .map_err(|e| Error::io("cannot write", shown, e))?;
            left -= k as u64;
        }
        if left > 0 || <[u8; 32]>::from(hasher.finalize()) != seen.sha256 {
            return Err(Error::Failed {
                message: format!(
                    "`{}` changed while scaffold was copying it from the pack; nothing was written, run scaffold again",
                    d.path.display()
                ),
            });
        }
        Ok(())
    })
}

/// Directory handles opened without following links, by relative path ("" is the root).
struct Dirs {
    open: std::collections::HashMap<String, fs::File>,
}

impl Dirs {
    fn new(root: fs::File) -> Dirs {
        let mut open = std::collections::HashMap::new();
        open.insert(String::new(), root);
        Dirs { open }
    }

    /// The handle of the directory that holds the planned `path` (created when missing),
    /// and the file's name in it; `root` is where `path` is shown from in errors.
    fn parent_of<'p>(&mut self, root: &Path, path: &'p str) -> Result<(&fs::File, &'p str)> {
        let (dir, name) = path.rsplit_once('/').unwrap_or(("", path));
        let handle = self
            .get(dir, true)
            .map_err(|e| Error::io("cannot create directory", root.join(dir), e))?;
        Ok((handle, name))
    }

    /// The handle of `rel` (creating missing directories when `create`), reached one
    /// component at a time from the root, never through a link.
    fn get(&mut self, rel: &str, create: bool) -> std::io::Result<&fs::File> {
        if !self.open.contains_key(rel) {
            let (parent, name) = rel.rsplit_once('/').unwrap_or(("", rel));
            self.get(parent, create)?;
            let up = &self.open[parent];
            let handle = match open_dir_at(up, name) {
                Err(e) if create && e.kind() == std::io::ErrorKind::NotFound => {
                    match mkdir_at(up, name) {
                        Err(e) if e.kind() != std::io::ErrorKind::AlreadyExists => return Err(e),
                        _ => {}
                    }
                    open_dir_at(up, name)?
                }
                other => other?,
            };
            self.open.insert(rel.to_string(), handle);
        }
        Ok(&self.open[rel])
    }
}

/// Plans of fewer files are written by one thread: starting another costs more than it
/// saves.
const PARALLEL_FROM: usize = 256;

/// The most threads that write one tree.
const MAX_WRITERS: usize = 4;

/// Write every planned file under `root`, creating directories as needed. A large plan is
/// cut into contiguous runs of about equal cost (a run of the sorted plan keeps mostly to
/// its own directories, so the writers seldom wait on one directory's lock), written by
/// one thread each, as many as the CPUs this process may use (up to [`MAX_WRITERS`]). The
/// first failure stops the others; nothing of this reaches the target before the rename.
fn write_tree(plan: &Plan<'_>, root: &Path) -> Result<()> {
    let files = plan.files.as_slice();
    // A pack read at write: its unread files and the record are written by the write pass.
    let later = plan.pending.is_some();
    let mine = if later {
        files.iter().filter(|f| !f.is_unread()).count()
    } else {
        files.len()
    };
    let writers = if mine < PARALLEL_FROM {
        1
    } else {
        std::thread::available_parallelism().map_or(1, |n| n.get().min(MAX_WRITERS))
    };
    if writers == 1 {
        return write_run(files, root, &AtomicBool::new(false), later);
    }
    let runs = split_by_cost(files, writers);
    let stop = AtomicBool::new(false);
    let results: Vec<Result<()>> = std::thread::scope(|scope| {
        let handles: Vec<_> = runs[1..]
            .iter()
            .map(|run| scope.spawn(|| write_run(run, root, &stop, later)))
            .collect();
        let mut results = vec![write_run(runs[0], root, &stop, later)];
        for handle in handles {
            results.push(handle.join().unwrap_or_else(|_| {
                Err(Error::Failed {
                    message: "a thread writing the project stopped unexpectedly; nothing was written, run scaffold again".into(),
                })
            }));
        }
        results
    });
    first_failure(results)
}

/// The first real failure of threads that wrote one tree, not a thread that stopped because
/// another failed.
fn first_failure(results: Vec<Result<()>>) -> Result<()> {
    let mut stopped = false;
    for result in results {
        match result {
            Err(Error::Interrupted) => stopped = true,
            Err(e) => return Err(e),
            Ok(()) => {}
        }
    }
    if stopped {
        return Err(Error::Interrupted);
    }
    Ok(())
}

/// Cut `files` into `n` contiguous runs of about equal cost (a fixed cost per file plus
/// its bytes; nothing for a file the write pass of a pack read at write writes).
fn split_by_cost<'f, 'a>(files: &'f [PlannedFile<'a>], n: usize) -> Vec<&'f [PlannedFile<'a>]> {
    const PER_FILE: u64 = 16 * 1024;
    let cost = |f: &PlannedFile<'_>| {
        if f.is_unread() {
            0
        } else {
            PER_FILE + f.size()
        }
    };
    let total: u64 = files.iter().map(cost).sum();
    let share = total / n as u64 + 1;
    let mut runs = Vec::with_capacity(n);
    let (mut start, mut acc) = (0, 0u64);
    for (i, f) in files.iter().enumerate() {
        acc += cost(f);
        if acc >= share && runs.len() + 1 < n {
            runs.push(&files[start..=i]);
            start = i + 1;
            acc = 0;
        }
    }
    runs.push(&files[start..]);
    runs
}

/// Write one run of planned files under `root`; stops early, as interrupted, when `stop`
/// is set (another run failed), and sets it when this one fails. With `later`, the files
/// the write pass of a pack read at write writes (its unread files, the record) are left.
fn write_run(files: &[PlannedFile<'_>], root: &Path, stop: &AtomicBool, later: bool) -> Result<()> {
    let result = (|| {
        let mut dirs = Dirs::new(open_dir(root).map_err(|e| Error::io("cannot open", root, e))?);
        for file in files {
            if interrupt::requested() || stop.load(Ordering::Relaxed) {
                return Err(Error::Interrupted);
            }
            if later && file.is_unread() {
                continue;
            }
            let (handle, name) = dirs.parent_of(root, &file.path)?;
            place_at(handle, name, file, &root.join(&file.path))?;
        }
        Ok(())
    })();
    if result.is_err() {
        stop.store(true, Ordering::Relaxed);
    }
    result
}

/// Whether the file at `path` already holds exactly what `file` would write.
fn same_content(path: &Path, file: &PlannedFile<'_>) -> bool {
    if file.link.is_some() {
        return false;
    }
    let Some(OnDisk { path: src, .. }) = file.on_disk.as_deref() else {
        return fs::read(path).is_ok_and(|old| old == *file.bytes);
    };
    if fs::metadata(path).map(|m| m.len()).ok() != Some(file.size()) {
        return false;
    }
    let (Ok(mut old), Ok(mut new)) = (fs::File::open(path), fs::File::open(src)) else {
        return false;
    };
    let (mut old_buf, mut new_buf) = (vec![0u8; 64 * 1024], vec![0u8; 64 * 1024]);
    loop {
        let (Ok(got_old), Ok(got_new)) = (
            crate::fsx::fill(&mut old, &mut old_buf),
            crate::fsx::fill(&mut new, &mut new_buf),
        ) else {
            return false;
        };
        if got_old != got_new || old_buf[..got_old] != new_buf[..got_new] {
            return false;
        }
        if got_old == 0 {
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
    rename_noreplace(from, to)
}

/// The write pass of a pack read at write: read the pack's files once, writing the kept
/// ones, then write the record (which holds the pack's content hash and every file's hash)
/// at the root of `root`.
fn write_pending(plan: &Plan<'_>, pending: &crate::plan::Pending<'_>, root: &Path) -> Result<()> {
    let unread = plan.files.iter().filter(|f| f.is_unread()).count();
    // The reader is one thread; the writers the others (no thread for a small pack).
    let writers = if unread < PARALLEL_FROM {
        0
    } else {
        std::thread::available_parallelism().map_or(1, |n| n.get().clamp(2, MAX_WRITERS) - 1)
    };
    let hash = stream::write_pending(&plan.files, pending, root, writers)?;
    let record = (pending.record)(&hash, plan);
    let shown = root.join(RECORD);
    let dir = open_dir(root).map_err(|e| Error::io("cannot open", root, e))?;
    create_at(&dir, RECORD, 0o644)
        .map_err(|e| Error::io("cannot create", &shown, e))?
        .write_all(record.as_bytes())
        .map_err(|e| Error::io("cannot write", &shown, e))?;
    let placed = plan.files.iter().find(|f| f.path == RECORD);
    if let Some(d) = placed.and_then(|f| f.on_disk.as_ref()) {
        use sha2::Digest;
        d.see(crate::plan::Seen {
            size: record.len() as u64,
            sha256: sha2::Sha256::digest(record.as_bytes()).into(),
            shebang: false,
        });
    }
    if let Some(f) = plan.files.iter().find(|f| f.is_unread()) {
        return Err(Error::Failed {
            message: format!(
                "`{}` was planned but not written; this is a bug in scaffold, please report it",
                f.path
            ),
        });
    }
    Ok(())
}

/// Check, just before the final rename, that the temporary tree is still the one this run
/// locked and holds every planned entry: a run that lost its directory to another process
/// must not move a partial tree into place.
fn verify_tree(plan: &Plan<'_>, lock: &DirLock, tmp: &Path) -> Result<()> {
    let intact = lock.is_at(tmp) && holds_every_entry(plan, tmp);
    if intact {
        Ok(())
    } else {
        Err(Error::Failed {
            message: format!(
                "the temporary directory `{}` was changed by another process while scaffold wrote into it; nothing was written, run scaffold again",
                tmp.display()
            ),
        })
    }
}

/// Whether the tree at `tmp` (listed through its path, directory by directory, so a
/// directory moved away since it was written is noticed) holds every planned entry. One
/// listing per directory instead of one `stat` (and path walk) per file.
fn holds_every_entry(plan: &Plan<'_>, tmp: &Path) -> bool {
    let mut missing: std::collections::HashSet<&str> =
        plan.files.iter().map(|f| f.path.as_str()).collect();
    let mut pending = vec![(tmp.to_path_buf(), String::new())];
    while let Some((dir, rel)) = pending.pop() {
        let Ok(entries) = fs::read_dir(&dir) else {
            return false;
        };
        for entry in entries {
            let Ok(entry) = entry else {
                return false;
            };
            let name = entry.file_name();
            let Some(name) = name.to_str() else {
                continue;
            };
            if rel.is_empty() && name == ".git" {
                // The repository the git step made: nothing planned lives there.
                continue;
            }
            let path = format!("{rel}{name}");
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                pending.push((entry.path(), format!("{path}/")));
            } else {
                missing.remove(path.as_str());
            }
        }
    }
    missing.is_empty()
}

/// Write a plan into a target that does not exist or is an empty directory.
///
/// # Errors
/// [`Error::TargetNotEmpty`] if the target filled up meanwhile, [`Error::Interrupted`] on
/// Ctrl-C, or the I/O error; in every case nothing is left behind.
pub fn write_new(plan: &Plan<'_>, target: &Path, name: &str) -> Result<Outcome> {
    write_new_with(plan, target, name, None)
}

/// [`write_new`], running `finish` (the git step) in the complete temporary tree before it
/// is renamed into place, so the project appears with its repository or not at all.
///
/// # Errors
/// See [`write_new`]; and whatever `finish` returns.
// Long because the steps (leftovers, lock, fill, verify, finish, rename) share the lock and
// the clean-up guard, and each step's failure must undo exactly what came before.
pub fn write_new_with(
    plan: &Plan<'_>,
    target: &Path,
    name: &str,
    finish: Option<Finish<'_>>,
) -> Result<Outcome> {
    refuse_git_paths(plan)?;
    // An existing (empty) target is filled in place, keeping its inode, mode and owner; its
    // real path is used, so `.` works too.
    let existing = fs::symlink_metadata(target).is_ok_and(|m| m.is_dir());
    let canonical;
    let target = if existing {
        canonical = fs::canonicalize(target).map_err(|e| Error::io("cannot inspect", target, e))?;
        canonical.as_path()
    } else {
        target
    };
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
    let removed_leftovers = remove_leftovers_in(&parent, &[&temp_prefix(name)]);
    let tmp = parent.join(format!("{}{}", temp_prefix(name), temp_suffix()));
    let _phase = interrupt::WritePhase::enter();
    let lock = lock_temp_dir(&tmp, &parent, &mut created_parent)?;
    let mut cleanup = Cleanup {
        path: Some(tmp.clone()),
        dir: true,
    };
    // The tree writer first: it leaves the pass's files by their being unread, which the
    // pass changes as it goes.
    write_tree(plan, &tmp)?;
    if let Some(pending) = &plan.pending {
        write_pending(plan, pending, &tmp)?;
    }
    if interrupt::requested() {
        return Err(Error::Interrupted);
    }
    verify_tree(plan, &lock, &tmp)?;
    if let Some(finish) = finish {
        let files: Vec<&str> = plan.files.iter().map(|f| f.path.as_str()).collect();
        finish(&tmp, &files)?;
        if interrupt::requested() {
            return Err(Error::Interrupted);
        }
        verify_tree(plan, &lock, &tmp)?;
    }
    if existing {
        fill_in_place(&tmp, target)?;
        cleanup.disarm();
        created_parent.0.clear();
        return Ok(Outcome {
            removed_leftovers,
            ..Outcome::default()
        });
    }
    match rename_into_place(&tmp, target, false) {
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

/// Create and lock the temporary directory `tmp` in `parent`. A concurrent run that failed
/// removes the output directory it created while that is still empty, which may be just
/// before our mkdir: then the directory is made again (and is ours to remove on failure).
fn lock_temp_dir(tmp: &Path, parent: &Path, created: &mut EmptyDirs) -> Result<DirLock> {
    let mut attempts = 0;
    loop {
        match DirLock::create(tmp) {
            Ok(lock) => return Ok(lock),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && attempts < 3 => {
                attempts += 1;
                if !parent.exists() {
                    fs::create_dir_all(parent)
                        .map_err(|e| Error::io("cannot create directory", parent, e))?;
                    if !created.0.iter().any(|d| d == parent) {
                        created.0.insert(0, parent.to_path_buf());
                    }
                }
            }
            Err(e) => {
                return Err(Error::usage(format!(
                    "cannot write into `{}`: {e}; choose another --output",
                    parent.display()
                )))
            }
        }
    }
}

/// Move every entry of the complete tree `tmp` into the empty directory `target`; if one
/// cannot be moved (the directory filled up meanwhile), the moved ones go back, so the
/// target is complete or untouched. Interrupts are deferred meanwhile.
fn fill_in_place(tmp: &Path, target: &Path) -> Result<()> {
    let not_empty = || Error::TargetNotEmpty {
        path: target.to_path_buf(),
    };
    if fs::read_dir(target)
        .map_err(|e| Error::io("cannot read", target, e))?
        .next()
        .is_some()
    {
        return Err(not_empty());
    }
    let names: Vec<std::ffi::OsString> = fs::read_dir(tmp)
        .map_err(|e| Error::io("cannot read", tmp, e))?
        .filter_map(|e| e.ok().map(|e| e.file_name()))
        .collect();
    let mut moved: Vec<&std::ffi::OsString> = Vec::with_capacity(names.len());
    for name in &names {
        if let Err(e) = rename_noreplace(&tmp.join(name), &target.join(name)) {
            for m in moved.iter().rev() {
                let _ = fs::rename(target.join(m), tmp.join(m));
            }
            return Err(if e.kind() == std::io::ErrorKind::AlreadyExists {
                not_empty()
            } else {
                Error::io("cannot move the project into", target, e)
            });
        }
        moved.push(name);
    }
    let _ = fs::remove_dir(tmp);
    Ok(())
}

/// The `[files]` table of the project's `.scaffold.toml`: each generated file's relative
/// path and the `sha256:<hex>` of the bytes scaffold wrote there. Empty when there is none.
fn generated_hashes(target: &Path) -> std::collections::HashMap<String, String> {
    let path = target.join(RECORD);
    let readable = fs::symlink_metadata(&path)
        .is_ok_and(|m| m.file_type().is_file() && m.len() <= 8 * 1024 * 1024);
    let Some(table) = readable
        .then(|| fs::read_to_string(&path).ok())
        .flatten()
        .and_then(|t| t.parse::<toml::Table>().ok())
    else {
        return std::collections::HashMap::new();
    };
    match table.get("files") {
        Some(toml::Value::Table(files)) => files
            .iter()
            .filter_map(|(k, v)| v.as_str().map(|h| (k.clone(), h.to_ascii_lowercase())))
            .collect(),
        _ => std::collections::HashMap::new(),
    }
}

/// `sha256:<hex>` of a file's bytes.
fn file_hash(path: &Path) -> Option<String> {
    use sha2::{Digest, Sha256};
    let mut f = fs::File::open(path).ok()?;
    let mut h = Sha256::new();
    std::io::copy(&mut f, &mut h).ok()?;
    Some(format!("sha256:{:x}", h.finalize()))
}

/// The longest file name most file systems allow, in bytes.
const NAME_MAX: usize = 255;

fn list(paths: &[String]) -> String {
    const SHOWN: usize = 20;
    let mut s = paths
        .iter()
        .take(SHOWN)
        .map(|p| format!("`{p}`"))
        .collect::<Vec<_>>()
        .join(", ");
    if paths.len() > SHOWN {
        s.push_str(&format!(" and {} more", paths.len() - SHOWN));
    }
    s
}

/// Write a plan into an existing, non-empty directory.
///
/// The whole write holds the [`ProjectLock`]: a second `--force` (or `scaffold update`) of
/// the same project waits until this one is done, then checks and writes against the tree
/// this one left. Everything that can be checked is checked before the first write: every conflict (a
/// directory where a file goes, a link on the way, a FIFO or device), names too long, an
/// unwritable directory, a file the user changed (refused unless [`Force::All`]). Then
/// every new file is staged in a locked directory inside the target, and only then are they
/// all renamed into place (`.scaffold.toml` last), each relative to a directory handle
/// opened without following links, so a directory swapped for a link meanwhile cannot
/// redirect a write. `finish` (the git step) runs last.
///
/// # Errors
/// A usage error for any conflict (found before writing anything), [`Error::Interrupted`]
/// on Ctrl-C before the first replacement, [`Error::InterruptedAfter`] after it,
/// [`Error::Limit`] when another run holds the project too long, or the I/O error (naming
/// what was and was not replaced).
pub fn write_force(
    plan: &Plan<'_>,
    target: &Path,
    force: Force,
    finish: Option<Finish<'_>>,
) -> Result<Outcome> {
    refuse_git_paths(plan)?;
    // --force compares each file with what is there, so it needs a pack read now.
    if plan.pending.is_some() {
        return Err(Error::Failed {
            message: "a pack read at write cannot be written with --force; this is a bug in scaffold, please report it".into(),
        });
    }
    // Held to the end (the git step included): every check below sees the tree as the
    // previous run left it, and no other run writes meanwhile.
    let _project = lock_project(target)?;
    let mut outcome = Outcome {
        removed_leftovers: remove_leftovers_in(
            target,
            &[STAGE_PREFIX, crate::git::TEMP_GIT_PREFIX],
        ),
        ..Outcome::default()
    };
    let ForcePlan {
        to_write,
        missing_dirs,
    } = check_force(plan, target, force, &mut outcome)?;

    let _phase = interrupt::WritePhase::enter();
    let stage = target.join(format!("{STAGE_PREFIX}{}", temp_suffix()));
    let lock = DirLock::create(&stage).map_err(|e| Error::io("cannot write into", target, e))?;
    let mut cleanup = Cleanup {
        path: Some(stage.clone()),
        dir: true,
    };
    for (i, file) in to_write.iter().enumerate() {
        if interrupt::requested() {
            return Err(Error::Interrupted);
        }
        place_at(&lock.handle, &i.to_string(), file, &target.join(&file.path))?;
    }
    if interrupt::requested() {
        return Err(Error::Interrupted);
    }
    // Open (and create) every destination directory before the first replacement.
    let mut created = EmptyDirs(Vec::new());
    let mut dirs = open_destinations(target, &to_write, &missing_dirs, &mut created)?;
    if interrupt::requested() {
        return Err(Error::Interrupted);
    }
    if !lock.is_at(&stage) {
        return Err(Error::Failed {
            message: format!(
                "the staging directory `{}` was changed by another process; nothing was replaced, run scaffold again",
                stage.display()
            ),
        });
    }
    // From here on every file is renamed into place; an interrupt waits for the end (a
    // rename takes microseconds), so the tree is never a mix of old and new files.
    let done = rename_staged(&lock, &mut dirs, &to_write)?;
    created.0.clear();
    cleanup.disarm();
    let _ = fs::remove_dir_all(&stage);
    finish_force(plan, target, &outcome, done.len(), finish)?;
    Ok(outcome)
}

/// Open (creating the missing ones) the directory of every file to write, noting in
/// `created` those made here (removed again if the write fails).
///
/// # Errors
/// The I/O error of opening or creating one.
fn open_destinations(
    target: &Path,
    to_write: &[&PlannedFile<'_>],
    missing_dirs: &[&str],
    created: &mut EmptyDirs,
) -> Result<Dirs> {
    let root = open_dir(target).map_err(|e| Error::io("cannot open", target, e))?;
    let mut dirs = Dirs::new(root);
    for file in to_write {
        let dir = file.path.rsplit_once('/').map_or("", |(d, _)| d);
        let mut at = 0;
        let mut parts: Vec<&str> = Vec::new();
        while let Some(i) = file.path[at..].find('/') {
            parts.push(&file.path[..at + i]);
            at += i + 1;
        }
        for d in parts {
            if missing_dirs.contains(&d) && !created.0.contains(&target.join(d)) {
                created.0.insert(0, target.join(d));
            }
        }
        dirs.get(dir, true)
            .map_err(|e| Error::io("cannot create directory", target.join(dir), e))?;
    }
    Ok(dirs)
}

/// After every file is in place: the git step, or the message of an interrupt that came
/// during the renames (the tree is complete then, and the message says what was written).
///
/// # Errors
/// [`Error::InterruptedAfter`], or the git step's error.
fn finish_force(
    plan: &Plan<'_>,
    target: &Path,
    outcome: &Outcome,
    written: usize,
    finish: Option<Finish<'_>>,
) -> Result<()> {
    let summary = format!(
        "every file was written ({} new, {} replaced{})",
        written - outcome.overwritten.len(),
        outcome.overwritten.len(),
        if outcome.overwritten.is_empty() {
            String::new()
        } else {
            format!(": {}", list(&outcome.overwritten))
        }
    );
    if interrupt::requested() {
        return Err(Error::InterruptedAfter {
            done: format!("{summary}; the git step was not run"),
        });
    }
    if let Some(finish) = finish {
        let files: Vec<&str> = plan
            .files
            .iter()
            .map(|f| f.path.as_str())
            .filter(|p| !outcome.kept.iter().any(|k| k == p))
            .collect();
        match finish(target, &files) {
            Err(Error::Interrupted) => {
                return Err(Error::InterruptedAfter {
                    done: format!(
                        "{summary}; the git step was interrupted and no repository was created"
                    ),
                })
            }
            other => other?,
        }
    }
    Ok(())
}

/// What `--force` will write, decided before anything is written.
struct ForcePlan<'p, 'a> {
    /// The files to write, `.scaffold.toml` last.
    to_write: Vec<&'p PlannedFile<'a>>,
    /// The directories on the way that do not exist yet.
    missing_dirs: Vec<&'p str>,
}

/// Check everything `--force` can check before the first write, and sort the plan's files
/// into those to write and those left alone (listed in `outcome`: unchanged, kept secrets,
/// and the overwritten ones to come).
///
/// # Errors
/// A usage error for the first conflict found; nothing has been written then.
// Long because each planned file goes through one sequence of checks (its name, every
// directory on the way, what is there now) whose refusals must all come before any write.
fn check_force<'p, 'a>(
    plan: &'p Plan<'a>,
    target: &Path,
    force: Force,
    outcome: &mut Outcome,
) -> Result<ForcePlan<'p, 'a>> {
    use std::os::unix::fs::{FileTypeExt, MetadataExt};
    let root_meta = fs::metadata(target).map_err(|e| Error::io("cannot inspect", target, e))?;
    let hashes = generated_hashes(target);
    let mut to_write = Vec::with_capacity(plan.files.len());
    let mut changed_by_user = Vec::new();
    let mut checked_dirs: HashSet<&str> = HashSet::new();
    let mut missing_dirs: Vec<&str> = Vec::new();
    let usage = |msg: String| Err(Error::usage(msg));
    for file in &plan.files {
        let base = file.path.rsplit('/').next().unwrap_or(&file.path);
        if base.len() > NAME_MAX || target.join(&file.path).as_os_str().len() >= 4096 {
            return usage(format!(
                "`{}`: the name is longer than the file system allows; nothing was written",
                file.path
            ));
        }
        // Every directory on the way must be a real directory (or missing), never a symlink,
        // on the same file system as the target (files are staged at its root).
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
                    return usage(format!(
                        "`{}` is a symbolic link; scaffold does not write through links (remove it or choose another target)",
                        p.display()
                    ))
                }
                Ok(m) if !m.is_dir() => {
                    return usage(format!(
                        "`{}` is a file, but the pack puts a directory there; move it away first",
                        p.display()
                    ))
                }
                Ok(m) if m.dev() != root_meta.dev() => {
                    return usage(format!(
                        "`{}` is on another file system than the target (a mount point); scaffold cannot replace files there atomically",
                        p.display()
                    ))
                }
                Ok(_) if !writable(&p) => {
                    return usage(format!(
                        "`{}` is not writable; fix its permissions first (nothing was written)",
                        p.display()
                    ))
                }
                Ok(_) => {}
                Err(_) => missing_dirs.push(dir),
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
                return usage(format!(
                    "`{}` is a symbolic link; scaffold does not replace links (remove it or choose another target)",
                    p.display()
                ))
            }
            Ok(m) if m.is_dir() => {
                return usage(format!(
                    "`{}` is a directory, but the pack writes a file there; move it away first",
                    p.display()
                ))
            }
            Ok(m) if !m.file_type().is_file() => {
                let kind = if m.file_type().is_fifo() {
                    "a FIFO"
                } else if m.file_type().is_socket() {
                    "a socket"
                } else {
                    "a device"
                };
                return usage(format!(
                    "`{}` is {kind}, not a regular file; move it away first (nothing was written)",
                    p.display()
                ));
            }
            Ok(_) if same_content(&p, file) => outcome.unchanged.push(file.path.clone()),
            // A secret (such as `.env`) is the user's from the moment it exists.
            Ok(_) if is_secret(file) => outcome.kept.push(file.path.clone()),
            Ok(_) => {
                let generated = file.path == RECORD
                    || hashes
                        .get(&file.path)
                        .is_some_and(|h| file_hash(&p).as_deref() == Some(h.as_str()));
                if !generated && force == Force::Generated {
                    changed_by_user.push(file.path.clone());
                }
                outcome.overwritten.push(file.path.clone());
                to_write.push(file);
            }
            Err(_) => to_write.push(file),
        }
    }
    if !changed_by_user.is_empty() {
        return usage(format!(
            "--force would overwrite {} file(s) that differ from what scaffold generated there: {}; `scaffold update` merges a new render with your changes, or pass --force twice (-ff) to overwrite them anyway. Nothing was written",
            changed_by_user.len(),
            list(&changed_by_user)
        ));
    }
    // A missing directory is created in the nearest existing one, which must be writable.
    for dir in &missing_dirs {
        let up = dir.rsplit_once('/').map_or("", |(u, _)| u);
        if (up.is_empty() || !missing_dirs.contains(&up)) && !writable(&target.join(up)) {
            return usage(format!(
                "`{}` is not writable; fix its permissions first (nothing was written)",
                target.join(up).display()
            ));
        }
    }
    if !writable(target) {
        return usage(format!(
            "`{}` is not writable; fix its permissions first (nothing was written)",
            target.display()
        ));
    }
    // `.scaffold.toml` last: it records answers that the tree then matches.
    to_write.sort_by_key(|f| f.path == RECORD);
    Ok(ForcePlan {
        to_write,
        missing_dirs,
    })
}

/// Rename every staged file (named by its index in `to_write`) into place, each relative to
/// its directory's handle; the paths moved.
///
/// # Errors
/// A failure naming what was and was not written.
fn rename_staged(
    lock: &DirLock,
    dirs: &mut Dirs,
    to_write: &[&PlannedFile<'_>],
) -> Result<Vec<String>> {
    let mut done: Vec<String> = Vec::with_capacity(to_write.len());
    for (i, file) in to_write.iter().enumerate() {
        let (dir, name) = file.path.rsplit_once('/').unwrap_or(("", &file.path));
        let moved = dirs
            .get(dir, false)
            .and_then(|d| rename_at(&lock.handle, &i.to_string(), d, name));
        if let Err(e) = moved {
            let rest: Vec<String> = to_write[i..].iter().map(|f| f.path.clone()).collect();
            return Err(Error::Failed {
                message: format!(
                    "cannot move `{}` into place ({e}); written: {}; not written: {}",
                    file.path,
                    if done.is_empty() {
                        "nothing".into()
                    } else {
                        list(&done)
                    },
                    list(&rest)
                ),
            });
        }
        done.push(file.path.clone());
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{PlannedFile, Seen};
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
                    secret: false,
                })
                .collect(),
            pending: None,
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
        std::fs::set_permissions(&target, fs::Permissions::from_mode(0o750)).unwrap();
        let before = {
            use std::os::unix::fs::MetadataExt;
            fs::metadata(&target).unwrap().ino()
        };
        write_new(&plan(&[("x", "1")]), &target, "app").unwrap();
        assert_eq!(listing(&target), ["x"]);
        let meta = fs::metadata(&target).unwrap();
        assert_eq!(
            std::os::unix::fs::MetadataExt::ino(&meta),
            before,
            "filled in place"
        );
        assert_eq!(meta.permissions().mode() & 0o777, 0o750);
        assert_eq!(listing(tmp.path()), ["app", "app/x"]);
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

    /// A large plan's runs: contiguous, in order, every file once, none costing much more
    /// than its share.
    #[test]
    fn large_plans_are_cut_into_contiguous_runs_of_about_equal_cost() {
        let file = |i: usize, size: usize| PlannedFile {
            path: format!("f{i:05}"),
            bytes: Cow::Owned(vec![b'x'; size]),
            executable: false,
            link: None,
            on_disk: None,
            secret: false,
        };
        let even: Vec<_> = (0..1000).map(|i| file(i, 100)).collect();
        let skewed: Vec<_> = (0..1000)
            .map(|i| file(i, if i < 10 { 1 << 20 } else { 10 }))
            .collect();
        for files in [&even, &skewed] {
            for n in 1..=4 {
                let runs = split_by_cost(files, n);
                assert_eq!(runs.len(), n);
                // Contiguous, in order, every file once.
                let joined: Vec<&str> = runs
                    .iter()
                    .flat_map(|r| r.iter().map(|f| f.path.as_str()))
                    .collect();
                let all: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
                assert_eq!(joined, all);
                let cost =
                    |r: &[PlannedFile<'_>]| r.iter().map(|f| 16 * 1024 + f.size()).sum::<u64>();
                let total = cost(files);
                for run in &runs {
                    assert!(
                        cost(run) <= total / n as u64 + 16 * 1024 + (1 << 20),
                        "n={n}"
                    );
                }
            }
        }
        // A few files, many writers: no empty run but the last.
        let few: Vec<_> = (0..3).map(|i| file(i, 1)).collect();
        let runs = split_by_cost(&few, 4);
        assert_eq!(runs.iter().map(|r| r.len()).sum::<usize>(), 3);
    }

    /// A plan of a pack read at write: `keep.txt` in memory, `z.txt` read from the pack at
    /// `root` by the write pass, and a record that holds the pack's content hash.
    fn read_at_write(root: &Path) -> Plan<'_> {
        let mut p = plan(&[("keep.txt", "k")]);
        p.files.push(PlannedFile {
            path: "z.txt".into(),
            bytes: Cow::Borrowed(&[]),
            executable: false,
            link: None,
            on_disk: Some(std::sync::Arc::new(OnDisk::unread())),
            secret: false,
        });
        p.add(PlannedFile {
            path: RECORD.into(),
            bytes: Cow::Borrowed(&[]),
            executable: false,
            link: None,
            on_disk: Some(std::sync::Arc::new(OnDisk::unread())),
            secret: false,
        })
        .unwrap();
        let planned = p.files.iter().position(|f| f.path == "z.txt");
        p.pending = Some(crate::plan::Pending {
            root,
            pack_files: vec![
                crate::plan::PackEntry::Held {
                    path: "pack.toml",
                    bytes: b"[pack]",
                    link: None,
                },
                crate::plan::PackEntry::Unread {
                    path: "z.txt",
                    planned,
                },
            ],
            label: "t".into(),
            max_total_bytes: u64::MAX,
            record: Box::new(|hash, plan| {
                let z = plan.files.iter().find(|f| f.path == "z.txt").unwrap();
                let seen = z.on_disk.as_ref().unwrap().seen().unwrap();
                format!("{hash} {}", seen.size)
            }),
        });
        p
    }

    /// The write pass of a pack read at write takes the pack's content hash as reading the
    /// pack now does, and records each file it writes.
    #[test]
    fn the_write_pass_hashes_the_pack_and_writes_its_files() {
        use sha2::Digest;
        let tmp = tempfile::tempdir().unwrap();
        let pack = tmp.path().join("pack");
        std::fs::create_dir(&pack).unwrap();
        std::fs::write(pack.join("z.txt"), "#!/bin/sh\n").unwrap();
        let target = tmp.path().join("out");
        write_new(&read_at_write(&pack), &target, "out").unwrap();
        let mut h = sha2::Sha256::new();
        crate::pack::hash_file(&mut h, "pack.toml", b"[pack]", None);
        crate::pack::hash_file(&mut h, "z.txt", b"#!/bin/sh\n", None);
        assert_eq!(
            std::fs::read_to_string(target.join(RECORD)).unwrap(),
            format!("sha256:{:x} 10", h.finalize())
        );
        assert_eq!(std::fs::read(target.join("z.txt")).unwrap(), b"#!/bin/sh\n");
        let mode = std::fs::metadata(target.join("z.txt"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o755);
    }

    /// The write pass reads each pack file when it writes it: one replaced by a link since
    /// the pack was listed is refused (never followed), one gone fails the write; either way
    /// nothing is left behind.
    #[test]
    fn a_pack_file_swapped_for_a_link_before_the_write_pass_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let outside = tmp.path().join("outside");
        std::fs::write(&outside, "not the pack's").unwrap();
        let linked = tmp.path().join("linked");
        std::fs::create_dir(&linked).unwrap();
        std::os::unix::fs::symlink(&outside, linked.join("z.txt")).unwrap();
        let gone = tmp.path().join("gone");
        std::fs::create_dir(&gone).unwrap();
        for root in [&linked, &gone] {
            let target = tmp.path().join("out");
            let err = write_new(&read_at_write(root), &target, "out").unwrap_err();
            assert!(err.to_string().contains("cannot read"), "{err}");
            assert!(!target.exists());
            assert!(
                !listing(tmp.path())
                    .iter()
                    .any(|n| n.contains("scaffold-tmp")),
                "{:?}",
                listing(tmp.path())
            );
        }
    }

    /// A file copied from a pack on disk is checked against the hash taken when the pack was
    /// loaded: changed since (same size or not), nothing is written.
    #[test]
    fn a_pack_file_changed_since_loading_fails_the_write() {
        use sha2::Digest;
        let tmp = tempfile::tempdir().unwrap();
        let src = tmp.path().join("pack-file");
        let loaded = vec![b'a'; 100 * 1024];
        let on_disk = |size: u64| {
            let mut p = plan(&[("keep.txt", "k")]);
            p.files.push(PlannedFile {
                path: "z/big.bin".into(),
                bytes: Cow::Borrowed(&[]),
                executable: false,
                link: None,
                on_disk: Some(std::sync::Arc::new(OnDisk::read(
                    src.clone(),
                    Seen {
                        size,
                        sha256: sha2::Sha256::digest(&loaded).into(),
                        shebang: false,
                    },
                ))),
                secret: false,
            });
            p
        };
        std::fs::write(&src, &loaded).unwrap();
        let target = tmp.path().join("ok");
        write_new(&on_disk(loaded.len() as u64), &target, "ok").unwrap();
        assert_eq!(std::fs::read(target.join("z/big.bin")).unwrap(), loaded);

        let mut changed = loaded.clone();
        changed[70 * 1024] = b'b';
        for (bytes, size) in [
            (changed, loaded.len() as u64),
            (vec![b'a'; 1000], loaded.len() as u64),
        ] {
            std::fs::write(&src, &bytes).unwrap();
            let target = tmp.path().join("changed");
            let err = write_new(&on_disk(size), &target, "changed").unwrap_err();
            assert!(
                err.to_string()
                    .contains("changed while scaffold was copying"),
                "{err}"
            );
            assert!(!target.exists());
        }
    }

    #[test]
    fn force_keeps_user_files_and_reports_overwrites() {
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path();
        fs::write(target.join("user.txt"), "mine").unwrap();
        fs::write(target.join("README.md"), "old").unwrap();
        fs::write(target.join("same.txt"), "same").unwrap();
        let p = plan(&[("README.md", "new"), ("same.txt", "same"), ("src/x", "x")]);
        let out = write_force(&p, target, Force::All, None).unwrap();
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
        let err = write_force(&p, target, Force::All, None).unwrap_err();
        assert_eq!(err.exit_code(), 2);
        assert!(
            !target.join("a.txt").exists(),
            "nothing written before the conflict check"
        );

        let tmp = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(outside.path(), tmp.path().join("src")).unwrap();
        let err = write_force(&p, tmp.path(), Force::All, None).unwrap_err();
        assert!(err.to_string().contains("symbolic link"), "{err}");
        assert!(listing(outside.path()).is_empty());
    }

    #[test]
    fn leftovers_of_killed_runs_are_removed() {
        let tmp = tempfile::tempdir().unwrap();
        // A pid that cannot be running (above the kernel's pid_max).
        let dead = tmp.path().join(".app.scaffold-tmp-2147483646-abcdef");
        fs::create_dir_all(dead.join("half")).unwrap();
        // A live run's directory: locked, whatever its name says.
        let mine = tmp.path().join(".app.scaffold-tmp-2147483646-live");
        let _held = DirLock::create(&mine).unwrap();
        fs::write(mine.join("half"), "x").unwrap();
        let other = tmp.path().join(".other.scaffold-tmp-2147483646-abcdef");
        fs::create_dir(&other).unwrap();
        let out = write_new(&plan(&[("a", "1")]), &tmp.path().join("app"), "app").unwrap();
        assert_eq!(out.removed_leftovers, vec![dead.clone()]);
        assert!(!dead.exists());
        assert!(mine.exists(), "a running process's directory is kept");
        assert!(other.exists(), "another name's directory is kept");
    }

    #[test]
    fn a_new_temporary_directory_survives_another_runs_cleanup() {
        // Another run's clean-up may find our directory between its mkdir and its lock, and
        // remove it: creating it must still end with a locked directory, never an error.
        let tmp = tempfile::tempdir().unwrap();
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let parent = tmp.path().to_path_buf();
        let sweepers: Vec<_> = (0..3)
            .map(|_| {
                let (stop, parent) = (stop.clone(), parent.clone());
                std::thread::spawn(move || {
                    while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                        let _ = remove_leftovers_in(&parent, &[".app.scaffold-tmp-"]);
                    }
                })
            })
            .collect();
        let mut failures = Vec::new();
        for i in 0..5000 {
            let dir = tmp.path().join(format!(".app.scaffold-tmp-{i}"));
            match DirLock::create(&dir) {
                Ok(lock) => assert!(lock.is_at(&dir), "round {i}"),
                Err(e) => failures.push(format!("round {i}: {e}")),
            }
        }
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        for s in sweepers {
            s.join().unwrap();
        }
        assert!(failures.is_empty(), "{failures:?}");
    }

    #[test]
    fn a_lock_held_in_another_process_keeps_the_directory() {
        let tmp = tempfile::tempdir().unwrap();
        let live = tmp.path().join(".app.scaffold-tmp-1-live");
        fs::create_dir(&live).unwrap();
        fs::write(live.join("f"), "x").unwrap();
        // flock(1) holds the lock in another process, as another run would (`-o`: only
        // flock itself, not its `sleep`).
        let mut holder = std::process::Command::new("flock")
            .arg("-o")
            .arg(&live)
            .args(["sleep", "30"])
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(300));
        assert!(remove_leftovers_in(tmp.path(), &[".app.scaffold-tmp-"]).is_empty());
        assert!(live.exists());
        holder.kill().unwrap();
        holder.wait().unwrap();
        assert_eq!(
            remove_leftovers_in(tmp.path(), &[".app.scaffold-tmp-"]),
            vec![live.clone()]
        );
    }

    #[test]
    fn secrets_are_private_and_never_replaced() {
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("app");
        let secret = crate::secrets::generate(32).unwrap();
        let mut p = plan(&[
            (".env", "KEY=1\n"),
            ("config/local.ini", &format!("key={secret}\n")),
            ("README.md", "r"),
        ]);
        // As the renderer marks a file whose template called `secret()`.
        for f in &mut p.files {
            f.secret = f.path == "config/local.ini";
        }
        write_new(&p, &target, "app").unwrap();
        let mode = |f: &str| fs::metadata(target.join(f)).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(".env"), 0o600);
        assert_eq!(mode("config/local.ini"), 0o600);
        assert_eq!(mode("README.md") & 0o077, 0o044 & mode("README.md"));
        fs::write(target.join(".env"), "KEY=mine\n").unwrap();
        let out = write_force(&p, &target, Force::All, None).unwrap();
        assert_eq!(out.kept, [".env"]);
        assert_eq!(
            fs::read_to_string(target.join(".env")).unwrap(),
            "KEY=mine\n"
        );
    }

    #[test]
    fn force_once_replaces_only_what_scaffold_generated() {
        use sha2::{Digest, Sha256};
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path();
        fs::write(target.join("gen.txt"), "old generated").unwrap();
        fs::write(target.join("mine.txt"), "edited by the user").unwrap();
        let hash = format!("sha256:{:x}", Sha256::digest(b"old generated"));
        fs::write(
            target.join(RECORD),
            format!(
                "[files]\n\"gen.txt\" = \"{hash}\"\n\"mine.txt\" = \"sha256:{}\"\n",
                "0".repeat(64)
            ),
        )
        .unwrap();
        let p = plan(&[("gen.txt", "new"), ("mine.txt", "new")]);
        let err = write_force(&p, target, Force::Generated, None).unwrap_err();
        assert_eq!(err.exit_code(), 2);
        assert!(err.to_string().contains("`mine.txt`"), "{err}");
        assert!(err.to_string().contains("--force twice"), "{err}");
        assert_eq!(
            fs::read_to_string(target.join("gen.txt")).unwrap(),
            "old generated"
        );
        let p = plan(&[("gen.txt", "new")]);
        write_force(&p, target, Force::Generated, None).unwrap();
        assert_eq!(fs::read_to_string(target.join("gen.txt")).unwrap(), "new");
        let p = plan(&[("mine.txt", "new")]);
        write_force(&p, target, Force::All, None).unwrap();
        assert_eq!(fs::read_to_string(target.join("mine.txt")).unwrap(), "new");
    }

    #[test]
    fn force_refuses_a_fifo_without_hanging_and_long_names() {
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path();
        let fifo = std::ffi::CString::new(target.join("pipe").to_str().unwrap()).unwrap();
        // SAFETY: a valid path.
        assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o644) }, 0);
        fs::write(target.join("x"), "x").unwrap();
        let err = write_force(
            &plan(&[("a", "a"), ("pipe", "p")]),
            target,
            Force::All,
            None,
        )
        .unwrap_err();
        assert!(err.to_string().contains("FIFO"), "{err}");
        assert!(!target.join("a").exists());
        let long = "n".repeat(256);
        let err =
            write_force(&plan(&[("a", "a"), (&long, "p")]), target, Force::All, None).unwrap_err();
        assert_eq!(err.exit_code(), 2, "{err}");
        assert!(!target.join("a").exists());
    }

    #[test]
    fn git_components_are_refused_before_writing() {
        for bad in [
            ".git/config",
            "a/.GIT/hooks/pre-commit",
            ".git./x",
            "Git~1/config",
        ] {
            let tmp = tempfile::tempdir().unwrap();
            let err = write_new(
                &plan(&[("a", "a"), (bad, "x")]),
                &tmp.path().join("app"),
                "app",
            )
            .unwrap_err();
            assert_eq!(err.exit_code(), 2, "{bad}: {err}");
            assert!(listing(tmp.path()).is_empty(), "{bad}");
        }
        assert!(!is_git_name(".gitignore") && !is_git_name(".github"));
    }

    fn with_links(files: &[(&str, &str)], links: &[(&str, &str)]) -> Plan<'static> {
        let mut p = plan(files);
        for (path, target) in links {
            p.files.push(PlannedFile {
                path: (*path).into(),
                bytes: Cow::Owned(Vec::new()),
                executable: false,
                link: Some((*target).into()),
                on_disk: None,
                secret: false,
            });
        }
        p.files.sort_by(|a, b| a.path.cmp(&b.path));
        p
    }

    #[test]
    fn links_are_resolved_against_the_planned_tree() {
        let ok = with_links(
            &[("a/f", "x")],
            &[("l1", "a/f"), ("l2", "l1"), ("d/up", "../a")],
        );
        assert!(check_links(&ok).is_ok());
        for (links, why) in [
            (vec![("l", "l")], "loop"),
            (vec![("l1", "l2"), ("l2", "l1")], "loop"),
            // Lexically inside; through the link `x/y/up` (to `x`) it leaves the project.
            (
                vec![("x/y/up", ".."), ("esc", "x/y/up/../../../etc/passwd")],
                "outside",
            ),
            (vec![("x/y/up", "../.."), ("p", "x/y/up/../etc")], "outside"),
            (vec![("dangling", "nothing")], "does not contain"),
        ] {
            let p = with_links(&[("a/f", "x"), ("x/y/z", "z")], &links);
            let tmp = tempfile::tempdir().unwrap();
            let err = write_new(&p, &tmp.path().join("app"), "app").unwrap_err();
            assert!(err.to_string().contains(why), "{links:?}: {err}");
            assert!(listing(tmp.path()).is_empty());
        }
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
