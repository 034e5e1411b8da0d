//! A project planned from a request: the chosen pack tree resolved with the answers (asking
//! on a terminal), rendered, and its `.scaffold.toml` record added. `scaffold new` writes
//! the plan; `scaffold serve` zips it. Both call [`plan`], so a served starter is the CLI's
//! project, its record included. Both check the project's names against the chosen pack's
//! rules with [`check_names`] first.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::answers::record as provenance;
use crate::answers::{AnswersFile, Asker};
use crate::engine::TemplateContext;
use crate::error::{Error, Result};
use crate::names::{self, ProjectNames};
use crate::pack::{self, Pack};
use crate::plan::{OnDisk, PackEntry, Pending, Plan, PlannedFile, RECORD_FILE};
use crate::prompt;
use crate::render;
use crate::resolve::{self, Answers};
use crate::ui::sanitize;

use super::choose::Choice;
use super::needs;
use super::{NewRequest, Session};

/// The project's names checked against the rules of the chosen pack and the packs it
/// includes (`[names]` in pack.toml): a Python keyword is refused for a Python stack only.
///
/// # Errors
/// A name the pack's rules refuse (a usage error naming the rule and what to try).
pub fn check_names(project: &ProjectNames, pack: &Pack) -> Result<()> {
    fn collect(pack: &Pack, rules: &mut names::NameRules) {
        rules.extend(&pack.manifest.names);
        for inc in &pack.includes {
            collect(inc, rules);
        }
    }
    let mut rules = names::NameRules::default();
    collect(pack, &mut rules);
    names::check(project, &rules, pack.name()).map_err(|reason| {
        Error::usage(format!(
            "invalid project name `{}` for this stack: {reason}",
            sanitize(&project.name)
        ))
    })
}

/// Resolve the chosen pack tree with the answers (asking on a terminal when the session
/// may), render it, and add the record (with the hashes of the rendered files, which
/// `scaffold update` compares). `project` is the project's names (see
/// [`NewRequest::names`]). The duration is the render's alone, not the time spent answering.
///
/// # Errors
/// A bad or missing answer, a broken constraint (usage errors); a record newer than this
/// scaffold or a pack version that does not match under `--locked`; a broken pack; a limit.
pub fn plan<'p>(
    req: &NewRequest,
    session: &Session,
    project: &ProjectNames,
    choice: &'p Choice,
) -> Result<(Plan<'p>, TemplateContext, Duration)> {
    let pack = &choice.pack;
    provenance::check_replay_version(&req.answers, pack, req.options.locked, &session.ui)?;
    let base = TemplateContext {
        names: project.clone(),
        stack: choice.stack_id.clone(),
        why: choice.why.clone(),
        needs: Vec::new(),
        values: Vec::new(),
    };
    // The proposals for the needs (the pack's needs-mapping, the hybrid's gateway and
    // queue) sit below the answers file and --set; on a terminal they are asked, with the
    // proposal as the default and the needs that proposed it.
    let ui = session.ui;
    let mut ask = |var: &pack::Variable, default: Option<&pack::Value>| {
        if choice.preset.contains_key(&var.name) {
            let by = choice.proposed_by.get(&var.name).map(Vec::as_slice);
            let shown = pack::Variable {
                prompt: needs::proposal_prompt(var, by),
                ..var.clone()
            };
            prompt::variable(&ui, &shown, default)
        } else {
            prompt::variable(&ui, var, default)
        }
    };
    let asker = if session.interactive {
        Asker::Ask(&mut ask)
    } else {
        Asker::Never
    };
    let input = Answers {
        sets: req.sets.clone(),
        answers: req.answers.variables.clone(),
        proposals: choice.preset.clone(),
    };
    let mut resolved = resolve::resolve(pack, &base, &input, asker, &session.limits)?;
    resolved.root.context.needs = needs::effects(
        &pack.manifest,
        choice.stack_id.parse::<crate::stack::Stack>().ok(),
        &choice.needs,
        &resolved.root.context,
        &resolved.budget,
    )?;
    let context = resolved.context().clone();
    let rendering = Instant::now();
    let mut plan = render::render(&resolved)?;
    let record = record(pack, &context, choice);
    let ui = session.ui;
    if let Some(at_write) = &pack.at_write {
        // Read at write: the write pass reads the pack's files, then makes the record, whose
        // place in the plan is a file to be seen then.
        plan.add(PlannedFile {
            on_disk: Some(Arc::new(OnDisk::unread())),
            ..record_file(String::new())
        })
        .map_err(|e| Error::pack(pack.label(), e))?;
        let max = session.limits.max_total_bytes;
        plan.pending = Some(pending(&plan, pack, at_write, max, move |hash, plan| {
            let mut record = record.clone();
            if let Some(p) = &mut record.pack {
                p.content_hash = hash.to_string();
            }
            let text = provenance::record_toml(&record, plan);
            warn_if_unreadable(&ui, &text);
            text
        }));
    } else {
        let text = provenance::record_toml(&record, &plan);
        warn_if_unreadable(&ui, &text);
        plan.add(record_file(text))
            .map_err(|e| Error::pack(pack.label(), e))?;
    }
    Ok((plan, context, rendering.elapsed()))
}

