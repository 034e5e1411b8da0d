//! `scaffold new`: glue from the command line to the core. Decide the name, the pack and
//! the variables (flags ◀ answers file ◀ prompts), render the plan in memory, then write it
//! atomically and report.

use std::path::Path;
use std::time::Instant;

use serde::Serialize;

use crate::answers::record as provenance;
use crate::answers::AnswersFile;
use crate::cli::NewArgs;
use crate::engine::TemplateContext;
use crate::error::{Error, Result};
use crate::git::{self, GitOutcome};
use crate::names::{self, ProjectNames};
use crate::pack::{self, Pack};
use crate::plan::Plan;
use crate::prompt;
use crate::request::choose as select;
use crate::request::{project, NewInput, NewRequest, Options, Session};
use crate::ui::sanitize;
use crate::write::{self, TargetState};

/// One file in the JSON report.
#[derive(Debug, Serialize)]
struct FileEntry<'a> {
    path: &'a str,
    bytes: u64,
}

/// The `scaffold new --json` document (a contract: see DESIGN.md).
#[derive(Debug, Serialize)]
struct Report<'a> {
    path: String,
    stack: &'a str,
    pack: &'a str,
    pack_version: &'a str,
    dry_run: bool,
    files: Vec<FileEntry<'a>>,
    next_steps: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    overwritten: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    unchanged: Vec<String>,
    git: &'static str,
}

/// Run `scaffold new`: build the request, answer it, report.
///
/// # Errors
/// See [`Error`]: bad input is exit 2, a failure while generating exit 1, Ctrl-C 130.
pub fn run(args: NewArgs, ui: crate::ui::Ui) -> Result<()> {
    let request = request(args)?;
    let session = Session::detect(request.options, ui);
    let target = Target::decide(&request, &session)?;
    // A new directory is written once, so a directory pack's verbatim files are read then,
    // once each; a dry run and --force (which compares them with the files there) read now.
    let reading = match target.state {
        TargetState::Missing | TargetState::Empty if !target.here && !request.options.dry_run => {
            pack::Reading::AtWrite
        }
        _ => pack::Reading::Now,
    };
    let choice = select::choose_reading(&request, &session, reading)?;
    project::check_names(&target.project, &choice.pack)?;
    session.ui.detail(&format!(
        "pack `{}` {} from {} ({})",
        choice.pack.name(),
        choice.pack.manifest.pack.version,
        sanitize(&choice.pack.label()),
        if choice.pack.content_hash.is_empty() {
            "hashed as it is written"
        } else {
            &choice.pack.content_hash
        }
    ));
    let (plan, context, rendering) = project::plan(&request, &session, &target.project, &choice)?;
    // The time reported is the render's and the write's, not the time spent answering.
    let writing = Instant::now();
    let delivered = deliver(&request, &session, &target, &choice.pack, &plan)?;
    let took = rendering + writing.elapsed();
    session.ui.detail(&format!(
        "render {} ms, write {} ms",
        rendering.as_millis(),
        writing.elapsed().as_millis()
    ));
    report(
        &request, &session, &target, &choice, &context, &plan, &delivered, took,
    )
}

/// The request, from the command line and the answers file.
fn request(args: NewArgs) -> Result<NewRequest> {
    let answers = match &args.answers {
        Some(path) => {
            let rec = AnswersFile::load(path)?;
            provenance::check_not_newer(&rec, path)?;
            rec
        }
        None => AnswersFile::default(),
    };
    NewRequest::new(NewInput {
        name: args.name,
        output: args.output,
        pack: args.pack,
        pack_ref: args.pack_ref,
        stack: args.stack,
        needs: args.needs.needs,
        team: args.needs.team,
        set: args.set,
        answers,
        options: Options {
            yes: args.yes,
            dry_run: args.dry_run,
            force: args.force,
            no_git: args.no_git,
            json: args.json,
            locked: args.locked,
        },
    })
}

