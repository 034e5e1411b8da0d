//! The recommendation step: from what a project needs and what its team writes to a
//! ranked, explained, deterministic choice among the built-in stacks.
//!
//! # The model
//!
//! * [`Requirements`] are a set of [`Need`]s (the `--needs` values) and a [`Team`]
//!   (the `--team` value).
//! * The rule table ([`rules::RuleTable`], kept as data in `rules.toml` and embedded
//!   with `include_str!`) gives every stack a base score and holds a list of rules.
//!   A rule has a condition (a need, a team, or a combination such as "a real-time
//!   need AND a data/ML need"), a score delta for each stack it moves, and the reason
//!   shown to the user on each of those stacks.
//! * [`recommend`] starts every stack at its base score, applies every rule whose
//!   condition holds (adding its deltas and attaching its reason to each stack it
//!   moves), and ranks all five stacks by score, highest first. Ties break by the
//!   fixed order of [`Stack::ALL`] (express, nestjs, django, fastapi, hybrid), so the
//!   same input always gives the same output. Deltas are multiples of 0.5, so sums
//!   are exact; scores are rounded to one decimal anyway for display stability.
//! * Each ranked stack lists its reasons: the rules that raised it (largest first),
//!   then those that lowered it (largest first). A stack no rule moved gets its
//!   baseline reason (what it is good for), so every stack has at least one.
//! * Every need has a rule of its own (checked when the table loads), so choosing any
//!   need always changes some score.
//! * Security is not scored; unscored remarks like that one come from the table's
//!   notes and land in [`Recommendation::notes`].
//! * When the top pick is the hybrid, [`Recommendation::variables`] fills its pack
//!   variables from the same requirements (see [`hybrid_variables`]).
//! * [`Recommendation::why_not`] explains the runner-up's loss with the fired rule that
//!   separates the two most (preferring one that lowered the runner-up, whose "against"
//!   text reads as a why-not); a tie says the fixed order decided.
//! * [`Recommendation`] serializes to DESIGN.md's `scaffold recommend --json` shape;
//!   [`render_text`] gives the human table.
//!
//! This module is pure: no I/O, no terminal, no command-line parsing.

pub mod rules;

#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::fmt::Write as _;
use std::str::FromStr;

use serde::{Deserialize, Serialize, Serializer};

use crate::stack::{Family, Stack};
pub use rules::{Condition, Note, Rule, RuleTable, RuleTableError, StackBase};

// ---- Need ------------------------------------------------------------------

/// One thing the project needs (a `--needs` value).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Need {
    /// Real-time updates: chat, live dashboards, multiplayer, collaboration.
    Realtime,
    /// Streaming data to clients (server-sent events, WebSockets, pipes).
    Streaming,
    /// An HTTP/JSON API for web or mobile clients.
    Api,
    /// Microservices: small services in lightweight containers.
    Microservices,
    /// An admin panel / back office.
    Admin,
    /// Content management.
    Cms,
    /// An e-commerce back office.
    Ecommerce,
    /// Data analysis and processing.
    Data,
    /// Machine learning / AI.
    Ml,
    /// Automation: scripts, scheduled jobs, integrations.
    Automation,
    /// CPU-heavy or numeric/scientific work.
    CpuHeavy,
    /// Many simultaneous connections.
    HighConcurrency,
    /// A fast prototype / MVP.
    Prototype,
    /// A typed API with generated OpenAPI docs.
    TypedApi,
    /// Enterprise structure for a larger team.
    Enterprise,
}

impl Need {
    /// Every need, in the documented order (the order of DESIGN.md's `--needs` list).
    pub const ALL: [Need; 15] = [
        Need::Realtime,
        Need::Streaming,
        Need::Api,
        Need::Microservices,
        Need::Admin,
        Need::Cms,
        Need::Ecommerce,
        Need::Data,
        Need::Ml,
        Need::Automation,
        Need::CpuHeavy,
        Need::HighConcurrency,
        Need::Prototype,
        Need::TypedApi,
        Need::Enterprise,
    ];

