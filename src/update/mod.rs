//! `scaffold update`: a generated project follows its pack, and its changed answers, with a
//! three-way merge per file that never loses an edit.
//!
//! 1. [`plan`] reads `.scaffold.toml`, renders what the pack generates now (theirs) and what
//!    it generated then (the base, see [`engine::base_pack`]), reads the files as they are
//!    (ours) and decides each file's action ([`merge::decide`]). Nothing is written.
//! 2. [`apply::apply`] stages every new content beside the project and then moves it into
//!    place under a journal, `.scaffold.toml` last; an interrupted run is finished by the
//!    next one ([`apply::recover`]).

pub mod apply;
pub mod command;
pub mod engine;
pub mod history;
pub mod merge;

use std::collections::{BTreeMap, BTreeSet};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use crate::answers::record;
use crate::answers::{AnswersFile, RecommendationRecord, RequirementsRecord};
use crate::engine::Limits;
use crate::error::{Error, Result};
use crate::pack::Pack;
use crate::plan::RECORD_FILE;
use crate::recommend::{self, Need, Requirements};
use crate::stack::Stack;
use engine::{GenFile, Identity, Rendered};
use merge::{Action, Base, FileChange, Local};

/// What the user asked to change besides following the pack.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// `--set KEY=VALUE`, parsed.
    pub sets: Vec<(String, String)>,
    /// `--needs +x,-y` (a bare `x` adds).
    pub needs: Option<String>,
    /// The limits both renders (then and now) run under.
    pub limits: Limits,
}

/// The decided update of a project.
#[derive(Debug, Clone)]
pub struct UpdatePlan {
    /// The project directory.
    pub project: PathBuf,
    /// The pack's name.
    pub pack: String,
    /// The recorded pack version.
    pub from_version: String,
    /// The pack version rendered now.
    pub to_version: String,
    /// Where the base came from, for people.
    pub base: String,
    /// Every file scaffold generated then or now, by path.
    pub changes: Vec<FileChange>,
    /// The record to write last.
    pub record: AnswersFile,
    /// Whether the pack or the answers differ from the record.
    pub record_changed: bool,
}

impl UpdatePlan {
    /// The files with conflicts.
    #[must_use]
    pub fn conflicts(&self) -> Vec<&str> {
        self.changes
            .iter()
            .filter(|c| c.action == Action::Conflict)
            .map(|c| c.path.as_str())
            .collect()
    }

    /// Whether the project is behind its pack (or its answers): something would change.
    #[must_use]
    pub fn behind(&self) -> bool {
        self.record_changed || self.changes.iter().any(|c| c.action.is_change())
    }

    /// The keys appended to `.env` files, as `path: KEY`.
    #[must_use]
    pub fn env_keys(&self) -> Vec<String> {
        self.changes
            .iter()
            .flat_map(|c| c.env_keys.iter().map(move |k| format!("{}: {k}", c.path)))
            .collect()
    }
}

/// Read the project's record.
///
/// # Errors
/// No record (exit 2, saying what the directory needs), a broken one, or one from a newer
/// scaffold.
pub fn load_record(project: &Path) -> Result<AnswersFile> {
    let path = project.join(RECORD_FILE);
    if !path.is_file() {
        return Err(Error::usage(format!(
            "`{}` has no {RECORD_FILE}, so scaffold does not know what generated it; run `scaffold update` in a project made by `scaffold new` (or pass its directory: scaffold update DIR)",
            project.display()
        )));
    }
    let rec = AnswersFile::load(&path)?;
    record::check_not_newer(&rec, &path)?;
    Ok(rec)
}

/// Apply `--needs +x,-y` to the recorded requirements.
///
/// # Errors
/// An unknown need (exit 2, listing the accepted ones).
pub fn apply_needs(
    recorded: Option<&RequirementsRecord>,
    change: &str,
) -> Result<(Requirements, Vec<Need>)> {
    let rec = recorded.cloned().unwrap_or_default();
    let mut req = Requirements::from_ids(&rec.needs, rec.team.as_deref())
        .map_err(|e| Error::usage(format!("{RECORD_FILE}: {e}")))?;
    let mut added = Vec::new();
    for item in change.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let (add, id) = match item.strip_prefix('-') {
            Some(id) => (false, id),
            None => (true, item.strip_prefix('+').unwrap_or(item)),
        };
        let need: Need = id
            .trim()
            .parse()
            .map_err(|e: recommend::UnknownNeed| Error::usage(format!("--needs: {e}")))?;
        if add {
            if req.needs.insert(need) {
                added.push(need);
            }
        } else {
            req.needs.remove(&need);
        }
    }
    Ok((req, added))
}

