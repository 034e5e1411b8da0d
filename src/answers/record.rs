//! Provenance in `.scaffold.toml`: where the pack came from, the hash of every generated
//! file, and the checks a record goes through before it is replayed or updated.

use std::collections::BTreeMap;
use std::path::Path;

use sha2::{Digest, Sha256};

use super::{AnswersFile, PackRecord};
use crate::error::{Error, Result};
use crate::pack::{self, Origin, Pack};
use crate::plan::{Plan, RECORD_FILE};
use crate::ui::Ui;

/// The record format this scaffold writes and reads. Bump it when a record gains something
/// an older scaffold would misread.
pub const FORMAT: u32 = 1;

/// Whether a path is a `.env` file: generated with fresh secrets, never replaced.
#[must_use]
pub fn is_env(path: &str) -> bool {
    path.rsplit('/').next() == Some(".env")
}

/// Lowercase hex of a digest.
fn hex(digest: &[u8]) -> String {
    use std::fmt::Write;
    digest.iter().fold(String::with_capacity(64), |mut out, b| {
        let _ = write!(out, "{b:02x}");
        out
    })
}

/// `sha256:<64 hex>` of some bytes: the form of every `[files]` entry.
#[must_use]
pub fn hash_bytes(bytes: &[u8]) -> String {
    format!("sha256:{:x}", Sha256::digest(bytes))
}

/// `[files]`: every planned file's path and the hash of its bytes (links hash their
/// target; files streamed from a directory pack are read to be hashed). `.env` files are
/// left out: their secrets are fresh on every render (a record replays byte for byte), and
/// they are never replaced anyway.
///
/// # Errors
/// A streamed file that cannot be read.
pub fn file_hashes(plan: &Plan<'_>) -> Result<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    for f in &plan.files {
        if f.path == RECORD_FILE || is_env(&f.path) {
            continue;
        }
        let hash = if let Some(target) = &f.link {
            hash_bytes(target.as_bytes())
        } else if let Some(d) = &f.on_disk {
            // Taken when the pack was read; the copy into the project is checked against it.
            format!("sha256:{}", hex(&d.sha256))
        } else {
            hash_bytes(&f.bytes)
        };
        out.insert(f.path.clone(), hash);
    }
    Ok(out)
}

/// The `[pack]` table for a pack: name, version, content hash and source.
#[must_use]
pub fn pack_record(pack: &Pack) -> PackRecord {
    let mut rec = PackRecord {
        name: pack.name().to_string(),
        version: pack.manifest.pack.version.clone(),
        content_hash: pack.content_hash.clone(),
        ..PackRecord::default()
    };
    match &pack.origin {
        Origin::Builtin(_) => rec.source = Some("builtin".into()),
        Origin::Dir(dir) => {
            rec.source = Some("dir".into());
            rec.path = Some(absolute(dir));
        }
        Origin::User(dir) => {
            rec.source = Some("user".into());
            rec.path = Some(absolute(dir));
        }
        Origin::Git {
            url,
            reference,
            commit,
        } => {
            rec.source = Some("git".into());
            rec.url = Some(url.clone());
            rec.reference.clone_from(reference);
            rec.commit.clone_from(commit);
        }
    }
    rec
}

fn absolute(dir: &Path) -> String {
    std::fs::canonicalize(dir)
        .unwrap_or_else(|_| dir.to_path_buf())
        .display()
        .to_string()
}

/// Compare dotted versions numerically (`0.10.0` > `0.9.1`); a part that is not a number
/// compares as 0.
fn newer(a: &str, b: &str) -> bool {
    let parts = |v: &str| -> Vec<u64> {
        v.split(['.', '-', '+'])
            .take(3)
            .map(|p| p.parse().unwrap_or(0))
            .collect()
    };
    parts(a) > parts(b)
}

/// Refuse a record written by a newer scaffold (a higher format, or a higher scaffold
/// version): this one could misread it.
///
/// # Errors
/// A usage error (exit 2) saying to upgrade.
pub fn check_not_newer(rec: &AnswersFile, file: &Path) -> Result<()> {
    let ours = env!("CARGO_PKG_VERSION");
    let by = rec.scaffold_version.as_deref().unwrap_or("?");
    if rec.format.is_some_and(|f| f > FORMAT) {
        return Err(Error::usage(format!(
            "`{}` is in record format {} (written by scaffold {by}); this scaffold {ours} reads format {FORMAT} and older; upgrade scaffold to {by} or newer",
            file.display(),
            rec.format.unwrap_or_default()
        )));
    }
    if rec
        .scaffold_version
        .as_deref()
        .is_some_and(|v| newer(v, ours))
    {
        return Err(Error::usage(format!(
            "`{}` was written by scaffold {by}, newer than this scaffold {ours}; upgrade scaffold to {by} or newer",
            file.display()
        )));
    }
    Ok(())
}

