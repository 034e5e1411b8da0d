//! `scaffold pack …`: export a built-in pack to customize it.

use std::path::Path;

use crate::cli::PackCommand;
use crate::error::{Error, Result};
use crate::lint::Severity;
use crate::pack;
use crate::plan::{Plan, PlannedFile};
use crate::ui::{sanitize, Ui};
use crate::write::{self, TargetState};

/// Run `scaffold pack …`.
///
/// # Errors
/// An unknown pack, a non-empty target, or an I/O error.
pub fn run(cmd: &PackCommand) -> Result<()> {
    match cmd {
        PackCommand::Export { name, dir } => export(name, dir),
        PackCommand::Lint { dir, strict } => lint(dir, *strict),
        PackCommand::Test {
            pack,
            matrix,
            keep,
            trust,
        } => crate::commands::pack_test::run(pack, *matrix, *keep, *trust),
    }
}

fn lint(dir: &Path, strict: bool) -> Result<()> {
    let files = pack::read_dir_files(dir)?;
    let found = crate::lint::lint(&files);
    let errors = found
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let warnings = found.len() - errors;
    let report: String = found
        .iter()
        .map(|d| format!("{}\n", sanitize(&d.to_string())))
        .collect();
    crate::ui::out(&report)?;
    let shown = sanitize(&dir.display().to_string());
    let summary = format!("{shown}: {errors} error(s), {warnings} warning(s)");
    if errors > 0 {
        return Err(Error::usage(format!(
            "{summary}; the pack cannot be used until the errors are fixed"
        )));
    }
    if strict && warnings > 0 {
        return Err(Error::Failed {
            message: format!("{summary} (--strict)"),
        });
    }
    Ui::detect(false).status(&summary);
    Ok(())
}

fn export(name: &str, dir: &Path) -> Result<()> {
    let files = pack::builtin_files(name)?;
    if write::inspect(dir)? == TargetState::NonEmpty {
        return Err(Error::TargetNotEmpty {
            path: dir.to_path_buf(),
        });
    }
    let plan = Plan {
        files: files
            .iter()
            .map(|f| PlannedFile {
                path: f.path.clone(),
                bytes: f.contents.clone(),
                executable: f.contents.starts_with(b"#!"),
                link: f.link.clone(),
                on_disk: f.on_disk.clone(),
            })
            .collect(),
    };
    let label = dir.file_name().and_then(|n| n.to_str()).unwrap_or("pack");
    write::write_new(&plan, dir, label)?;
    let shown = sanitize(&dir.display().to_string());
    Ui::detect(false).status(&format!(
        "Exported pack `{name}` ({} files) to {shown}\nNext: edit it, then `scaffold new my-app --pack {shown}`",
        plan.files.len()
    ));
    Ok(())
}
