//! Provenance in `.scaffold.toml`: where the pack came from, the hash of every generated
//! file, and the checks a record goes through before it is replayed or updated.

use std::path::Path;

use sha2::{Digest, Sha256};

use super::{AnswersFile, PackRecord};
use crate::error::{Error, Result};
use crate::pack::{self, Origin, Pack, Reading};
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

/// `sha256:<64 hex>` of some bytes: the form of every `[files]` entry.
#[must_use]
pub fn hash_bytes(bytes: &[u8]) -> String {
    format!("sha256:{:x}", Sha256::digest(bytes))
}

/// The record as TOML text (see [`AnswersFile::to_toml_string`]) with its `[files]` table:
/// every planned file's path and the hash of its bytes (links hash their target; files
/// left on disk in a directory pack carry the hash taken when the pack was read, and their
/// copy is checked against it). `.env` files are left out: their secrets are fresh on every
/// render (a record replays byte for byte), and they are never replaced anyway.
///
/// The table is written straight from the plan, which is sorted as the TOML serializer
/// sorts a map, one line per file: no map of every path and hash is built first, so a pack
/// of many files does not hold its file list twice more while the record is written. The
/// text is the serializer's, byte for byte (tested).
#[must_use]
pub fn record_toml(record: &AnswersFile, plan: &Plan<'_>) -> String {
    use toml_writer::WriteTomlKey;
    debug_assert!(record.files.is_empty(), "the files come from the plan");
    let mut out = record.to_toml_string();
    let lines = plan
        .files
        .iter()
        .filter(|f| f.path != RECORD_FILE && !is_env(&f.path));
    let mut table_open = false;
    for f in lines {
        if !table_open {
            let per_file: usize = 90;
            out.reserve(plan.files.len().saturating_mul(per_file));
            out.push_str("\n[files]\n");
            table_open = true;
        }
        // Writing into a `String` cannot fail.
        let _ = f.path.as_str().write_toml_key(&mut out);
        out.push_str(" = \"sha256:");
        let digest = if let Some(target) = &f.link {
            Sha256::digest(target.as_bytes()).into()
        } else if let Some(d) = &f.on_disk {
            // Taken when the pack was read (the copy into the project is checked against it),
            // or by the write pass that read it once, for a pack read at write.
            debug_assert!(
                d.seen().is_some(),
                "the record is made after the files are read"
            );
            d.seen().map_or([0; 32], |seen| seen.sha256)
        } else {
            Sha256::digest(&f.bytes).into()
        };
        push_hex(&mut out, &digest);
        out.push_str("\"\n");
    }
    out
}

/// Append the lowercase hex of a digest.
fn push_hex(out: &mut String, digest: &[u8]) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    for b in digest {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0xf)]));
    }
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
    pack_from_source(rec, false, Reading::Now)
}

/// [`pack_from_record`], reading the pack's verbatim files now or when the project is
/// written.
///
/// # Errors
/// See [`pack_from_record`].
pub fn pack_from_record_reading(rec: &AnswersFile, reading: Reading) -> Result<Option<Pack>> {
    pack_from_source(rec, false, reading)
}

/// Like [`pack_from_record`], but a git pack at the newest commit of its recorded branch or
/// tag (the default branch without one): the pack a project follows.
///
/// # Errors
/// See [`pack_from_record`].
pub fn pack_from_record_latest(rec: &AnswersFile) -> Result<Option<Pack>> {
    pack_from_source(rec, true, Reading::Now)
}

