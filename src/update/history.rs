//! Earlier releases of the built-in packs, embedded so that a project made by an older
//! scaffold can be updated: its base (what was generated then) is re-rendered from the pack
//! exactly as it was released. `templates/.history/<release>/<pack>/` holds each release's
//! packs (embedded with the current ones, see [`pack::builtin_history`]); includes resolve
//! within the same release.

use std::borrow::Cow;
use std::path::Path;

use include_dir::Dir;

use crate::error::{Error, Result};
use crate::pack::{self, Origin, Pack, PackFile, HISTORY_DIR};

/// How deep includes may nest.
const MAX_DEPTH: usize = 4;

/// The releases kept, newest first.
#[must_use]
pub fn releases() -> Vec<&'static str> {
    let Some(history) = pack::builtin_history() else {
        return Vec::new();
    };
    let mut out: Vec<&str> = history
        .dirs()
        .filter_map(|d| d.path().file_name().and_then(|n| n.to_str()))
        .collect();
    out.sort_by_key(|r| std::cmp::Reverse(version_key(r)));
    out
}

fn version_key(v: &str) -> Vec<u64> {
    v.split('.').map(|p| p.parse().unwrap_or(0)).collect()
}

fn collect(dir: &'static Dir<'static>, root: &Path, out: &mut Vec<PackFile>) {
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
        collect(sub, root, out);
    }
}

/// Load a built-in pack as it was in `release`.
///
/// # Errors
/// No such release or pack, or a broken pack.
pub fn load(release: &str, name: &str) -> Result<Pack> {
    load_at(release, name, 0)
}

fn load_at(release: &str, name: &str, depth: usize) -> Result<Pack> {
    if depth >= MAX_DEPTH {
        return Err(Error::pack(
            name,
            "includes nest too deep in the pack history",
        ));
    }
    let path = Path::new(HISTORY_DIR).join(release).join(name);
    let dir = pack::builtin_history()
        .and_then(|h| h.get_dir(&path))
        .filter(|d| d.get_file(d.path().join(pack::MANIFEST)).is_some())
        .ok_or_else(|| {
            Error::usage(format!(
                "scaffold keeps no pack `{name}` of release {release}"
            ))
        })?;
    let mut files = Vec::new();
    collect(dir, dir.path(), &mut files);
    let mut p = pack::assemble(
        files,
        Origin::Builtin(name.to_string()),
        name,
        pack::Hash::Record,
    )?;
    let mut includes = Vec::new();
    for inc in &p.manifest.include {
        includes.push(load_at(release, &inc.pack, depth + 1)?);
    }
    p.includes = includes;
    Ok(p)
}

/// The kept pack `name` at `version`: the one whose content hash matches first, else the
/// newest release that has that version.
#[must_use]
pub fn find(name: &str, version: &str, content_hash: &str) -> Option<Pack> {
    let mut same_version = None;
    for release in releases() {
        let Ok(p) = load(release, name) else {
            continue;
        };
        if p.content_hash == content_hash {
            return Some(p);
        }
        if p.manifest.pack.version == version && same_version.is_none() {
            same_version = Some(p);
        }
    }
    same_version
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn release_0_1_0_has_every_stack() {
        assert!(releases().contains(&"0.1.0"));
        for name in ["django", "express", "fastapi", "hybrid", "nestjs"] {
            let p = load("0.1.0", name).unwrap();
            assert_eq!(p.manifest.pack.version, "0.1.0", "{name}");
            assert_eq!(p.includes.len(), p.manifest.include.len(), "{name}");
        }
        assert!(find("fastapi", "0.1.0", "sha256:none").is_some());
        assert!(find("fastapi", "9.9.9", "sha256:none").is_none());
    }

    #[test]
    fn the_history_is_never_a_pack() {
        assert!(pack::builtin_history().is_some());
        assert!(pack::builtin_names().iter().all(|n| !n.starts_with('.')));
        assert!(pack::builtin_files(HISTORY_DIR).is_err());
        assert!(pack::load_builtin(HISTORY_DIR).is_err());
    }
}
