//! `scaffold update`: glue from the command line to [`crate::update`]. It lives here, not
//! in `commands`, because both are front ends of the top layer and neither uses the other.

use serde::Serialize;

use super::{self as update, apply, merge::Action, merge::Write, UpdatePlan};
use crate::answers;
use crate::cli::UpdateArgs;
use crate::error::{Error, Result};
use crate::request::{self, Session};
use crate::ui::sanitize;

#[derive(Debug, Serialize)]
struct FileEntry<'a> {
    path: &'a str,
    action: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<&'a str>,
}

/// The `scaffold update --json` document.
#[derive(Debug, Serialize)]
struct Report<'a> {
    path: String,
    pack: &'a str,
    from_version: &'a str,
    to_version: &'a str,
    base: &'a str,
    dry_run: bool,
    behind: bool,
    files: Vec<FileEntry<'a>>,
    conflicts: Vec<&'a str>,
    env_keys_added: Vec<String>,
}

/// Run `scaffold update`.
///
/// # Errors
/// Bad input is exit 2, conflicts (or `--check` finding the project behind) exit 1, Ctrl-C
/// 130; in every error case before writing, nothing is touched.
pub fn run(args: &UpdateArgs, ui: crate::ui::Ui) -> Result<()> {
    // Never asks: every value comes from the record, --set and --needs.
    let session = Session::detect(
        request::Options {
            yes: true,
            json: args.json,
            ..request::Options::default()
        },
        ui,
    );
    let ui = session.ui;
    let sets = answers::parse_sets(&args.set)?;
    let project = std::fs::canonicalize(&args.dir).map_err(|e| {
        Error::usage(format!(
            "`{}` is not a project directory ({e}); pass the directory of a project made by `scaffold new`",
            args.dir.display()
        ))
    })?;
    let writes = !(args.dry_run || args.check || args.diff);
    // An update that writes holds the project from reading it to its last rename, as
    // `new --force` does: the two never interleave, and the plan is made from the tree
    // the previous run left.
    let _project = if writes {
        Some(crate::write::lock_project(&project)?)
    } else {
        None
    };
    if apply::interrupted(&project) && !writes {
        return Err(Error::usage(format!(
            "an update of `{}` was interrupted; run `scaffold update` there to finish it first",
            project.display()
        )));
    }
    if writes {
        for msg in apply::recover(&project)? {
            ui.warn(&msg);
        }
    }
    let opts = update::Options {
        sets,
        needs: args.needs.clone(),
        limits: session.limits.clone(),
    };
    let plan = update::plan(&project, &opts)?;

    if args.diff {
        crate::ui::out(&diff_text(&plan))?;
    }
    if !args.json && !args.diff {
        list(&plan)?;
    }
    if args.json {
        json_report(args, &plan, writes)?;
    }
    finish(args, &plan, &ui, writes)
}

/// The `--json` document, on stdout.
fn json_report(args: &UpdateArgs, plan: &UpdatePlan, writes: bool) -> Result<()> {
    let report = Report {
        path: args.dir.display().to_string(),
        pack: &plan.pack,
        from_version: &plan.from_version,
        to_version: &plan.to_version,
        base: &plan.base,
        dry_run: !writes,
        behind: plan.behind(),
        files: plan
            .changes
            .iter()
            .map(|c| FileEntry {
                path: &c.path,
                action: c.action.label(),
                note: c.note.as_deref(),
            })
            .collect(),
        conflicts: plan.conflicts(),
        env_keys_added: plan.env_keys(),
    };
    crate::ui::out_json(&report)
}

/// After the plan: `--check`'s verdict, or the update written and its conflicts named.
fn finish(args: &UpdateArgs, plan: &UpdatePlan, ui: &crate::ui::Ui, writes: bool) -> Result<()> {
    if args.check {
        if plan.behind() {
            let n = plan.changes.iter().filter(|c| c.action.is_change()).count();
            return Err(Error::Failed {
                message: format!(
                    "the project is behind pack `{}` {} (recorded {}): {n} files would change; run `scaffold update`",
                    plan.pack, plan.to_version, plan.from_version
                ),
            });
        }
        ui.status(&format!(
            "Up to date with pack `{}` {}",
            plan.pack, plan.to_version
        ));
        return Ok(());
    }
    if !writes {
        ui.status("Nothing was written (--dry-run)");
        return Ok(());
    }
    if !plan.behind() {
        ui.status(&format!(
            "Already up to date with pack `{}` {}; nothing to do",
            plan.pack, plan.to_version
        ));
        return Ok(());
    }
    apply::apply(plan)?;
    for key in plan.env_keys() {
        ui.status(&format!("  new in .env (fresh value): {}", sanitize(&key)));
    }
    let conflicts = plan.conflicts();
    ui.status(&format!(
        "Updated {} to pack `{}` {} (was {})",
        sanitize(&args.dir.display().to_string()),
        plan.pack,
        plan.to_version,
        plan.from_version
    ));
    if !conflicts.is_empty() {
        return Err(Error::Failed {
            message: format!(
                "{} files have conflicts, marked with <<<<<<< ||||||| ======= >>>>>>>: {}; resolve them, then commit",
                conflicts.len(),
                conflicts.join(", ")
            ),
        });
    }
    Ok(())
}

/// The per-file listing (on stdout: it is the command's data).
fn list(plan: &UpdatePlan) -> Result<()> {
    let mut text = String::new();
    let mut unchanged = 0;
    for c in &plan.changes {
        if c.action == Action::Unchanged {
            unchanged += 1;
            continue;
        }
        let note = c
            .note
            .as_deref()
            .map(|n| format!("  ({})", sanitize(n)))
            .unwrap_or_default();
        text.push_str(&format!(
            "{:>10}  {}{note}\n",
            c.action.label(),
            sanitize(&c.path)
        ));
    }
    text.push_str(&format!(
        "{unchanged} files unchanged; pack `{}` {} → {}\n",
        plan.pack, plan.from_version, plan.to_version,
    ));
    crate::ui::out(&text)
}

/// A unified diff of every file that would change.
fn diff_text(plan: &UpdatePlan) -> String {
    let mut out = String::new();
    for c in &plan.changes {
        let now = std::fs::read(plan.project.join(&c.path)).unwrap_or_default();
        let after: Vec<u8> = match &c.write {
            Some(Write::Put { bytes, .. }) => bytes.clone(),
            Some(Write::Delete) => Vec::new(),
            None => continue,
        };
        if after == now {
            continue;
        }
        let patch = diffy::DiffOptions::new()
            .set_original_filename(format!("a/{}", c.path))
            .set_modified_filename(format!("b/{}", c.path))
            .create_patch_bytes(&now, &after);
        out.push_str(&String::from_utf8_lossy(&patch.to_bytes()));
    }
    out
}
