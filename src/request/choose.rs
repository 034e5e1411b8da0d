//! Which pack renders the project: `--pack DIR`, `--stack`, the answers file, or the
//! recommendation (asked on a terminal, taken as is with `--yes`).

use std::collections::{BTreeMap, BTreeSet};

use crate::answers::record as provenance;
use crate::answers::{RecommendationRecord, RequirementsRecord};
use crate::error::{Error, Result};
use crate::pack::{self, Pack, Reading};
use crate::prompt;
use crate::recommend::{self, Need, Recommendation, Requirements, Team};
use crate::request::{NewRequest, PackChoice, Session};
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
    /// Variable values proposed for the needs (the pack's needs-mapping, then the
    /// recommendation's own for the hybrid): below the answers file and `--set`, asked with
    /// them as defaults on a terminal.
    pub preset: BTreeMap<String, toml::Value>,
    /// For each proposed variable, the needs that proposed it (empty for the
    /// recommendation's own proposals).
    pub proposed_by: BTreeMap<String, Vec<Need>>,
    /// The chosen needs.
    pub needs: BTreeSet<Need>,
    /// The requirement answers, for the record.
    pub requirements: Option<RequirementsRecord>,
    /// The recommendation, for the record.
    pub recommendation: Option<RecommendationRecord>,
}

/// The stacks this build has packs for, in the documented order.
#[must_use]
pub fn available() -> Vec<Stack> {
    let names = pack::builtin_names();
    Stack::ALL
        .into_iter()
        .filter(|s| names.contains(&s.id()))
        .collect()
}