    /// The id used on the command line, in JSON and in the rule table.
    #[must_use]
    pub fn id(self) -> &'static str {
        match self {
            Need::Realtime => "realtime",
            Need::Streaming => "streaming",
            Need::Api => "api",
            Need::Microservices => "microservices",
            Need::Admin => "admin",
            Need::Cms => "cms",
            Need::Ecommerce => "ecommerce",
            Need::Data => "data",
            Need::Ml => "ml",
            Need::Automation => "automation",
            Need::CpuHeavy => "cpu-heavy",
            Need::HighConcurrency => "high-concurrency",
            Need::Prototype => "prototype",
            Need::TypedApi => "typed-api",
            Need::Enterprise => "enterprise",
        }
    }

    /// The label's short form (before its dash), for prompts: `real-time updates`.
    #[must_use]
    pub fn short_label(self) -> &'static str {
        let label = self.label();
        label.split(" — ").next().unwrap_or(label)
    }

    /// A one-line human label, for the interactive multi-select.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Need::Realtime => "real-time updates — chat, live dashboards, multiplayer",
            Need::Streaming => "streaming — pushing data continuously (events, feeds, media)",
            Need::Api => "an HTTP/JSON API — for a web or mobile front end",
            Need::Microservices => "microservices — small services, lightweight containers",
            Need::Admin => "an admin panel — back office for staff",
            Need::Cms => "content management — editors publish pages and articles",
            Need::Ecommerce => "e-commerce — catalogue, orders, payments back office",
            Need::Data => "data analysis — reports, pandas-style processing, ETL",
            Need::Ml => "machine learning / AI — train or serve models",
            Need::Automation => "automation — scripts, scheduled jobs, integrations",
            Need::CpuHeavy => "CPU-heavy work — numeric or scientific computing",
            Need::HighConcurrency => "high concurrency — thousands of simultaneous connections",
            Need::Prototype => "a fast prototype — an MVP to show this month",
            Need::TypedApi => "a typed API — validated requests, generated OpenAPI docs",
            Need::Enterprise => "enterprise structure — larger team, modules, dependency injection",
        }
    }
}

impl fmt::Display for Need {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// The error for a string that names no need; its message lists every accepted value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownNeed(pub String);

impl fmt::Display for UnknownNeed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ids: Vec<&str> = Need::ALL.iter().map(|n| n.id()).collect();
        write!(
            f,
            "unknown need `{}` (expected one of: {})",
            self.0,
            ids.join(", ")
        )
    }
}

impl std::error::Error for UnknownNeed {}

impl FromStr for Need {
    type Err = UnknownNeed;

    /// Case-insensitive; surrounding whitespace is ignored.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Need::ALL
            .iter()
            .copied()
            .find(|n| n.id().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| UnknownNeed(s.to_string()))
    }
}

// ---- Team ------------------------------------------------------------------

/// The language the team writes today (a `--team` value).
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Team {
    /// JavaScript / TypeScript.
    Js,
    /// Python.
    Python,
    /// Both JavaScript/TypeScript and Python.
    Both,
    /// Neither yet, or no preference (the default).
    #[default]
    None,
}

impl Team {
    /// Every team value, in the documented order.
    pub const ALL: [Team; 4] = [Team::Js, Team::Python, Team::Both, Team::None];

    /// The id used on the command line, in JSON and in the rule table.
    #[must_use]
    pub fn id(self) -> &'static str {
        match self {
            Team::Js => "js",
            Team::Python => "python",
            Team::Both => "both",
            Team::None => "none",
        }
    }

    /// A one-line human label, for the interactive select.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Team::Js => "JavaScript / TypeScript",
            Team::Python => "Python",
            Team::Both => "both JavaScript/TypeScript and Python",
            Team::None => "neither yet / no preference",
        }
    }
}

impl fmt::Display for Team {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// The error for a string that names no team value; its message lists every accepted value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownTeam(pub String);

impl fmt::Display for UnknownTeam {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ids: Vec<&str> = Team::ALL.iter().map(|t| t.id()).collect();
        write!(
            f,
            "unknown team `{}` (expected one of: {})",
            self.0,
            ids.join(", ")
        )
    }
}

impl std::error::Error for UnknownTeam {}

impl FromStr for Team {
    type Err = UnknownTeam;

    /// Case-insensitive; surrounding whitespace is ignored.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Team::ALL
            .iter()
            .copied()
            .find(|t| t.id().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| UnknownTeam(s.to_string()))
    }
}

// ---- Requirements ----------------------------------------------------------

