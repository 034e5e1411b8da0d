//! `scaffold new`: glue from the command line to the core. Decide the name, the pack and
//! the variables (flags ◀ answers file ◀ prompts), render the plan in memory, then write it
//! atomically and report.

use std::path::Path;
use std::time::Instant;

use serde::Serialize;

use crate::answers::AnswersFile;
use crate::cli::NewArgs;
use crate::engine::TemplateContext;
use crate::error::{Error, Result};
use crate::git::{self, GitOutcome};
use crate::names::{self, ProjectNames};
use crate::pack::Pack;
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
pub fn run(args: NewArgs) -> Result<()> {
    let started = Instant::now();
    let request = request(args)?;
    let session = Session::detect(request.options);
    let target = Target::decide(&request, &session)?;
    let choice = select::choose(&request, &session)?;
    let (plan, context) = project::plan(&request, &session, &target.project, &choice)?;
    let delivered = deliver(&request, &session, &target, &choice.pack, &plan)?;
    report(
        &request, &session, &target, &choice, &context, &plan, &delivered, started,
    )
}

/// The request, from the command line and the answers file.
fn request(args: NewArgs) -> Result<NewRequest> {
    let answers = match &args.answers {
        Some(path) => AnswersFile::load(path)?,
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
        let (dir_names, project) = req.names(&raw_name)?;
        let path = req.output.join(&dir_names.slug);
        let shown = display_path(&req.output, &dir_names.slug);
        write::check_output(&req.output)?;
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
    let outcome = match target.state {
        TargetState::NonEmpty => {
            let force = if req.options.force > 1 {
                write::Force::All
            } else {
                write::Force::Generated
            };
            write::write_force(plan, &target.path, force, finish)?
        }
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
    started: Instant,
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
            "Rendered {} files into {} in {} ms",
            plan.files.len() - outcome.unchanged.len(),
            sanitize(&target.shown),
            started.elapsed().as_millis()
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
