//! The write pass of a pack read at write ([`crate::pack::Reading::AtWrite`]): every file of
//! the pack is read once, in path order, feeding the pack's content hash as it goes, and the
//! files the plan keeps are written into the temporary tree as they are read, each hashed for
//! the record ([`crate::plan::OnDisk::see`]).
//!
//! The reader (the calling thread) reads and hashes the pack; small files are gathered into
//! batches that writer threads create, hash and write while the reader goes on. A few
//! batches circulate between them, so the memory the pass holds does not grow with the
//! pack. A file larger than one read is copied by the reader itself, chunk by chunk.

use std::fs;
use std::io::Write;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Mutex, PoisonError};

use sha2::{Digest, Sha256};

use super::{injected_failure, mode_of, Dirs};
use crate::error::{Error, Result};
use crate::fsx::{create_at, fill, open_dir};
use crate::interrupt;
use crate::plan::{PackEntry, Pending, PlannedFile, Seen};

/// The size of one read: a file that fits is read whole and written by a writer thread;
/// a larger one is copied by the reader in reads of this size.
const CHUNK: usize = 64 * 1024;

/// How many batches circulate between the reader and the writers.
const BATCHES: usize = 4;

/// The bytes a batch holds before it is handed to a writer (a file that fits in one read
/// always fits in an empty batch).
const BATCH_BYTES: usize = CHUNK;

/// The most files in one batch.
const BATCH_FILES: usize = 64;

/// Small files read by the reader, for a writer: their bytes end to end, and for each the
/// planned file it is and where its bytes end.
#[derive(Default)]
struct Batch {
    bytes: Vec<u8>,
    files: Vec<(usize, usize)>,
}

impl Batch {
    fn with_capacity() -> Batch {
        Batch {
            bytes: Vec::with_capacity(BATCH_BYTES),
            files: Vec::with_capacity(BATCH_FILES),
        }
    }

    fn fits(&self, n: usize) -> bool {
        self.files.len() < BATCH_FILES && self.bytes.len() + n <= BATCH_BYTES
    }

    /// Each file of the batch with its bytes.
    fn each(&self) -> impl Iterator<Item = (usize, &[u8])> {
        let mut start = 0;
        self.files.iter().map(move |&(planned, end)| {
            let bytes = &self.bytes[start..end];
            start = end;
            (planned, bytes)
        })
    }

    fn clear(&mut self) {
        self.bytes.clear();
        self.files.clear();
    }
}

/// Read every file of the pack once, in path order, writing the planned ones under `root`
/// with `writers` threads besides the caller's (0: the caller writes them too). Returns the
/// pack's content hash (`sha256:...`, the same as reading the pack now gives).
///
/// # Errors
/// A pack file that cannot be read or changed while it was read, a failed write, the size
/// limit, an interrupt; the first failure stops the other threads.
pub(super) fn write_pending(
    files: &[PlannedFile<'_>],
    pending: &Pending<'_>,
    root: &Path,
    writers: usize,
) -> Result<String> {
    let stop = AtomicBool::new(false);
    let mut reader = Reader {
        files,
        root,
        dirs: Dirs::new(open_dir(root).map_err(|e| Error::io("cannot open", root, e))?),
        hasher: Sha256::new(),
        scratch: vec![0u8; CHUNK],
        read: 0,
        max_total_bytes: pending.max_total_bytes,
        label: &pending.label,
        stop: &stop,
    };
    if writers == 0 {
        reader.run(pending, &mut Sink::Inline)?;
    } else {
        let (pool_tx, pool_rx) = mpsc::sync_channel::<Batch>(BATCHES);
        for _ in 1..BATCHES {
            let _ = pool_tx.send(Batch::with_capacity());
        }
        let (work_tx, work_rx) = mpsc::channel::<Batch>();
        let work_rx = Mutex::new(work_rx);
        let results: Vec<Result<()>> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..writers)
                .map(|_| {
                    let pool = pool_tx.clone();
                    let (work, stop) = (&work_rx, &stop);
                    scope.spawn(move || writer(files, root, work, &pool, stop))
                })
                .collect();
            drop(pool_tx);
            let mut sink = Sink::Threads {
                batch: Batch::with_capacity(),
                work: work_tx,
                pool: &pool_rx,
            };
            let read = reader.run(pending, &mut sink);
            if read.is_err() {
                stop.store(true, Ordering::Relaxed);
            }
            // Closing the work channel ends the writers once they have written what is in it.
            drop(sink);
            let mut results = vec![read];
            for handle in handles {
                results.push(handle.join().unwrap_or_else(|_| {
                    Err(Error::Failed {
                        message: "a thread writing the project stopped unexpectedly; nothing was written, run scaffold again".into(),
                    })
                }));
            }
            results
        });
        super::first_failure(results)?;
    }
    Ok(format!("sha256:{:x}", reader.hasher.finalize()))
}

