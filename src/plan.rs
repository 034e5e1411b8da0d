//! The plan: every file a render produces (its final path, content and mode), in memory,
//! and the path checks every planned path goes through.
//!
//! This is the hand-over between rendering and writing: [`crate::render`] produces a
//! [`Plan`], [`crate::write`] (or a dry run, or an archive) consumes it. Nothing here
//! touches the disk except reading the first bytes of a streamed file.

use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

/// The generated record of what made a project; always written at the project root.
pub const RECORD_FILE: &str = ".scaffold.toml";

/// A verbatim file of a directory pack that stays on disk: copied from the pack when the
/// project is written. A pack read now ([`OnDisk::read`]) has hashed it already, and the copy
/// is checked against that; a pack read at write ([`OnDisk::unread`]) reads it once, as it
/// is written, and [`OnDisk::seen`] is set then.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OnDisk {
    /// Where it is (empty for a file of a pack read at write: [`Pending::root`] joined
    /// with its path in the pack, so a pack of many files holds no second path per file).
    pub path: PathBuf,
    /// What its bytes were when they were read.
    seen: OnceLock<Seen>,
}

/// What a pack file's bytes were when scaffold read them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seen {
    /// Its size.
    pub size: u64,
    /// The SHA-256 of its bytes.
    pub sha256: [u8; 32],
    /// Whether it starts with `#!` (it is written executable).
    pub shebang: bool,
}

impl OnDisk {
    /// A file whose bytes were read (and hashed) when the pack was loaded.
    #[must_use]
    pub fn read(path: PathBuf, seen: Seen) -> OnDisk {
        OnDisk {
            path,
            seen: OnceLock::from(seen),
        }
    }

    /// A file listed but not read yet: the write pass reads it and calls [`OnDisk::see`].
    #[must_use]
    pub fn unread() -> OnDisk {
        OnDisk {
            path: PathBuf::new(),
            seen: OnceLock::new(),
        }
    }

    /// What its bytes were, once read.
    #[must_use]
    pub fn seen(&self) -> Option<&Seen> {
        self.seen.get()
    }

    /// Record what the write pass read (the first call wins; a file is read once).
    pub fn see(&self, seen: Seen) {
        let _ = self.seen.set(seen);
    }

    /// Its size, once read (0 before).
    #[must_use]
    pub fn size(&self) -> u64 {
        self.seen.get().map_or(0, |s| s.size)
    }
}

/// One file to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedFile<'a> {
    /// Relative, `/`-separated, checked to stay inside the target.
    pub path: String,
    /// The final bytes.
    pub bytes: Cow<'a, [u8]>,
    /// Whether to mark it executable (its content starts with `#!`; for a pack file read at
    /// write, the write pass decides from its first bytes).
    pub executable: bool,
    /// For a symbolic link: its relative target (checked to stay inside the target).
    pub link: Option<String>,
    /// A verbatim file copied from the pack on disk instead of `bytes`.
    pub on_disk: Option<Arc<OnDisk>>,
    /// Whether it holds a secret its render generated (`secret()`): written 0600, never
    /// replaced by `--force`.
    pub secret: bool,
}

impl PlannedFile<'_> {
    /// The size of the file as written.
    #[must_use]
    pub fn size(&self) -> u64 {
        self.on_disk
            .as_ref()
            .map_or(self.bytes.len() as u64, |d| d.size())
    }

    /// Whether the write pass of a pack read at write ([`Pending`]) writes it: a pack file
    /// not read yet, or the record that pass completes (its place in the plan an
    /// [`OnDisk::unread`] too, seen when it is written).
    #[must_use]
    pub fn is_unread(&self) -> bool {
        self.on_disk.as_ref().is_some_and(|d| d.seen().is_none())
    }
}

/// The complete result of rendering, sorted by path.
#[derive(Debug, Default)]
pub struct Plan<'a> {
    /// The files, sorted by path.
    pub files: Vec<PlannedFile<'a>>,
    /// For a pack read at write: what the write pass still has to read, and the record it
    /// completes then.
    pub pending: Option<Pending<'a>>,
}

