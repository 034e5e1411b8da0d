//! `scaffold new`: glue from the command line to the core. Decide the name, the pack and
//! the variables (flags ◀ answers file ◀ prompts), render the plan in memory, then write it
//! atomically and report.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;

use super::choose as select;
use crate::answers::{self, AnswersFile, Asker, PackRecord};
use crate::cli::NewArgs;
use crate::error::{Error, Result};
use crate::git::{self, GitOutcome};
use crate::names::{self, ProjectNames};
use crate::pack::{self, Pack};
use crate::prompt;
use crate::render::{self, PlannedFile, TemplateContext, RECORD_FILE};
use crate::ui::{sanitize, Ui};
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

/// Run `scaffold new`.
///
/// # Errors
/// See [`Error`]: bad input is exit 2, a failure while generating exit 1, Ctrl-C 130.
pub fn run(args: NewArgs) -> Result<()> {
    let started = Instant::now();
    let ui = Ui::detect(args.json);
    let interactive = !args.yes && Ui::can_prompt();

    let answers = match &args.answers {
        Some(path) => AnswersFile::load(path)?,
        None => AnswersFile::default(),
    };
    let sets = answers::parse_sets(&args.set)?;

    // The name: NAME picks the directory; an answers file's recorded name keeps the
    // project's identity so a record reproduces its project byte for byte.
    let raw_name = match &args.name {
        Some(n) => n.clone(),
        None if interactive => {
            prompt::text(&ui, "Project name", None, |s| names::derive(s).map(|_| ()))?
        }
        None => {
            return Err(Error::MissingAnswer {
                what: "the project name".into(),
                hint: "pass it as the first argument: scaffold new NAME".into(),
            })
        }
    };
    let dir_names = derive_name(&raw_name)?;
    let project = match &answers.name {
        Some(recorded) => derive_name(recorded)?,
        None => dir_names.clone(),
    };
    let target = args.output.join(&dir_names.slug);
    let shown_path = display_path(&args.output, &dir_names.slug);

    // Fail fast on a target we will refuse anyway, before asking anything.
    write::check_output(&args.output)?;
    let state = write::inspect(&target)?;
    if state == TargetState::NonEmpty && !args.force && !args.dry_run {
        return Err(Error::TargetNotEmpty { path: target });
    }

    let choice = select::choose(&args, &answers, &ui, interactive)?;
    let pack = &choice.pack;

    let base = TemplateContext {
        names: project.clone(),
        stack: choice.stack_id.clone(),
        why: choice.why.clone(),
        values: Vec::new(),
    };
    // The recommendation's proposals (the hybrid's gateway and queue) come first; answers and
    // --set win over them.
    let mut merged_answers = choice.preset.clone();
    merged_answers.extend(answers.variables.clone());
    let mut ask =
        |var: &pack::Variable, default: Option<&pack::Value>| prompt::variable(&ui, var, default);
    let asker = if interactive {
        Asker::Ask(&mut ask)
    } else {
        Asker::Never
    };
    let values = answers::resolve(&pack.manifest, &sets, &merged_answers, &base, asker)?;
    let context = TemplateContext { values, ..base };

    let mut plan = with_deadline(render_timeout(), || render::render(pack, &context))?;
    let record = record(pack, &context, &choice);
    plan.add(PlannedFile {
        path: RECORD_FILE.to_string(),
        bytes: record.to_toml_string().into_bytes().into(),
        executable: false,
        link: None,
        on_disk: None,
    })
    .map_err(|e| Error::pack(pack.label(), e))?;

    let next_steps = next_steps(&plan, &shown_path);
    let mut outcome = write::Outcome::default();
    let mut git_state = "skipped";
    if args.dry_run {
        if !args.json {
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
            sanitize(&shown_path)
        ));
    } else {
        outcome = match state {
            TargetState::NonEmpty => write::write_force(&plan, &target)?,
            TargetState::Missing | TargetState::Empty => {
                write::write_new(&plan, &target, &dir_names.slug)?
            }
        };
        if args.no_git {
            git_state = "skipped";
        } else {
            let message = format!(
                "Initial commit from scaffold ({} pack {})",
                pack.name(),
                pack.manifest.pack.version
            );
            match git::init_and_commit(&target, &message) {
                GitOutcome::Committed => git_state = "committed",
                GitOutcome::Skipped(why) => {
                    git_state = "skipped";
                    ui.warn(&why);
                }
            }
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
            sanitize(&shown_path),
            started.elapsed().as_millis()
        ));
        ui.status(&format!("Next: {}", next_steps.join(" && ")));
    }

    if args.json {
        let report = Report {
            path: shown_path,
            stack: &context.stack,
            pack: pack.name(),
            pack_version: &pack.manifest.pack.version,
            dry_run: args.dry_run,
            files: plan
                .files
                .iter()
                .map(|f| FileEntry {
                    path: &f.path,
                    bytes: f.size(),
                })
                .collect(),
            next_steps,
            overwritten: outcome.overwritten,
            unchanged: outcome.unchanged,
            git: git_state,
        };
        crate::ui::out_json(&report)?;
    }
    Ok(())
}

