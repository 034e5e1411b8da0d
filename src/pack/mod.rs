//! Template packs: where they come from (embedded in the binary, or a directory), their
//! files, and their checked manifest.
//!
//! A pack is a directory with `pack.toml` at its root. Built-in packs are `templates/<name>/`
//! embedded with include_dir, so the binary needs nothing on disk at run time; a directory
//! pack is read from disk and refused if anything in it is unsafe to render (a symlink,
//! a device, a FIFO, a name that is not UTF-8).

pub mod listing;
pub mod manifest;
pub mod source;

use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use include_dir::{include_dir, Dir};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
pub use crate::plan::{path_exists_in, resolve_link};
pub use crate::value::Value;
pub use manifest::{Kind, Manifest, Variable};

static BUILTIN: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/templates");

/// The manifest's file name.
pub const MANIFEST: &str = "pack.toml";

/// Where a pack came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// Embedded in the binary under this name.
    Builtin(String),
    /// Read from this directory.
    Dir(PathBuf),
    /// Cloned from this git URL (at this ref, if one was given).
    Git {
        /// The repository URL.
        url: String,
        /// The branch or tag.
        reference: Option<String>,
        /// The commit that was checked out, when git could tell.
        commit: Option<String>,
    },
    /// A user pack from the user pack directory.
    User(PathBuf),
}

pub use crate::plan::{OnDisk, Seen};

/// One file of a pack.
#[derive(Debug, Clone)]
pub struct PackFile {
    /// The path relative to the pack root, `/`-separated.
    pub path: String,
    /// The bytes, borrowed from the binary for built-in packs (empty for a link).
    pub contents: Cow<'static, [u8]>,
    /// For a symbolic link: its relative target, checked to stay inside the pack.
    pub link: Option<String>,
    /// A verbatim file of a directory pack left on disk and copied into the target when
    /// written, so a large file, or a pack of many files, never sits in memory.
    pub on_disk: Option<Arc<OnDisk>>,
}

/// Verbatim files above this size are streamed from the pack instead of loaded.
pub const STREAM_ABOVE: u64 = 1024 * 1024;

/// How many bytes of a directory pack's verbatim files are held in memory when it is loaded
/// for rendering; the files past it stay on disk (see [`OnDisk`]), so the memory a render
/// needs does not grow with the pack.
pub const IN_MEMORY_BUDGET: u64 = 4 * 1024 * 1024;

/// A loaded pack: its checked manifest and its files, sorted by path.
#[derive(Debug, Clone)]
pub struct Pack {
    /// The checked manifest.
    pub manifest: Manifest,
    /// Every file but `pack.toml`, sorted by path.
    pub files: Vec<PackFile>,
    /// Where it came from.
    pub origin: Origin,
    /// `sha256:` of every file's path and bytes (manifest included), in path order; computed
    /// only where it is recorded (the pack a project is made from), empty for an included
    /// pack and for a pack loaded for listing.
    pub content_hash: String,
    /// The packs named by the manifest's `[[include]]` tables, in the same order.
    pub includes: Vec<Pack>,
    /// For a pack read at write ([`Reading::AtWrite`]): where it is and its manifest's
    /// bytes, for the write pass (`content_hash` is empty until then). `None` for a pack
    /// read now.
    pub at_write: Option<AtWrite>,
}

/// What the write pass of a pack read at write needs besides its files.
#[derive(Debug, Clone)]
pub struct AtWrite {
    /// The pack's directory: an unread file is its path in the pack under it.
    pub root: PathBuf,
    /// The manifest's bytes, which the pack's content hash covers.
    pub manifest: Vec<u8>,
}

/// When a directory pack's verbatim files are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reading {
    /// While the pack is loaded: each one hashed (and up to [`IN_MEMORY_BUDGET`] of them
    /// held in memory). For every use of a pack.
    Now,
    /// Only listed while the pack is loaded, then read once, by the write pass of a new
    /// project, which hashes them as it copies them ([`crate::plan::Pending`]). For a pack
    /// written once into a new directory; a pack that includes other packs is read now.
    AtWrite,
}

impl Pack {
    /// A short label for messages: the built-in name or the directory.
    #[must_use]
    pub fn label(&self) -> String {
        match &self.origin {
            Origin::Builtin(name) => name.clone(),
            Origin::Dir(dir) | Origin::User(dir) => dir.display().to_string(),
            Origin::Git {
                url,
                reference: Some(r),
                ..
            } => format!("{url}#{r}"),
            Origin::Git {
                url,
                reference: None,
                ..
            } => url.clone(),
        }
    }

    /// The pack's name from its manifest.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.manifest.pack.name
    }
}

/// The names of the built-in packs, sorted.
#[must_use]
pub fn builtin_names() -> Vec<&'static str> {
    let mut names: Vec<&str> = BUILTIN
        .dirs()
        .filter(|d| has_manifest(d))
        .filter_map(|d| d.path().to_str())
        .collect();
    names.sort_unstable();
    names
}