/// The part of a plan that only the write pass completes, for a pack whose verbatim files
/// were listed but not read ([`OnDisk::unread`]): the pass reads every file of the pack
/// once, in path order, feeding the pack's content hash, and writes the kept ones as it
/// goes; then `record` makes the `.scaffold.toml` that the plan holds a place for.
pub struct Pending<'a> {
    /// The pack's directory: each unread file is its path in the pack under it.
    pub root: &'a Path,
    /// Every file of the pack (manifest included), in path order.
    pub pack_files: Vec<PackEntry<'a>>,
    /// The pack's label, for messages.
    pub label: String,
    /// The limit on the bytes of the pack's files (the manifest, the templates as written
    /// in the pack, every verbatim file), checked as they are read.
    pub max_total_bytes: u64,
    /// The record's text, from the pack's content hash and the plan (its files read).
    pub record: RecordFn<'a>,
}

/// Makes the record from the pack's content hash and the written plan.
pub type RecordFn<'a> = Box<dyn Fn(&str, &Plan<'_>) -> String + Send + Sync + 'a>;

impl std::fmt::Debug for Pending<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pending")
            .field("root", &self.root)
            .field("pack_files", &self.pack_files)
            .field("label", &self.label)
            .field("max_total_bytes", &self.max_total_bytes)
            .finish_non_exhaustive()
    }
}

/// One file of a pack as the write pass of a pack read at write sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PackEntry<'a> {
    /// Held in memory (the manifest, a template, a link): hashed as it is.
    Held {
        /// Its path in the pack.
        path: &'a str,
        /// Its bytes (empty for a link).
        bytes: &'a [u8],
        /// A link's target.
        link: Option<&'a str>,
    },
    /// On disk ([`Pending::root`] joined with its path), read now.
    Unread {
        /// Its path in the pack.
        path: &'a str,
        /// The planned file it is written as, when the `[[files]]` rules keep it.
        planned: Option<usize>,
    },
}

impl<'a> Plan<'a> {
    /// The total size in bytes.
    #[must_use]
    pub fn total_bytes(&self) -> u64 {
        self.files.iter().map(PlannedFile::size).sum()
    }

    /// Add a generated file (such as `.scaffold.toml`), keeping the order.
    ///
    /// # Errors
    /// When the pack already renders a file at that path.
    pub fn add(&mut self, file: PlannedFile<'a>) -> std::result::Result<(), String> {
        match self
            .files
            .binary_search_by(|f| f.path.as_str().cmp(&file.path))
        {
            Ok(_) => Err(format!(
                "the pack renders `{}`, which scaffold writes itself",
                file.path
            )),
            Err(at) => {
                self.files.insert(at, file);
                Ok(())
            }
        }
    }
}

/// Check that a rendered relative path stays inside the target.
///
/// # Errors
/// Why the path is refused.
pub fn check_rel_path(path: &str) -> std::result::Result<(), String> {
    if path.is_empty() {
        return Err("the path is empty".into());
    }
    if path.contains('\0') {
        return Err("the path contains a NUL byte".into());
    }
    let b = path.as_bytes();
    let drive = b.len() >= 2
        && b[0].is_ascii_alphabetic()
        && b[1] == b':'
        && (b.len() == 2 || b[2] == b'/');
    if path.starts_with('/') || path.contains('\\') || drive {
        return Err(
            "the path is absolute or uses `\\`; pack paths are relative and use `/`".into(),
        );
    }
    for seg in path.split('/') {
        match seg {
            "" => return Err("the path has an empty segment".into()),
            "." | ".." => return Err("the path has a `.` or `..` segment".into()),
            _ => {}
        }
        if seg.chars().any(char::is_control) {
            return Err("the path contains control characters".into());
        }
        // A repository's metadata: git would run its hooks and config.
        if is_git_name(seg) {
            return Err(
                "the path has a `.git` component; a pack cannot write repository metadata".into(),
            );
        }
    }
    Ok(())
}

/// Whether a path segment names a repository's metadata directory, compared the way
/// case-insensitive file systems and git itself do (`.GIT`, `.git.`, `git~1`, and with the
/// characters HFS+ ignores).
#[must_use]
pub fn is_git_name(seg: &str) -> bool {
    // The common case, asked for every segment of every planned path: plain ASCII, so only
    // the trailing spaces and dots need trimming, and nothing is allocated.
    if seg.is_ascii() {
        let bare = seg.trim_end_matches([' ', '.']);
        return bare.eq_ignore_ascii_case(".git") || bare.eq_ignore_ascii_case("git~1");
    }
    let bare: String = seg
        .chars()
        .filter(|c| {
            !matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{206F}' | '\u{FEFF}')
        })
        .collect();
    let bare = bare.trim_end_matches([' ', '.']);
    bare.eq_ignore_ascii_case(".git") || bare.eq_ignore_ascii_case("git~1")
}

