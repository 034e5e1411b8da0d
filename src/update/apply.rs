//! Writing an update so that every file lands or none does.
//!
//! 1. Stage: every new content is written (and synced) into a staging directory beside the
//!    project, `.<project>.scaffold-update-<pid>-<random>/`. Nothing in the project changes;
//!    Ctrl-C or an I/O error here removes the staging directory, and a SIGKILL leaves only
//!    that directory, which the next run removes.
//! 2. Commit point: a journal listing every step (renames into place, deletions,
//!    `.scaffold.toml` last) is written into the staging directory and renamed to
//!    `journal.json` in one step.
//! 3. Commit: the steps are carried out in order. Each is idempotent, so if the process is
//!    killed here the next `scaffold update` (or `scaffold update --check`/`--dry-run`, which
//!    refuse until then) finds the journal and finishes the same steps: the project ends up
//!    fully updated, never half.

use std::fs::{self, OpenOptions};
use std::io::Write as _;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::merge::Write;
use super::UpdatePlan;
use crate::error::{Error, Result};
use crate::interrupt;
use crate::plan::RECORD_FILE;

const JOURNAL: &str = "journal.json";

/// One step of the commit.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(tag = "op", rename_all = "lowercase")]
enum Step {
    /// Rename staged file `staged` onto `path`.
    Put { path: String, staged: usize },
    /// Delete `path`.
    Delete { path: String },
}

#[derive(Debug, Serialize, Deserialize)]
struct Journal {
    steps: Vec<Step>,
}

/// The prefix of the staging directories of a project.
fn stage_prefix(project: &Path) -> String {
    let name = project
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    format!(".{name}.scaffold-update-")
}