/// Where the reader puts a small planned file it has read.
enum Sink<'s> {
    /// The reader writes it itself.
    Inline,
    /// Into a batch for the writer threads; a full batch goes to `work`, and an empty one
    /// comes back from `pool`.
    Threads {
        batch: Batch,
        work: mpsc::Sender<Batch>,
        pool: &'s mpsc::Receiver<Batch>,
    },
}

/// Reads the pack's files in path order, feeding its content hash.
struct Reader<'r, 'a> {
    files: &'r [PlannedFile<'a>],
    root: &'r Path,
    /// The reader's own directory handles (for what it writes itself).
    dirs: Dirs,
    /// The pack's content hash.
    hasher: Sha256,
    scratch: Vec<u8>,
    /// The bytes of the pack read so far.
    read: u64,
    max_total_bytes: u64,
    label: &'r str,
    stop: &'r AtomicBool,
}

impl Reader<'_, '_> {
    fn run(&mut self, pending: &Pending<'_>, sink: &mut Sink<'_>) -> Result<()> {
        // Where the pack file being read is (one buffer for all).
        let mut from = std::ffi::OsString::new();
        for entry in &pending.pack_files {
            if interrupt::requested() || self.stop.load(Ordering::Relaxed) {
                return Err(Error::Interrupted);
            }
            match *entry {
                PackEntry::Held { path, bytes, link } => {
                    self.count(bytes.len() as u64)?;
                    crate::pack::hash_file(&mut self.hasher, path, bytes, link);
                }
                PackEntry::Unread { path, planned } => {
                    from.clear();
                    from.push(pending.root);
                    from.push("/");
                    from.push(path);
                    self.read_file(path, Path::new(&from), planned, sink)?;
                }
            }
        }
        if let Sink::Threads { batch, work, .. } = sink {
            if !batch.files.is_empty() {
                work.send(std::mem::take(batch))
                    .map_err(|_| Error::Interrupted)?;
            }
        }
        Ok(())
    }

    /// Count `n` more bytes of the pack against the limit on a project's size.
    fn count(&mut self, n: u64) -> Result<()> {
        self.read += n;
        if self.read > self.max_total_bytes {
            return Err(crate::resolve::total_too_large_max(
                self.label,
                self.read,
                self.max_total_bytes,
            ));
        }
        Ok(())
    }

    /// Read the pack file `path` (at `from`) into the content hash, and write it as the
    /// planned file `planned`, if any.
    fn read_file(
        &mut self,
        path: &str,
        from: &Path,
        planned: Option<usize>,
        sink: &mut Sink<'_>,
    ) -> Result<()> {
        use std::os::unix::fs::OpenOptionsExt;
        let io = |e| Error::io("cannot read", from, e);
        // A link put there since the pack was listed is refused, not followed.
        let mut file = fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
            .open(from)
            .map_err(io)?;
        let n = fill(&mut file, &mut self.scratch).map_err(io)?;
        if n < CHUNK {
            // All of it is in the buffer.
            self.count(n as u64)?;
            crate::pack::hash_file(&mut self.hasher, path, &self.scratch[..n], None);
            return match planned {
                Some(i) => self.put(i, n, sink),
                None => Ok(()),
            };
        }
        let size = file.metadata().map_err(io)?.len();
        self.count(size)?;
        self.hasher.update(path.as_bytes());
        self.hasher.update([0]);
        self.hasher.update(size.to_le_bytes());
        let shebang = self.scratch.starts_with(b"#!");
        let mut to = match planned {
            Some(i) => Some((
                i,
                create(&mut self.dirs, self.root, &self.files[i], shebang)?,
            )),
            None => None,
        };
        let mut own = Sha256::new();
        let (mut k, mut total) = (n, 0u64);
        while k > 0 {
            total += k as u64;
            if total > size {
                break;
            }
            let chunk = &self.scratch[..k];
            self.hasher.update(chunk);
            if let Some((i, to)) = &mut to {
                own.update(chunk);
                to.write_all(chunk).map_err(|e| {
                    Error::io("cannot write", self.root.join(&self.files[*i].path), e)
                })?;
            }
            k = fill(&mut file, &mut self.scratch).map_err(io)?;
        }
        if total != size {
            return Err(io(std::io::Error::other(
                "the file changed size while it was read",
            )));
        }
        if let Some((i, _)) = to {
            see(
                &self.files[i],
                Seen {
                    size,
                    sha256: own.finalize().into(),
                    shebang,
                },
            );
        }
        Ok(())
    }