/// Where a relative link at `link_path` pointing at `target` lands, relative to the root;
/// `None` when it is absolute or climbs out of the root.
#[must_use]
pub fn resolve_link(link_path: &str, target: &str) -> Option<String> {
    if target.is_empty() || target.starts_with('/') {
        return None;
    }
    // The link's own directory, then the target, both read segment by segment.
    let dir = link_path.rsplit_once('/').map_or("", |(d, _)| d);
    let mut parts: Vec<&str> = Vec::new();
    for seg in dir.split('/').chain(target.split('/')) {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    if parts.is_empty() {
        return None;
    }
    Some(parts.join("/"))
}

/// The most links one path may pass through, as the kernel allows (`MAXSYMLINKS`).
pub const MAX_LINK_HOPS: usize = 40;

/// Why a link of a tree is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkTrouble {
    /// It, or a link it passes through, points at an absolute path.
    Absolute(String),
    /// Followed as the kernel would, it climbs out of the tree.
    Outside,
    /// It never reaches anything but links: a loop (or a self-link).
    Loop,
    /// It reaches the root of the tree itself.
    Root,
    /// It reaches this path, which the tree does not have.
    Missing(String),
}

impl std::fmt::Display for LinkTrouble {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LinkTrouble::Absolute(t) => write!(f, "leads to the absolute path `{t}`"),
            LinkTrouble::Outside => f.write_str("resolves outside the project"),
            LinkTrouble::Loop => f.write_str("is part of a loop of links"),
            LinkTrouble::Root => f.write_str("points to the project root"),
            LinkTrouble::Missing(reached) => write!(
                f,
                "resolves to `{reached}`, which the project does not contain (a link to nothing or to itself)"
            ),
        }
    }
}

/// One refused link: its path in the tree, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkProblem {
    /// The link's relative path.
    pub path: String,
    /// Why it is refused.
    pub trouble: LinkTrouble,
}

/// Resolve the link at `link_path` the way the kernel will, against a tree whose links are
/// `links` (path → target): every component that is itself a link of the tree is followed
/// (so a chain of links is resolved as a whole, and `..` applies after it). Returns the
/// path inside the tree it reaches.
fn resolve_in_tree(
    links: &std::collections::HashMap<&str, &str>,
    link_path: &str,
) -> std::result::Result<String, LinkTrouble> {
    use std::collections::VecDeque;
    let first = links.get(link_path).copied().unwrap_or_default();
    if first.starts_with('/') {
        return Err(LinkTrouble::Absolute(first.to_string()));
    }
    let dir = link_path.rsplit_once('/').map_or("", |(d, _)| d);
    let mut stack: Vec<String> = dir
        .split('/')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    let mut queue: VecDeque<String> = first.split('/').map(str::to_string).collect();
    let mut hops = 1;
    while let Some(c) = queue.pop_front() {
        match c.as_str() {
            "" | "." => {}
            ".." => {
                if stack.pop().is_none() {
                    return Err(LinkTrouble::Outside);
                }
            }
            name => {
                stack.push(name.to_string());
                let here = stack.join("/");
                if let Some(t) = links.get(here.as_str()) {
                    hops += 1;
                    if hops > MAX_LINK_HOPS {
                        return Err(LinkTrouble::Loop);
                    }
                    if t.starts_with('/') {
                        return Err(LinkTrouble::Absolute((*t).to_string()));
                    }
                    stack.pop();
                    for part in t.split('/').rev() {
                        queue.push_front(part.to_string());
                    }
                }
            }
        }
    }
    if stack.is_empty() {
        return Err(LinkTrouble::Root);
    }
    Ok(stack.join("/"))
}

