//! The rule table: its TOML format, loading and validation.
//!
//! The built-in table lives in `rules.toml` beside this file and is embedded with
//! `include_str!`. [`RuleTable::parse`] turns TOML text into a validated table;
//! [`RuleTable::builtin`] parses the embedded one once and keeps it for the life of
//! the process.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::OnceLock;

use serde::Deserialize;

use super::{Need, Requirements, Team};
use crate::stack::Stack;

/// The embedded rule table (TOML).
pub const BUILTIN_RULES: &str = include_str!("rules.toml");

/// When a rule (or a note) applies. Every part that is set must hold; an empty
/// condition always holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Condition {
    /// Needs in conjunctive form: every group must contain at least one chosen need.
    pub all: Vec<BTreeSet<Need>>,
    /// The team must be one of these (empty: any team).
    pub team: BTreeSet<Team>,
    /// Negated conjunctive form: the condition fails when every one of these groups
    /// contains a chosen need (empty: no exclusion).
    pub unless: Vec<BTreeSet<Need>>,
}

impl Condition {
    /// Whether the condition holds for these requirements.
    #[must_use]
    pub fn holds(&self, req: &Requirements) -> bool {
        let cnf = |groups: &[BTreeSet<Need>]| {
            groups
                .iter()
                .all(|g| g.iter().any(|n| req.needs.contains(n)))
        };
        cnf(&self.all)
            && (self.team.is_empty() || self.team.contains(&req.team))
            && (self.unless.is_empty() || !cnf(&self.unless))
    }

    /// Whether this condition is exactly "this one need was chosen" (no team, no
    /// exclusion): the shape that guarantees the need always moves a score.
    #[must_use]
    pub fn is_single_need(&self, need: Need) -> bool {
        self.team.is_empty()
            && self.unless.is_empty()
            && self.all.len() == 1
            && self.all[0].len() == 1
            && self.all[0].contains(&need)
    }

    /// Every need the condition mentions.
    #[must_use]
    pub fn mentioned_needs(&self) -> BTreeSet<Need> {
        self.all
            .iter()
            .chain(self.unless.iter())
            .flat_map(|g| g.iter().copied())
            .collect()
    }
}

/// One scoring rule: when it applies, how much it moves each stack, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    /// A short unique id (shown in JSON contributions and in test failures).
    pub id: String,
    /// When the rule applies.
    pub when: Condition,
    /// Score deltas, in [`Stack::ALL`] order; only non-zero deltas are listed.
    pub score: Vec<(Stack, f64)>,
    /// Reason shown on stacks the rule raises (and on lowered stacks without `against`).
    pub reason: String,
    /// Reason shown on stacks the rule lowers, when set.
    pub against: Option<String>,
    /// Per-stack reason text that overrides `reason`/`against` for that stack.
    pub text: BTreeMap<Stack, String>,
}

impl Rule {
    /// The delta this rule applies to `stack` (0 when it does not move it).
    #[must_use]
    pub fn delta(&self, stack: Stack) -> f64 {
        self.score
            .iter()
            .find(|(s, _)| *s == stack)
            .map_or(0.0, |(_, d)| *d)
    }

    /// The reason shown on `stack` when the rule moves it (`None` if it does not).
    #[must_use]
    pub fn reason_for(&self, stack: Stack) -> Option<&str> {
        let delta = self.delta(stack);
        if delta == 0.0 {
            return None;
        }
        let fallback = if delta < 0.0 {
            self.against.as_deref().unwrap_or(&self.reason)
        } else {
            &self.reason
        };
        Some(self.text.get(&stack).map_or(fallback, String::as_str))
    }
}

/// A remark that is not scored (for example about security), shown when its
/// condition holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// When the note is shown.
    pub when: Condition,
    /// The text shown.
    pub text: String,
}

/// Per-stack settings: the starting score and the reason shown when no rule moved it.
#[derive(Debug, Clone, PartialEq)]
pub struct StackBase {
    /// Starting score before any rule.
    pub base: f64,
    /// Reason shown when no rule moved the stack.
    pub baseline: String,
}

/// A validated rule table.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleTable {
    /// Base score and baseline reason of each stack, in [`Stack::ALL`] order.
    pub stacks: Vec<(Stack, StackBase)>,
    /// The rules, in file order (the order reasons tie-break in).
    pub rules: Vec<Rule>,
    /// The unscored notes, in file order.
    pub notes: Vec<Note>,
}

