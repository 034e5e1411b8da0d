//! What happens to one file in an update: a pure decision from three versions of it —
//! base (generated then), ours (on disk now) and theirs (generated now). Line merges and
//! conflict markers come from the `diffy` crate (diff3 style, as `git merge-file --diff3`).

use serde::Serialize;

use super::engine::GenFile;

/// A file's action, as listed by `--dry-run` and the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    /// Nothing to do.
    Unchanged,
    /// Not edited locally: replaced by what the pack generates now.
    Updated,
    /// Edited on both sides, merged line by line without conflicts (or `.env` gained keys).
    Merged,
    /// Edited on both sides in the same place: written with conflict markers.
    Conflict,
    /// New from the pack.
    Added,
    /// Dropped by the pack and not edited locally: deleted.
    Removed,
    /// Edited (or deleted) locally where the pack changed nothing, or dropped by the pack
    /// but edited locally: left as it is.
    KeptLocal,
}

impl Action {
    /// The name shown to people and in JSON.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Action::Unchanged => "unchanged",
            Action::Updated => "updated",
            Action::Merged => "merged",
            Action::Conflict => "conflict",
            Action::Added => "added",
            Action::Removed => "removed",
            Action::KeptLocal => "kept-local",
        }
    }

    /// Whether the project is behind its pack when a file has this action.
    #[must_use]
    pub fn is_change(self) -> bool {
        !matches!(self, Action::Unchanged | Action::KeptLocal)
    }
}

/// A file as it is on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Local {
    /// Its bytes (a link's target for a link).
    pub bytes: Vec<u8>,
    /// Whether any execute bit is set.
    pub executable: bool,
}

/// What the base of a file is.
#[derive(Debug, Clone, Copy)]
pub enum Base<'a> {
    /// Known: the file as generated then, or `None` when it was not generated then.
    Known(Option<&'a GenFile>),
    /// Generated then, but its content cannot be reconstructed: a two-way decision.
    Unknown,
}

/// What to do on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Write {
    /// Write these bytes with this mode.
    Put {
        /// The new content.
        bytes: Vec<u8>,
        /// Whether to make it executable.
        executable: bool,
    },
    /// Delete the file.
    Delete,
}

/// The decision for one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileChange {
    /// The relative path.
    pub path: String,
    /// The action.
    pub action: Action,
    /// A remark for people ("deleted locally", "renamed to …", the keys added to `.env`).
    pub note: Option<String>,
    /// What to write, if anything.
    pub write: Option<Write>,
    /// Keys appended to a `.env` file.
    pub env_keys: Vec<String>,
}

impl FileChange {
    fn new(path: &str, action: Action) -> FileChange {
        FileChange {
            path: path.to_string(),
            action,
            note: None,
            write: None,
            env_keys: Vec::new(),
        }
    }

    fn note(mut self, note: impl Into<String>) -> FileChange {
        self.note = Some(note.into());
        self
    }

    fn put(mut self, bytes: Vec<u8>, executable: bool) -> FileChange {
        self.write = Some(Write::Put { bytes, executable });
        self
    }
}

pub use crate::answers::record::is_env;

/// The result of a three-way line merge: the bytes and whether they hold conflicts.
#[must_use]
pub fn merge3(base: &[u8], ours: &[u8], theirs: &[u8]) -> (Vec<u8>, bool) {
    let mut opts = diffy::MergeOptions::new();
    opts.set_conflict_style(diffy::ConflictStyle::Diff3)
        .set_incomplete_hunk_style(diffy::IncompleteHunkStyle::Git);
    match opts.merge_bytes(base, ours, theirs) {
        Ok(merged) => (merged, false),
        Err(conflicted) => (conflicted, true),
    }
}

/// Both sides with conflict markers and no base section: used when the base is unknown.
#[must_use]
pub fn merge2(ours: &[u8], theirs: &[u8]) -> Vec<u8> {
    let mut opts = diffy::MergeOptions::new();
    opts.set_conflict_style(diffy::ConflictStyle::Merge)
        .set_incomplete_hunk_style(diffy::IncompleteHunkStyle::Git);
    match opts.merge_bytes(b"", ours, theirs) {
        Ok(merged) | Err(merged) => merged,
    }
}

fn is_binary(bytes: &[u8]) -> bool {
    bytes.contains(&0)
}