fn read_local(path: &Path) -> Result<Option<Local>> {
    let meta = match std::fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io("cannot inspect", path, e)),
    };
    if meta.file_type().is_symlink() {
        let target = std::fs::read_link(path).map_err(|e| Error::io("cannot read", path, e))?;
        return Ok(Some(Local {
            bytes: target.to_string_lossy().as_bytes().to_vec(),
            executable: false,
        }));
    }
    if !meta.is_file() {
        return Err(Error::usage(format!(
            "`{}` is not a regular file, but the pack generates a file there; move it away and run `scaffold update` again",
            path.display()
        )));
    }
    let bytes = std::fs::read(path).map_err(|e| Error::io("cannot read", path, e))?;
    Ok(Some(Local {
        bytes,
        executable: meta.permissions().mode() & 0o111 != 0,
    }))
}

/// The answers an update renders with, and what the record says about them.
struct NewAnswers {
    /// The variables: the recorded ones, then what `--needs` implies (`--set` comes later).
    answers: BTreeMap<String, toml::Value>,
    /// The requirements for the record.
    requirements: Option<RequirementsRecord>,
    /// The recommendation for the record.
    recommendation: Option<RecommendationRecord>,
    /// The reasons templates see.
    why: Vec<String>,
}

/// The base, ours and theirs of every path, before any action is decided.
struct Sides {
    /// Every path generated then or now, or recorded.
    paths: BTreeSet<String>,
    /// What the pack generates now.
    theirs: Rendered,
    /// The files as they are (`None`: missing).
    ours: BTreeMap<String, Option<Local>>,
    /// What was generated then (`None`: nothing was), for the paths whose base is known.
    bases: BTreeMap<String, Option<GenFile>>,
    /// The paths whose base could not be had.
    unknown: BTreeSet<String>,
}

/// Decide the update of the project in `project`. Reads only.
///
/// # Errors
/// Bad input (exit 2): no or a newer record, an unreachable pack, an unknown `--set` key
/// or need; a broken pack or an unreadable file (exit 1).
pub fn plan(project: &Path, opts: &Options) -> Result<UpdatePlan> {
    let rec = load_record(project)?;
    let current = engine::current_pack(&rec)?;
    let then = identity(project, &rec, &current)?;
    let next = new_answers(&rec, opts, &current, &then)?;
    check_recorded_answers(&current, &next.answers, &opts.sets)?;
    let now = Identity {
        why: next.why.clone(),
        ..then.clone()
    };
    let theirs = engine::render_pack(
        &current,
        &now,
        (&next.answers, &opts.sets),
        true,
        &opts.limits,
    )?;
    let (base_pack, mut base_from) = engine::base_pack(&rec, &current);
    let base: Option<Rendered> = base_pack.as_ref().and_then(|p| {
        match engine::render_pack(p, &then, (&rec.variables, &[]), true, &opts.limits) {
            Ok(r) => Some(r),
            Err(e) => {
                base_from = format!("{base_from}, which no longer renders ({e})");
                None
            }
        }
    });
    let sides = sides(project, &rec, theirs, base.as_ref(), &mut base_from)?;
    let changes = decide_all(&sides);
    let record = new_record(&rec, &current, next, &sides.theirs);
    let record_changed = {
        let same_pack = rec
            .pack
            .as_ref()
            .is_some_and(|p| p.content_hash == current.content_hash);
        !same_pack || rec.variables != record.variables || rec.requirements != record.requirements
    };
    Ok(UpdatePlan {
        project: project.to_path_buf(),
        pack: current.name().to_string(),
        from_version: rec
            .pack
            .as_ref()
            .map_or_else(|| "?".to_string(), |p| p.version.clone()),
        to_version: current.manifest.pack.version.clone(),
        base: base_from,
        changes,
        record,
        record_changed,
    })
}