/// What the project needs and what its team writes: the input of [`recommend`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Requirements {
    /// The chosen needs (a set: order and duplicates do not matter).
    pub needs: BTreeSet<Need>,
    /// The team's language.
    pub team: Team,
}

/// Either part of the requirements failed to parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequirementsError {
    /// A `--needs` item is not a known need.
    Need(UnknownNeed),
    /// The `--team` value is not a known team.
    Team(UnknownTeam),
}

impl fmt::Display for RequirementsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RequirementsError::Need(e) => e.fmt(f),
            RequirementsError::Team(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for RequirementsError {}

impl From<UnknownNeed> for RequirementsError {
    fn from(e: UnknownNeed) -> Self {
        RequirementsError::Need(e)
    }
}

impl From<UnknownTeam> for RequirementsError {
    fn from(e: UnknownTeam) -> Self {
        RequirementsError::Team(e)
    }
}

/// Parse a comma-separated `--needs` list: items are trimmed, empty items are
/// ignored, values are case-insensitive, duplicates collapse.
///
/// # Errors
/// [`UnknownNeed`] for the first item that is not a need; its message lists every
/// accepted value.
pub fn parse_needs(list: &str) -> Result<BTreeSet<Need>, UnknownNeed> {
    list.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::parse::<Need>)
        .collect()
}

impl Requirements {
    /// Requirements from needs and a team.
    #[must_use]
    pub fn new(needs: impl IntoIterator<Item = Need>, team: Team) -> Self {
        Requirements {
            needs: needs.into_iter().collect(),
            team,
        }
    }

    /// Requirements from need ids and a team id as stored in a record (the
    /// `[requirements]` table of `.scaffold.toml`); an absent team means [`Team::None`].
    ///
    /// # Errors
    /// [`RequirementsError`] naming the unknown value and listing the accepted ones.
    pub fn from_ids<I, S>(needs: I, team: Option<&str>) -> Result<Self, RequirementsError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let needs = needs
            .into_iter()
            .map(|n| n.as_ref().parse::<Need>())
            .collect::<Result<BTreeSet<Need>, UnknownNeed>>()?;
        let team = team.map_or(Ok(Team::None), str::parse::<Team>)?;
        Ok(Requirements { needs, team })
    }

    /// The need ids, in [`Need::ALL`] order (for records and messages).
    #[must_use]
    pub fn need_ids(&self) -> Vec<String> {
        self.needs.iter().map(|n| n.id().to_string()).collect()
    }

    /// Requirements from the raw `--needs` and `--team` flag values; an absent flag
    /// means no needs / [`Team::None`].
    ///
    /// # Errors
    /// [`RequirementsError`] naming the unknown value and listing the accepted ones.
    pub fn parse(needs: Option<&str>, team: Option<&str>) -> Result<Self, RequirementsError> {
        let needs = match needs {
            Some(list) => parse_needs(list)?,
            None => BTreeSet::new(),
        };
        let team = match team {
            Some(t) => t.parse::<Team>()?,
            None => Team::None,
        };
        Ok(Requirements { needs, team })
    }
}

// ---- Recommendation --------------------------------------------------------

/// One rule's effect on one stack.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Contribution {
    /// The rule's id in the table.
    pub rule: String,
    /// How much it moved the stack's score.
    pub delta: f64,
    /// The reason shown for it.
    pub reason: String,
}

/// One stack in the ranking.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RankedStack {
    /// The stack.
    #[serde(serialize_with = "ser_stack")]
    pub stack: Stack,
    /// Its score, rounded to one decimal.
    pub score: f64,
    /// Why it scored so, strongest first: rules that raised it, then rules that
    /// lowered it; the baseline reason when no rule moved it. Never empty.
    pub reasons: Vec<String>,
    /// The same, with each rule's id and delta (in the order of `reasons`; empty when
    /// only the baseline reason applies).
    pub contributions: Vec<Contribution>,
}