/// The keys a `.env` file sets, in order.
#[must_use]
pub fn env_keys(text: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(text)
        .lines()
        .filter_map(|line| {
            let line = line.trim_start();
            let line = line.strip_prefix("export ").unwrap_or(line);
            let (key, _) = line.split_once('=')?;
            let key = key.trim();
            (!key.is_empty()
                && !key.starts_with('#')
                && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
            .then(|| key.to_string())
        })
        .collect()
}

/// `KEY=value` pairs of a `.env` file, in order.
fn env_values(text: &[u8]) -> Vec<(String, String)> {
    String::from_utf8_lossy(text)
        .lines()
        .filter_map(|line| {
            let key = env_keys(line.as_bytes()).into_iter().next()?;
            let (_, value) = line.split_once('=')?;
            Some((key, value.trim().to_string()))
        })
        .collect()
}

/// Whether a value looks like a secret `secret()` generated (random on every render).
fn looks_generated(value: &str) -> bool {
    value.len() >= 16 && value.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// `.env`: never replaced; the keys the pack sets now and the file lacks are appended with
/// the fresh values just generated.
fn decide_env(
    path: &str,
    base: Base<'_>,
    ours: Option<&Local>,
    theirs: Option<&GenFile>,
) -> Option<FileChange> {
    match (ours, theirs) {
        (None, Some(t)) => match base {
            Base::Known(None) => {
                Some(FileChange::new(path, Action::Added).put(t.bytes.clone(), t.executable))
            }
            _ => Some(FileChange::new(path, Action::KeptLocal).note("deleted locally")),
        },
        (None, None) => None,
        (Some(_), None) => Some(
            FileChange::new(path, Action::KeptLocal)
                .note("the pack no longer generates it; secrets are never deleted"),
        ),
        (Some(o), Some(t)) => Some(merge_env(path, base, o, t)),
    }
}

/// The keys the pack's `.env` sets now and the user's lacks, with their lines.
fn missing_env_lines(ours: &[u8], theirs: &[u8]) -> (Vec<String>, Vec<String>) {
    let have = env_keys(ours);
    let text = String::from_utf8_lossy(theirs);
    let mut added = Vec::new();
    let mut lines = Vec::new();
    for line in text.lines() {
        if let Some(key) = env_keys(line.as_bytes()).into_iter().next() {
            if !have.contains(&key) && !added.contains(&key) {
                added.push(key);
                lines.push(line.to_string());
            }
        }
    }
    (added, lines)
}

/// Keys whose generated value the pack changed (a secret aside): yours are kept, and named
/// so that you can follow by hand.
fn changed_env_values(base: Base<'_>, ours: &[u8], theirs: &[u8]) -> Vec<String> {
    let base_text = match base {
        Base::Known(Some(b)) => Some(b.bytes.as_slice()),
        _ => None,
    };
    let mine_all = env_values(ours);
    env_values(theirs)
        .into_iter()
        .filter(|(k, v)| {
            let mine = mine_all.iter().find(|(ok, _)| ok == k).map(|(_, ov)| ov);
            let then = base_text.map(|b| {
                env_values(b)
                    .into_iter()
                    .find(|(bk, _)| bk == k)
                    .map(|(_, bv)| bv)
            });
            mine.is_some_and(|m| m != v)
                && then.is_some_and(|b| b.as_ref() != Some(v))
                && !looks_generated(v)
        })
        .map(|(k, _)| k)
        .collect()
}

/// A `.env` both sides have: new keys appended with their fresh values, the rest kept.
fn merge_env(path: &str, base: Base<'_>, o: &Local, t: &GenFile) -> FileChange {
    let (added, lines) = missing_env_lines(&o.bytes, &t.bytes);
    let differs = changed_env_values(base, &o.bytes, &t.bytes);
    let kept = (!differs.is_empty()).then(|| {
        format!(
            "kept your values of {}, which the pack now generates differently",
            differs.join(", ")
        )
    });
    if added.is_empty() {
        return match kept {
            Some(note) => FileChange::new(path, Action::KeptLocal).note(note),
            None => FileChange::new(path, Action::Unchanged),
        };
    }
    let mut bytes = o.bytes.clone();
    if !bytes.is_empty() && !bytes.ends_with(b"\n") {
        bytes.push(b'\n');
    }
    bytes.extend_from_slice(b"# Added by scaffold update:\n");
    for line in &lines {
        bytes.extend_from_slice(line.as_bytes());
        bytes.push(b'\n');
    }
    let mut note = format!("new keys: {}", added.join(", "));
    if let Some(kept) = kept {
        note = format!("{note}; {kept}");
    }
    let mut change = FileChange::new(path, Action::Merged)
        .note(note)
        .put(bytes, o.executable);
    change.env_keys = added;
    change
}

/// Decide what happens to one file. `None` when the file is none of scaffold's business
/// (neither generated then nor now).
#[must_use]
pub fn decide(
    path: &str,
    base: Base<'_>,
    ours: Option<&Local>,
    theirs: Option<&GenFile>,
) -> Option<FileChange> {
    if is_env(path) {
        return decide_env(path, base, ours, theirs);
    }
    let b = match base {
        Base::Known(b) => b,
        Base::Unknown => return Some(decide_two_way(path, ours, theirs)),
    };
    Some(match (b, ours, theirs) {
        (_, None, None) | (None, Some(_), None) => return None,
        (None, None, Some(t)) => {
            FileChange::new(path, Action::Added).put(t.bytes.clone(), t.executable)
        }
        (None, Some(o), Some(t)) => {
            if o.bytes == t.bytes {
                FileChange::new(path, Action::Unchanged)
            } else if is_binary(&o.bytes) || is_binary(&t.bytes) {
                FileChange::new(path, Action::Conflict).note(
                    "a file of yours is where the pack now generates one (binary: yours kept)",
                )
            } else {
                FileChange::new(path, Action::Conflict)
                    .note("a file of yours is where the pack now generates one")
                    .put(merge2(&o.bytes, &t.bytes), o.executable)
            }
        }
        (Some(b), Some(o), None) => {
            if o.bytes == b.bytes && o.executable == b.executable {
                let mut c = FileChange::new(path, Action::Removed);
                c.write = Some(Write::Delete);
                c
            } else {
                FileChange::new(path, Action::KeptLocal)
                    .note("edited locally; the pack no longer generates it")
            }
        }
        (Some(_), None, Some(_)) => {
            FileChange::new(path, Action::KeptLocal).note("deleted locally")
        }
        (Some(b), Some(o), Some(t)) => decide_three(path, b, o, t),
    })
}

fn decide_three(path: &str, b: &GenFile, o: &Local, t: &GenFile) -> FileChange {
    // The mode: the pack's, unless it was changed locally.
    let executable = if o.executable == b.executable {
        t.executable
    } else {
        o.executable
    };
    let mode_only = executable != o.executable;
    if o.bytes == t.bytes {
        return if mode_only {
            FileChange::new(path, Action::Updated)
                .note("mode")
                .put(o.bytes.clone(), executable)
        } else {
            FileChange::new(path, Action::Unchanged)
        };
    }
    if o.bytes == b.bytes {
        return FileChange::new(path, Action::Updated).put(t.bytes.clone(), executable);
    }
    if b.bytes == t.bytes {
        return if mode_only {
            FileChange::new(path, Action::Updated)
                .note("mode")
                .put(o.bytes.clone(), executable)
        } else {
            FileChange::new(path, Action::KeptLocal)
        };
    }
    if [&b.bytes, &o.bytes, &t.bytes].iter().any(|x| is_binary(x)) {
        return FileChange::new(path, Action::Conflict)
            .note("binary file changed on both sides: yours kept");
    }
    let (merged, conflicts) = merge3(&b.bytes, &o.bytes, &t.bytes);
    let action = if conflicts {
        Action::Conflict
    } else {
        Action::Merged
    };
    FileChange::new(path, action).put(merged, executable)
}

/// No base: a file identical to the pack's is unchanged; any other is a conflict showing
/// both sides, never a silent replacement.
fn decide_two_way(path: &str, ours: Option<&Local>, theirs: Option<&GenFile>) -> FileChange {
    match (ours, theirs) {
        (None, _) => FileChange::new(path, Action::KeptLocal).note("deleted locally"),
        (Some(_), None) => FileChange::new(path, Action::KeptLocal)
            .note("the pack no longer generates it, and its base is unknown"),
        (Some(o), Some(t)) if o.bytes == t.bytes => FileChange::new(path, Action::Unchanged),
        (Some(o), Some(t)) if is_binary(&o.bytes) || is_binary(&t.bytes) => {
            FileChange::new(path, Action::Conflict).note("base unknown, binary file: yours kept")
        }
        (Some(o), Some(t)) => FileChange::new(path, Action::Conflict)
            .note("base unknown: both versions shown")
            .put(merge2(&o.bytes, &t.bytes), o.executable),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g(s: &str) -> GenFile {
        GenFile {
            bytes: s.as_bytes().to_vec(),
            executable: false,
            link: false,
        }
    }
    fn l(s: &str) -> Local {
        Local {
            bytes: s.as_bytes().to_vec(),
            executable: false,
        }
    }

    #[test]
    fn the_rules() {
        let (base, theirs) = (g("a\nb\nc\nd\ne\n"), g("a\nb\nc\nD\ne\n"));
        let d =
            |o: Option<&Local>| decide("f", Base::Known(Some(&base)), o, Some(&theirs)).unwrap();
        assert_eq!(d(Some(&l("a\nb\nc\nd\ne\n"))).action, Action::Updated);
        assert_eq!(d(Some(&l("a\nb\nc\nD\ne\n"))).action, Action::Unchanged);
        assert_eq!(d(None).action, Action::KeptLocal);
        let merged = d(Some(&l("A\nb\nc\nd\ne\n")));
        assert_eq!(merged.action, Action::Merged);
        assert_eq!(
            merged.write,
            Some(Write::Put {
                bytes: b"A\nb\nc\nD\ne\n".to_vec(),
                executable: false
            })
        );
        let conflict = d(Some(&l("a\nb\nc\nX\ne\n")));
        assert_eq!(conflict.action, Action::Conflict);
        let Some(Write::Put { bytes, .. }) = conflict.write else {
            panic!("conflict writes markers")
        };
        let text = String::from_utf8(bytes).unwrap();
        for marker in ["<<<<<<<", "|||||||", "=======", ">>>>>>>"] {
            assert!(text.contains(marker), "{text}");
        }
        // Unchanged by the pack, edited locally: kept.
        let kept = decide("f", Base::Known(Some(&base)), Some(&l("z\n")), Some(&base)).unwrap();
        assert_eq!(kept.action, Action::KeptLocal);
        assert_eq!(kept.write, None);
    }

    #[test]
    fn dropped_and_added_files() {
        let b = g("x\n");
        let gone = decide("f", Base::Known(Some(&b)), Some(&l("x\n")), None).unwrap();
        assert_eq!(
            (gone.action, gone.write),
            (Action::Removed, Some(Write::Delete))
        );
        let edited = decide("f", Base::Known(Some(&b)), Some(&l("y\n")), None).unwrap();
        assert_eq!((edited.action, edited.write), (Action::KeptLocal, None));
        let new = decide("f", Base::Known(None), None, Some(&b)).unwrap();
        assert_eq!(new.action, Action::Added);
        assert!(decide("f", Base::Known(None), Some(&l("mine")), None).is_none());
    }

    #[test]
    fn env_is_never_replaced() {
        let o = l("SECRET=mine\nA=1\n");
        let t = g("SECRET=fresh\nA=2\nNEW_KEY=xyz\n");
        let c = decide(
            ".env",
            Base::Known(Some(&g("SECRET=old\nA=1\n"))),
            Some(&o),
            Some(&t),
        )
        .unwrap();
        assert_eq!(c.env_keys, ["NEW_KEY"]);
        let Some(Write::Put { bytes, .. }) = c.write else {
            panic!("keys appended")
        };
        let text = String::from_utf8(bytes).unwrap();
        assert!(text.starts_with("SECRET=mine\nA=1\n"), "{text}");
        assert!(text.ends_with("NEW_KEY=xyz\n"), "{text}");
        let same = decide("w/.env", Base::Unknown, Some(&o), Some(&g("A=3\n"))).unwrap();
        assert_eq!((same.action, same.write), (Action::Unchanged, None));
        // The pack now generates another URL: yours is kept and named.
        let b = g("URL=sqlite\nSECRET=aaaaaaaaaaaaaaaaaaaa\n");
        let o = l("URL=sqlite\nSECRET=aaaaaaaaaaaaaaaaaaaa\n");
        let t = g("URL=postgres\nSECRET=bbbbbbbbbbbbbbbbbbbb\n");
        let c = decide(".env", Base::Known(Some(&b)), Some(&o), Some(&t)).unwrap();
        assert_eq!((c.action, c.write), (Action::KeptLocal, None));
        assert!(c.note.unwrap().contains("kept your values of URL"));
    }

    #[test]
    fn mode_follows_the_pack_unless_changed_locally() {
        let b = g("#!/bin/sh\n");
        let mut t = g("#!/bin/sh\necho\n");
        t.executable = true;
        let mut o = l("#!/bin/sh\n");
        o.executable = true; // chmod +x locally
        let c = decide("s", Base::Known(Some(&b)), Some(&o), Some(&t)).unwrap();
        assert_eq!(
            c.write,
            Some(Write::Put {
                bytes: t.bytes.clone(),
                executable: true
            })
        );
    }

    #[test]
    fn two_way_never_replaces_silently() {
        let c = decide("f", Base::Unknown, Some(&l("mine\n")), Some(&g("theirs\n"))).unwrap();
        assert_eq!(c.action, Action::Conflict);
        let Some(Write::Put { bytes, .. }) = c.write else {
            panic!()
        };
        let text = String::from_utf8(bytes).unwrap();
        assert!(text.contains("mine") && text.contains("theirs"), "{text}");
    }
}