/// Every link of a tree (each entry a path and, for a link, its target) that does not
/// reach, through any chain of the tree's links, a file or directory of the tree: one that
/// leaves it, loops, points at itself or at nothing. Sorted by path.
#[must_use]
pub fn link_problems(entries: &[(&str, Option<&str>)]) -> Vec<LinkProblem> {
    let links: std::collections::HashMap<&str, &str> = entries
        .iter()
        .filter_map(|(path, link)| link.map(|t| (*path, t)))
        .collect();
    let mut paths: Vec<&str> = links.keys().copied().collect();
    paths.sort_unstable();
    let mut problems = Vec::new();
    for path in paths {
        let trouble = match resolve_in_tree(&links, path) {
            Err(trouble) => trouble,
            Ok(reached) => {
                let plain = entries.iter().filter(|(_, l)| l.is_none()).map(|(p, _)| *p);
                if path_exists_in(plain, &reached) {
                    continue;
                }
                LinkTrouble::Missing(reached)
            }
        };
        problems.push(LinkProblem {
            path: path.to_string(),
            trouble,
        });
    }
    problems
}

impl Plan<'_> {
    /// Every planned link that does not reach a planned file or directory (see
    /// [`link_problems`]).
    #[must_use]
    pub fn link_problems(&self) -> Vec<LinkProblem> {
        let entries: Vec<(&str, Option<&str>)> = self
            .files
            .iter()
            .map(|f| (f.path.as_str(), f.link.as_deref()))
            .collect();
        link_problems(&entries)
    }
}

/// Whether `path` is one of `paths` or a directory holding one of them.
pub fn path_exists_in<'a>(mut paths: impl Iterator<Item = &'a str>, path: &str) -> bool {
    paths.any(|p| {
        p == path
            || (p.len() > path.len() && p.starts_with(path) && p.as_bytes()[path.len()] == b'/')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rel_paths() {
        assert!(check_rel_path("a/b.txt").is_ok());
        assert!(check_rel_path(".gitignore").is_ok() && check_rel_path(".github/x").is_ok());
        for bad in [
            "",
            "/a",
            "a/../b",
            "./a",
            "a//b",
            "a\\b",
            "C:/x",
            "a/\u{1b}b",
            ".git",
            "a/.GIT/config",
            ".git./hooks/x",
            "Git~1/config",
            ".g\u{200c}it/config",
        ] {
            assert!(check_rel_path(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn link_chains_resolve_against_the_tree() {
        let problems = |entries: &[(&str, Option<&str>)]| -> Vec<(String, LinkTrouble)> {
            link_problems(entries)
                .into_iter()
                .map(|p| (p.path, p.trouble))
                .collect()
        };
        let fine = [
            ("a/f", None),
            ("l1", Some("a/f")),
            ("l2", Some("l1")),
            ("d/up", Some("../a")),
            ("d/via", Some("up/f")),
        ];
        assert!(problems(&fine).is_empty(), "{:?}", problems(&fine));
        assert_eq!(
            problems(&[
                ("x/y/f", None),
                ("x/y/up", Some("..")),
                ("esc", Some("x/y/up/../../../etc"))
            ]),
            [("esc".to_string(), LinkTrouble::Outside)]
        );
        assert_eq!(
            problems(&[("l1", Some("l2")), ("l2", Some("l1"))]),
            [
                ("l1".to_string(), LinkTrouble::Loop),
                ("l2".to_string(), LinkTrouble::Loop)
            ]
        );
        assert_eq!(
            problems(&[("a", Some("b/../nothing")), ("b/f", None)]),
            [("a".to_string(), LinkTrouble::Missing("nothing".into()))]
        );
        assert_eq!(
            problems(&[("a", Some("/etc/passwd"))]),
            [("a".to_string(), LinkTrouble::Absolute("/etc/passwd".into()))]
        );
        assert_eq!(
            problems(&[("d/a", Some(".."))]),
            [("d/a".to_string(), LinkTrouble::Root)]
        );
    }

    #[test]
    fn records_cannot_be_rendered_twice() {
        let file = |path: &str| PlannedFile {
            path: path.into(),
            bytes: Cow::Borrowed(b"x"),
            executable: false,
            link: None,
            on_disk: None,
            secret: false,
        };
        let mut plan = Plan {
            files: vec![file("a"), file("c")],
            pending: None,
        };
        plan.add(file("b")).unwrap();
        assert_eq!(plan.files[1].path, "b");
        assert!(plan.add(file("c")).is_err());
        assert_eq!(plan.total_bytes(), 3);
    }
}