/// The result of [`recommend`]. Serializes to DESIGN.md's `scaffold recommend --json`
/// shape: `stack`, `family`, `variables`, `ranking`, then `why_not`, `notes`,
/// `needs`, `team`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Recommendation {
    /// The top pick.
    #[serde(serialize_with = "ser_stack")]
    pub stack: Stack,
    /// The top pick's language family.
    #[serde(serialize_with = "ser_family")]
    pub family: Family,
    /// Pack variables for the top pick: `gateway`, `worker`, `queue` when it is the
    /// hybrid; empty otherwise (always serialized, as an object).
    pub variables: BTreeMap<String, String>,
    /// All five stacks, highest score first; ties in [`Stack::ALL`] order.
    pub ranking: Vec<RankedStack>,
    /// One line on why the runner-up lost.
    pub why_not: String,
    /// Unscored remarks (security, team, hybrid settings).
    pub notes: Vec<String>,
    /// The needs the recommendation was made for.
    pub needs: BTreeSet<Need>,
    /// The team the recommendation was made for.
    pub team: Team,
}

impl Recommendation {
    /// The ranked entry of `stack`.
    #[must_use]
    pub fn entry(&self, stack: Stack) -> Option<&RankedStack> {
        self.ranking.iter().find(|r| r.stack == stack)
    }

    /// The runner-up (second place).
    #[must_use]
    pub fn runner_up(&self) -> Option<&RankedStack> {
        self.ranking.get(1)
    }
}

fn ser_stack<S: Serializer>(s: &Stack, ser: S) -> Result<S::Ok, S::Error> {
    ser.serialize_str(s.id())
}

fn ser_family<S: Serializer>(f: &Family, ser: S) -> Result<S::Ok, S::Error> {
    ser.serialize_str(f.id())
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// What one need's own rules (those whose condition is exactly that need) add to a
/// stack's score in the built-in table.
#[must_use]
pub fn need_score(need: Need, stack: Stack) -> f64 {
    RuleTable::builtin()
        .rules
        .iter()
        .filter(|r| r.when.is_single_need(need))
        .map(|r| r.delta(stack))
        .sum()
}

/// Rank every stack for `req` with the built-in rule table.
#[must_use]
pub fn recommend(req: &Requirements) -> Recommendation {
    recommend_with(RuleTable::builtin(), req)
}

/// Rank every stack for `req` with the given rule table (see the module docs).
#[must_use]
pub fn recommend_with(table: &RuleTable, req: &Requirements) -> Recommendation {
    let fired: Vec<(usize, &Rule)> = table
        .rules
        .iter()
        .enumerate()
        .filter(|(_, r)| r.when.holds(req))
        .collect();

    let mut ranking: Vec<RankedStack> = Stack::ALL
        .iter()
        .map(|&stack| rank(table, &fired, stack))
        .collect();

    ranking.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.stack.cmp(&b.stack)));

    let top = ranking[0].stack;
    let variables = if top == Stack::Hybrid {
        hybrid_variables(req, &ranking)
    } else {
        BTreeMap::new()
    };

    let mut notes: Vec<String> = table
        .notes
        .iter()
        .filter(|n| n.when.holds(req))
        .map(|n| n.text.clone())
        .collect();
    if req.needs.is_empty() {
        let text = if req.team == Team::None {
            "No needs and no team were given: the single stacks start level and the fixed \
             order decides; name the needs for a real recommendation."
        } else {
            "No needs were given, so the ranking rests on the team alone; name the needs \
             for a sharper recommendation."
        };
        notes.insert(0, text.to_string());
    }
    if top == Stack::Hybrid {
        notes.push(hybrid_note(&variables, req));
    }

    let why_not = why_not(&fired, &ranking);

    Recommendation {
        stack: top,
        family: top.family(),
        variables,
        ranking,
        why_not,
        notes,
        needs: req.needs.clone(),
        team: req.team,
    }
}