/// Where the project goes, and what is there now.
struct Target {
    /// The directory's names (from NAME).
    dir_names: ProjectNames,
    /// The project's names (the recorded name, when reproducing a record).
    project: ProjectNames,
    /// The directory.
    path: std::path::PathBuf,
    /// The directory as the user would type it.
    shown: String,
    /// Whether it is missing, empty or holds files.
    state: TargetState,
    /// `scaffold new .`: the output directory itself (written in place, never replaced, so
    /// a shell sitting in it keeps its directory).
    here: bool,
}

impl Target {
    /// The name (asked when missing on a terminal), and a target we will refuse anyway is
    /// refused before anything is asked.
    fn decide(req: &NewRequest, session: &Session) -> Result<Target> {
        let raw_name = match &req.name {
            Some(n) => n.clone(),
            None if session.interactive => prompt::text(&session.ui, "Project name", None, |s| {
                names::derive(s).map(|_| ())
            })?,
            None => {
                return Err(Error::MissingAnswer {
                    what: "the project name".into(),
                    hint: "pass it as the first argument: scaffold new NAME".into(),
                })
            }
        };
        let here = crate::request::is_here(&raw_name);
        write::check_output(&req.output)?;
        let (dir_names, project, path, shown) = if here {
            // `scaffold new .`: the output directory itself, named after its last segment.
            let path = std::fs::canonicalize(&req.output)
                .map_err(|e| Error::io("cannot resolve", &req.output, e))?;
            let dir_name = path
                .file_name()
                .and_then(|n| n.to_str())
                .ok_or_else(|| {
                    Error::usage(format!(
                        "`{}` has no name to derive the project's from; pass a name: scaffold new NAME",
                        sanitize(&path.display().to_string())
                    ))
                })?
                .to_string();
            let (dir_names, project) = req.names(&dir_name)?;
            let shown = display_here(&req.output);
            (dir_names, project, path, shown)
        } else {
            let (dir_names, project) = req.names(&raw_name)?;
            let path = req.output.join(&dir_names.slug);
            let shown = display_path(&req.output, &dir_names.slug);
            (dir_names, project, path, shown)
        };
        let state = write::inspect(&path)?;
        if state == TargetState::NonEmpty && req.options.force == 0 && !req.options.dry_run {
            return Err(Error::TargetNotEmpty { path });
        }
        Ok(Target {
            dir_names,
            project,
            path,
            shown,
            state,
            here,
        })
    }
}

/// What writing did.
#[derive(Default)]
struct Delivered {
    outcome: write::Outcome,
    git: &'static str,
}

/// Write the plan (or list it for `--dry-run`) and make the first commit.
fn deliver(
    req: &NewRequest,
    session: &Session,
    target: &Target,
    pack: &Pack,
    plan: &Plan<'_>,
) -> Result<Delivered> {
    let ui = &session.ui;
    if req.options.dry_run {
        if !req.options.json {
            let listing: String = plan
                .files
                .iter()
                .map(|f| format!("{:>9}  {}\n", human_bytes(f.size()), sanitize(&f.path)))
                .collect();
            crate::ui::out(&listing)?;
        }
        ui.status(&format!(
            "Would render {} files ({}) into {}; nothing was written (--dry-run)",
            plan.files.len(),
            human_bytes(plan.total_bytes()),
            sanitize(&target.shown)
        ));
        return Ok(Delivered {
            outcome: write::Outcome::default(),
            git: "skipped",
        });
    }
    let message = format!(
        "Initial commit from scaffold ({} pack {})",
        pack.name(),
        pack.manifest.pack.version
    );
    // The git step runs inside the writer, before the project appears (or before --force's
    // renames), so it is either finished or cleanly absent.
    let mut git_outcome = None;
    let mut git_step = |dir: &Path, files: &[&str]| -> Result<()> {
        match git::init_and_commit(dir, files, &message) {
            GitOutcome::Interrupted => Err(Error::Interrupted),
            other => {
                git_outcome = Some(other);
                Ok(())
            }
        }
    };
    let finish: Option<write::Finish<'_>> = if req.options.no_git {
        None
    } else {
        Some(&mut git_step)
    };
    let force_level = if req.options.force > 1 {
        write::Force::All
    } else {
        write::Force::Generated
    };
    let outcome = match target.state {
        // `scaffold new .` writes into the directory itself, in place (never replacing it),
        // and so does a non-empty target under --force.
        _ if target.here => write::write_force(plan, &target.path, force_level, finish)?,
        TargetState::NonEmpty => write::write_force(plan, &target.path, force_level, finish)?,
        TargetState::Missing | TargetState::Empty => {
            write::write_new_with(plan, &target.path, &target.dir_names.slug, finish)?
        }
    };
    let mut git_state = "skipped";
    match git_outcome {
        Some(GitOutcome::Committed) => git_state = "committed",
        Some(GitOutcome::Skipped(why)) => ui.warn(&why),
        _ => {}
    }
    Ok(Delivered {
        outcome,
        git: git_state,
    })
}

