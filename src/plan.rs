//! The plan: every file a render produces (its final path, content and mode), in memory,
//! and the path checks every planned path goes through.
//!
//! This is the hand-over between rendering and writing: [`crate::render`] produces a
//! [`Plan`], [`crate::write`] (or a dry run, or an archive) consumes it. Nothing here
//! touches the disk except reading the first bytes of a streamed file.

use std::borrow::Cow;
use std::path::PathBuf;

/// The generated record of what made a project; always written at the project root.
pub const RECORD_FILE: &str = ".scaffold.toml";

/// A verbatim file of a directory pack that stays on disk: read once when the pack is loaded
/// (for the hashes and its first bytes), copied when the project is written, and checked
/// against the hash taken at load while it is copied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OnDisk {
    /// Where it is.
    pub path: PathBuf,
    /// Its size when it was loaded.
    pub size: u64,
    /// The SHA-256 of its bytes when it was loaded.
    pub sha256: [u8; 32],
    /// Whether it starts with `#!` (it is written executable).
    pub shebang: bool,
}

/// One file to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedFile<'a> {
    /// Relative, `/`-separated, checked to stay inside the target.
    pub path: String,
    /// The final bytes.
    pub bytes: Cow<'a, [u8]>,
    /// Whether to mark it executable (its content starts with `#!`).
    pub executable: bool,
    /// For a symbolic link: its relative target (checked to stay inside the target).
    pub link: Option<String>,
    /// A verbatim file copied from the pack on disk instead of `bytes`.
    pub on_disk: Option<Box<OnDisk>>,
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
            .map_or(self.bytes.len() as u64, |d| d.size)
    }
}

/// The complete result of rendering, sorted by path.
#[derive(Debug, Clone, Default)]
pub struct Plan<'a> {
    /// The files, sorted by path.
    pub files: Vec<PlannedFile<'a>>,
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
        };
        plan.add(file("b")).unwrap();
        assert_eq!(plan.files[1].path, "b");
        assert!(plan.add(file("c")).is_err());
        assert_eq!(plan.total_bytes(), 3);
    }
}
