//! File-system primitives that refuse to follow links: directory handles opened with
//! `O_NOFOLLOW`, `*at` calls relative to them, `flock`-held directories and a rename that
//! never replaces. The writer and the git step build on them; they know nothing of plans.

use std::fs::{self, OpenOptions};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

pub(crate) fn cstr(s: &str) -> std::io::Result<std::ffi::CString> {
    std::ffi::CString::new(s).map_err(|_| std::io::Error::from_raw_os_error(libc::EINVAL))
}

pub(crate) fn check_rc(rc: libc::c_int) -> std::io::Result<()> {
    if rc < 0 {
        Err(std::io::Error::last_os_error())
    } else {
        Ok(())
    }
}

/// Open a directory without following a symbolic link at `path`.
pub(crate) fn open_dir(path: &Path) -> std::io::Result<fs::File> {
    OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_DIRECTORY | libc::O_NOFOLLOW | libc::O_CLOEXEC)
        .open(path)
}

/// Open the directory `name` inside `dir`, refusing a symbolic link.
pub(crate) fn open_dir_at(dir: &fs::File, name: &str) -> std::io::Result<fs::File> {
    use std::os::fd::{AsRawFd, FromRawFd};
    let c = cstr(name)?;
    // SAFETY: valid fd and NUL-terminated name; the new fd is owned by the returned File.
    let fd = unsafe {
        libc::openat(
            dir.as_raw_fd(),
            c.as_ptr(),
            libc::O_RDONLY | libc::O_DIRECTORY | libc::O_NOFOLLOW | libc::O_CLOEXEC,
        )
    };
    check_rc(fd)?;
    // SAFETY: `fd` was just opened and is owned by nobody else.
    Ok(unsafe { fs::File::from_raw_fd(fd) })
}

/// Create a new file `name` inside `dir` (never through a link, never over anything).
pub(crate) fn create_at(dir: &fs::File, name: &str, mode: u32) -> std::io::Result<fs::File> {
    use std::os::fd::{AsRawFd, FromRawFd};
    let c = cstr(name)?;
    // SAFETY: valid fd and NUL-terminated name; the new fd is owned by the returned File.
    let fd = unsafe {
        libc::openat(
            dir.as_raw_fd(),
            c.as_ptr(),
            libc::O_WRONLY | libc::O_CREAT | libc::O_EXCL | libc::O_NOFOLLOW | libc::O_CLOEXEC,
            mode as libc::c_uint,
        )
    };
    check_rc(fd)?;
    // SAFETY: `fd` was just opened and is owned by nobody else.
    Ok(unsafe { fs::File::from_raw_fd(fd) })
}

pub(crate) fn mkdir_at(dir: &fs::File, name: &str) -> std::io::Result<()> {
    use std::os::fd::AsRawFd;
    let c = cstr(name)?;
    // SAFETY: valid fd and NUL-terminated name.
    check_rc(unsafe { libc::mkdirat(dir.as_raw_fd(), c.as_ptr(), 0o755) })
}

pub(crate) fn symlink_at(target: &str, dir: &fs::File, name: &str) -> std::io::Result<()> {
    use std::os::fd::AsRawFd;
    let (t, c) = (cstr(target)?, cstr(name)?);
    // SAFETY: valid fd and NUL-terminated strings.
    check_rc(unsafe { libc::symlinkat(t.as_ptr(), dir.as_raw_fd(), c.as_ptr()) })
}

pub(crate) fn rename_at(
    from_dir: &fs::File,
    from: &str,
    to_dir: &fs::File,
    to: &str,
) -> std::io::Result<()> {
    use std::os::fd::AsRawFd;
    let (f, t) = (cstr(from)?, cstr(to)?);
    // SAFETY: valid fds and NUL-terminated names.
    check_rc(unsafe {
        libc::renameat(
            from_dir.as_raw_fd(),
            f.as_ptr(),
            to_dir.as_raw_fd(),
            t.as_ptr(),
        )
    })
}