/// Tell the person (stderr) or the script (`--json` on stdout) what happened.
#[allow(clippy::too_many_arguments)] // The stages' results, each used once.
fn report(
    req: &NewRequest,
    session: &Session,
    target: &Target,
    choice: &select::Choice,
    context: &TemplateContext,
    plan: &Plan<'_>,
    delivered: &Delivered,
    took: std::time::Duration,
) -> Result<()> {
    let ui = &session.ui;
    let next_steps = project::next_steps(plan, &target.shown);
    let outcome = &delivered.outcome;
    if !req.options.dry_run {
        for f in &outcome.kept {
            ui.warn(&format!(
                "kept your `{}`: --force never replaces a file holding secrets",
                sanitize(f)
            ));
        }
        for dir in &outcome.removed_leftovers {
            ui.warn(&format!(
                "removed `{}`, left behind by an earlier run that was killed",
                sanitize(&dir.display().to_string())
            ));
        }
        for f in &outcome.overwritten {
            ui.status(&format!("  overwrote {}", sanitize(f)));
        }
        ui.status(&format!(
            "{} {} files into {} in {} ms",
            ui.bold("Rendered"),
            plan.files.len() - outcome.unchanged.len(),
            sanitize(&target.shown),
            took.as_millis()
        ));
        ui.status(&format!("Next: {}", next_steps.join(" && ")));
    }
    if req.options.json {
        let pack = &choice.pack;
        let report = Report {
            path: target.shown.clone(),
            stack: &context.stack,
            pack: pack.name(),
            pack_version: &pack.manifest.pack.version,
            dry_run: req.options.dry_run,
            files: plan
                .files
                .iter()
                .map(|f| FileEntry {
                    path: &f.path,
                    bytes: f.size(),
                })
                .collect(),
            next_steps,
            overwritten: outcome.overwritten.clone(),
            unchanged: outcome.unchanged.clone(),
            git: delivered.git,
        };
        crate::ui::out_json(&report)?;
    }
    Ok(())
}

/// The output directory itself as the user would type it.
fn display_here(output: &Path) -> String {
    if output.as_os_str().is_empty() {
        ".".to_string()
    } else {
        output.display().to_string()
    }
}

/// The target as the user would type it: `my-api` rather than `./my-api`.
fn display_path(output: &Path, slug: &str) -> String {
    if output == Path::new(".") || output.as_os_str().is_empty() {
        slug.to_string()
    } else {
        output.join(slug).display().to_string()
    }
}

/// `1.2 KiB`-style sizes for people.
#[allow(clippy::cast_precision_loss)]
fn human_bytes(n: u64) -> String {
    if n < 1024 {
        format!("{n} B")
    } else if n < 1024 * 1024 {
        format!("{:.1} KiB", n as f64 / 1024.0)
    } else {
        format!("{:.1} MiB", n as f64 / (1024.0 * 1024.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_quoting() {
        assert_eq!(display_path(Path::new("."), "api"), "api");
        assert_eq!(display_path(Path::new("/tmp/x"), "api"), "/tmp/x/api");
    }

    #[test]
    fn sizes() {
        assert_eq!(human_bytes(12), "12 B");
        assert_eq!(human_bytes(2048), "2.0 KiB");
    }
}
