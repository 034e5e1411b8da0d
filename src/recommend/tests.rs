//! Tests for the recommendation core: the embedded table, parsing, table-driven
//! top picks, the JSON shape, the text output, and properties over every input.

use std::collections::BTreeSet;

use proptest::prelude::*;

use super::*;
use crate::stack::{Family, Stack};

// ---- helpers -----------------------------------------------------------------

fn req(needs: &str, team: &str) -> Requirements {
    Requirements::parse(Some(needs), Some(team)).expect("test input is valid")
}

/// Assert the top pick for `needs` (comma-separated) and `team` is one of `expected`.
fn case(needs: &str, team: &str, expected: &[Stack]) {
    let rec = recommend(&req(needs, team));
    assert!(
        expected.contains(&rec.stack),
        "needs={needs:?} team={team}: expected one of {expected:?}, got {}\n{}",
        rec.stack,
        render_text(&rec)
    );
}

fn scores(rec: &Recommendation) -> Vec<(Stack, f64)> {
    let mut v: Vec<(Stack, f64)> = rec.ranking.iter().map(|r| (r.stack, r.score)).collect();
    v.sort_by_key(|(s, _)| *s);
    v
}

const NODE: &[Stack] = &[Stack::Express, Stack::Nestjs];
const PYTHON: &[Stack] = &[Stack::Django, Stack::Fastapi];

// ---- the embedded table -----------------------------------------------------------

#[test]
fn builtin_table_loads_and_names_only_known_values() {
    let table = RuleTable::parse(BUILTIN_RULES_FOR_TEST).expect("embedded rules.toml is valid");
    // Parsing maps every name through Need/Team/Stack::from_str, so a loaded table
    // names only known values; check the parts explicitly anyway.
    assert_eq!(table.stacks.len(), Stack::ALL.len());
    assert!(!table.rules.is_empty());
    let mut ids = BTreeSet::new();
    for rule in &table.rules {
        assert!(ids.insert(rule.id.clone()), "duplicate rule id {}", rule.id);
        for need in rule.when.mentioned_needs() {
            assert!(Need::ALL.contains(&need));
        }
        for team in &rule.when.team {
            assert!(Team::ALL.contains(team));
        }
        assert!(!rule.score.is_empty());
        for (stack, delta) in &rule.score {
            assert!(Stack::ALL.contains(stack));
            assert!(*delta != 0.0);
            assert!(rule.reason_for(*stack).is_some());
        }
    }
    // Every need has a rule of its own.
    for need in Need::ALL {
        assert!(
            table.rules.iter().any(|r| r.when.is_single_need(need)),
            "{need} has no rule of its own"
        );
    }
    // builtin() gives the same table.
    assert_eq!(RuleTable::builtin(), &table);
}

const BUILTIN_RULES_FOR_TEST: &str = rules::BUILTIN_RULES;

#[test]
fn hybrid_cost_always_among_hybrid_reasons() {
    for team in Team::ALL {
        for needs in ["", "realtime,ml", "admin", "streaming,data", "prototype"] {
            let rec = recommend(&req(needs, team.id()));
            let hybrid = rec.entry(Stack::Hybrid).expect("hybrid ranked");
            assert!(
                hybrid
                    .reasons
                    .iter()
                    .any(|r| r.contains("two stacks") && r.contains("broker")),
                "needs={needs} team={team}: {:?}",
                hybrid.reasons
            );
        }
    }
}

fn table_with(extra: &str) -> String {
    format!("{BUILTIN_RULES_FOR_TEST}\n{extra}")
}