/// Whether an embedded directory holds a `pack.toml` of its own (looked for among its own
/// files: `Dir::get_file` searches the whole embedded tree).
fn has_manifest(dir: &Dir<'_>) -> bool {
    dir.files()
        .any(|f| f.path().file_name().is_some_and(|n| n == MANIFEST))
}

/// Load a built-in pack by name.
///
/// # Errors
/// A usage error naming the built-in packs when there is none by that name; a pack error
/// when its manifest is broken.
pub fn load_builtin(name: &str) -> Result<Pack> {
    load_builtin_as(name, Hash::Record)
}

/// [`load_builtin`] without computing the content hash (left empty): for listing, where no
/// hash is recorded.
///
/// # Errors
/// See [`load_builtin`].
pub fn load_builtin_unhashed(name: &str) -> Result<Pack> {
    load_builtin_as(name, Hash::Skip)
}

/// Whether [`assemble`] computes the content hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Hash {
    /// Compute it: the pack's hash goes into the project's record.
    Record,
    /// Leave it empty: nothing records it.
    Skip,
    /// Computed already, while the files were read ([`read_dir`]).
    Known(String),
}

fn load_builtin_as(name: &str, hash: Hash) -> Result<Pack> {
    let dir = builtin_dir(name)
        .filter(|d| has_manifest(d))
        .ok_or_else(|| {
            Error::usage(format!(
                "there is no built-in pack `{name}` (built-in packs: {})",
                builtin_names().join(", ")
            ))
        })?;
    let mut files = Vec::new();
    collect_embedded(dir, dir.path(), &mut files);
    // Hashed when scaffold was built (`build.rs`).
    let hash = match hash {
        Hash::Record => built_hash(name).map_or(Hash::Record, |h| Hash::Known(h.to_string())),
        other => other,
    };
    let mut pack = assemble(files, Origin::Builtin(name.to_string()), name, hash)?;
    load_includes(&mut pack, None, 0)?;
    Ok(pack)
}

include!(concat!(env!("OUT_DIR"), "/builtin_hashes.rs"));

/// The content hash of a built-in pack, computed by the build script.
fn built_hash(name: &str) -> Option<&'static str> {
    BUILTIN_HASHES
        .iter()
        .find(|(pack, _)| *pack == name)
        .map(|(_, hash)| *hash)
}

/// How deep includes may nest (a pack including a pack including ...): deeper is a cycle.
const MAX_INCLUDE_DEPTH: usize = 4;

/// Load the packs a pack includes: a directory relative to `base` (for directory and git
/// packs) or a built-in pack by name.
///
/// # Errors
/// An include naming nothing, nesting too deep, or a broken included pack.
pub fn load_includes(pack: &mut Pack, base: Option<&Path>, depth: usize) -> Result<()> {
    if pack.manifest.include.is_empty() {
        return Ok(());
    }
    if depth >= MAX_INCLUDE_DEPTH {
        return Err(Error::pack(
            pack.label(),
            format!("includes nest more than {MAX_INCLUDE_DEPTH} deep; is there a cycle?"),
        ));
    }
    let mut loaded = Vec::with_capacity(pack.manifest.include.len());
    for inc in &pack.manifest.include {
        // Checked by the manifest already; kept here so no path leaves the pack whatever
        // built the manifest.
        if !manifest::include_name_is_confined(&inc.pack) {
            return Err(Error::pack(
                pack.label(),
                format!(
                    "pack.toml: include `{}` leaves the pack; name a built-in pack or a directory inside this pack",
                    inc.pack
                ),
            ));
        }
        let local = match base {
            Some(b) => confined_include(b, &inc.pack, &pack.label())?,
            None => None,
        };
        let mut sub = if let Some(dir) = &local {
            let (files, _) = read_dir(dir, false, IN_MEMORY_BUDGET)?;
            assemble(
                files,
                Origin::Dir(dir.clone()),
                &dir.display().to_string(),
                Hash::Skip,
            )?
        } else if builtin_names().contains(&inc.pack.as_str()) {
            let dir = builtin_dir(&inc.pack)
                .ok_or_else(|| Error::pack(pack.label(), "missing built-in"))?;
            let mut files = Vec::new();
            collect_embedded(dir, dir.path(), &mut files);
            assemble(
                files,
                Origin::Builtin(inc.pack.clone()),
                &inc.pack,
                Hash::Skip,
            )?
        } else {
            return Err(Error::pack(
                pack.label(),
                format!(
                    "pack.toml: include `{}` is neither a directory next to the pack nor a built-in pack ({})",
                    inc.pack,
                    builtin_names().join(", ")
                ),
            ));
        };
        load_includes(&mut sub, local.as_deref(), depth + 1)?;
        loaded.push(sub);
    }
    // A local included pack lives inside the including one: its files are its own, not
    // the including pack's.
    for inc in &pack.manifest.include {
        if base.is_some_and(|b| b.join(&inc.pack).join(MANIFEST).is_file()) {
            let prefix = format!(
                "{}/",
                inc.pack.trim_start_matches("./").trim_end_matches('/')
            );
            pack.files.retain(|f| !f.path.starts_with(&prefix));
        }
    }
    pack.includes = loaded;
    Ok(())
}