/// The pack a record names by its source, when that is not a built-in stack: the
/// directory (or user pack) it came from, or the git repository at the recorded commit.
/// `None` for built-in packs and for older records without a source.
///
/// # Errors
/// The directory or repository is gone (exit 2, saying how to point at the pack).
pub fn pack_from_record(rec: &AnswersFile) -> Result<Option<Pack>> {
    pack_from_source(rec, false)
}

/// Like [`pack_from_record`], but a git pack at the newest commit of its recorded branch or
/// tag (the default branch without one): the pack a project follows.
///
/// # Errors
/// See [`pack_from_record`].
pub fn pack_from_record_latest(rec: &AnswersFile) -> Result<Option<Pack>> {
    pack_from_source(rec, true)
}

fn pack_from_source(rec: &AnswersFile, latest: bool) -> Result<Option<Pack>> {
    let Some(p) = &rec.pack else {
        return Ok(None);
    };
    match p.source.as_deref() {
        Some("dir" | "user") => {
            let dir = p.path.as_deref().unwrap_or_default();
            if !Path::new(dir).join(pack::MANIFEST).is_file() {
                return Err(Error::usage(format!(
                    "the record's pack `{}` was read from `{dir}`, which has no pack.toml any more; pass --pack DIR to say where it is now",
                    p.name
                )));
            }
            let mut pack = pack::load_dir(Path::new(dir))?;
            if p.source.as_deref() == Some("user") {
                pack.origin = Origin::User(Path::new(dir).to_path_buf());
            }
            Ok(Some(pack))
        }
        Some("git") => {
            let url = p.url.as_deref().unwrap_or_default();
            let pack = match &p.commit {
                Some(commit) if !latest => pack::source::load_git_at(url, commit)?,
                _ => pack::source::load_git(url, p.reference.as_deref())?,
            };
            Ok(Some(pack))
        }
        _ => Ok(None),
    }
}

/// Warn when a replay renders another version of the pack than the record names, or refuse
/// it with `locked`.
///
/// # Errors
/// With `locked`, a usage error naming both versions.
pub fn check_replay_version(rec: &AnswersFile, pack: &Pack, locked: bool, ui: &Ui) -> Result<()> {
    let Some(p) = &rec.pack else {
        return Ok(());
    };
    if p.name != pack.name() || p.version == pack.manifest.pack.version {
        return Ok(());
    }
    let msg = format!(
        "the answers file was recorded with pack `{}` {}, and this renders {}",
        p.name, p.version, pack.manifest.pack.version
    );
    if locked {
        return Err(Error::usage(format!(
            "{msg}; --locked refuses a different version (drop --locked to render {}, or use `scaffold update` in the project to follow it)",
            pack.manifest.pack.version
        )));
    }
    ui.warn(&format!(
        "{msg}; the files may differ from the recorded project (--locked refuses this)"
    ));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_compare_numerically() {
        assert!(newer("0.10.0", "0.9.1"));
        assert!(newer("1.0.0", "0.99.0"));
        assert!(!newer("0.1.0", "0.1.0"));
        assert!(!newer("0.1.0-rc1", "0.1.0"));
    }

    #[test]
    fn newer_records_are_refused() {
        let rec = AnswersFile {
            format: Some(FORMAT + 1),
            ..AnswersFile::default()
        };
        let err = check_not_newer(&rec, Path::new(".scaffold.toml")).unwrap_err();
        assert_eq!(err.exit_code(), 2);
        assert!(err.to_string().contains("upgrade scaffold"), "{err}");
        let rec = AnswersFile {
            scaffold_version: Some("99.0.0".into()),
            ..AnswersFile::default()
        };
        assert!(check_not_newer(&rec, Path::new("x")).is_err());
        assert!(check_not_newer(&AnswersFile::default(), Path::new("x")).is_ok());
    }

    #[test]
    fn hashes_have_the_documented_form() {
        let h = hash_bytes(b"abc");
        assert_eq!(
            h,
            "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