/// A recorded answer the pack now refuses (say a runtime version it no longer supports)
/// and `--set` does not replace: exit 2, naming the value and the flag that fixes it.
fn check_recorded_answers(
    current: &Pack,
    answers: &BTreeMap<String, toml::Value>,
    sets: &[(String, String)],
) -> Result<()> {
    for (key, value) in answers {
        if sets.iter().any(|(k, _)| k == key) {
            continue;
        }
        let Some(var) = current.manifest.variable(key) else {
            continue;
        };
        if let Err(reason) = var.from_toml(value) {
            return Err(Error::usage(format!(
                "{RECORD_FILE} records `{key} = {value}`, which pack `{}` {} refuses: {reason}; choose a value it accepts with `scaffold update --set {key}=VALUE`",
                current.name(),
                current.manifest.pack.version
            )));
        }
    }
    Ok(())
}

/// The project's names, stack and recorded reasons: what the base was rendered with.
fn identity(project: &Path, rec: &AnswersFile, current: &Pack) -> Result<Identity> {
    let dir_name = project
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("project")
        .to_string();
    let names = crate::names::derive(rec.name.as_deref().unwrap_or(&dir_name)).map_err(|e| {
        Error::usage(format!(
            "{RECORD_FILE}: the project name is not valid any more ({e}); fix `name` in it"
        ))
    })?;
    let stack = rec
        .stack
        .clone()
        .unwrap_or_else(|| current.name().to_string());
    let why = rec
        .recommendation
        .as_ref()
        .map(|r| r.reasons.clone())
        .unwrap_or_default();
    Ok(Identity { names, stack, why })
}

/// New answers: the recorded ones, then what `--needs` implies (`--set` is applied by the
/// render).
fn new_answers(
    rec: &AnswersFile,
    opts: &Options,
    current: &Pack,
    then: &Identity,
) -> Result<NewAnswers> {
    let mut next = NewAnswers {
        answers: rec.variables.clone(),
        requirements: rec.requirements.clone(),
        recommendation: rec.recommendation.clone(),
        why: then.why.clone(),
    };
    let Some(change) = &opts.needs else {
        return Ok(next);
    };
    let stack = &then.stack;
    let (req, added) = apply_needs(rec.requirements.as_ref(), change)?;
    let ranked = recommend::recommend(&req);
    if let Ok(s) = stack.parse::<Stack>() {
        if let Some(entry) = ranked.entry(s) {
            next.why.clone_from(&entry.reasons);
            next.recommendation = Some(RecommendationRecord {
                stack: stack.clone(),
                recommended: (ranked.stack != s).then(|| ranked.stack.id().to_string()),
                score: Some(entry.score),
                reasons: entry.reasons.clone(),
            });
        }
    }
    // A real-time need added later switches on the jobs API (its WebSocket) of a pack
    // that has one, over the broker the recommendation picks.
    let realtime = [Need::Realtime, Need::Streaming, Need::HighConcurrency];
    let set_by_flag = |k: &str| opts.sets.iter().any(|(key, _)| key == k);
    if added.iter().any(|n| realtime.contains(n))
        && current.manifest.variable("jobs_queue").is_some()
        && !set_by_flag("jobs_queue")
        && next
            .answers
            .get("jobs_queue")
            .is_none_or(|v| v.as_str() == Some("none"))
    {
        let vars = recommend::hybrid_variables(&req, &ranked.ranking);
        if let Some(queue) = vars.get("queue") {
            next.answers
                .insert("jobs_queue".into(), toml::Value::String(queue.clone()));
        }
    }
    next.requirements = Some(RequirementsRecord {
        needs: req.need_ids(),
        team: Some(req.team.id().to_string()),
    });
    Ok(next)
}