fn available_ids() -> String {
    available()
        .iter()
        .map(|s| s.id())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Load the built-in pack of a stack, with a clear message when this version has none.
fn load_stack(stack: Stack) -> Result<Pack> {
    if !available().contains(&stack) {
        return Err(Error::usage(format!(
            "the `{stack}` stack has no pack in scaffold {} yet; choose another with --stack ({})",
            env!("CARGO_PKG_VERSION"),
            available_ids()
        )));
    }
    pack::load_builtin(stack.id())
}

/// Ask the needs and the team on a terminal.
fn ask_requirements(ui: &Ui) -> Result<Requirements> {
    let items: Vec<String> = Need::ALL
        .iter()
        .map(|n| format!("{:<16} {}", n.id(), n.label()))
        .collect();
    let picked = prompt::multi_select(ui, "What will this backend need?", &items, &[false; 15])?;
    let teams: Vec<String> = Team::ALL.iter().map(|t| t.label().to_string()).collect();
    let default_team = Team::ALL.iter().position(|t| *t == Team::None).unwrap_or(0);
    let team = prompt::select(ui, "What does your team write today?", &teams, default_team)?;
    Ok(Requirements::new(
        picked.into_iter().map(|i| Need::ALL[i]),
        Team::ALL[team],
    ))
}

fn record_for(req: &Requirements) -> RequirementsRecord {
    RequirementsRecord {
        needs: req.need_ids(),
        team: Some(req.team.id().to_string()),
    }
}

/// The chosen stack's reasons and the record of the recommendation.
fn explain(rec: &Recommendation, chosen: Stack) -> (Vec<String>, RecommendationRecord) {
    let entry = rec.entry(chosen);
    let reasons = entry.map(|e| e.reasons.clone()).unwrap_or_default();
    let record = RecommendationRecord {
        stack: chosen.id().to_string(),
        recommended: (rec.stack != chosen).then(|| rec.stack.id().to_string()),
        score: entry.map(|e| e.score),
        reasons: reasons.clone(),
    };
    (reasons, record)
}

/// The recommendation's variables for the chosen stack (only the hybrid has any).
fn preset(rec: &Recommendation, chosen: Stack) -> BTreeMap<String, toml::Value> {
    if rec.stack != chosen {
        return BTreeMap::new();
    }
    rec.variables
        .iter()
        .map(|(k, v)| (k.clone(), toml::Value::String(v.clone())))
        .collect()
}

/// Decide the pack.
///
/// # Errors
/// An unknown stack, need or team, a pack that cannot be loaded, or no way to decide
/// without a terminal.
pub fn choose(req: &NewRequest, session: &Session) -> Result<Choice> {
    choose_reading(req, session, Reading::Now)
}

/// [`choose`], reading a directory or git pack's verbatim files now or when the project is
/// written ([`Reading::AtWrite`]: only for a new project written once, not a dry run).
///
/// # Errors
/// See [`choose`].
pub fn choose_reading(req: &NewRequest, session: &Session, reading: Reading) -> Result<Choice> {
    let mut choice = choose_pack(req, session, reading)?;
    // The pack's own needs-mapping proposes first; the recommendation's proposals (the
    // hybrid's gateway and queue) are made for the same needs with the ranking in view.
    let mut proposals = BTreeMap::new();
    for (key, (value, needs)) in choice.pack.manifest.needs_proposals(&choice.needs) {
        proposals.insert(key.clone(), value);
        choice.proposed_by.insert(key, needs);
    }
    for (key, value) in std::mem::take(&mut choice.preset) {
        if proposals.get(&key) != Some(&value) {
            choice.proposed_by.remove(&key);
        }
        proposals.insert(key, value);
    }
    choice.preset = proposals;
    Ok(choice)
}

fn choose_pack(req: &NewRequest, session: &Session, reading: Reading) -> Result<Choice> {
    let given = req.requirements.clone();
    let plain = |pack: Pack, stack_id: String| Choice {
        pack,
        stack_id,
        why: Vec::new(),
        preset: BTreeMap::new(),
        proposed_by: BTreeMap::new(),
        needs: given.as_ref().map(|r| r.needs.clone()).unwrap_or_default(),
        requirements: given.as_ref().map(record_for),
        recommendation: None,
    };
    match &req.pack {
        PackChoice::Spec { spec, reference } => {
            let pack = pack::source::resolve_reading(spec, reference.as_deref(), reading)?;
            let id = pack.name().to_string();
            Ok(plain(pack, id))
        }
        PackChoice::Recorded => {
            // The directory or git repository (at the recorded commit) the record names.
            let pack = provenance::pack_from_record_reading(&req.answers, reading)?.ok_or_else(|| {
                Error::usage(
                    "the answers file's [pack] names no directory or repository; pass --stack or --pack",
                )
            })?;
            let id = req
                .answers
                .stack
                .clone()
                .unwrap_or_else(|| pack.name().to_string());
            Ok(plain(pack, id))
        }
        PackChoice::Named(raw) => {
            let stack = match raw.parse::<Stack>() {
                Ok(stack) => stack,
                Err(unknown) => {
                    let pack = user_pack(raw, &unknown.to_string(), reading)?;
                    let id = pack.name().to_string();
                    return Ok(plain(pack, id));
                }
            };
            let mut c = plain(load_stack(stack)?, stack.id().to_string());
            if let Some(req) = &given {
                // Requirements given with an explicit stack still explain it in the README.
                let rec = recommend::recommend(req);
                let (why, record) = explain(&rec, stack);
                c.why = why;
                c.recommendation = Some(record);
                c.preset = preset(&rec, stack);
            } else if let Some(rec) = req
                .answers
                .recommendation
                .as_ref()
                .filter(|r| r.stack == stack.id())
            {
                // A recorded recommendation for the same stack keeps its reasons.
                c.why.clone_from(&rec.reasons);
                c.recommendation = Some(rec.clone());
            }
            Ok(c)
        }
        PackChoice::Recommend => recommended(req, session, given),
    }
}

/// Not a built-in stack: a user pack by that name, or an error naming both kinds.
fn user_pack(raw: &str, unknown: &str, reading: Reading) -> Result<Pack> {
    if let Some(pack) = pack::source::find_user_pack_reading(raw.trim(), reading)? {
        return Ok(pack);
    }
    let user = pack::source::user_packs()?;
    let users: Vec<&str> = user.found.iter().map(|(n, _)| n.as_str()).collect();
    let extra = if users.is_empty() {
        String::new()
    } else {
        format!("; user packs: {}", users.join(", "))
    };
    Err(Error::usage(format!(
        "{unknown}{extra}{}",
        user.skipped_note()
    )))
}

/// The recommendation decides: asked on a terminal, taken as is with `--yes`.
fn recommended(req: &NewRequest, session: &Session, given: Option<Requirements>) -> Result<Choice> {
    let interactive = session.interactive;
    if !interactive && !req.options.yes {
        return Err(Error::MissingAnswer {
            what: "the stack".into(),
            hint: "pass --stack STACK (express, nestjs, django, fastapi, hybrid), or --yes to take the recommendation for --needs/--team".into(),
        });
    }
    let req = match given {
        Some(req) => req,
        None if interactive => ask_requirements(&session.ui)?,
        None => Requirements::default(),
    };
    let rec = recommend::recommend(&req);
    let stack = if interactive {
        session.show(&recommend::render_text_width(&rec, prompt::width()));
        pick_interactively(&session.ui, &rec)?
    } else if available().contains(&rec.stack) {
        rec.stack
    } else {
        let best = rec
            .ranking
            .iter()
            .map(|r| r.stack)
            .find(|s| available().contains(s));
        return Err(Error::usage(format!(
            "the recommended stack `{}` has no pack in scaffold {} yet; pass --stack {} (the best available) or another of: {}",
            rec.stack,
            env!("CARGO_PKG_VERSION"),
            best.map_or("fastapi", Stack::id),
            available_ids()
        )));
    };
    let (why, record) = explain(&rec, stack);
    Ok(Choice {
        pack: load_stack(stack)?,
        stack_id: stack.id().to_string(),
        why,
        preset: preset(&rec, stack),
        proposed_by: BTreeMap::new(),
        needs: req.needs.clone(),
        requirements: Some(record_for(&req)),
        recommendation: Some(record),
    })
}

/// Offer the top pick, or any other available stack in ranking order.
fn pick_interactively(ui: &Ui, rec: &Recommendation) -> Result<Stack> {
    let ranked: Vec<Stack> = rec
        .ranking
        .iter()
        .map(|r| r.stack)
        .filter(|s| available().contains(s))
        .collect();
    if available().contains(&rec.stack) {
        let options = [
            format!("Use {} ({})", rec.stack, rec.stack.summary()),
            "Choose another stack".to_string(),
        ];
        if prompt::select(ui, "Stack", &options, 0)? == 0 {
            return Ok(rec.stack);
        }
    } else {
        ui.warn(&format!(
            "the `{}` stack has no pack in this version yet; choose one of the others",
            rec.stack
        ));
    }
    let items: Vec<String> = ranked
        .iter()
        .map(|s| {
            let score = rec.entry(*s).map_or(0.0, |e| e.score);
            format!("{:<8} {score:>4.1}  {}", s.id(), s.summary())
        })
        .collect();
    let i = prompt::select(ui, "Stack", &items, 0)?;
    Ok(ranked[i])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::answers::Asker;
    use crate::engine::{Limits, TemplateContext};
    use crate::resolve::{self, Answers};

    /// Whatever the recommendation proposes for the hybrid (its gateway, worker and queue), the
    /// hybrid pack accepts: a proposal the pack refused would turn `--yes` into an error.
    #[test]
    fn every_hybrid_proposal_is_accepted_by_the_hybrid_pack() {
        let pack = load_stack(Stack::Hybrid).expect("the hybrid pack loads");
        let base = TemplateContext {
            names: crate::names::derive("hub").expect("a valid name"),
            stack: "hybrid".into(),
            why: Vec::new(),
            needs: Vec::new(),
            values: Vec::new(),
        };
        // Every combination of up to three needs, with every team.
        let mut proposals = BTreeSet::new();
        for (i, a) in Need::ALL.iter().enumerate() {
            for (j, b) in Need::ALL.iter().enumerate().skip(i) {
                for c in &Need::ALL[j..] {
                    for team in Team::ALL {
                        let needs = BTreeSet::from([*a, *b, *c]);
                        let rec = recommend::recommend(&Requirements { needs, team });
                        proposals.insert(rec.variables);
                    }
                }
            }
        }
        let seen = |key: &str| -> BTreeSet<String> {
            proposals
                .iter()
                .filter_map(|p| p.get(key).cloned())
                .collect()
        };
        // The sample reaches every value the recommendation can propose.
        assert_eq!(
            seen("gateway"),
            BTreeSet::from(["express".into(), "nestjs".into()])
        );
        assert_eq!(
            seen("queue"),
            BTreeSet::from(["nats".into(), "rabbitmq".into(), "redis".into()])
        );
        for proposal in proposals.iter().filter(|p| !p.is_empty()) {
            let answered = proposal
                .iter()
                .map(|(k, v)| (k.clone(), toml::Value::String(v.clone())))
                .collect();
            let input = Answers {
                sets: Vec::new(),
                answers: answered,
                ..Answers::default()
            };
            let resolved = resolve::resolve(&pack, &base, &input, Asker::Never, &Limits::default());
            assert!(resolved.is_ok(), "{proposal:?}: {:?}", resolved.err());
        }
    }
}