#[test]
fn table_validation_rejects_mistakes() {
    let bad = [
        (
            "[[rule]]\nid = \"x\"\nwhen = { need = \"blockchain\" }\nscore = { express = 1.0 }\nreason = \"r\"\n",
            "unknown need `blockchain`",
        ),
        (
            "[[rule]]\nid = \"x\"\nwhen = { team = [\"go\"] }\nscore = { express = 1.0 }\nreason = \"r\"\n",
            "unknown team `go`",
        ),
        (
            "[[rule]]\nid = \"x\"\nscore = { rails = 1.0 }\nreason = \"r\"\n",
            "unknown stack `rails`",
        ),
        (
            "[[rule]]\nid = \"x\"\nscore = { express = 0.3 }\nreason = \"r\"\n",
            "multiple of 0.5",
        ),
        (
            "[[rule]]\nid = \"x\"\nscore = { express = 0.0 }\nreason = \"r\"\n",
            "non-zero",
        ),
        (
            "[[rule]]\nid = \"realtime\"\nscore = { express = 1.0 }\nreason = \"r\"\n",
            "duplicate id",
        ),
        (
            "[[rule]]\nid = \"x\"\nscore = { express = 1.0 }\nreason = \"  \"\n",
            "empty reason",
        ),
        (
            "[[rule]]\nid = \"x\"\nscore = { express = 1.0 }\nreason = \"r\"\ntext.django = \"t\"\n",
            "does not score django",
        ),
        (
            "[[rule]]\nid = \"x\"\nwhen = { need = \"ml\", any = [\"data\"] }\nscore = { express = 1.0 }\nreason = \"r\"\n",
            "only one of",
        ),
        (
            "[[rule]]\nid = \"x\"\nscore = { express = 1.0 }\nreason = \"r\"\ncolour = \"red\"\n",
            "unknown field",
        ),
        (
            "[[note]]\nwhen = { any = [] }\ntext = \"n\"\n",
            "empty need group",
        ),
    ];
    for (extra, expected) in bad {
        let e = RuleTable::parse(&table_with(extra)).expect_err(extra);
        assert!(
            e.to_string().contains(expected),
            "{extra}\n=> {e}\n(expected to mention {expected:?})"
        );
    }
}

#[test]
fn table_validation_requires_a_rule_per_need_and_every_stack() {
    let without_ml = BUILTIN_RULES_FOR_TEST
        .replace(
            "id = \"ml\"\nwhen = { need = \"ml\" }",
            "id = \"ml\"\nwhen = { any = [\"ml\", \"data\"] }",
        )
        .replace(
            "id = \"ml-serving\"\nwhen = { need = \"ml\" }",
            "id = \"ml-serving\"\nwhen = { any = [\"ml\", \"data\"] }",
        );
    let e = RuleTable::parse(&without_ml).expect_err("ml has no rule of its own");
    assert!(
        e.to_string().contains("need `ml` has no rule of its own"),
        "{e}"
    );

    let without_django = BUILTIN_RULES_FOR_TEST.replace("[stacks.django]", "[stacks.unused]");
    let e = RuleTable::parse(&without_django).expect_err("unknown stack");
    assert!(e.to_string().contains("unknown stack `unused`"), "{e}");
}

// ---- parsing ------------------------------------------------------------------------

#[test]
fn need_and_team_ids_round_trip() {
    for n in Need::ALL {
        assert_eq!(n.id().parse::<Need>(), Ok(n));
        assert_eq!(n.to_string(), n.id());
        assert_eq!(n.id().to_uppercase().parse::<Need>(), Ok(n));
        assert!(!n.label().is_empty());
        assert_eq!(
            serde_json::to_string(&n).ok(),
            Some(format!("\"{}\"", n.id()))
        );
    }
    for t in Team::ALL {
        assert_eq!(t.id().parse::<Team>(), Ok(t));
        assert_eq!(t.to_string(), t.id());
        assert_eq!(
            format!(" {} ", t.id().to_uppercase()).parse::<Team>(),
            Ok(t)
        );
        assert!(!t.label().is_empty());
        assert_eq!(
            serde_json::to_string(&t).ok(),
            Some(format!("\"{}\"", t.id()))
        );
    }
    assert_eq!(Team::Js.label(), "JavaScript / TypeScript");
    assert_eq!(
        Need::Realtime.label(),
        "real-time updates — chat, live dashboards, multiplayer"
    );
}

#[test]
fn unknown_values_list_accepted_ones() {
    let e = "blockchain".parse::<Need>().expect_err("unknown");
    let msg = e.to_string();
    assert!(msg.contains("`blockchain`"), "{msg}");
    for n in Need::ALL {
        assert!(msg.contains(n.id()), "{msg} lacks {n}");
    }
    let e = "go".parse::<Team>().expect_err("unknown");
    assert_eq!(
        e.to_string(),
        "unknown team `go` (expected one of: js, python, both, none)"
    );
}

#[test]
fn needs_list_trims_dedups_and_ignores_empty_items() {
    let needs = parse_needs(" realtime, ML,,realtime , cpu-heavy ,").expect("valid");
    assert_eq!(
        needs.into_iter().collect::<Vec<_>>(),
        vec![Need::Realtime, Need::Ml, Need::CpuHeavy]
    );
    assert_eq!(parse_needs(""), Ok(BTreeSet::new()));
    assert_eq!(parse_needs(" , ,"), Ok(BTreeSet::new()));
    let e = parse_needs("api, kubernetes ,ml").expect_err("unknown");
    assert_eq!(e, UnknownNeed("kubernetes".to_string()));
}

