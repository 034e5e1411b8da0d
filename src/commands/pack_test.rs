//! `scaffold pack test`: render a pack (for each combination with `--matrix`) and run the
//! checks its pack.toml declares in each rendered project. Commands run only here, never
//! during `scaffold new`.

use std::collections::BTreeMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::answers::Asker;
use crate::engine::{Limits, TemplateContext};
use crate::error::{Error, Result};
use crate::pack::{self, Pack, Value};
use crate::render;
use crate::resolve::{self, Answers};
use crate::ui::{sanitize, Ui};
use crate::{matrix, names, write};

struct Outcome {
    label: String,
    took: Duration,
    failed: Option<(String, PathBuf)>,
    /// The pack refuses this combination (a constraint or a validation rule), with why.
    refused: Option<String>,
}

fn label(combo: &[(String, Value)]) -> String {
    if combo.is_empty() {
        "(defaults)".to_string()
    } else {
        combo
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// Render one combination into `dir`.
fn render_into(pack: &Pack, combo: &[(String, Value)], dir: &Path) -> Result<()> {
    let names = names::derive("Pack Test").map_err(Error::usage)?;
    let base = TemplateContext {
        names,
        stack: pack.name().to_string(),
        why: Vec::new(),
        needs: Vec::new(),
        values: Vec::new(),
    };
    let sets: Vec<(String, String)> = combo
        .iter()
        .map(|(k, v)| (k.clone(), v.to_string()))
        .collect();
    let input = Answers {
        sets,
        answers: BTreeMap::new(),
        proposals: BTreeMap::new(),
    };
    let resolved = resolve::resolve(pack, &base, &input, Asker::Never, &Limits::from_env())?;
    let plan = render::render(&resolved)?;
    write::write_new(&plan, dir, "pack-test")?;
    Ok(())
}

/// Run one check, appending its output to `log`.
fn run_check(cmd: &str, dir: &Path, log: &Path) -> Result<bool> {
    let file = File::options()
        .create(true)
        .append(true)
        .open(log)
        .map_err(|e| Error::io("cannot write", log, e))?;
    let err = file
        .try_clone()
        .map_err(|e| Error::io("cannot write", log, e))?;
    let status = Command::new("bash")
        .args(["-c", cmd])
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(file)
        .stderr(err)
        .status()
        .map_err(|e| Error::io("cannot run a check in", dir, e))?;
    Ok(status.success())
}

/// Render one combination into `slot` and run the checks in it.
fn run_combination(
    ui: &Ui,
    pack: &Pack,
    checks: &[String],
    combo: &[(String, Value)],
    slot: &Path,
    keep: bool,
) -> Result<Outcome> {
    let label = label(combo);
    let project = slot.join("pack-test");
    let log = slot.with_extension("log");
    let started = Instant::now();
    match render_into(pack, combo, &project) {
        Ok(()) => {}
        // A combination the pack itself refuses is reported, not run.
        Err(e) if e.exit_code() == crate::error::EXIT_USAGE => {
            ui.status(&format!(
                "        refused by the pack: {}",
                sanitize(&e.to_string())
            ));
            return Ok(Outcome {
                label,
                took: started.elapsed(),
                failed: None,
                refused: Some(e.to_string()),
            });
        }
        Err(e) => return Err(e),
    }
    let mut failed = None;
    for cmd in checks {
        ui.status(&format!("        $ {}", sanitize(cmd)));
        if !run_check(cmd, &project, &log)? {
            failed = Some((cmd.clone(), log.clone()));
            break;
        }
    }
    let took = started.elapsed();
    ui.status(&format!(
        "        {} ({:.1} s)",
        if failed.is_some() { "FAILED" } else { "ok" },
        took.as_secs_f64()
    ));
    if failed.is_none() && !keep {
        let _ = std::fs::remove_dir_all(slot);
        let _ = std::fs::remove_file(&log);
    }
    Ok(Outcome {
        label,
        took,
        failed,
        refused: None,
    })
}

/// The result table, one line per combination.
fn table(outcomes: &[Outcome]) -> String {
    let mut table = String::from("result  time      combination\n");
    for o in outcomes {
        let (result, detail) = match (&o.failed, &o.refused) {
            (None, Some(why)) => ("refused", format!("   ({why})")),
            (None, None) => ("ok", String::new()),
            (Some((cmd, log)), _) => (
                "FAILED",
                format!("   (`{cmd}` failed; log: {})", log.display()),
            ),
        };
        table.push_str(&format!(
            "{result:<7} {:>6.1} s  {}{}\n",
            o.took.as_secs_f64(),
            sanitize(&o.label),
            sanitize(&detail)
        ));
    }
    table
}

/// The pack's commands run with the user's permissions: only after `--trust`, or a yes on
/// a terminal after seeing them. Built-in packs are part of scaffold and need no consent.
fn consent(ui: &Ui, pack: &Pack, checks: &[String], trust: bool) -> Result<()> {
    if trust || matches!(pack.origin, pack::Origin::Builtin(_)) {
        return Ok(());
    }
    let listing: String = checks
        .iter()
        .map(|c| format!("  $ {}\n", sanitize(c)))
        .collect();
    if !Ui::can_prompt() {
        return Err(Error::usage(format!(
            "pack `{}` ({}) wants to run these commands with your permissions:\n{listing}pass --trust to allow them (there is no terminal to ask on)",
            sanitize(pack.name()),
            sanitize(&pack.label())
        )));
    }
    ui.status(&format!(
        "pack `{}` ({}) wants to run these commands with your permissions, in each rendered project:\n{listing}",
        sanitize(pack.name()),
        sanitize(&pack.label())
    ));
    if crate::prompt::confirm(ui, "Run them?", false)? {
        Ok(())
    } else {
        Err(Error::usage(
            "the pack's commands were not allowed; nothing was run (pass --trust to allow them without asking)",
        ))
    }
}

/// The results as one JSON document on stdout, with the error when the run failed.
fn report_json(pack: &str, outcomes: &[Outcome], failure: Option<&Error>) -> Result<()> {
    let total = outcomes.len();
    let failures = outcomes.iter().filter(|o| o.failed.is_some()).count();
    let refused = outcomes.iter().filter(|o| o.refused.is_some()).count();
    let tested = total - refused;
    let results: Vec<serde_json::Value> = outcomes
        .iter()
        .map(|o| {
            serde_json::json!({
                "combination": o.label,
                "result": match (&o.failed, &o.refused) {
                    (Some(_), _) => "failed",
                    (None, Some(_)) => "refused",
                    (None, None) => "ok",
                },
                "seconds": o.took.as_secs_f64(),
                "failed_check": o.failed.as_ref().map(|(cmd, _)| cmd),
                "log": o.failed.as_ref().map(|(_, log)| log.display().to_string()),
                "refused": o.refused,
            })
        })
        .collect();
    let mut doc = serde_json::json!({
        "pack": pack,
        "total": total,
        "tested": tested,
        "failed": failures,
        "refused": refused,
        "combinations": results,
    });
    if let Some(e) = failure {
        doc["error"] = serde_json::json!({ "code": e.exit_code(), "message": e.to_string() });
    }
    crate::ui::out_json(&doc)
}

/// The run's failure: a failing combination, or none tested (the pack refused them all).
fn verdict(failures: usize, tested: usize, total: usize, root: &Path) -> Option<Error> {
    if failures > 0 {
        Some(Error::Failed {
            message: format!(
                "{failures} of {total} combinations failed; their projects and logs are kept in {}",
                root.display()
            ),
        })
    } else if tested == 0 {
        // Nothing ran: a pack that refuses every combination it generates is broken.
        Some(Error::Failed {
            message: format!(
                "the pack refused all {total} combinations it generated; nothing was tested (see the reasons above)"
            ),
        })
    } else {
        None
    }
}

/// Run `scaffold pack test`.
///
/// # Errors
/// A pack that cannot be found or rendered, no checks declared, or a failing combination.
// The subcommand's switches, passed straight through.
#[allow(clippy::fn_params_excessive_bools)]
pub fn run(spec: &str, full: bool, keep: bool, trust: bool, json: bool, ui: Ui) -> Result<()> {
    let ui = ui.quieter(json);
    let pack = pack::source::resolve(spec, None)?;
    let checks = pack.manifest.checks.run.clone();
    if checks.is_empty() {
        return Err(Error::usage(format!(
            "pack `{}` declares no checks; add `[checks] run = [\"make test\"]` to its pack.toml",
            pack.name()
        )));
    }
    consent(&ui, &pack, &checks, trust)?;
    let combos = if full {
        matrix::combinations(&pack.manifest)
    } else {
        vec![Vec::new()]
    };
    let root = tempfile::Builder::new()
        .prefix("scaffold-pack-test-")
        .tempdir()
        .map_err(|e| {
            Error::io(
                "cannot create a temporary directory in",
                std::env::temp_dir(),
                e,
            )
        })?
        .keep();
    let total = combos.len();
    let mut outcomes = Vec::with_capacity(total);
    for (i, combo) in combos.iter().enumerate() {
        let slot = root.join(format!("combination-{:02}", i + 1));
        ui.status(&format!(
            "[{}/{total}] {} …",
            i + 1,
            sanitize(&label(combo))
        ));
        outcomes.push(run_combination(&ui, &pack, &checks, combo, &slot, keep)?);
    }
    let failures = outcomes.iter().filter(|o| o.failed.is_some()).count();
    let refused = outcomes.iter().filter(|o| o.refused.is_some()).count();
    let tested = total - refused;
    let refused_note = if refused > 0 {
        format!(" ({refused} refused by the pack's own rules)")
    } else {
        String::new()
    };
    let failure = verdict(failures, tested, total, &root);
    if json {
        report_json(pack.name(), &outcomes, failure.as_ref())?;
    } else {
        crate::ui::out(&table(&outcomes))?;
    }
    if let Some(e) = failure {
        return Err(e);
    }
    if keep {
        ui.status(&format!(
            "all {tested} combinations passed{refused_note}; projects kept in {}",
            root.display()
        ));
    } else {
        let _ = std::fs::remove_dir_all(&root);
        ui.status(&format!("all {tested} combinations passed{refused_note}"));
    }
    Ok(())
}
