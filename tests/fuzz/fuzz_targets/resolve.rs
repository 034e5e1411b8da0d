//! The resolve step on arbitrary input: a pack.toml (its variables, `only_if`, derived
//! values, constraints and includes of built-in packs), an answers file and `--set`
//! values. Never a panic, and never longer than the evaluation limit allows: a manifest
//! that loops or explodes must stop with an error naming its limit.
#![no_main]

use std::time::{Duration, Instant};

use scaffold::answers::{parse_sets, AnswersFile, Asker};
use scaffold::engine::{Limits, TemplateContext};
use scaffold::pack::{load_includes, Manifest, Origin, Pack};
use scaffold::resolve::{resolve, Answers};

/// The evaluation limit here (the default is 60 s; fuzzing wants many inputs a second).
const RENDER_TIME: Duration = Duration::from_millis(500);
/// What a resolve may take beyond its evaluation limit (parsing, loading includes).
const SLACK: Duration = Duration::from_secs(5);

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // The manifest, then after a NUL the answers file, then after another `--set` lines.
    let mut parts = text.splitn(3, '\0');
    let (manifest, answers, sets) = (
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
    );
    let Ok(manifest) = Manifest::parse(manifest) else {
        return;
    };
    let answers = AnswersFile::parse(answers)
        .map(|a| a.variables)
        .unwrap_or_default();
    let sets: Vec<String> = sets.lines().map(str::to_string).collect();
    let Ok(sets) = parse_sets(&sets) else {
        return;
    };
    let started = Instant::now();
    // An in-memory pack: no files of its own, includes name built-in packs.
    let mut pack = Pack {
        manifest,
        files: Vec::new(),
        origin: Origin::Builtin("fuzz".into()),
        content_hash: String::new(),
        includes: Vec::new(),
        at_write: None,
    };
    if load_includes(&mut pack, None, 0).is_err() {
        return;
    }
    let base = TemplateContext {
        names: scaffold::names::derive("fuzz-app").expect("a valid name"),
        stack: "fuzz".into(),
        why: Vec::new(),
        values: Vec::new(),
        needs: Vec::new(),
    };
    let input = Answers {
        sets,
        answers,
        proposals: std::collections::BTreeMap::new(),
    };
    let limits = Limits {
        render_time: RENDER_TIME,
        ..Limits::default()
    };
    if let Ok(resolved) = resolve(&pack, &base, &input, Asker::Never, &limits) {
        // Every value of every pack in the tree was decided.
        for node in resolved.root.walk() {
            for var in &node.pack.manifest.variables {
                assert!(
                    node.context.values.iter().any(|(name, _)| *name == var.name),
                    "variable `{}` has no value",
                    var.name
                );
            }
        }
    }
    let took = started.elapsed();
    assert!(
        took < RENDER_TIME + SLACK,
        "resolving took {took:?}, over its {RENDER_TIME:?} limit"
    );
});