#[test]
fn requirements_round_trip_through_ids() {
    let r = req("ml, realtime", "both");
    assert_eq!(r.need_ids(), vec!["realtime", "ml"]);
    assert_eq!(
        Requirements::from_ids(r.need_ids(), Some(r.team.id())),
        Ok(r)
    );
    assert_eq!(
        Requirements::from_ids(Vec::<String>::new(), None),
        Ok(Requirements::default())
    );
    assert!(matches!(
        Requirements::from_ids(["ml", "vr"], None),
        Err(RequirementsError::Need(UnknownNeed(ref s))) if s == "vr"
    ));
}

#[test]
fn wrap_keeps_words_and_width() {
    assert_eq!(wrap("", 10), vec![String::new()]);
    assert_eq!(wrap("a bb ccc dddd", 6), vec!["a bb", "ccc", "dddd"]);
    assert_eq!(
        wrap("averyveryverylongword x", 5),
        vec!["averyveryverylongword", "x"]
    );
}

#[test]
fn requirements_parse_defaults_and_errors() {
    assert_eq!(Requirements::parse(None, None), Ok(Requirements::default()));
    assert_eq!(Requirements::default().team, Team::None);
    assert_eq!(
        Requirements::parse(Some("ml"), Some("Python")),
        Ok(Requirements::new([Need::Ml], Team::Python))
    );
    assert!(matches!(
        Requirements::parse(Some("nope"), None),
        Err(RequirementsError::Need(_))
    ));
    let e = Requirements::parse(None, Some("rust")).expect_err("unknown team");
    assert!(matches!(e, RequirementsError::Team(_)));
    assert!(e.to_string().contains("js, python, both, none"));
}

// ---- table-driven top picks ----------------------------------------------------------

#[test]
fn top_picks_from_the_issue() {
    case("realtime", "js", NODE);
    case("ml", "python", &[Stack::Fastapi]);
    case("admin,cms", "python", &[Stack::Django]);
    case("realtime,ml", "none", &[Stack::Hybrid]);
    case("enterprise,api", "js", &[Stack::Nestjs]);
    case("api,prototype", "js", &[Stack::Express]);
    case("typed-api", "python", &[Stack::Fastapi]);
    case("cpu-heavy,data", "none", PYTHON);
}

#[test]
fn top_picks_more_combinations() {
    // The hybrid for every real-time-ish × data/ML-ish pair, for every team.
    for web in ["realtime", "streaming", "high-concurrency"] {
        for heavy in ["data", "ml", "cpu-heavy"] {
            for team in ["none", "js", "python", "both"] {
                case(&format!("{web},{heavy}"), team, &[Stack::Hybrid]);
            }
        }
    }
    case("realtime,ml", "js", &[Stack::Hybrid]);
    case("realtime,ml", "python", &[Stack::Hybrid]);
    case("streaming,high-concurrency", "python", NODE);
    case("realtime,high-concurrency,microservices", "none", NODE);
    case("microservices,api", "js", &[Stack::Express]);
    case("enterprise,typed-api", "js", &[Stack::Nestjs]);
    case("enterprise,typed-api", "none", &[Stack::Nestjs]);
    case("typed-api,api", "none", &[Stack::Fastapi]);
    case("ml,typed-api", "none", &[Stack::Fastapi]);
    case("data,automation", "none", &[Stack::Fastapi]);
    case("ml,data", "js", PYTHON);
    case("admin,ecommerce", "js", &[Stack::Django]);
    case("cms", "none", &[Stack::Django]);
    case("ecommerce,admin,cms,enterprise", "none", &[Stack::Django]);
    case("prototype", "python", PYTHON);
    case("prototype,admin", "none", &[Stack::Django]);
    case("api", "python", PYTHON);
    case("api", "js", &[Stack::Express]);
}

const WEB: [Need; 3] = [Need::Realtime, Need::Streaming, Need::HighConcurrency];
const HEAVY: [Need; 3] = [Need::Data, Need::Ml, Need::CpuHeavy];