pub(crate) fn flock(file: &fs::File, wait: bool) -> std::io::Result<()> {
    use std::os::fd::AsRawFd;
    let op = if wait {
        libc::LOCK_EX
    } else {
        libc::LOCK_EX | libc::LOCK_NB
    };
    // SAFETY: a valid fd.
    check_rc(unsafe { libc::flock(file.as_raw_fd(), op) })
}

/// An exclusive `flock` on a directory itself: no file is created in it, and the kernel
/// releases the lock when the handle is dropped or the process ends, however it ends.
pub struct HeldLock {
    _handle: fs::File,
}

/// Take an exclusive `flock` on the directory `path` (never through a link), waiting up to
/// `wait` for whoever holds it.
///
/// # Errors
/// [`std::io::ErrorKind::WouldBlock`] when another process still holds it after `wait`; the
/// I/O error of opening or locking it.
pub fn lock_dir(path: &Path, wait: std::time::Duration) -> std::io::Result<HeldLock> {
    use std::time::{Duration, Instant};
    let handle = open_dir(path)?;
    let deadline = Instant::now() + wait;
    let mut pause = Duration::from_millis(5);
    loop {
        match flock(&handle, false) {
            Ok(()) => return Ok(HeldLock { _handle: handle }),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                let now = Instant::now();
                if now >= deadline {
                    return Err(e);
                }
                std::thread::sleep(pause.min(deadline - now));
                pause = (pause * 2).min(Duration::from_millis(100));
            }
            Err(e) => return Err(e),
        }
    }
}

/// A temporary directory this run created and holds an `flock` on. The kernel releases the
/// lock when the process ends, however it ends, so another run (in any PID namespace, on
/// any machine sharing the file system's locks) can tell a live run's directory from a
/// leftover without trusting a process id.
pub struct DirLock {
    pub(crate) handle: fs::File,
}

impl DirLock {
    /// Create the directory `path` (which must not exist) and lock it.
    ///
    /// # Errors
    /// The I/O error of creating, opening or locking it.
    pub fn create(path: &Path) -> std::io::Result<DirLock> {
        // Another run's clean-up may find the directory between our mkdir and flock and
        // remove it (it is still empty then): whether it is gone before our open or only
        // after it, the path no longer holds a directory we locked, and we make it again.
        // Each concurrent run sweeps once, so a few rounds suffice; the bound only stops a
        // process that removes it on purpose, forever.
        for _ in 0..64 {
            fs::create_dir(path)?;
            let handle = match open_dir(path) {
                Ok(h) => h,
                // Removed between our mkdir and our open.
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => return Err(e),
            };
            flock(&handle, true)?;
            let lock = DirLock { handle };
            if lock.is_at(path) {
                return Ok(lock);
            }
        }
        Err(std::io::Error::other(
            "another process keeps removing the temporary directory",
        ))
    }

    /// Whether `path` is still the directory this lock was taken on.
    pub(crate) fn is_at(&self, path: &Path) -> bool {
        use std::os::unix::fs::MetadataExt;
        match (self.handle.metadata(), fs::symlink_metadata(path)) {
            (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino() && b.is_dir(),
            _ => false,
        }
    }
}
/// Rename `from` to `to`, failing if `to` exists.
///
/// # Errors
/// [`std::io::ErrorKind::AlreadyExists`] when `to` exists, or the I/O error.
pub fn rename_noreplace(from: &Path, to: &Path) -> std::io::Result<()> {
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

/// Fill `buf` from `file` as far as it goes (completely, or to the end of the file), so two
/// reads line up; how much was read.
///
/// # Errors
/// The read's error (an interrupted read is retried).
pub fn fill(file: &mut std::fs::File, buf: &mut [u8]) -> std::io::Result<usize> {
    use std::io::Read;
    let mut n = 0;
    while n < buf.len() {
        match file.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}
