//! A project planned from a request: the chosen pack tree resolved with the answers (asking
//! on a terminal), rendered, and its `.scaffold.toml` record added. `scaffold new` writes
//! the plan; `scaffold serve` zips it. Both call [`plan`], so a served starter is the CLI's
//! project, its record included.

use crate::answers::{AnswersFile, Asker, PackRecord};
use crate::engine::TemplateContext;
use crate::error::{Error, Result};
use crate::names::ProjectNames;
use crate::pack::{self, Pack};
use crate::plan::{Plan, PlannedFile, RECORD_FILE};
use crate::prompt;
use crate::render;
use crate::resolve::{self, Answers};

use super::choose::Choice;
use super::{NewRequest, Session};

/// Resolve the chosen pack tree with the answers (asking on a terminal when the session
/// may), render it, and add the record. `project` is the project's names (see
/// [`NewRequest::names`]).
///
/// # Errors
/// A bad or missing answer, a broken constraint (usage errors); a broken pack; a limit.
pub fn plan<'p>(
    req: &NewRequest,
    session: &Session,
    project: &ProjectNames,
    choice: &'p Choice,
) -> Result<(Plan<'p>, TemplateContext)> {
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
    merged_answers.extend(req.answers.variables.clone());
    let ui = session.ui;
    let mut ask =
        |var: &pack::Variable, default: Option<&pack::Value>| prompt::variable(&ui, var, default);
    let asker = if session.interactive {
        Asker::Ask(&mut ask)
    } else {
        Asker::Never
    };
    let input = Answers {
        sets: req.sets.clone(),
        answers: merged_answers,
    };
    let resolved = resolve::resolve(pack, &base, &input, asker, &session.limits)?;
    let context = resolved.context().clone();
    let mut plan = render::render(&resolved)?;
    let record = record(pack, &context, choice);
    plan.add(PlannedFile {
        path: RECORD_FILE.to_string(),
        bytes: record.to_toml_string().into_bytes().into(),
        executable: false,
        link: None,
        on_disk: None,
    })
    .map_err(|e| Error::pack(pack.label(), e))?;
    Ok((plan, context))
}

/// The `.scaffold.toml` record of this project.
fn record(pack: &Pack, context: &TemplateContext, choice: &Choice) -> AnswersFile {
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

/// What to run next in the project at `shown_path`: the Makefile contract when it has one.
#[must_use]
pub fn next_steps(plan: &Plan<'_>, shown_path: &str) -> Vec<String> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        assert_eq!(shell_quote("a b"), "'a b'");
        assert_eq!(shell_quote("a/b-c"), "a/b-c");
    }
}
