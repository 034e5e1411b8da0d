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
pub fn run(cmd: &PackCommand, ui: Ui) -> Result<()> {
    match cmd {
        PackCommand::Export { name, dir } => export(name, dir, ui),
        PackCommand::Lint { dir, strict, json } => lint(dir, *strict, *json, ui),
        PackCommand::Test {
            pack,
            matrix,
            keep,
            trust,
            json,
        } => crate::commands::pack_test::run(pack, *matrix, *keep, *trust, *json, ui),
    }
}

fn lint(dir: &Path, strict: bool, json: bool, ui: Ui) -> Result<()> {
    let ui = ui.quieter(json);
    let files = pack::read_dir_files(dir)?;
    let found = crate::lint::lint(&files);
    let errors = found
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let warnings = found.len() - errors;
    let shown = sanitize(&dir.display().to_string());
    let summary = format!("{shown}: {errors} error(s), {warnings} warning(s)");
    let failure = if errors > 0 {
        Some(Error::usage(format!(
            "{summary}; the pack cannot be used until the errors are fixed"
        )))
    } else if strict && warnings > 0 {
        Some(Error::Failed {
            message: format!("{summary} (--strict)"),
        })
    } else {
        None
    };
    if json {
        let diagnostics: Vec<serde_json::Value> = found
            .iter()
            .map(|d| {
                serde_json::json!({
                    "file": d.file,
                    "line": d.line,
                    "severity": match d.severity {
                        Severity::Error => "error",
                        Severity::Warning => "warning",
                    },
                    "message": d.message,
                })
            })
            .collect();
        let mut doc = serde_json::json!({
            "pack": dir.display().to_string(),
            "errors": errors,
            "warnings": warnings,
            "diagnostics": diagnostics,
        });
        if let Some(e) = &failure {
            doc["error"] = serde_json::json!({ "code": e.exit_code(), "message": e.to_string() });
        }
        crate::ui::out_json(&doc)?;
    } else {
        let report: String = found
            .iter()
            .map(|d| format!("{}\n", sanitize(&d.to_string())))
            .collect();
        crate::ui::out(&report)?;
    }
    if let Some(e) = failure {
        return Err(e);
    }
    ui.status(&summary);
    Ok(())
}

fn export(name: &str, dir: &Path, ui: Ui) -> Result<()> {
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
                secret: false,
            })
            .collect(),
        pending: None,
    };
    let label = dir.file_name().and_then(|n| n.to_str()).unwrap_or("pack");
    write::write_new(&plan, dir, label)?;
    let shown = sanitize(&dir.display().to_string());
    ui.status(&format!(
        "Exported pack `{name}` ({} files) to {shown}\nNext: edit it, then `scaffold new my-app --pack {shown}`",
        plan.files.len()
    ));
    Ok(())
}