/// How long rendering may take: `SCAFFOLD_RENDER_TIMEOUT` seconds, 60 by default.
pub fn render_timeout() -> Duration {
    std::env::var("SCAFFOLD_RENDER_TIMEOUT")
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|s| *s > 0)
        .map_or(Duration::from_secs(60), Duration::from_secs)
}

/// Run `f`, but end the process with exit 1 if it takes longer than `limit`: a template that
/// never finishes (nested loops that print nothing) cannot be interrupted from inside, and
/// since rendering comes before any write, nothing is left behind.
fn with_deadline<T>(limit: Duration, f: impl FnOnce() -> T) -> T {
    let claimed = Arc::new(AtomicBool::new(false));
    let watchdog = Arc::clone(&claimed);
    std::thread::spawn(move || {
        std::thread::sleep(limit);
        if !watchdog.swap(true, Ordering::SeqCst) {
            eprintln!(
                "error: rendering took longer than {} s; is there a loop in a template that never ends? Nothing was written (SCAFFOLD_RENDER_TIMEOUT sets the limit)",
                limit.as_secs()
            );
            std::process::exit(i32::from(crate::error::EXIT_FAILURE));
        }
    });
    let out = f();
    if claimed.swap(true, Ordering::SeqCst) {
        // The watchdog fired at the same moment and is ending the process.
        loop {
            std::thread::park();
        }
    }
    out
}

/// The project's names, or the CLI's error for a name it refuses.
///
/// # Errors
/// A usage error with the reason.
pub fn derive_name(raw: &str) -> Result<ProjectNames> {
    names::derive(raw).map_err(|reason| {
        Error::usage(format!(
            "invalid project name `{}`: {reason}",
            sanitize(raw.trim())
        ))
    })
}

/// The target as the user would type it: `my-api` rather than `./my-api`.
fn display_path(output: &Path, slug: &str) -> String {
    if output == Path::new(".") || output.as_os_str().is_empty() {
        slug.to_string()
    } else {
        output.join(slug).display().to_string()
    }
}

/// The `.scaffold.toml` record of this project.
pub fn record(pack: &Pack, context: &TemplateContext, choice: &select::Choice) -> AnswersFile {
    AnswersFile {
        scaffold_version: Some(env!("CARGO_PKG_VERSION").to_string()),
        name: Some(context.names.name.clone()),
        stack: Some(context.stack.clone()),
        pack: Some(PackRecord {
            name: pack.name().to_string(),
            version: pack.manifest.pack.version.clone(),
            content_hash: pack.content_hash.clone(),
        }),
        requirements: choice.requirements.clone(),
        recommendation: choice.recommendation.clone(),
        // Only the answers: derived values are recomputed from them.
        variables: context
            .values
            .iter()
            .filter(|(k, _)| pack.manifest.variable(k).is_some())
            .map(|(k, v)| (k.clone(), v.to_toml()))
            .collect(),
    }
}

/// What to run next: the Makefile contract when the project has one.
pub fn next_steps(plan: &render::Plan<'_>, shown_path: &str) -> Vec<String> {
    let mut steps = vec![format!("cd {}", shell_quote(shown_path))];
    if plan.files.iter().any(|f| f.path == "Makefile") {
        steps.extend(["make install", "make test", "make run"].map(String::from));
    }
    steps
}

fn shell_quote(s: &str) -> String {
    if s.chars()
        .all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
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
        assert_eq!(shell_quote("a b"), "'a b'");
        assert_eq!(shell_quote("a/b-c"), "a/b-c");
    }

    #[test]
    fn sizes() {
        assert_eq!(human_bytes(12), "12 B");
        assert_eq!(human_bytes(2048), "2.0 KiB");
    }
}