fn parent_of(project: &Path) -> PathBuf {
    project
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

fn alive(pid: i32) -> bool {
    // SAFETY: signal 0 only checks that the process exists.
    let rc = unsafe { libc::kill(pid, 0) };
    rc == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

/// A step-by-step pause (debug builds only, for the interruption tests): lets a signal land
/// between any two steps.
fn pause() {
    #[cfg(debug_assertions)]
    if let Some(ms) = std::env::var("SCAFFOLD_UPDATE_STEP_DELAY_MS")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
    {
        std::thread::sleep(std::time::Duration::from_millis(ms));
    }
}

/// An injected I/O failure at the n-th staged file (debug builds only, for the tests).
fn injected_failure(n: usize) -> Option<std::io::Error> {
    #[cfg(debug_assertions)]
    if std::env::var("SCAFFOLD_UPDATE_FAIL_AT")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        == Some(n)
    {
        return Some(std::io::Error::other(
            "injected failure (SCAFFOLD_UPDATE_FAIL_AT)",
        ));
    }
    let _ = n;
    None
}

/// Staging directories left by earlier runs: (path, has a journal, pid still running).
fn leftovers(project: &Path) -> Vec<(PathBuf, bool, bool)> {
    let prefix = stage_prefix(project);
    let Ok(entries) = fs::read_dir(parent_of(project)) else {
        return Vec::new();
    };
    let me = std::process::id();
    let mut out = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(rest) = name.to_str().and_then(|n| n.strip_prefix(&prefix)) else {
            continue;
        };
        let Some(pid) = rest.split('-').next().and_then(|p| p.parse::<i32>().ok()) else {
            continue;
        };
        let running = u32::try_from(pid).ok() != Some(me) && alive(pid);
        let path = entry.path();
        let journal = path.join(JOURNAL).is_file();
        out.push((path, journal, running));
    }
    out.sort();
    out
}

/// Whether an interrupted update of this project is waiting to be finished.
#[must_use]
pub fn interrupted(project: &Path) -> bool {
    leftovers(project)
        .iter()
        .any(|(_, j, running)| *j && !running)
}

/// Finish interrupted updates (those that reached their commit point) and remove staging
/// directories of runs that did not. Returns what was done, for people.
///
/// # Errors
/// Another update of the same project is running, or a step cannot be carried out.
pub fn recover(project: &Path) -> Result<Vec<String>> {
    let mut done = Vec::new();
    for (dir, journal, running) in leftovers(project) {
        if running {
            return Err(Error::usage(format!(
                "another `scaffold update` of `{}` is running (its staging directory is `{}`); wait for it to finish",
                project.display(),
                dir.display()
            )));
        }
        if journal {
            let text = fs::read_to_string(dir.join(JOURNAL))
                .map_err(|e| Error::io("cannot read", dir.join(JOURNAL), e))?;
            let j: Journal = serde_json::from_str(&text).map_err(|e| {
                Error::usage(format!(
                    "the journal of an interrupted update `{}` is unreadable ({e}); inspect and remove that directory",
                    dir.display()
                ))
            })?;
            commit(project, &dir, &j)?;
            done.push(format!(
                "finished an interrupted update ({} steps)",
                j.steps.len()
            ));
        } else {
            done.push(
                "removed the staging files of an interrupted update (nothing had been changed)"
                    .into(),
            );
        }
        fs::remove_dir_all(&dir).map_err(|e| Error::io("cannot remove", &dir, e))?;
    }
    Ok(done)
}

/// Removes the staging directory on drop unless disarmed.
struct Stage {
    dir: PathBuf,
    keep: bool,
}

impl Drop for Stage {
    fn drop(&mut self) {
        if !self.keep {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

fn sync_dir(dir: &Path) {
    if let Ok(f) = fs::File::open(dir) {
        let _ = f.sync_all();
    }
}

/// The mode of a written file: the existing file's permissions (or 0644), with the
/// execute bits following `executable`.
fn mode_for(target: &Path, executable: bool) -> u32 {
    let base = fs::symlink_metadata(target)
        .ok()
        .filter(std::fs::Metadata::is_file)
        .map_or(0o644, |m| m.permissions().mode() & 0o7777);
    if executable {
        base | ((base & 0o444) >> 2)
    } else {
        base & !0o111
    }
}

fn write_staged(path: &Path, bytes: &[u8], mode: u32) -> std::io::Result<()> {
    let mut f = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(path)?;
    f.write_all(bytes)?;
    f.set_permissions(fs::Permissions::from_mode(mode))?;
    f.sync_all()
}

fn writable(dir: &Path) -> bool {
    use std::os::unix::ffi::OsStrExt;
    let Ok(c) = std::ffi::CString::new(dir.as_os_str().as_bytes()) else {
        return false;
    };
    // SAFETY: `c` is a valid NUL-terminated path for the duration of the call.
    unsafe { libc::access(c.as_ptr(), libc::W_OK | libc::X_OK) == 0 }
}

/// Before anything is staged: every step must be able to succeed, because after the commit
/// point there is no going back. No symlink or file on the way to a path (nothing is
/// written through a link, out of the project), and every existing directory that changes
/// is writable.
///
/// # Errors
/// A usage error naming the path in the way and what to do.
pub fn preflight(plan: &UpdatePlan) -> Result<()> {
    let project = &plan.project;
    let paths = plan
        .changes
        .iter()
        .filter(|c| c.write.is_some())
        .map(|c| c.path.as_str())
        .chain(std::iter::once(RECORD_FILE));
    for rel in paths {
        let mut dir = project.clone();
        let parts: Vec<&str> = rel.split('/').collect();
        for part in &parts[..parts.len() - 1] {
            dir.push(part);
            match fs::symlink_metadata(&dir) {
                Err(_) => break, // created by the update
                Ok(m) if m.file_type().is_symlink() || !m.is_dir() => {
                    return Err(Error::usage(format!(
                        "`{}` is in the way of `{rel}` (it is a link or a file, not a directory); move it away and run `scaffold update` again",
                        dir.display()
                    )));
                }
                Ok(_) => {}
            }
        }
        let parent = project.join(rel);
        let parent = parent.parent().unwrap_or(project);
        if parent.is_dir() && !writable(parent) {
            return Err(Error::usage(format!(
                "`{}` is not writable, and `{rel}` changes in it; fix its permissions and run `scaffold update` again",
                parent.display()
            )));
        }
    }
    Ok(())
}

/// Write the plan into the project: all of it or, on an error or Ctrl-C, none of it.
///
/// # Errors
/// An I/O error (nothing changed), [`Error::Interrupted`] (nothing changed).
pub fn apply(plan: &UpdatePlan) -> Result<()> {
    preflight(plan)?;
    let project = &plan.project;
    let mut suffix = [0u8; 6];
    let _ = getrandom::fill(&mut suffix);
    let hex: String = suffix.iter().map(|b| format!("{b:02x}")).collect();
    let dir = parent_of(project).join(format!(
        "{}{}-{hex}",
        stage_prefix(project),
        std::process::id()
    ));
    let _phase = interrupt::WritePhase::enter();
    fs::create_dir(&dir).map_err(|e| Error::io("cannot create the staging directory", &dir, e))?;
    let mut stage = Stage {
        dir: dir.clone(),
        keep: false,
    };
    let new_dir = dir.join("new");
    fs::create_dir(&new_dir).map_err(|e| Error::io("cannot create", &new_dir, e))?;

    let mut steps = Vec::new();
    let mut staged = 0usize;
    let mut put = |path: &str, bytes: &[u8], executable: bool, steps: &mut Vec<Step>| {
        pause();
        if interrupt::requested() {
            return Err(Error::Interrupted);
        }
        let file = new_dir.join(staged.to_string());
        let mode = mode_for(&project.join(path), executable);
        let result = match injected_failure(staged) {
            Some(e) => Err(e),
            None => write_staged(&file, bytes, mode),
        };
        result.map_err(|e| Error::io("cannot stage the new content of", project.join(path), e))?;
        steps.push(Step::Put {
            path: path.to_string(),
            staged,
        });
        staged += 1;
        Ok(())
    };
    for change in &plan.changes {
        match &change.write {
            Some(Write::Put { bytes, executable }) => {
                put(&change.path, bytes, *executable, &mut steps)?;
            }
            Some(Write::Delete) => steps.push(Step::Delete {
                path: change.path.clone(),
            }),
            None => {}
        }
    }
    let record = plan.record.to_toml_string();
    put(RECORD_FILE, record.as_bytes(), false, &mut steps)?;
    sync_dir(&new_dir);
    commit_point(project, &mut stage, steps)
}

/// Write the journal (the commit point), then carry it out. Before the journal is in place
/// nothing in the project changed; after it, a failure leaves it for the next run.
fn commit_point(project: &Path, stage: &mut Stage, steps: Vec<Step>) -> Result<()> {
    let dir = stage.dir.clone();
    pause();
    if interrupt::requested() {
        return Err(Error::Interrupted);
    }
    let journal = Journal { steps };
    let text = serde_json::to_string_pretty(&journal)
        .map_err(|e| Error::usage(format!("cannot write the journal: {e}")))?;
    let tmp = dir.join("journal.tmp");
    write_staged(&tmp, text.as_bytes(), 0o600).map_err(|e| Error::io("cannot write", &tmp, e))?;
    fs::rename(&tmp, dir.join(JOURNAL)).map_err(|e| Error::io("cannot write", &tmp, e))?;
    sync_dir(&dir);
    // From here on the update is decided: a failure leaves the journal for the next run.
    stage.keep = true;
    commit(project, &dir, &journal).map_err(|e| Error::Failed {
        message: format!(
            "{e}{}; the update was decided but is not complete: fix that, then run `scaffold update` again to finish it (its journal is `{}`)",
            std::error::Error::source(&e)
                .map(|c| format!(": {c}"))
                .unwrap_or_default(),
            dir.join(JOURNAL).display()
        ),
    })?;
    stage.keep = false;
    Ok(())
}

/// Carry out the journal's steps; each is idempotent.
fn commit(project: &Path, stage: &Path, journal: &Journal) -> Result<()> {
    let mut touched = std::collections::BTreeSet::new();
    for step in &journal.steps {
        pause();
        match step {
            Step::Put { path, staged } => {
                let from = stage.join("new").join(staged.to_string());
                let to = project.join(path);
                if from.exists() {
                    if let Some(parent) = to.parent() {
                        fs::create_dir_all(parent)
                            .map_err(|e| Error::io("cannot create", parent, e))?;
                        touched.insert(parent.to_path_buf());
                    }
                    fs::rename(&from, &to).map_err(|e| Error::io("cannot write", &to, e))?;
                }
            }
            Step::Delete { path } => {
                let target = project.join(path);
                match fs::remove_file(&target) {
                    Ok(()) => {}
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(e) => return Err(Error::io("cannot remove", &target, e)),
                }
                // Directories the deletion left empty go too (never the project itself).
                let mut dir = target.parent().map(Path::to_path_buf);
                while let Some(d) = dir {
                    if d == project || !d.starts_with(project) || fs::remove_dir(&d).is_err() {
                        break;
                    }
                    dir = d.parent().map(Path::to_path_buf);
                }
            }
        }
    }
    for dir in &touched {
        sync_dir(dir);
    }
    sync_dir(project);
    Ok(())
}