/// Why a rule table failed to load.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleTableError(pub String);

impl fmt::Display for RuleTableError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid rule table: {}", self.0)
    }
}

impl std::error::Error for RuleTableError {}

// ---- raw TOML model ---------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTable {
    stacks: BTreeMap<String, RawStack>,
    #[serde(default)]
    rule: Vec<RawRule>,
    #[serde(default)]
    note: Vec<RawNote>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStack {
    base: f64,
    baseline: String,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawWhen {
    need: Option<String>,
    any: Option<Vec<String>>,
    all: Option<Vec<Vec<String>>>,
    team: Option<Vec<String>>,
    unless: Option<Vec<Vec<String>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    id: String,
    #[serde(default)]
    when: RawWhen,
    score: BTreeMap<String, f64>,
    reason: String,
    against: Option<String>,
    #[serde(default)]
    text: BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNote {
    #[serde(default)]
    when: RawWhen,
    text: String,
}

/// One `[[rule]]`: a unique id, a known `when`, scores in half steps, reasons and texts.
fn parse_rule(i: usize, r: &RawRule, ids: &mut BTreeSet<String>) -> Result<Rule, RuleTableError> {
    let ctx = format!("rule #{} `{}`", i + 1, r.id);
    if r.id.trim().is_empty() {
        return Err(err(format!("{ctx}: empty id")));
    }
    if !ids.insert(r.id.clone()) {
        return Err(err(format!("{ctx}: duplicate id")));
    }
    let when = parse_when(&ctx, &r.when)?;
    if r.score.is_empty() {
        return Err(err(format!("{ctx}: `score` moves no stack")));
    }
    let mut score = Vec::new();
    for (name, d) in &r.score {
        let stack = parse_stack(&ctx, name)?;
        if *d == 0.0 || !is_half_step(*d) {
            return Err(err(format!(
                "{ctx}: score for {name} must be a non-zero multiple of 0.5 (got {d})"
            )));
        }
        score.push((stack, *d));
    }
    score.sort_by_key(|(s, _)| *s);
    if r.reason.trim().is_empty() {
        return Err(err(format!("{ctx}: empty reason")));
    }
    if r.against.as_deref().is_some_and(|a| a.trim().is_empty()) {
        return Err(err(format!("{ctx}: empty `against`")));
    }
    let mut text = BTreeMap::new();
    for (name, t) in &r.text {
        let stack = parse_stack(&ctx, name)?;
        if !r.score.contains_key(name) {
            return Err(err(format!(
                "{ctx}: text.{name} given but the rule does not score {name}"
            )));
        }
        if t.trim().is_empty() {
            return Err(err(format!("{ctx}: empty text.{name}")));
        }
        text.insert(stack, t.trim().to_string());
    }
    Ok(Rule {
        id: r.id.clone(),
        when,
        score,
        reason: r.reason.trim().to_string(),
        against: r.against.as_ref().map(|a| a.trim().to_string()),
        text,
    })
}

fn err(msg: impl Into<String>) -> RuleTableError {
    RuleTableError(msg.into())
}

fn parse_group(ctx: &str, names: &[String]) -> Result<BTreeSet<Need>, RuleTableError> {
    if names.is_empty() {
        return Err(err(format!("{ctx}: empty need group")));
    }
    names
        .iter()
        .map(|n| n.parse::<Need>().map_err(|e| err(format!("{ctx}: {e}"))))
        .collect()
}

fn parse_stack(ctx: &str, name: &str) -> Result<Stack, RuleTableError> {
    name.parse::<Stack>()
        .map_err(|e| err(format!("{ctx}: {e}")))
}

fn parse_when(ctx: &str, raw: &RawWhen) -> Result<Condition, RuleTableError> {
    let mut cond = Condition::default();
    let forms = [raw.need.is_some(), raw.any.is_some(), raw.all.is_some()];
    if forms.iter().filter(|f| **f).count() > 1 {
        return Err(err(format!(
            "{ctx}: use only one of `need`, `any`, `all` in `when`"
        )));
    }
    if let Some(n) = &raw.need {
        cond.all.push(parse_group(ctx, std::slice::from_ref(n))?);
    }
    if let Some(any) = &raw.any {
        cond.all.push(parse_group(ctx, any)?);
    }
    if let Some(all) = &raw.all {
        if all.is_empty() {
            return Err(err(format!("{ctx}: `all` has no groups")));
        }
        for g in all {
            cond.all.push(parse_group(ctx, g)?);
        }
    }
    if let Some(teams) = &raw.team {
        if teams.is_empty() {
            return Err(err(format!("{ctx}: `team` is empty")));
        }
        for t in teams {
            cond.team
                .insert(t.parse::<Team>().map_err(|e| err(format!("{ctx}: {e}")))?);
        }
    }
    if let Some(unless) = &raw.unless {
        if unless.is_empty() {
            return Err(err(format!("{ctx}: `unless` has no groups")));
        }
        for g in unless {
            cond.unless.push(parse_group(ctx, g)?);
        }
    }
    Ok(cond)
}

fn is_half_step(x: f64) -> bool {
    x.is_finite() && (x * 2.0).fract() == 0.0 && x.abs() <= 100.0
}

impl RuleTable {
    /// Parse and validate a rule table from TOML text.
    ///
    /// Checks: the TOML shape (unknown keys are errors); every stack has a base and a
    /// baseline; every need, team and stack named is known; rule ids are unique;
    /// scores are finite non-zero multiples of 0.5; reasons are not empty; `text`
    /// overrides name only stacks the rule moves; and every need has a rule of its
    /// own (`when = { need = "…" }`), so choosing any need always moves some score.
    ///
    /// # Errors
    /// A [`RuleTableError`] naming the first problem found.
    pub fn parse(text: &str) -> Result<RuleTable, RuleTableError> {
        let raw: RawTable = toml::from_str(text).map_err(|e| err(e.to_string()))?;

        let mut stacks = Vec::new();
        for (name, s) in &raw.stacks {
            let ctx = format!("[stacks.{name}]");
            let stack = parse_stack(&ctx, name)?;
            if !s.base.is_finite() {
                return Err(err(format!("{ctx}: base must be a finite number")));
            }
            if !is_half_step(s.base) {
                return Err(err(format!("{ctx}: base must be a multiple of 0.5")));
            }
            if s.baseline.trim().is_empty() {
                return Err(err(format!("{ctx}: empty baseline")));
            }
            stacks.push((
                stack,
                StackBase {
                    base: s.base,
                    baseline: s.baseline.trim().to_string(),
                },
            ));
        }
        stacks.sort_by_key(|(s, _)| *s);
        for s in Stack::ALL {
            if !stacks.iter().any(|(t, _)| *t == s) {
                return Err(err(format!("missing [stacks.{}]", s.id())));
            }
        }

        let mut ids = BTreeSet::new();
        let mut rules = Vec::new();
        for (i, r) in raw.rule.iter().enumerate() {
            rules.push(parse_rule(i, r, &mut ids)?);
        }

        for need in Need::ALL {
            if !rules.iter().any(|r| r.when.is_single_need(need)) {
                return Err(err(format!(
                    "need `{need}` has no rule of its own (when = {{ need = \"{need}\" }})"
                )));
            }
        }

        let mut notes = Vec::new();
        for (i, n) in raw.note.iter().enumerate() {
            let ctx = format!("note #{}", i + 1);
            if n.text.trim().is_empty() {
                return Err(err(format!("{ctx}: empty text")));
            }
            notes.push(Note {
                when: parse_when(&ctx, &n.when)?,
                text: n.text.trim().to_string(),
            });
        }

        Ok(RuleTable {
            stacks,
            rules,
            notes,
        })
    }

    /// The built-in table from `rules.toml`, parsed once.
    ///
    /// # Panics
    /// Only if the embedded table is invalid, which a unit test rules out.
    #[must_use]
    pub fn builtin() -> &'static RuleTable {
        static TABLE: OnceLock<RuleTable> = OnceLock::new();
        TABLE.get_or_init(|| {
            RuleTable::parse(BUILTIN_RULES)
                .expect("the embedded src/recommend/rules.toml is valid (checked by a unit test)")
        })
    }

    /// Base score and baseline reason of `stack`.
    #[must_use]
    pub fn stack_base(&self, stack: Stack) -> Option<&StackBase> {
        self.stacks
            .iter()
            .find(|(s, _)| *s == stack)
            .map(|(_, b)| b)
    }
}