/// One stack's score, its contributions in order, and its reasons.
fn rank(table: &RuleTable, fired: &[(usize, &Rule)], stack: Stack) -> RankedStack {
    let base = table.stack_base(stack);
    let mut score = base.map_or(0.0, |b| b.base);
    // (delta, rule index, contribution)
    let mut parts: Vec<(f64, usize, Contribution)> = Vec::new();
    for (i, rule) in fired {
        let delta = rule.delta(stack);
        if let Some(reason) = rule.reason_for(stack) {
            score += delta;
            parts.push((
                delta,
                *i,
                Contribution {
                    rule: rule.id.clone(),
                    delta,
                    reason: reason.to_string(),
                },
            ));
        }
    }
    // Raised first (largest first), then lowered (largest first); table order
    // breaks ties.
    parts.sort_by(|a, b| {
        let key = |d: f64| (d < 0.0, -d.abs());
        let (ka, kb) = (key(a.0), key(b.0));
        ka.0.cmp(&kb.0)
            .then(ka.1.total_cmp(&kb.1))
            .then(a.1.cmp(&b.1))
    });
    let contributions: Vec<Contribution> = parts.into_iter().map(|p| p.2).collect();
    let mut reasons: Vec<String> = contributions.iter().map(|c| c.reason.clone()).collect();
    if reasons.is_empty() {
        reasons.push(base.map_or_else(|| stack.summary().to_string(), |b| b.baseline.clone()));
    }
    RankedStack {
        stack,
        score: round1(score),
        reasons,
        contributions,
    }
}

/// The hybrid's pack variables, filled from the requirements and the ranking:
///
/// * `gateway`: `nestjs` when NestJS outranks Express for these requirements (for
///   example `enterprise` or `typed-api`), otherwise `express`.
/// * `worker`: always `fastapi` (typed API, async I/O, the usual way to serve models).
/// * `queue`: `nats` when `microservices` or `high-concurrency` is needed (many
///   services, very high fan-out: NATS is light and fast at pub/sub); otherwise `redis`
///   for a `prototype` (one small service, often already running); otherwise
///   `rabbitmq` (durable queues, acknowledgements and retries for jobs).
#[must_use]
pub fn hybrid_variables(req: &Requirements, ranking: &[RankedStack]) -> BTreeMap<String, String> {
    let score = |s: Stack| {
        ranking
            .iter()
            .find(|r| r.stack == s)
            .map_or(0.0, |r| r.score)
    };
    let gateway = if score(Stack::Nestjs) > score(Stack::Express) {
        "nestjs"
    } else {
        "express"
    };
    let queue = choose_queue(&req.needs);
    let mut v = BTreeMap::new();
    v.insert("gateway".to_string(), gateway.to_string());
    v.insert("worker".to_string(), "fastapi".to_string());
    v.insert("queue".to_string(), queue.to_string());
    v
}

fn choose_queue(needs: &BTreeSet<Need>) -> &'static str {
    if needs.contains(&Need::Microservices) || needs.contains(&Need::HighConcurrency) {
        "nats"
    } else if needs.contains(&Need::Prototype) {
        "redis"
    } else {
        "rabbitmq"
    }
}

fn hybrid_note(vars: &BTreeMap<String, String>, req: &Requirements) -> String {
    let get = |k: &str| vars.get(k).map_or("", String::as_str);
    let gateway = match get("gateway") {
        "nestjs" => "NestJS gateway (it outranks Express for these needs: structure, typed API)",
        _ => "Express gateway (lightweight; NestJS would win with enterprise or typed-api)",
    };
    let queue = match choose_queue(&req.needs) {
        "nats" => "NATS, light and fast for many services and high fan-out",
        "redis" => "Redis, one small service that suits a prototype",
        _ => "RabbitMQ, durable queues with acknowledgements and retries for jobs",
    };
    format!("Hybrid settings: {gateway}, FastAPI worker, queue {queue}.")
}

fn why_not(fired: &[(usize, &Rule)], ranking: &[RankedStack]) -> String {
    let (Some(top), Some(second)) = (ranking.first(), ranking.get(1)) else {
        return String::new();
    };
    let (t, r) = (top.stack, second.stack);
    if top.score == second.score {
        let order: Vec<&str> = Stack::ALL.iter().map(|s| s.id()).collect();
        return format!(
            "Why not {r}: it ties with {t} at {:.1}; ties go by the fixed order {}.",
            top.score,
            order.join(", ")
        );
    }
    // The rule that separates them most; prefer one that lowered the runner-up (its
    // `against` text reads as "why not"), then table order.
    let best = fired
        .iter()
        .map(|(i, rule)| (*i, *rule, rule.delta(t) - rule.delta(r)))
        .filter(|(_, _, diff)| *diff > 0.0)
        .max_by(|a, b| {
            a.2.total_cmp(&b.2)
                .then((a.1.delta(r) < 0.0).cmp(&(b.1.delta(r) < 0.0)))
                .then(b.0.cmp(&a.0))
        });
    let gap = format!("{:.1} vs {:.1} for {t}", second.score, top.score);
    match best {
        Some((_, rule, _)) => {
            let text = if rule.delta(r) < 0.0 {
                rule.reason_for(r)
            } else {
                rule.reason_for(t)
            }
            .unwrap_or(&rule.reason);
            format!("Why not {r} ({gap}): {text}.")
        }
        None => {
            format!("Why not {r} ({gap}): {t} starts from a higher base score.")
        }
    }
}

