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
    /// A large verbatim file streamed from the pack on disk (path, size) instead of `bytes`.
    pub on_disk: Option<(PathBuf, u64)>,
}

impl PlannedFile<'_> {
    /// The size of the file as written.
    #[must_use]
    pub fn size(&self) -> u64 {
        self.on_disk
            .as_ref()
            .map_or(self.bytes.len() as u64, |(_, size)| *size)
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
    fn records_cannot_be_rendered_twice() {
        let file = |path: &str| PlannedFile {
            path: path.into(),
            bytes: Cow::Borrowed(b"x"),
            executable: false,
            link: None,
            on_disk: None,
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