    /// Hand the `n` bytes in the buffer, the planned file `planned`, to the sink.
    fn put(&mut self, planned: usize, n: usize, sink: &mut Sink<'_>) -> Result<()> {
        let bytes = &self.scratch[..n];
        match sink {
            Sink::Inline => write_file(&mut self.dirs, self.root, &self.files[planned], bytes),
            Sink::Threads { batch, work, pool } => {
                if !batch.fits(n) {
                    work.send(std::mem::take(batch))
                        .map_err(|_| Error::Interrupted)?;
                    *batch = pool.recv().map_err(|_| Error::Interrupted)?;
                }
                batch.bytes.extend_from_slice(bytes);
                batch.files.push((planned, batch.bytes.len()));
                Ok(())
            }
        }
    }
}

/// A writer thread: writes the batches it is handed until the work channel closes; stops
/// early, as interrupted, when `stop` is set, and sets it when it fails.
fn writer(
    files: &[PlannedFile<'_>],
    root: &Path,
    work: &Mutex<mpsc::Receiver<Batch>>,
    pool: &mpsc::SyncSender<Batch>,
    stop: &AtomicBool,
) -> Result<()> {
    let result = (|| {
        let mut dirs = Dirs::new(open_dir(root).map_err(|e| Error::io("cannot open", root, e))?);
        loop {
            let next = work.lock().unwrap_or_else(PoisonError::into_inner).recv();
            let Ok(mut batch) = next else {
                return Ok(());
            };
            for (planned, bytes) in batch.each() {
                if interrupt::requested() || stop.load(Ordering::Relaxed) {
                    return Err(Error::Interrupted);
                }
                write_file(&mut dirs, root, &files[planned], bytes)?;
            }
            batch.clear();
            // The reader may be done and gone: then the batch is not needed.
            let _ = pool.send(batch);
        }
    })();
    if result.is_err() {
        stop.store(true, Ordering::Relaxed);
    }
    result
}

/// Write a small pack file read whole, and record what was read.
fn write_file(dirs: &mut Dirs, root: &Path, file: &PlannedFile<'_>, bytes: &[u8]) -> Result<()> {
    let shebang = bytes.starts_with(b"#!");
    create(dirs, root, file, shebang)?
        .write_all(bytes)
        .map_err(|e| Error::io("cannot write", root.join(&file.path), e))?;
    see(
        file,
        Seen {
            size: bytes.len() as u64,
            sha256: Sha256::digest(bytes).into(),
            shebang,
        },
    );
    Ok(())
}

/// Create the planned file (never through a link), executable when its bytes start with
/// `#!`.
fn create(dirs: &mut Dirs, root: &Path, file: &PlannedFile<'_>, shebang: bool) -> Result<fs::File> {
    let (handle, name) = dirs.parent_of(root, &file.path)?;
    injected_failure().map_err(|e| Error::io("cannot write", root.join(&file.path), e))?;
    create_at(handle, name, mode_of(file, shebang))
        .map_err(|e| Error::io("cannot create", root.join(&file.path), e))
}

fn see(file: &PlannedFile<'_>, seen: Seen) {
    if let Some(d) = &file.on_disk {
        d.see(seen);
    }
}