// ---- explain -----------------------------------------------------------------

/// One single-answer change and the top pick it gives.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AnswerChange {
    /// What changes: `remove` or `add` a need, or `team`.
    pub change: &'static str,
    /// The need removed or added, or the other team.
    pub answer: String,
    /// The top pick with that change.
    #[serde(serialize_with = "ser_stack")]
    pub stack: Stack,
    /// Its score with that change.
    pub score: f64,
    /// The current top pick's score with that change.
    pub was_score: f64,
    /// The change in words: ``without `ml`, express would win``.
    pub text: String,
}

/// For the top pick: every single answer that, changed, changes the recommendation, and
/// how many single changes keep it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Explanation {
    /// The top pick explained.
    #[serde(serialize_with = "ser_stack")]
    pub stack: Stack,
    /// The single changes that give another top pick: removed needs, then added needs
    /// (both in [`Need::ALL`] order), then other teams.
    pub pivotal: Vec<AnswerChange>,
    /// How many single changes were tried.
    pub tried: usize,
}

/// Re-rank `req` with each single answer changed (each chosen need removed, each other need
/// added, each other team) and keep the changes that move the top pick.
#[must_use]
pub fn explain(req: &Requirements) -> Explanation {
    explain_with(RuleTable::builtin(), req)
}