/// The directory `name` inside the pack at `base`, when it holds a pack; refused when it
/// resolves (through a link) outside `base`.
fn confined_include(base: &Path, name: &str, label: &str) -> Result<Option<PathBuf>> {
    let dir = base.join(name);
    if !dir.join(MANIFEST).is_file() {
        return Ok(None);
    }
    let real_base = base
        .canonicalize()
        .map_err(|e| Error::io("cannot read", base, e))?;
    let real = dir
        .canonicalize()
        .map_err(|e| Error::io("cannot read", &dir, e))?;
    if !real.starts_with(&real_base) {
        return Err(Error::pack(
            label,
            format!(
                "pack.toml: include `{name}` leads outside the pack (to `{}`); included directories must be inside it",
                real.display()
            ),
        ));
    }
    Ok(Some(dir))
}

/// The raw files of a built-in pack (manifest included), for `scaffold pack export`.
///
/// # Errors
/// When there is no built-in pack by that name.
pub fn builtin_files(name: &str) -> Result<Vec<PackFile>> {
    let dir = builtin_dir(name)
        .ok_or_else(|| Error::usage(format!("there is no built-in pack `{name}`")))?;
    let mut files = Vec::new();
    collect_embedded(dir, dir.path(), &mut files);
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

fn builtin_dir(name: &str) -> Option<&'static Dir<'static>> {
    if name.starts_with('.') {
        // `.history` and the like: kept beside the packs, never a pack.
        return None;
    }
    BUILTIN.dirs().find(|d| d.path() == Path::new(name))
}

/// The directory of `templates/` that keeps earlier releases of the built-in packs, as
/// `.history/<release>/<pack>/`. It starts with a dot and has no `pack.toml`, so it is
/// never listed, exported or linted as a pack.
pub const HISTORY_DIR: &str = ".history";

/// The kept releases of the built-in packs, embedded with them (see [`HISTORY_DIR`]).
#[must_use]
pub fn builtin_history() -> Option<&'static Dir<'static>> {
    BUILTIN.get_dir(HISTORY_DIR)
}

fn collect_embedded(dir: &'static Dir<'static>, root: &Path, out: &mut Vec<PackFile>) {
    for file in dir.files() {
        if let Some(path) = file.path().strip_prefix(root).ok().and_then(Path::to_str) {
            out.push(PackFile {
                path: path.replace('\\', "/"),
                contents: Cow::Borrowed(file.contents()),
                link: None,
                on_disk: None,
            });
        }
    }
    for sub in dir.dirs() {
        collect_embedded(sub, root, out);
    }
}

/// Load a pack from a directory.
///
/// # Errors
/// A usage error when the directory has no `pack.toml`; a pack error for anything in it
/// that cannot be rendered safely; an I/O error when it cannot be read.
pub fn load_dir(dir: &Path) -> Result<Pack> {
    load_dir_as(dir, true)
}

/// [`load_dir`], reading the verbatim files now or when the project is written.
///
/// # Errors
/// See [`load_dir`].
pub fn load_dir_reading(dir: &Path, reading: Reading) -> Result<Pack> {
    match reading {
        Reading::Now => load_dir(dir),
        Reading::AtWrite => {
            let label = dir.display().to_string();
            load_at_write(dir, Origin::Dir(dir.to_path_buf()), &label)?
                .map_or_else(|| load_dir(dir), Ok)
        }
    }
}

/// A directory (or git checkout) pack read at write: its verbatim files listed, not read
/// (see [`Reading::AtWrite`]). `None` when the pack includes other packs: an included
/// directory pack's files are part of the including pack's content hash but not of its
/// files, so such a pack is read now.
///
/// # Errors
/// See [`load_dir`].
pub(crate) fn load_at_write(dir: &Path, origin: Origin, label: &str) -> Result<Option<Pack>> {
    let files = read_dir_at_write(dir)?;
    let manifest = files
        .iter()
        .find(|f| f.path == MANIFEST)
        .map(|f| f.contents.to_vec())
        .unwrap_or_default();
    let mut pack = assemble(files, origin, label, Hash::Skip)?;
    if !pack.manifest.include.is_empty() {
        return Ok(None);
    }
    pack.at_write = Some(AtWrite {
        root: dir.to_path_buf(),
        manifest,
    });
    Ok(Some(pack))
}

/// [`load_dir`] without computing the content hash (left empty): for listing, where no hash
/// is recorded.
///
/// # Errors
/// See [`load_dir`].
pub fn load_dir_unhashed(dir: &Path) -> Result<Pack> {
    load_dir_as(dir, false)
}

fn load_dir_as(dir: &Path, record: bool) -> Result<Pack> {
    let (files, content_hash) = read_dir(dir, record, IN_MEMORY_BUDGET)?;
    let mut pack = assemble(
        files,
        Origin::Dir(dir.to_path_buf()),
        &dir.display().to_string(),
        content_hash.map_or(Hash::Skip, Hash::Known),
    )?;
    load_includes(&mut pack, Some(dir), 0)?;
    Ok(pack)
}

/// Read every file of a directory pack (manifest included) into memory, refusing anything
/// unsafe; what `pack lint` reads. Files over [`STREAM_ABOVE`] stay on disk.
///
/// # Errors
/// See [`read_dir`].
pub fn read_dir_files(dir: &Path) -> Result<Vec<PackFile>> {
    Ok(read_dir(dir, false, u64::MAX)?.0)
}

/// Read a directory pack: every file's path, the templates' and the manifest's bytes, and
/// verbatim files' bytes up to `budget` in all (the others stay on disk, [`OnDisk`]); with
/// `hash`, the pack's content hash too (the same as [`assemble`] computes), taken while the
/// files are read, so no file is read twice.
///
/// One walk, one sort: each directory is listed once (entry types from the listing, no
/// `stat` per file), then each file opened and read in one `read` (plus the one that finds
/// its end), in path order.
///
/// # Errors
/// A usage error when the directory has no `pack.toml`; a pack error for a symlink, a
/// device, a FIFO or a name that is not UTF-8; an I/O error when it cannot be read.
pub(crate) fn read_dir(
    dir: &Path,
    hash: bool,
    budget: u64,
) -> Result<(Vec<PackFile>, Option<String>)> {
    let (label, max_template, listed) = list_dir(dir)?;
    let mut reader = Reader {
        max_template,
        scratch: vec![0u8; SCRATCH],
        label,
        budget,
        hasher: hash.then(Sha256::new),
    };
    let mut files = Vec::with_capacity(listed.len());
    for (rel, path, is_link) in listed {
        let file = if is_link {
            let file = link_file(&path, rel, &reader.label)?;
            if let Some(h) = &mut reader.hasher {
                hash_file(h, &file.path, &[], file.link.as_deref());
            }
            file
        } else {
            reader.read(&path, rel)?
        };
        files.push(file);
    }
    check_links_land(&files, &reader.label)?;
    let content_hash = reader.hasher.map(|h| format!("sha256:{:x}", h.finalize()));
    Ok((files, content_hash))
}

/// A directory pack as [`read_dir`] reads it, except that its verbatim files are only listed
/// ([`OnDisk::unread`]): the manifest, the templates and the links are read.
///
/// # Errors
/// See [`read_dir`].
pub(crate) fn read_dir_at_write(dir: &Path) -> Result<Vec<PackFile>> {
    let (label, max_template, listed) = list_dir(dir)?;
    let mut reader = Reader {
        max_template,
        scratch: Vec::new(),
        label,
        budget: 0,
        hasher: None,
    };
    let mut files = Vec::with_capacity(listed.len());
    for (rel, path, is_link) in listed {
        let file = if is_link {
            link_file(&path, rel, &reader.label)?
        } else if rel.ends_with(".tera") || rel == MANIFEST {
            if reader.scratch.is_empty() {
                reader.scratch = vec![0u8; SCRATCH];
            }
            reader.read(&path, rel)?
        } else {
            PackFile {
                path: rel,
                contents: Cow::Borrowed(&[]),
                link: None,
                on_disk: Some(Arc::new(OnDisk::unread())),
            }
        };
        files.push(file);
    }
    check_links_land(&files, &reader.label)?;
    Ok(files)
}

/// Every file of a directory pack: its path in the pack, its path on disk and whether it is
/// a link, sorted by pack path.
type Listing = Vec<(String, PathBuf, bool)>;

/// List a directory pack (`pack.toml` checked first); with the pack's label and the
/// template size limit.
///
/// One walk, one sort: each directory is listed once (entry types from the listing, no
/// `stat` per file).
///
/// # Errors
/// See [`read_dir`].
fn list_dir(dir: &Path) -> Result<(String, u64, Listing)> {
    let label = dir.display().to_string();
    let max_template = crate::engine::Limits::from_env().max_template_bytes;
    check_manifest_file(dir, max_template)?;
    // One walk, unsorted (sorted once, below); the entry types come from the directory
    // listing, so no file is stat'ed. The pack's own directory may be given through a
    // link; nothing below it is followed.
    let mut listed: Listing = Vec::new();
    let walker = walkdir::WalkDir::new(dir)
        .follow_links(false)
        .min_depth(1)
        .into_iter()
        .filter_entry(|e| !(e.file_type().is_dir() && e.file_name() == ".git"));
    for entry in walker {
        let entry = entry.map_err(|e| walk_error(e, dir))?;
        let ft = entry.file_type();
        if ft.is_dir() {
            continue;
        }
        let rel = entry.path().strip_prefix(dir).unwrap_or(entry.path());
        let Some(rel_str) = rel.to_str() else {
            return Err(Error::pack(
                &label,
                format!("`{}`: file names must be UTF-8", rel.display()),
            ));
        };
        let rel_str = rel_str.to_string();
        if !ft.is_symlink() && !ft.is_file() {
            return Err(Error::pack(
                &label,
                format!("`{rel_str}` is not a regular file (a device, socket or FIFO); remove it from the pack"),
            ));
        }
        listed.push((rel_str, entry.into_path(), ft.is_symlink()));
    }
    listed.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    Ok((label, max_template, listed))
}

/// The size of the buffer a pack file is first read into: a file that fits is read with
/// one `read` and copied out at its exact size.
const SCRATCH: usize = 64 * 1024;

/// Reads the files of one directory pack through one reusable buffer, in path order,
/// feeding the pack's content hash as it goes.
struct Reader {
    max_template: u64,
    scratch: Vec<u8>,
    label: String,
    /// How many more bytes of verbatim files may be held in memory.
    budget: u64,
    /// The pack's content hash, when it is wanted.
    hasher: Option<Sha256>,
}

impl Reader {
    /// Read the regular file at `path`: its bytes, or a note to copy it from the pack when
    /// it is a verbatim file past the memory budget or over [`STREAM_ABOVE`].
    fn read(&mut self, path: &Path, rel: String) -> Result<PackFile> {
        use std::io::Read;
        use std::os::unix::fs::OpenOptionsExt;
        let io = |e| Error::io("cannot read", path, e);
        // A link put there since the directory was listed is refused, not followed.
        let mut file = std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
            .open(path)
            .map_err(io)?;
        let n = crate::fsx::fill(&mut file, &mut self.scratch).map_err(io)?;
        let verbatim = !rel.ends_with(".tera") && rel != MANIFEST;
        if n < self.scratch.len() {
            // All of it is in the buffer.
            self.check_template_size(&rel, n as u64)?;
            let bytes = &self.scratch[..n];
            if let Some(h) = &mut self.hasher {
                hash_file(h, &rel, bytes, None);
            }
            if verbatim && n as u64 > self.budget {
                return Ok(on_disk(rel, path, bytes));
            }
            if verbatim {
                self.budget -= n as u64;
            }
            return Ok(in_memory(rel, bytes.to_vec()));
        }
        // Larger than the buffer: decide by its size, as listed now.
        let size = file.metadata().map_err(io)?.len();
        if verbatim && (size > STREAM_ABOVE || size > self.budget) {
            return self.stream(file, path, rel, n, size);
        }
        self.check_template_size(&rel, size)?;
        let max = size.max(self.max_template);
        let capacity = usize::try_from(size.min(max).saturating_add(1)).unwrap_or(usize::MAX);
        let mut bytes = Vec::with_capacity(capacity);
        bytes.extend_from_slice(&self.scratch[..n]);
        let left = (max + 1).saturating_sub(n as u64);
        file.take(left).read_to_end(&mut bytes).map_err(io)?;
        if bytes.len() as u64 > max {
            return Err(io(std::io::Error::other("the file grew while it was read")));
        }
        if let Some(h) = &mut self.hasher {
            hash_file(h, &rel, &bytes, None);
        }
        if verbatim {
            self.budget = self.budget.saturating_sub(bytes.len() as u64);
        }
        Ok(in_memory(rel, bytes))
    }

    /// Read the rest of a large verbatim file (`n` bytes of it are in the buffer) for its
    /// hashes only, and leave it on disk.
    fn stream(
        &mut self,
        mut file: std::fs::File,
        path: &Path,
        rel: String,
        n: usize,
        size: u64,
    ) -> Result<PackFile> {
        let io = |e| Error::io("cannot read", path, e);
        let shebang = self.scratch.starts_with(b"#!");
        if let Some(h) = &mut self.hasher {
            h.update(rel.as_bytes());
            h.update([0]);
            h.update(size.to_le_bytes());
            h.update(&self.scratch[..n]);
        }
        let mut own = Sha256::new();
        own.update(&self.scratch[..n]);
        let mut read = n as u64;
        loop {
            let k = crate::fsx::fill(&mut file, &mut self.scratch).map_err(io)?;
            if k == 0 {
                break;
            }
            read += k as u64;
            if read > size {
                break;
            }
            own.update(&self.scratch[..k]);
            if let Some(h) = &mut self.hasher {
                h.update(&self.scratch[..k]);
            }
        }
        if read != size {
            return Err(io(std::io::Error::other(
                "the file changed size while it was read",
            )));
        }
        Ok(PackFile {
            path: rel,
            contents: Cow::Borrowed(&[]),
            link: None,
            on_disk: Some(Arc::new(OnDisk::read(
                path.to_path_buf(),
                Seen {
                    size,
                    sha256: own.finalize().into(),
                    shebang,
                },
            ))),
        })
    }

    fn check_template_size(&self, rel: &str, size: u64) -> Result<()> {
        if (rel.ends_with(".tera") || rel == MANIFEST) && size > self.max_template {
            return Err(Error::Limit {
                what: format!(
                    "pack `{}`: the {} `{rel}` is larger than {}",
                    self.label,
                    if rel == MANIFEST {
                        "manifest"
                    } else {
                        "template"
                    },
                    crate::engine::mib(self.max_template)
                ),
                env: format!("{}=MIB", crate::engine::ENV_MAX_TEMPLATE),
            });
        }
        Ok(())
    }
}

/// A file held in memory.
fn in_memory(rel: String, bytes: Vec<u8>) -> PackFile {
    PackFile {
        path: rel,
        contents: Cow::Owned(bytes),
        link: None,
        on_disk: None,
    }
}

/// A small verbatim file past the memory budget, read whole into `bytes`: left on disk.
fn on_disk(rel: String, path: &Path, bytes: &[u8]) -> PackFile {
    PackFile {
        path: rel,
        contents: Cow::Borrowed(&[]),
        link: None,
        on_disk: Some(Arc::new(OnDisk::read(
            path.to_path_buf(),
            Seen {
                size: bytes.len() as u64,
                sha256: Sha256::digest(bytes).into(),
                shebang: bytes.starts_with(b"#!"),
            },
        ))),
    }
}

/// One file's part of a pack's content hash: its path, its size and bytes, its link target.
pub(crate) fn hash_file(h: &mut Sha256, path: &str, bytes: &[u8], link: Option<&str>) {
    h.update(path.as_bytes());
    h.update([0]);
    h.update((bytes.len() as u64).to_le_bytes());
    h.update(bytes);
    if let Some(target) = link {
        h.update(b"\0->");
        h.update(target.as_bytes());
    }
}

/// Check a directory pack's `pack.toml` before anything reads it: it must be a regular
/// file of the pack (not a link, which could lead anywhere on the machine, nor a FIFO, a
/// device or a directory, which could block or mean nothing), at most `max` bytes long.
///
/// # Errors
/// A usage error when there is none (the directory is not a pack); a pack error naming what
/// it is instead and what to do; [`Error::Limit`] when it is too large.
pub fn check_manifest_file(dir: &Path, max: u64) -> Result<()> {
    use std::os::unix::fs::FileTypeExt;
    let label = dir.display().to_string();
    let path = dir.join(MANIFEST);
    let meta = match std::fs::symlink_metadata(&path) {
        Err(e) if matches!(e.kind(), std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory) => {
            return Err(Error::usage(format!(
                "`{label}` is not a pack: it has no {MANIFEST} (export a built-in one with `scaffold pack export fastapi {label}`)"
            )))
        }
        Err(e) => return Err(Error::io("cannot read", &path, e)),
        Ok(meta) => meta,
    };
    let ft = meta.file_type();
    let not_regular = if ft.is_symlink() {
        let to = std::fs::read_link(&path)
            .map(|t| t.display().to_string())
            .unwrap_or_default();
        Some(format!(
            "a symbolic link (to `{to}`); scaffold never reads a manifest through a link, which could lead anywhere on the machine: replace the link with the file itself"
        ))
    } else if ft.is_dir() {
        Some("a directory; put the pack's manifest file there instead".to_string())
    } else if !ft.is_file() {
        let kind = if ft.is_fifo() {
            "a FIFO"
        } else if ft.is_socket() {
            "a socket"
        } else {
            "a device"
        };
        Some(format!(
            "{kind}, not a regular file; scaffold does not read it (it could block forever): replace it with the manifest file itself"
        ))
    } else {
        None
    };
    if let Some(what) = not_regular {
        return Err(Error::pack(&label, format!("{MANIFEST} is {what}")));
    }
    if meta.len() > max {
        return Err(Error::Limit {
            what: format!(
                "pack `{label}`: {MANIFEST} is {}.{} MiB, larger than the limit of {}; a manifest is a few KiB, so check that this is the right file",
                meta.len() >> 20,
                ((meta.len() & 0xF_FFFF) * 10) >> 20,
                crate::engine::mib(max)
            ),
            env: format!("{}=MIB", crate::engine::ENV_MAX_TEMPLATE),
        });
    }
    Ok(())
}

/// The text of a directory pack's `pack.toml`, checked by [`check_manifest_file`] first and
/// never read past the limit.
///
/// # Errors
/// See [`check_manifest_file`]; a pack error when it is not UTF-8; the I/O error.
pub fn read_manifest_text(dir: &Path) -> Result<String> {
    let max = crate::engine::Limits::from_env().max_template_bytes;
    check_manifest_file(dir, max)?;
    let path = dir.join(MANIFEST);
    let bytes = read_manifest_bytes(&path, max).map_err(|e| Error::io("cannot read", &path, e))?;
    String::from_utf8(bytes).map_err(|_| {
        Error::pack(
            dir.display().to_string(),
            format!("{MANIFEST} is not UTF-8"),
        )
    })
}

/// At most `max` bytes of the manifest at `path`, opened without following a link (one
/// swapped in since it was checked is refused); a file that grew past `max` is an error.
fn read_manifest_bytes(path: &Path, max: u64) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    use std::os::unix::fs::OpenOptionsExt;
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC)
        .open(path)?;
    let mut bytes = Vec::new();
    file.take(max.saturating_add(1)).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > max {
        return Err(std::io::Error::other("the file grew while it was read"));
    }
    Ok(bytes)
}