fn pack_from_source(rec: &AnswersFile, latest: bool, reading: Reading) -> Result<Option<Pack>> {
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
            let mut pack = pack::load_dir_reading(Path::new(dir), reading)?;
            if p.source.as_deref() == Some("user") {
                pack.origin = Origin::User(Path::new(dir).to_path_buf());
            }
            Ok(Some(pack))
        }
        Some("git") => {
            let url = p.url.as_deref().unwrap_or_default();
            let pack = match &p.commit {
                Some(commit) if !latest => pack::source::load_git_at_reading(url, commit, reading)?,
                _ => pack::source::load_git_reading(url, p.reference.as_deref(), reading)?,
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
    use crate::plan::{OnDisk, PlannedFile, Seen};
    use std::collections::BTreeMap;

    fn planned(path: &str, bytes: &[u8]) -> PlannedFile<'static> {
        PlannedFile {
            path: path.to_string(),
            bytes: bytes.to_vec().into(),
            executable: false,
            link: None,
            on_disk: None,
            secret: false,
        }
    }

    /// `record_toml` against the serializer given the same files as a map.
    fn agrees_with_the_serializer(record: &AnswersFile, files: Vec<PlannedFile<'static>>) {
        let mut plan = Plan::default();
        let mut map = BTreeMap::new();
        for f in files {
            let hash = if let Some(t) = &f.link {
                hash_bytes(t.as_bytes())
            } else if let Some(d) = &f.on_disk {
                format!(
                    "sha256:{}",
                    d.seen()
                        .unwrap()
                        .sha256
                        .iter()
                        .map(|b| format!("{b:02x}"))
                        .collect::<String>()
                )
            } else {
                hash_bytes(&f.bytes)
            };
            if f.path != RECORD_FILE && !is_env(&f.path) {
                map.insert(f.path.clone(), hash);
            }
            plan.add(f).expect("paths are unique");
        }
        let mut full = record.clone();
        full.files = map;
        assert_eq!(record_toml(record, &plan), full.to_toml_string());
    }

    fn sample_record(variables: bool) -> AnswersFile {
        AnswersFile {
            format: Some(FORMAT),
            scaffold_version: Some("0.1.0".into()),
            name: Some("demo".into()),
            stack: Some("fastapi".into()),
            pack: Some(PackRecord {
                name: "fastapi".into(),
                version: "1.0.0".into(),
                content_hash: "sha256:00".into(),
                source: Some("builtin".into()),
                ..PackRecord::default()
            }),
            variables: if variables {
                BTreeMap::from([("docker".to_string(), toml::Value::Boolean(true))])
            } else {
                BTreeMap::new()
            },
            ..AnswersFile::default()
        }
    }

    #[test]
    fn the_files_table_is_the_serializers_text() {
        let odd = [
            "Makefile",
            "app/main.py",
            "with space/x.txt",
            "quote\"d.txt",
            "it's.txt",
            "back\\slash",
            "tab\there",
            "caf\u{e9}/\u{fc}.py",
            "bare-key_9",
            ".env",
            "sub/.env",
            ".env.example",
            RECORD_FILE,
        ];
        for variables in [false, true] {
            let mut files: Vec<_> = odd.iter().map(|p| planned(p, p.as_bytes())).collect();
            let mut link = planned("link", b"");
            link.link = Some("app/main.py".into());
            files.push(link);
            let mut disk = planned("big.bin", b"");
            disk.on_disk = Some(std::sync::Arc::new(OnDisk::read(
                "/nowhere".into(),
                Seen {
                    size: 3,
                    sha256: [0xab; 32],
                    shebang: false,
                },
            )));
            files.push(disk);
            agrees_with_the_serializer(&sample_record(variables), files);
            // No file to record: no table.
            agrees_with_the_serializer(&sample_record(variables), vec![planned(".env", b"S=1")]);
        }
    }

    /// The record of a project of many files is read back under the default limits (an
    /// answers file limit of 1 MiB refused the record of a 15,000-file project, so `update`
    /// could not run in a project scaffold had just made).
    #[test]
    fn the_record_of_a_large_project_reads_back() {
        let files = 60_000;
        let mut plan = Plan::default();
        for i in 0..files {
            plan.files.push(planned(
                &format!("src/area{:03}/module_{i:06}.py", i % 1000),
                b"x",
            ));
        }
        plan.files.sort_unstable_by(|a, b| a.path.cmp(&b.path));
        let text = record_toml(&sample_record(true), &plan);
        assert!(text.len() > 5 * 1024 * 1024, "{} bytes", text.len());
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(RECORD_FILE);
        std::fs::write(&path, &text).unwrap();
        let back = AnswersFile::load(&path).unwrap();
        assert_eq!(back.files.len(), files);
    }

    proptest::proptest! {
        #[test]
        fn any_paths_give_the_serializers_text(
            paths in proptest::collection::btree_set("\\PC{1,12}|[\\x00-\\x7f]{1,6}", 0..12),
        ) {
            let files = paths.iter().map(|p| planned(p, p.as_bytes())).collect();
            agrees_with_the_serializer(&sample_record(true), files);
        }
    }

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