/// Every path's three sides: theirs as rendered, ours read from disk, and the base, checked
/// against the recorded hash (from the re-rendered base, else the project's first commit,
/// else the file itself when it still has the recorded hash).
fn sides(
    project: &Path,
    rec: &AnswersFile,
    theirs: Rendered,
    base: Option<&Rendered>,
    base_from: &mut String,
) -> Result<Sides> {
    let mut paths: BTreeSet<String> = theirs.files.keys().cloned().collect();
    if let Some(b) = base {
        paths.extend(b.files.keys().cloned());
    }
    paths.extend(rec.files.keys().cloned());
    paths.remove(RECORD_FILE);

    let mut ours: BTreeMap<String, Option<Local>> = BTreeMap::new();
    for p in &paths {
        if crate::plan::check_rel_path(p).is_err() {
            return Err(Error::usage(format!(
                "{RECORD_FILE}: `[files]` names `{p}`, which is not a relative path inside the project; remove that line"
            )));
        }
        ours.insert(p.clone(), read_local(&project.join(p))?);
    }
    let mut sides = Sides {
        paths,
        theirs,
        ours,
        bases: BTreeMap::new(),
        unknown: BTreeSet::new(),
    };
    let need_snapshot = rendered_bases(&mut sides, rec, base);
    if !need_snapshot.is_empty() && snapshot_bases(&mut sides, rec, project, &need_snapshot) {
        base_from.push_str("; the project's first commit for the files that did not match");
    }
    Ok(sides)
}

/// The bases the re-rendered base pack gives (when their hash is the recorded one); the
/// paths it cannot give are returned.
fn rendered_bases(sides: &mut Sides, rec: &AnswersFile, base: Option<&Rendered>) -> Vec<String> {
    let mut need_snapshot = Vec::new();
    for p in &sides.paths {
        let rendered = base.and_then(|b| b.files.get(p));
        if merge::is_env(p) {
            // Not hashed in the record; only whether it was generated then matters.
            if base.is_some() {
                sides.bases.insert(p.clone(), rendered.cloned());
            } else {
                sides.unknown.insert(p.clone());
            }
            continue;
        }
        match rec.files.get(p) {
            None if !rec.files.is_empty() => {
                sides.bases.insert(p.clone(), None);
            }
            None => match (base, rendered) {
                (Some(_), r) => {
                    sides.bases.insert(p.clone(), r.cloned());
                }
                (None, _) => need_snapshot.push(p.clone()),
            },
            Some(h) => match rendered {
                Some(r) if &record::hash_bytes(&r.bytes) == h => {
                    sides.bases.insert(p.clone(), Some(r.clone()));
                }
                _ => need_snapshot.push(p.clone()),
            },
        }
    }
    need_snapshot
}

/// The bases of `wanted` from the project's first commit, or the file itself when it still
/// has the recorded hash; the rest are unknown. Whether the first commit served.
fn snapshot_bases(sides: &mut Sides, rec: &AnswersFile, project: &Path, wanted: &[String]) -> bool {
    let names: Vec<&str> = wanted.iter().map(String::as_str).collect();
    let snapshot = engine::first_commit_files(project, &names);
    let mut used_snapshot = false;
    for p in wanted {
        let recorded = rec.files.get(p);
        let local = sides.ours.get(p).and_then(Option::as_ref);
        let exec = sides
            .theirs
            .files
            .get(p)
            .map(|t| t.executable)
            .or_else(|| local.map(|o| o.executable))
            .unwrap_or(false);
        let from_snapshot = snapshot
            .get(p)
            .filter(|bytes| recorded.is_none_or(|h| &record::hash_bytes(bytes) == h));
        let found = if let Some(bytes) = from_snapshot {
            used_snapshot = true;
            Some((bytes.clone(), exec))
        } else {
            // The file on disk is exactly what was generated: it is its own base.
            match (recorded, local) {
                (Some(h), Some(o)) if &record::hash_bytes(&o.bytes) == h => {
                    Some((o.bytes.clone(), o.executable))
                }
                _ => None,
            }
        };
        match found {
            Some((bytes, executable)) => {
                sides.bases.insert(
                    p.clone(),
                    Some(GenFile {
                        bytes,
                        executable,
                        link: false,
                    }),
                );
            }
            None => {
                sides.unknown.insert(p.clone());
            }
        }
    }
    used_snapshot
}