/// A directory walk's error, with the path it happened on.
fn walk_error(e: walkdir::Error, dir: &Path) -> Error {
    let path = e
        .path()
        .map_or_else(|| dir.to_path_buf(), Path::to_path_buf);
    let io = e
        .into_io_error()
        .unwrap_or_else(|| std::io::Error::other("walk error"));
    Error::io("cannot read", path, io)
}

/// Every link of a directory pack must point at something the pack has.
fn check_links_land(files: &[PackFile], label: &str) -> Result<()> {
    for f in files {
        if let Some(target) = &f.link {
            let resolved = resolve_link(&f.path, target).unwrap_or_default();
            if !path_exists_in(files.iter().map(|g| g.path.as_str()), &resolved) {
                return Err(Error::pack(
                    label,
                    format!(
                        "`{}` is a symbolic link to `{target}`, which is not in the pack",
                        f.path
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// A symbolic link of a directory pack, refused unless it is relative and stays inside.
fn link_file(path: &Path, rel_str: String, label: &str) -> Result<PackFile> {
    let target = std::fs::read_link(path).map_err(|e| Error::io("cannot read", path, e))?;
    let target = target
        .to_str()
        .map(|t| t.replace('\\', "/"))
        .ok_or_else(|| Error::pack(label, format!("`{rel_str}`: link targets must be UTF-8")))?;
    if resolve_link(&rel_str, &target).is_none() || target.contains("{{") || target.contains("{%") {
        return Err(Error::pack(
            label,
            format!(
                "`{rel_str}` is a symbolic link to `{target}`, outside the pack; a pack's links must be relative and point inside it"
            ),
        ));
    }
    Ok(PackFile {
        path: rel_str,
        contents: Cow::Borrowed(&[]),
        link: Some(target),
        on_disk: None,
    })
}

/// `sha256:` of every file's path and bytes (manifest included), in path order.
fn content_hash(files: &[PackFile]) -> Result<String> {
    let mut hasher = Sha256::new();
    for f in files {
        if let Some(d) = &f.on_disk {
            hasher.update(f.path.as_bytes());
            hasher.update([0]);
            hasher.update(d.size().to_le_bytes());
            let mut file =
                std::fs::File::open(&d.path).map_err(|e| Error::io("cannot read", &d.path, e))?;
            std::io::copy(&mut file, &mut hasher)
                .map_err(|e| Error::io("cannot read", &d.path, e))?;
        } else {
            hash_file(&mut hasher, &f.path, &f.contents, f.link.as_deref());
        }
    }
    Ok(format!("sha256:{:x}", hasher.finalize()))
}

pub(crate) fn assemble(
    mut files: Vec<PackFile>,
    origin: Origin,
    label: &str,
    hash: Hash,
) -> Result<Pack> {
    files.sort_by(|a, b| a.path.cmp(&b.path));
    let content_hash = match hash {
        Hash::Record => content_hash(&files)?,
        Hash::Skip => String::new(),
        Hash::Known(hash) => hash,
    };
    let idx = files
        .iter()
        .position(|f| f.path == MANIFEST)
        .ok_or_else(|| Error::pack(label, format!("no {MANIFEST} at the pack root")))?;
    let manifest_file = files.remove(idx);
    // Checked where packs are read; kept here so no caller can parse a link's empty
    // contents or an unread streamed file as a manifest ("missing field `pack`").
    if manifest_file.link.is_some() || manifest_file.on_disk.is_some() {
        return Err(Error::pack(
            label,
            format!("{MANIFEST} is not a regular file of the pack that scaffold can read; replace it with the manifest file itself"),
        ));
    }
    let text = std::str::from_utf8(&manifest_file.contents)
        .map_err(|_| Error::pack(label, format!("{MANIFEST} is not UTF-8")))?;
    let manifest = Manifest::parse(text).map_err(|e| Error::pack(label, e))?;
    Ok(Pack {
        manifest,
        files,
        origin,
        content_hash,
        includes: Vec::new(),
        at_write: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_pack_loads() {
        let names = builtin_names();
        assert!(!names.is_empty());
        for name in names {
            let pack = load_builtin(name).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(pack.name(), name, "the manifest name matches the directory");
            assert!(pack.content_hash.starts_with("sha256:"));
            // The build script's hash is the one computed from the embedded files.
            let dir = builtin_dir(name).unwrap();
            let mut files = Vec::new();
            collect_embedded(dir, dir.path(), &mut files);
            files.sort_by(|a, b| a.path.cmp(&b.path));
            assert_eq!(pack.content_hash, content_hash(&files).unwrap(), "{name}");
            assert_eq!(built_hash(name), Some(pack.content_hash.as_str()));
            assert!(pack.files.iter().all(|f| f.path != MANIFEST));
        }
    }

    /// Files past the memory budget stay on disk with the hash of their bytes, and the pack's
    /// content hash taken while reading is the one computed from the files in memory.
    #[test]
    fn files_past_the_budget_stay_on_disk_with_their_hashes() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(
            root.join(MANIFEST),
            "[pack]\nname = \"b\"\nversion = \"1.0.0\"\ndescription = \"d\"\n",
        )
        .unwrap();
        std::fs::create_dir(root.join("sub")).unwrap();
        let big = vec![b'y'; 3 * SCRATCH + 17];
        std::fs::write(root.join("a.txt"), vec![b'x'; 100]).unwrap();
        std::fs::write(root.join("b.sh"), b"#!/bin/sh\necho b\n").unwrap();
        std::fs::write(root.join("sub/big.bin"), &big).unwrap();
        std::fs::write(root.join("t.txt.tera"), "{{ project_name }}").unwrap();
        std::os::unix::fs::symlink("a.txt", root.join("link")).unwrap();

        let (all, hash_all) = read_dir(root, true, u64::MAX).unwrap();
        let (some, hash_some) = read_dir(root, true, 100).unwrap();
        let recomputed = content_hash(&all).unwrap();
        assert_eq!(hash_all.as_deref(), Some(recomputed.as_str()));
        assert_eq!(
            hash_some, hash_all,
            "the hash does not depend on what stays on disk"
        );
        assert_eq!(content_hash(&some).unwrap(), recomputed);

        let by = |files: &[PackFile], p: &str| files.iter().find(|f| f.path == p).cloned().unwrap();
        // a.txt fits the budget; b.sh no longer does; the large file never does.
        assert!(by(&some, "a.txt").on_disk.is_none());
        let b = by(&some, "b.sh").on_disk.unwrap();
        let b = b.seen().unwrap();
        assert!(b.shebang);
        assert_eq!(b.size, 17);
        assert_eq!(
            b.sha256,
            <[u8; 32]>::from(Sha256::digest(b"#!/bin/sh\necho b\n"))
        );
        let d = by(&some, "sub/big.bin").on_disk.unwrap();
        let seen = d.seen().unwrap();
        assert_eq!((seen.size, seen.shebang), (big.len() as u64, false));
        assert_eq!(seen.sha256, <[u8; 32]>::from(Sha256::digest(&big)));
        // Templates and links are never left on disk.
        assert_eq!(&*by(&some, "t.txt.tera").contents, b"{{ project_name }}");
        assert_eq!(by(&some, "link").link.as_deref(), Some("a.txt"));
        // With the whole budget, everything small is in memory.
        assert!(by(&all, "b.sh").on_disk.is_none());
    }

    #[test]
    fn unknown_builtin_lists_the_known_ones() {
        let err = load_builtin("rails").unwrap_err().to_string();
        assert!(err.contains("no built-in pack `rails`"), "{err}");
    }

    #[test]
    fn link_resolution() {
        assert_eq!(resolve_link("docs/latest", "v1"), Some("docs/v1".into()));
        assert_eq!(resolve_link("a/b/c", "../../x"), Some("x".into()));
        assert_eq!(resolve_link("a/b", "./c/../d"), Some("a/d".into()));
        assert_eq!(resolve_link("a", "../x"), None);
        assert_eq!(resolve_link("a/b", "/etc/passwd"), None);
        assert_eq!(resolve_link("a/b", ".."), None);
        assert_eq!(
            resolve_link("/", "x"),
            Some("x".into()),
            "empty segments are skipped"
        );
        assert_eq!(
            resolve_link("../a", "b"),
            None,
            "a link path cannot climb either"
        );
        assert!(path_exists_in(["docs/v1/a.md"].into_iter(), "docs/v1"));
        assert!(!path_exists_in(["docs/v10/a.md"].into_iter(), "docs/v1"));
    }

    #[test]
    fn dir_pack_refuses_symlinks() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(
            tmp.path().join(MANIFEST),
            "[pack]\nname='x'\nversion='0.1.0'\ndescription='x'\n",
        )
        .unwrap();
        std::os::unix::fs::symlink("/etc/passwd", tmp.path().join("leak")).unwrap();
        let err = load_dir(tmp.path()).unwrap_err().to_string();
        assert!(err.contains("symbolic link"), "{err}");
    }

    #[test]
    fn dir_pack_skips_git_and_hashes_stably() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(
            tmp.path().join(MANIFEST),
            "[pack]\nname='x'\nversion='0.1.0'\ndescription='x'\n",
        )
        .unwrap();
        std::fs::create_dir(tmp.path().join(".git")).unwrap();
        std::fs::write(tmp.path().join(".git/HEAD"), "ref").unwrap();
        std::fs::write(tmp.path().join("a.txt"), "a").unwrap();
        let one = load_dir(tmp.path()).unwrap();
        assert_eq!(one.files.len(), 1);
        let two = load_dir(tmp.path()).unwrap();
        assert_eq!(one.content_hash, two.content_hash);
        std::fs::write(tmp.path().join("a.txt"), "b").unwrap();
        assert_ne!(load_dir(tmp.path()).unwrap().content_hash, one.content_hash);
    }
}