/// The combined need the hybrid exists for: a real-time-ish AND a data/ML-ish need.
fn combined_need(req: &Requirements) -> bool {
    WEB.iter().any(|n| req.needs.contains(n)) && HEAVY.iter().any(|n| req.needs.contains(n))
}

#[test]
fn hybrid_wins_every_pure_combined_need() {
    // Every subset of the real-time-ish and data/ML-ish needs, for every team.
    let pool: Vec<Need> = WEB.iter().chain(HEAVY.iter()).copied().collect();
    for mask in 0u32..(1 << pool.len()) {
        let needs: Vec<Need> = pool
            .iter()
            .enumerate()
            .filter(|(i, _)| mask & (1 << i) != 0)
            .map(|(_, n)| *n)
            .collect();
        for team in Team::ALL {
            let r = Requirements::new(needs.iter().copied(), team);
            let rec = recommend(&r);
            assert_eq!(
                rec.stack == Stack::Hybrid,
                combined_need(&r),
                "{:?} team={team}: got {}",
                r.need_ids(),
                rec.stack
            );
        }
    }
}

#[test]
fn every_single_need_alone_gives_a_sensible_top_pick() {
    let expected: [(Need, &[Stack]); 15] = [
        (Need::Realtime, NODE),
        (Need::Streaming, NODE),
        (Need::Api, &[Stack::Express, Stack::Fastapi]),
        (Need::Microservices, NODE),
        (Need::Admin, &[Stack::Django]),
        (Need::Cms, &[Stack::Django]),
        (Need::Ecommerce, &[Stack::Django]),
        (Need::Data, PYTHON),
        (Need::Ml, &[Stack::Fastapi]),
        (Need::Automation, PYTHON),
        (Need::CpuHeavy, PYTHON),
        (Need::HighConcurrency, NODE),
        (Need::Prototype, &[Stack::Express, Stack::Fastapi]),
        (Need::TypedApi, &[Stack::Fastapi]),
        (Need::Enterprise, &[Stack::Nestjs]),
    ];
    for (need, stacks) in expected {
        case(need.id(), "none", stacks);
        // The hybrid never wins on a single need: nothing calls for two stacks.
        let rec = recommend(&Requirements::new([need], Team::None));
        assert_ne!(rec.stack, Stack::Hybrid, "{need}");
    }
}

#[test]
fn team_alone_and_empty_input() {
    case("", "js", NODE);
    case("", "python", PYTHON);
    case("", "both", &[Stack::Express]);
    case("", "none", &[Stack::Express]);

    let rec = recommend(&Requirements::default());
    // Everything but the hybrid ties at its base: the fixed order decides.
    assert_eq!(
        rec.ranking.iter().map(|r| r.stack).collect::<Vec<_>>(),
        vec![
            Stack::Express,
            Stack::Nestjs,
            Stack::Django,
            Stack::Fastapi,
            Stack::Hybrid
        ]
    );
    assert!(rec.why_not.contains("ties with express"), "{}", rec.why_not);
    for entry in &rec.ranking[..4] {
        assert!(entry.contributions.is_empty());
        assert_eq!(entry.reasons.len(), 1, "baseline reason only");
    }
    assert!(rec.notes.iter().any(|n| n.contains("No needs and no team")));
    assert!(!rec.notes.iter().any(|n| n.contains("No team language")));
    let rec = recommend(&req("", "js"));
    assert!(rec.notes.iter().any(|n| n.contains("No needs were given")));
    assert!(rec.notes.iter().any(|n| n.contains("secure by default")));
}

// ---- hybrid variables, why-not, notes -----------------------------------------------