/// Renames: a file the pack dropped whose base content it now generates elsewhere, where
/// nothing is yet: local edits follow it to its new path. Old path → new path.
fn renames(sides: &Sides) -> BTreeMap<String, String> {
    let mut renamed: BTreeMap<String, String> = BTreeMap::new();
    for p in &sides.paths {
        let (Some(Some(b)), Some(o)) = (sides.bases.get(p), sides.ours.get(p)) else {
            continue;
        };
        // Unedited files need no tracking: the old path goes, the new one comes.
        let edited = o
            .as_ref()
            .is_none_or(|o| o.bytes != b.bytes || o.executable != b.executable);
        if sides.theirs.files.contains_key(p) || merge::is_env(p) || !edited {
            continue;
        }
        let target = sides.theirs.files.iter().find(|(q, t)| {
            t.bytes == b.bytes
                && !renamed.values().any(|r| r == *q)
                && matches!(sides.bases.get(*q), Some(None) | None)
                && !sides.unknown.contains(*q)
                && sides.ours.get(*q).is_none_or(Option::is_none)
        });
        if let Some((q, _)) = target {
            renamed.insert(p.clone(), q.clone());
        }
    }
    renamed
}

/// Every path's action.
fn decide_all(sides: &Sides) -> Vec<FileChange> {
    let renamed = renames(sides);
    let mut changes = Vec::new();
    for p in &sides.paths {
        if let Some(q) = renamed.get(p) {
            if sides.ours.get(p).is_none_or(Option::is_none) {
                continue; // deleted locally: nothing to move
            }
            changes.push(FileChange {
                path: p.clone(),
                action: Action::Removed,
                note: Some(format!(
                    "renamed by the pack to {q}; your edits moved with it"
                )),
                write: Some(merge::Write::Delete),
                env_keys: Vec::new(),
            });
            continue;
        }
        let from = renamed.iter().find(|(_, q)| *q == p).map(|(from, _)| from);
        let known = |path: &String| Base::Known(sides.bases.get(path).and_then(Option::as_ref));
        let (base_of, ours_of) = match from {
            Some(from) => (known(from), sides.ours.get(from).and_then(Option::as_ref)),
            None if sides.unknown.contains(p) => {
                (Base::Unknown, sides.ours.get(p).and_then(Option::as_ref))
            }
            None => (known(p), sides.ours.get(p).and_then(Option::as_ref)),
        };
        if let Some(mut c) = merge::decide(p, base_of, ours_of, sides.theirs.files.get(p)) {
            if let (Some(from), Some(o)) = (from, ours_of) {
                c.note = Some(format!("renamed from {from}"));
                if c.action != Action::Conflict {
                    c.action = Action::Merged;
                }
                if c.write.is_none() {
                    c.write = Some(merge::Write::Put {
                        bytes: o.bytes.clone(),
                        executable: o.executable,
                    });
                }
            }
            changes.push(c);
        }
    }
    changes
}

/// The record the update writes last: the pack now, the new answers, every file's hash.
fn new_record(
    rec: &AnswersFile,
    current: &Pack,
    next: NewAnswers,
    theirs: &Rendered,
) -> AnswersFile {
    let mut record = AnswersFile {
        format: Some(record::FORMAT),
        scaffold_version: Some(env!("CARGO_PKG_VERSION").to_string()),
        name: rec.name.clone(),
        stack: rec.stack.clone(),
        pack: Some(record::pack_record(current)),
        requirements: next.requirements,
        recommendation: next.recommendation,
        variables: theirs.variables.clone(),
        files: BTreeMap::new(),
    };
    for (p, f) in &theirs.files {
        if !merge::is_env(p) {
            record.files.insert(p.clone(), record::hash_bytes(&f.bytes));
        }
    }
    // A git pack keeps the branch or tag it was asked at.
    if let (Some(new), Some(old)) = (record.pack.as_mut(), rec.pack.as_ref()) {
        if new.reference.is_none() {
            new.reference.clone_from(&old.reference);
        }
    }
    record
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn needs_are_added_and_removed() {
        let rec = RequirementsRecord {
            needs: vec!["api".into(), "ml".into()],
            team: Some("python".into()),
        };
        let (req, added) = apply_needs(Some(&rec), "+realtime,-ml,api").unwrap();
        assert_eq!(req.need_ids(), ["realtime", "api"]);
        assert_eq!(added, [Need::Realtime]);
        assert!(apply_needs(Some(&rec), "+telepathy").is_err());
    }
}
