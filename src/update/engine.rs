//! The few calls `update` makes into the core pipeline (load a pack, resolve answers,
//! render), gathered here so that the rest of the update code works on plain owned data.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Stdio;

use crate::answers::{AnswersFile, Asker};
use crate::engine::{Limits, TemplateContext};
use crate::error::{Error, Result};
use crate::names::ProjectNames;
use crate::pack::{self, Pack};
use crate::plan::RECORD_FILE;
use crate::render;
use crate::resolve::{self, Answers};

/// One generated file, owned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenFile {
    /// The bytes (a link's target for a link).
    pub bytes: Vec<u8>,
    /// Whether it is made executable.
    pub executable: bool,
    /// Whether it is a symbolic link.
    pub link: bool,
}

/// A rendered tree: relative path → file, plus the answers it was rendered with.
#[derive(Debug, Clone, Default)]
pub struct Rendered {
    /// The files, by path (the record excluded).
    pub files: BTreeMap<String, GenFile>,
    /// The pack variables' values (derived ones excluded), for the record.
    pub variables: BTreeMap<String, toml::Value>,
}

/// Everything but the variables that a render needs.
#[derive(Debug, Clone)]
pub struct Identity {
    /// The project's names.
    pub names: ProjectNames,
    /// The stack id templates see.
    pub stack: String,
    /// The recommendation's reasons for the stack.
    pub why: Vec<String>,
}

/// Resolve `answers` (then `sets`) against the pack tree and render it in memory, through
/// the same pipeline as `scaffold new` ([`resolve::resolve`], then [`render::render`]) and
/// under the same [`Limits`]: a runaway template stops with a limit error instead of
/// hanging the update. Answers the pack does not know are dropped when `drop_unknown` (a
/// newer pack may have removed a variable); `--set` keys must exist.
///
/// # Errors
/// An unknown `--set` key or a refused value (exit 2), a template error (exit 1), a limit
/// reached.
pub fn render_pack(
    pack: &Pack,
    who: &Identity,
    input: (&BTreeMap<String, toml::Value>, &[(String, String)]),
    drop_unknown: bool,
    limits: &Limits,
) -> Result<Rendered> {
    let (answers, sets) = input;
    let known: BTreeMap<String, toml::Value> = answers
        .iter()
        .filter(|(k, _)| !drop_unknown || pack.manifest.variable(k).is_some())
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let base = TemplateContext {
        names: who.names.clone(),
        stack: who.stack.clone(),
        why: who.why.clone(),
        values: Vec::new(),
        // The recorded answers already hold what the needs proposed; the README's per-need
        // lines are not re-derived here, so base and theirs are rendered alike.
        needs: Vec::new(),
    };
    let input = Answers {
        sets: sets.to_vec(),
        answers: known,
        proposals: BTreeMap::new(),
    };
    let resolved = resolve::resolve(pack, &base, &input, Asker::Never, limits)?;
    let plan = render::render(&resolved)?;
    let mut files = BTreeMap::new();
    for f in &plan.files {
        if f.path == RECORD_FILE {
            continue;
        }
        let bytes = if let Some(target) = &f.link {
            target.as_bytes().to_vec()
        } else if let Some(d) = &f.on_disk {
            std::fs::read(&d.path).map_err(|e| Error::io("cannot read", &d.path, e))?
        } else {
            f.bytes.to_vec()
        };
        files.insert(
            f.path.clone(),
            GenFile {
                bytes,
                executable: f.executable,
                link: f.link.is_some(),
            },
        );
    }
    let variables = resolved
        .values()
        .iter()
        .filter(|(k, _)| pack.manifest.variable(k).is_some())
        .map(|(k, v)| (k.clone(), v.to_toml()))
        .collect();
    Ok(Rendered { files, variables })
}

/// The pack a project follows now: the built-in pack of that name, the directory it was
/// read from, or the newest commit of its git repository (at the recorded branch or tag).
///
/// # Errors
/// The source is gone or unreachable (exit 2, naming it).
pub fn current_pack(rec: &AnswersFile) -> Result<Pack> {
    // A recorded source that cannot be reached is fixed by an answer (`--pack`), so for
    // update it is bad input, not a failure.
    let latest = crate::answers::record::pack_from_record_latest(rec).map_err(|e| match e {
        Error::Failed { message } => Error::usage(message),
        other => other,
    })?;
    if let Some(p) = latest {
        return Ok(p);
    }
    let name = rec
        .pack
        .as_ref()
        .map(|p| p.name.clone())
        .or_else(|| rec.stack.clone())
        .ok_or_else(|| {
            Error::usage(
                "the record names no pack or stack; add `stack = \"fastapi\"` (or the stack it was made with) to .scaffold.toml",
            )
        })?;
    pack::load_builtin(&name)
}

/// The pack as it was when the project was generated, if it can be had: the current pack
/// when its content hash is the recorded one, a kept release of a built-in pack, or a git
/// pack at the recorded commit. The second value says where it came from.
#[must_use]
pub fn base_pack(rec: &AnswersFile, current: &Pack) -> (Option<Pack>, String) {
    let Some(p) = &rec.pack else {
        return (None, "the record names no pack".into());
    };
    if current.content_hash == p.content_hash {
        return (Some(current.clone()), "the same pack".into());
    }
    match p.source.as_deref() {
        None | Some("builtin") => {
            match super::history::find(&p.name, &p.version, &p.content_hash) {
                Some(found) => (
                    Some(found),
                    format!("the kept release of pack `{}` {}", p.name, p.version),
                ),
                None => (
                    None,
                    format!(
                        "this scaffold keeps no release of pack `{}` {}",
                        p.name, p.version
                    ),
                ),
            }
        }
        Some("git") => match (&p.url, &p.commit) {
            (Some(url), Some(commit)) => match pack::source::load_git_at(url, commit) {
                Ok(found) => (Some(found), format!("`{url}` at {commit}")),
                Err(e) => (None, e.to_string()),
            },
            _ => (None, "the record has no git commit".into()),
        },
        Some(_) => (
            None,
            format!(
                "the pack directory changed since version {} was recorded",
                p.version
            ),
        ),
    }
}

/// The files of the project's first commit made by scaffold (`Initial commit from
/// scaffold`), if the project is a git repository that has one: a snapshot of what was
/// generated, used when the pack itself can no longer be rendered as it was.
#[must_use]
pub fn first_commit_files(project: &Path, paths: &[&str]) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let run = |args: &[&str]| {
        crate::git::command()
            .args(args)
            .current_dir(project)
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .output()
            .ok()
            .filter(|o| o.status.success())
    };
    let Some(log) = run(&[
        "log",
        "--reverse",
        "--format=%H",
        "--grep=^Initial commit from scaffold",
    ]) else {
        return out;
    };
    let Some(commit) = String::from_utf8_lossy(&log.stdout)
        .lines()
        .next()
        .map(str::to_string)
    else {
        return out;
    };
    for path in paths {
        if let Some(o) = run(&["show", &format!("{commit}:{path}")]) {
            out.insert((*path).to_string(), o.stdout);
        }
    }
    out
}
