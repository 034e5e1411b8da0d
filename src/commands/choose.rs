//! Which pack renders the project: `--pack DIR`, `--stack`, the answers file, or the
//! recommendation (asked on a terminal, taken as is with `--yes`).

use std::collections::BTreeMap;

use crate::answers::{AnswersFile, RecommendationRecord, RequirementsRecord};
use crate::cli::NewArgs;
use crate::error::{Error, Result};
use crate::pack::{self, Pack};
use crate::prompt;
use crate::stack::Stack;
use crate::ui::Ui;

/// The outcome of choosing.
pub struct Choice {
    /// The loaded pack.
    pub pack: Pack,
    /// The stack id templates see (the pack name for custom packs).
    pub stack_id: String,
    /// The reasons the recommendation gave for this stack (empty without one).
    pub why: Vec<String>,
    /// Variable values the recommendation proposes (below the answers file and `--set`).
    pub preset: BTreeMap<String, toml::Value>,
    /// The requirement answers, for the record.
    pub requirements: Option<RequirementsRecord>,
    /// The recommendation, for the record.
    pub recommendation: Option<RecommendationRecord>,
}

/// Load the built-in pack of a stack, with a clear message when this version has none.
fn load_stack(stack: Stack) -> Result<Pack> {
    if !pack::builtin_names().contains(&stack.id()) {
        return Err(Error::usage(format!(
            "the `{stack}` stack has no pack in scaffold {} yet; choose another with --stack ({})",
            env!("CARGO_PKG_VERSION"),
            available().join(", ")
        )));
    }
    pack::load_builtin(stack.id())
}

/// The stacks this build has packs for, in the documented order.
#[must_use]
pub fn available() -> Vec<&'static str> {
    let names = pack::builtin_names();
    Stack::ALL
        .iter()
        .map(|s| s.id())
        .filter(|id| names.contains(id))
        .collect()
}

fn parse_stack(raw: &str) -> Result<Stack> {
    raw.parse::<Stack>()
        .map_err(|e| Error::usage(e.to_string()))
}

/// Decide the pack.
///
/// # Errors
/// An unknown stack, a pack that cannot be loaded, or no way to decide without a terminal.
pub fn choose(args: &NewArgs, answers: &AnswersFile, ui: &Ui, interactive: bool) -> Result<Choice> {
    let choice = |pack: Pack, stack_id: String| Choice {
        pack,
        stack_id,
        why: Vec::new(),
        preset: BTreeMap::new(),
        requirements: answers.requirements.clone(),
        recommendation: None,
    };
    if let Some(dir) = &args.pack {
        let pack = pack::load_dir(dir)?;
        let id = pack.name().to_string();
        return Ok(choice(pack, id));
    }
    let explicit = args.stack.as_deref().or(answers.stack.as_deref());
    if let Some(raw) = explicit {
        let stack = parse_stack(raw)?;
        let mut c = choice(load_stack(stack)?, stack.id().to_string());
        // A recorded recommendation for the same stack keeps its reasons (README "Why").
        if let Some(rec) = answers
            .recommendation
            .as_ref()
            .filter(|r| r.stack == stack.id())
        {
            c.why = rec.reasons.clone();
            c.recommendation = Some(rec.clone());
        }
        return Ok(c);
    }
    if interactive {
        let ids = available();
        let items: Vec<String> = ids
            .iter()
            .filter_map(|id| id.parse::<Stack>().ok())
            .map(|s| format!("{:<8} {}", s.id(), s.summary()))
            .collect();
        let i = prompt::select(ui, "Stack", &items, 0)?;
        let stack = parse_stack(ids[i])?;
        return Ok(choice(load_stack(stack)?, stack.id().to_string()));
    }
    Err(Error::MissingAnswer {
        what: "the stack".into(),
        hint: "pass --stack STACK (express, nestjs, django, fastapi, hybrid), or --yes to take the recommendation for --needs/--team".into(),
    })
}