/// The planned `.scaffold.toml`.
fn record_file<'p>(text: String) -> PlannedFile<'p> {
    PlannedFile {
        path: RECORD_FILE.to_string(),
        bytes: text.into_bytes().into(),
        executable: false,
        link: None,
        on_disk: None,
        secret: false,
    }
}

/// A record this run could not read back (a project of very many files, or very long
/// paths): say so now, and how to read it, rather than when `update` refuses it.
fn warn_if_unreadable(ui: &crate::ui::Ui, record: &str) {
    let limit = crate::answers::max_answers_bytes();
    if record.len() as u64 > limit {
        let mib = (record.len() as u64).div_ceil(1024 * 1024);
        ui.warn(&format!(
            "`{RECORD_FILE}` is {mib} MiB, more than the {} MiB `scaffold update` and `--answers` read; run them with {}={mib}",
            limit / (1024 * 1024),
            crate::answers::ENV_MAX_ANSWERS
        ));
    }
}

/// What the write pass of a pack read at write does: every file of the pack in path order
/// (its content hash covers them all, the manifest too), each unread one with the planned
/// file it becomes when the `[[files]]` rules keep it; then `record`.
fn pending<'p>(
    plan: &Plan<'p>,
    pack: &'p Pack,
    at_write: &'p pack::AtWrite,
    max_total_bytes: u64,
    record: impl Fn(&str, &Plan<'_>) -> String + Send + Sync + 'p,
) -> Pending<'p> {
    // A planned file shares its pack file's note (the render clones the `Arc`).
    let planned: HashMap<*const OnDisk, usize> = plan
        .files
        .iter()
        .enumerate()
        .filter(|(_, f)| f.is_unread())
        .filter_map(|(i, f)| f.on_disk.as_ref().map(|d| (Arc::as_ptr(d), i)))
        .collect();
    let manifest = PackEntry::Held {
        path: pack::MANIFEST,
        bytes: &at_write.manifest,
        link: None,
    };
    let mut pack_files = Vec::with_capacity(pack.files.len() + 1);
    let mut manifest = Some(manifest);
    for f in &pack.files {
        if f.path.as_str() > pack::MANIFEST {
            pack_files.extend(manifest.take());
        }
        pack_files.push(match &f.on_disk {
            Some(d) if d.seen().is_none() => PackEntry::Unread {
                path: &f.path,
                planned: planned.get(&Arc::as_ptr(d)).copied(),
            },
            _ => PackEntry::Held {
                path: &f.path,
                bytes: &f.contents,
                link: f.link.as_deref(),
            },
        });
    }
    pack_files.extend(manifest);
    Pending {
        root: &at_write.root,
        pack_files,
        label: pack.label(),
        max_total_bytes,
        record: Box::new(record),
    }
}

/// The `.scaffold.toml` record of this project.
fn record(pack: &Pack, context: &TemplateContext, choice: &Choice) -> AnswersFile {
    AnswersFile {
        format: Some(provenance::FORMAT),
        scaffold_version: Some(env!("CARGO_PKG_VERSION").to_string()),
        name: Some(context.names.name.clone()),
        stack: Some(context.stack.clone()),
        pack: Some(provenance::pack_record(pack)),
        requirements: choice.requirements.clone(),
        recommendation: choice.recommendation.clone(),
        // Only the answers: derived values are recomputed from them.
        variables: context
            .values
            .iter()
            .filter(|(k, _)| pack.manifest.variable(k).is_some())
            .map(|(k, v)| (k.clone(), v.to_toml()))
            .collect(),
        // Written from the rendered files by `plan` (`record_toml`).
        files: std::collections::BTreeMap::new(),
    }
}

/// What to run next in the project at `shown_path`: the Makefile contract when it has one
/// (no `cd` for the project written into `.` itself).
#[must_use]
pub fn next_steps(plan: &Plan<'_>, shown_path: &str) -> Vec<String> {
    let mut steps = if shown_path == "." {
        Vec::new()
    } else {
        vec![format!("cd {}", crate::escape::shell_word(shown_path))]
    };
    if plan.files.iter().any(|f| f.path == "Makefile") {
        steps.extend(["make install", "make test", "make run"].map(String::from));
    }
    steps
}