/// [`explain`] with the given rule table.
#[must_use]
pub fn explain_with(table: &RuleTable, req: &Requirements) -> Explanation {
    let top = recommend_with(table, req).stack;
    let mut variants: Vec<(&'static str, String, String, Requirements)> = Vec::new();
    for need in &req.needs {
        let mut r = req.clone();
        r.needs.remove(need);
        variants.push(("remove", need.id().into(), format!("without `{need}`"), r));
    }
    for need in Need::ALL.iter().filter(|n| !req.needs.contains(n)) {
        let mut r = req.clone();
        r.needs.insert(*need);
        variants.push(("add", need.id().into(), format!("with `{need}`"), r));
    }
    for team in Team::ALL.iter().filter(|t| **t != req.team) {
        let r = Requirements {
            team: *team,
            ..req.clone()
        };
        variants.push(("team", team.id().into(), format!("with team `{team}`"), r));
    }
    let tried = variants.len();
    let pivotal = variants
        .into_iter()
        .filter_map(|(change, answer, words, r)| {
            let rec = recommend_with(table, &r);
            (rec.stack != top).then(|| {
                let score = rec.ranking[0].score;
                let was_score = rec.entry(top).map_or(0.0, |e| e.score);
                AnswerChange {
                    change,
                    answer,
                    stack: rec.stack,
                    score,
                    was_score,
                    text: if score > was_score {
                        format!(
                            "{words}, {} would win ({score:.1} vs {was_score:.1} for {top})",
                            rec.stack
                        )
                    } else {
                        format!(
                            "{words}, {} would win (it ties with {top} at {score:.1}; ties go by the fixed order)",
                            rec.stack
                        )
                    },
                }
            })
        })
        .collect();
    Explanation {
        stack: top,
        pivotal,
        tried,
    }
}

/// The explanation as text, after the ranking.
#[must_use]
pub fn render_explain(ex: &Explanation) -> String {
    let mut out = String::new();
    let _ = writeln!(out);
    if ex.pivotal.is_empty() {
        let _ = writeln!(
            out,
            "Explain: no single change of an answer (of {} tried) changes the pick: {} stays on top.",
            ex.tried, ex.stack
        );
        return out;
    }
    let _ = writeln!(
        out,
        "Explain: {} of {} single changes of an answer change the pick from {}:",
        ex.pivotal.len(),
        ex.tried,
        ex.stack
    );
    for c in &ex.pivotal {
        write_wrapped(&mut out, TEXT_WIDTH, "  - ", "    ", &c.text);
    }
    out
}

// ---- text output -------------------------------------------------------------

/// How many reasons per stack the text table shows in favour (the strongest ones);
/// it also shows the strongest one against.
const TEXT_REASONS_FOR: usize = 2;

/// The width the text output wraps at.
const TEXT_WIDTH: usize = 100;

/// Greedy word wrap: lines of at most `width` characters (a longer single word stays
/// whole on its own line).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// Write `text` wrapped to [`TEXT_WIDTH`]: the first line after `first`, the rest after
/// `rest` (both counted in the width).
fn write_wrapped(out: &mut String, width: usize, first: &str, rest: &str, text: &str) {
    let width = width.saturating_sub(first.chars().count()).max(20);
    for (i, line) in wrap(text, width).iter().enumerate() {
        let lead = if i == 0 { first } else { rest };
        let _ = writeln!(out, "{lead}{line}");
    }
}

/// Render the human output: the ranked table (rank, stack, score, and for each stack
/// its strongest reasons for, marked `+`, and its strongest reason against, marked
/// `-`; a stack no rule moved shows its baseline reason), the why-not line, the
/// hybrid's settings and the notes. Plain text, no colors, wrapped at 100 columns;
/// ends with a newline.
#[must_use]
pub fn render_text(rec: &Recommendation) -> String {
    render_text_width(rec, TEXT_WIDTH)
}

/// [`render_text`] wrapped to `width` columns (a terminal's).
// Long because it lays out the whole report top to bottom, section by section.
#[must_use]
pub fn render_text_width(rec: &Recommendation, width: usize) -> String {
    let mut out = String::new();
    let needs: Vec<&str> = rec.needs.iter().map(|n| n.id()).collect();
    let needs = if needs.is_empty() {
        "(none)".to_string()
    } else {
        needs.join(", ")
    };
    write_wrapped(&mut out, width, "Needs: ", "       ", &needs);
    let _ = writeln!(out, "Team:  {}", rec.team.label());
    let _ = writeln!(out);
    write_wrapped(
        &mut out,
        width,
        "Recommendation: ",
        "  ",
        &format!("{} ({})", rec.stack, rec.stack.summary()),
    );
    let _ = writeln!(out);
    let row = |rank: &str, stack: &str, score: &str| format!("  {rank:<2} {stack:<8} {score:>5}  ");
    let _ = writeln!(out, "{}reasons", row("#", "stack", "score"));
    let indent = " ".repeat(row("", "", "").len());
    for (i, entry) in rec.ranking.iter().enumerate() {
        let mut lines: Vec<(&str, &str)> = Vec::new();
        if entry.contributions.is_empty() {
            lines.extend(entry.reasons.iter().map(|r| ("  ", r.as_str())));
        } else {
            lines.extend(
                entry
                    .contributions
                    .iter()
                    .filter(|c| c.delta > 0.0)
                    .take(TEXT_REASONS_FOR)
                    .map(|c| ("+ ", c.reason.as_str())),
            );
            lines.extend(
                entry
                    .contributions
                    .iter()
                    .find(|c| c.delta < 0.0)
                    .map(|c| ("- ", c.reason.as_str())),
            );
        }
        let rank = format!("{}.", i + 1);
        let score = format!("{:.1}", entry.score);
        let head = row(&rank, entry.stack.id(), &score);
        for (j, (mark, reason)) in lines.iter().enumerate() {
            let lead = if j == 0 {
                head.as_str()
            } else {
                indent.as_str()
            };
            write_wrapped(
                &mut out,
                width,
                &format!("{lead}{mark}"),
                &format!("{indent}  "),
                reason,
            );
        }
    }
    if !rec.why_not.is_empty() {
        let _ = writeln!(out);
        write_wrapped(&mut out, width, "", "  ", &rec.why_not);
    }
    if !rec.variables.is_empty() {
        let vars: Vec<String> = rec
            .variables
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        write_wrapped(
            &mut out,
            width,
            &format!("Settings for {}: ", rec.stack),
            "  ",
            &vars.join(", "),
        );
    }
    if !rec.notes.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(out, "Notes:");
        for n in &rec.notes {
            write_wrapped(&mut out, width, "  - ", "    ", n);
        }
    }
    out
}