#[test]
fn hybrid_variables_follow_the_needs() {
    let vars = |needs: &str, team: &str| {
        let rec = recommend(&req(needs, team));
        assert_eq!(rec.stack, Stack::Hybrid, "{needs} {team}");
        rec.variables
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert_eq!(
        vars("realtime,ml", "js"),
        "gateway=express queue=rabbitmq worker=fastapi"
    );
    assert_eq!(
        vars("realtime,ml,enterprise", "none"),
        "gateway=nestjs queue=rabbitmq worker=fastapi"
    );
    assert_eq!(
        vars("streaming,data,typed-api", "none"),
        "gateway=nestjs queue=rabbitmq worker=fastapi"
    );
    assert_eq!(
        vars("high-concurrency,ml", "none"),
        "gateway=express queue=nats worker=fastapi"
    );
    assert_eq!(
        vars("realtime,ml,microservices", "js"),
        "gateway=express queue=nats worker=fastapi"
    );
    assert_eq!(
        vars("realtime,ml,prototype", "both"),
        "gateway=express queue=redis worker=fastapi"
    );
    assert_eq!(
        vars("realtime,ml,prototype,microservices", "both"),
        "gateway=express queue=nats worker=fastapi"
    );

    // Not the hybrid on top: no variables, but still a JSON object.
    let rec = recommend(&req("admin", "python"));
    assert!(rec.variables.is_empty());
    let json = serde_json::to_value(&rec).expect("serializes");
    assert_eq!(json["variables"], serde_json::json!({}));
}

#[test]
fn why_not_explains_the_runner_up() {
    let rec = recommend(&req("realtime,ml", "js"));
    assert_eq!(rec.stack, Stack::Hybrid);
    assert_eq!(rec.runner_up().map(|r| r.stack), Some(Stack::Express));
    assert!(
        rec.why_not.starts_with("Why not express (")
            && rec
                .why_not
                .contains("the ML part would still need a Python service"),
        "{}",
        rec.why_not
    );

    let rec = recommend(&req("ml", "python"));
    assert!(
        rec.why_not.starts_with("Why not django ("),
        "{}",
        rec.why_not
    );
    assert!(rec.why_not.contains("serve ML models"), "{}", rec.why_not);
}

#[test]
fn notes_mention_security_and_context() {
    for team in Team::ALL {
        let rec = recommend(&Requirements::new([Need::Api], team));
        let security = "neither Node.js nor Python is secure by default";
        assert!(rec.notes.iter().any(|n| n.contains(security)));
        assert_eq!(
            rec.notes.iter().any(|n| n.contains("No team language")),
            team == Team::None
        );
    }
    let rec = recommend(&req("realtime", "python"));
    assert!(rec.notes.iter().any(|n| n.contains("async I/O")));
    let rec = recommend(&req("realtime,ml", "none"));
    assert!(rec.notes.iter().any(|n| n.starts_with("Hybrid settings:")));
}

// ---- output shapes -------------------------------------------------------------------

#[test]
fn json_has_the_design_shape() {
    let rec = recommend(&req("realtime,ml", "js"));
    let text = serde_json::to_string(&rec).expect("serializes");
    // Contract keys first, in DESIGN.md's order.
    let pos = |k: &str| text.find(&format!("\"{k}\":")).unwrap_or(usize::MAX);
    assert!(pos("stack") < pos("family"));
    assert!(pos("family") < pos("variables"));
    assert!(pos("variables") < pos("ranking"));
    assert!(pos("ranking") < pos("why_not"));

    let v: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    assert_eq!(v["stack"], "hybrid");
    assert_eq!(v["family"], "hybrid");
    assert_eq!(
        v["variables"],
        serde_json::json!({ "gateway": "express", "worker": "fastapi", "queue": "rabbitmq" })
    );
    let ranking = v["ranking"].as_array().expect("array");
    assert_eq!(ranking.len(), 5);
    for r in ranking {
        let stack = r["stack"].as_str().unwrap_or_default();
        assert!(stack.parse::<Stack>().is_ok(), "{stack}");
        assert!(r["score"].is_f64());
        assert!(!r["reasons"].as_array().expect("reasons array").is_empty());
    }
    assert_eq!(v["needs"], serde_json::json!(["realtime", "ml"]));
    assert_eq!(v["team"], "js");
    assert!(v["notes"].is_array());

    let rec = recommend(&req("admin", "python"));
    let v = serde_json::to_value(&rec).expect("serializes");
    assert_eq!(v["stack"], "django");
    assert_eq!(v["family"], "python");
    assert_eq!(rec.family, Family::Python);
}

#[test]
fn text_output_is_a_plain_ranked_table() {
    let rec = recommend(&req("realtime,ml", "js"));
    let text = render_text(&rec);
    assert!(text.contains("Recommendation: hybrid"), "{text}");
    assert!(text.contains("  1. hybrid"), "{text}");
    assert!(text.contains("  2. express"), "{text}");
    assert!(text.contains("  5. "), "{text}");
    assert!(text.contains("\nWhy not express ("), "{text}");
    assert!(text.contains("gateway=express"), "{text}");
    assert!(text.contains("Notes:"), "{text}");
    assert!(!text.contains('\u{1b}'), "no escape codes");
    // The hybrid's cost shows as its reason against.
    assert!(text.contains("- cost: two stacks"), "{text}");
    for entry in &rec.ranking {
        assert!(text.contains(&format!("{:.1}", entry.score)));
    }
    assert!(text.ends_with('\n'));
}

#[test]
fn scores_are_rounded_to_one_decimal() {
    for r in recommend(&req("realtime,streaming,ml,admin", "both")).ranking {
        assert_eq!(r.score, (r.score * 10.0).round() / 10.0);
    }
}

// ---- properties ----------------------------------------------------------------------

fn arb_requirements() -> impl Strategy<Value = Requirements> {
    (
        proptest::collection::btree_set(proptest::sample::select(Need::ALL.to_vec()), 0..=15),
        proptest::sample::select(Team::ALL.to_vec()),
    )
        .prop_map(|(needs, team)| Requirements { needs, team })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn ranking_is_complete_sorted_and_explained(req in arb_requirements()) {
        let rec = recommend(&req);
        prop_assert_eq!(rec.ranking.len(), Stack::ALL.len());
        let stacks: BTreeSet<Stack> = rec.ranking.iter().map(|r| r.stack).collect();
        prop_assert_eq!(stacks.len(), Stack::ALL.len());
        for pair in rec.ranking.windows(2) {
            prop_assert!(pair[0].score >= pair[1].score);
            if pair[0].score == pair[1].score {
                prop_assert!(pair[0].stack < pair[1].stack, "ties break in Stack::ALL order");
            }
        }
        for r in &rec.ranking {
            prop_assert!(!r.reasons.is_empty(), "{} has no reason", r.stack);
            prop_assert!(r.score.is_finite());
        }
        prop_assert_eq!(rec.stack, rec.ranking[0].stack);
        prop_assert_eq!(rec.family, rec.stack.family());
        prop_assert_eq!(rec.variables.is_empty(), rec.stack != Stack::Hybrid);
        prop_assert!(rec.why_not.starts_with("Why not "));
        let text = render_text(&rec);
        for line in text.lines() {
            prop_assert!(line.chars().count() <= 100, "line too long: {:?}", line);
            let no_escape = !line.contains('\u{1b}');
            prop_assert!(no_escape, "escape code in {:?}", line);
        }
        let first_row = format!("  1. {}", rec.stack);
        prop_assert!(text.contains(&first_row), "{}", text);
    }

    #[test]
    fn hybrid_tops_only_for_a_combined_need(req in arb_requirements()) {
        let rec = recommend(&req);
        if rec.stack == Stack::Hybrid {
            prop_assert!(combined_need(&req), "hybrid on top for {:?}", req);
        }
    }

    #[test]
    fn output_is_deterministic(req in arb_requirements()) {
        let a = recommend(&req);
        let b = recommend(&req.clone());
        prop_assert_eq!(&a, &b);
        prop_assert_eq!(serde_json::to_string(&a).ok(), serde_json::to_string(&b).ok());
        prop_assert_eq!(render_text(&a), render_text(&b));
    }

    #[test]
    fn every_need_changes_some_score(req in arb_requirements()) {
        for need in Need::ALL {
            let mut with = req.clone();
            with.needs.insert(need);
            let mut without = req.clone();
            without.needs.remove(&need);
            prop_assert_ne!(
                scores(&recommend(&with)),
                scores(&recommend(&without)),
                "need {} changed no score for {:?}", need, req
            );
        }
    }

    #[test]
    fn every_fired_rule_shows_its_reason_on_the_stacks_it_moves(req in arb_requirements()) {
        let table = RuleTable::builtin();
        let rec = recommend(&req);
        for rule in &table.rules {
            for stack in Stack::ALL {
                let Some(reason) = rule.reason_for(stack) else { continue };
                let entry = rec.entry(stack).expect("every stack is ranked");
                let shown = entry.reasons.iter().any(|r| r == reason);
                let recorded = entry.contributions.iter().any(|c| c.rule == rule.id);
                prop_assert_eq!(
                    shown && recorded,
                    rule.when.holds(&req),
                    "rule {} on {} for {:?}", &rule.id, stack, req
                );
            }
        }
    }

    #[test]
    fn score_is_base_plus_fired_deltas(req in arb_requirements()) {
        let table = RuleTable::builtin();
        let rec = recommend(&req);
        for entry in &rec.ranking {
            let base = table.stack_base(entry.stack).map_or(0.0, |b| b.base);
            let sum: f64 = table
                .rules
                .iter()
                .filter(|r| r.when.holds(&req))
                .map(|r| r.delta(entry.stack))
                .sum();
            prop_assert_eq!(entry.score, base + sum);
            let from_contributions: f64 = entry.contributions.iter().map(|c| c.delta).sum();
            prop_assert_eq!(entry.score, base + from_contributions);
        }
    }

    #[test]
    fn needs_list_parses_any_spelling(req in arb_requirements(), upper in any::<bool>()) {
        let list: Vec<String> = req
            .needs
            .iter()
            .rev()
            .map(|n| if upper { n.id().to_uppercase() } else { format!(" {n} ") })
            .collect();
        let joined = format!("{},,", list.join(","));
        prop_assert_eq!(parse_needs(&joined), Ok(req.needs.clone()));
    }
}

/// A team's language outweighs any single need that both sides serve; only ML and data
/// science (which one side alone serves well) send a team to the other language.
#[test]
fn the_team_language_outweighs_a_single_need_both_sides_serve() {
    let one_sided = [Need::Ml, Need::Data];
    for need in Need::ALL {
        let js = recommend(&Requirements::new([need], Team::Js)).stack;
        let py = recommend(&Requirements::new([need], Team::Python)).stack;
        if one_sided.contains(&need) {
            assert!(PYTHON.contains(&js), "{need} with a JS team: {js}");
        } else {
            assert!(NODE.contains(&js), "{need} with a JS team: {js}");
        }
        assert!(PYTHON.contains(&py), "{need} with a Python team: {py}");
    }
}

/// E-commerce stores and CMSs are Node.js use cases too (fast, many concurrent users),
/// while Django's admin still wins them without a team language.
#[test]
fn ecommerce_and_cms_count_for_node_and_for_django() {
    for need in [Need::Ecommerce, Need::Cms] {
        let rec = recommend(&Requirements::new([need], Team::None));
        assert_eq!(rec.stack, Stack::Django, "{need}");
        for node in NODE {
            let entry = rec.entry(*node).unwrap();
            assert!(
                entry
                    .contributions
                    .iter()
                    .any(|c| c.delta > 0.0 && c.reason.contains("Node.js use")),
                "{need} on {node}: {:?}",
                entry.reasons
            );
        }
    }
}

/// `--explain` really re-ranks: every pivotal change gives the pick it names, every other
/// single change keeps the top pick, and the issue's example reads as promised.
#[test]
fn explain_lists_exactly_the_single_changes_that_move_the_pick() {
    for (needs, team) in [
        ("ml", "none"),
        ("realtime,ml", "js"),
        ("admin", "python"),
        ("", "none"),
    ] {
        let r = req(needs, team);
        let top = recommend(&r).stack;
        let ex = explain(&r);
        assert_eq!(ex.stack, top);
        assert_eq!(ex.tried, Need::ALL.len() + Team::ALL.len() - 1);
        let mut moved = 0;
        for need in Need::ALL {
            let mut changed = r.clone();
            let (kind, removed) = if changed.needs.remove(&need) {
                ("remove", true)
            } else {
                changed.needs.insert(need);
                ("add", false)
            };
            let now = recommend(&changed).stack;
            let listed = ex
                .pivotal
                .iter()
                .find(|c| c.change == kind && c.answer == need.id());
            assert_eq!(
                listed.map(|c| c.stack),
                (now != top).then_some(now),
                "{needs} {team} {need} removed={removed}"
            );
            moved += usize::from(now != top);
        }
        for t in Team::ALL.into_iter().filter(|t| *t != r.team) {
            let now = recommend(&Requirements {
                team: t,
                ..r.clone()
            })
            .stack;
            let listed = ex
                .pivotal
                .iter()
                .find(|c| c.change == "team" && c.answer == t.id());
            assert_eq!(
                listed.map(|c| c.stack),
                (now != top).then_some(now),
                "{needs} {team} team {t}"
            );
            moved += usize::from(now != top);
        }
        assert_eq!(ex.pivotal.len(), moved);
    }
    let ex = explain(&req("ml", "none"));
    let text = render_explain(&ex);
    assert!(
        text.contains("without `ml`, express would win (it ties with fastapi at 5.0"),
        "{text}"
    );
    let ex = explain(&req("realtime,ml", "js"));
    assert!(
        render_explain(&ex).contains("without `ml`, express would win (11.5 vs 4.5 for hybrid)")
    );
}
