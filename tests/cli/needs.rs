//! Needs become code: a pack's `[needs]` table turns the chosen needs into variables,
//! recorded, overridable with `--set`, and listed in the README's "Why this stack".

use crate::helpers::{read, Scaffold};

/// `--needs realtime --yes`: whatever stack the recommendation picks, the project has a
/// WebSocket endpoint, the record says so, and the README names the file to start from.
#[test]
fn needs_realtime_renders_a_websocket_endpoint_for_the_stack_it_picks() {
    let mut s = Scaffold::new().args(["new", "rt", "--needs", "realtime", "--yes", "--no-git"]);
    s.run().success();
    let root = s.path("rt");
    let record = read(&root.join(".scaffold.toml"));
    assert!(record.contains("realtime = true"), "{record}");
    let stack = record
        .lines()
        .find_map(|l| l.strip_prefix("stack = \""))
        .and_then(|l| l.strip_suffix('"'))
        .expect("the record names the stack")
        .to_string();
    // The stack's WebSocket endpoint, in the stack's own words.
    let (file, needle) = match stack.as_str() {
        "express" => ("src/modules/events/items.ws.ts", "WebSocketServer"),
        "nestjs" => ("src/realtime/items.gateway.ts", "WebSocketGateway"),
        "fastapi" => ("app/api/routes/realtime.py", "WebSocket"),
        "django" => ("rt/items/consumers.py", "WebsocketConsumer"),
        other => panic!("unexpected stack {other} for --needs realtime"),
    };
    let code = read(&root.join(file));
    assert!(code.contains(needle), "{file} has no {needle}:\n{code}");
    assert!(code.contains("/ws/items") || read(&root.join("README.md")).contains("/ws/items"));
    let readme = read(&root.join("README.md"));
    let why = readme
        .split("## Why this stack")
        .nth(1)
        .expect("the README explains the stack");
    assert!(why.contains("`realtime`"), "{why}");
    assert!(why.contains(&format!("start from `{file}`")), "{why}");
    assert!(why.contains("to this stack's score"), "{why}");
}

/// `--set` wins over what the needs propose, and the README says the feature is off.
#[test]
fn set_overrides_a_need_and_the_readme_says_so() {
    let mut s = Scaffold::new().args([
        "new",
        "sse",
        "--stack",
        "fastapi",
        "--needs",
        "streaming,cpu-heavy",
        "--set",
        "compute=false",
        "--yes",
        "--no-git",
    ]);
    s.run().success();
    let root = s.path("sse");
    let record = read(&root.join(".scaffold.toml"));
    assert!(record.contains("streaming = true"), "{record}");
    assert!(record.contains("compute = false"), "{record}");
    assert!(root.join("app/api/routes/events.py").is_file());
    assert!(!root.join("app/compute.py").exists());
    let readme = read(&root.join("README.md"));
    assert!(
        readme.contains("turned off by your answers (compute = false)"),
        "{readme}"
    );
}

/// A capability the pack does not offer is a usage error naming the pack's capabilities.
#[test]
fn a_capability_the_pack_lacks_is_exit_2_naming_its_capabilities() {
    let mut s = Scaffold::new().args([
        "new",
        "hub",
        "--stack",
        "hybrid",
        "--set",
        "compute=true",
        "--yes",
        "--dry-run",
    ]);
    s.run()
        .fails_with(2, "pack `hybrid` has no variable `compute`")
        .fails_with(
            2,
            "its capabilities (set from needs): gateway, queue, realtime, streaming (variables: ",
        );
}

/// A custom pack declares its own mapping; `pack lint` checks it.
#[test]
fn a_custom_pack_maps_needs_and_lint_checks_the_mapping() {
    let s = Scaffold::new();
    let pack = s.path("mine");
    std::fs::create_dir_all(&pack).unwrap();
    let manifest = |needs: &str| {
        format!(
            "[pack]\nname = \"mine\"\nversion = \"0.1.0\"\ndescription = \"mine\"\n\n\
             [[variables]]\nname = \"live\"\nprompt = \"Live?\"\ntype = \"bool\"\ndefault = false\n\n{needs}"
        )
    };
    std::fs::write(
        pack.join("pack.toml"),
        manifest("[needs.realtime]\nset = { live = true }\nfeature = \"live updates\"\nstart = \"live.txt\"\n"),
    )
    .unwrap();
    std::fs::write(pack.join("live.txt.tera"), "live={{ live }}\n").unwrap();
    std::fs::write(
        pack.join("README.md.tera"),
        "{% for n in needs %}- {{ n.line }}\n{% endfor %}",
    )
    .unwrap();
    let mut new = Scaffold::new()
        .args([
            "new", "x", "--needs", "realtime", "--yes", "--no-git", "--pack",
        ])
        .args([pack.to_str().unwrap()]);
    new.run().success();
    assert_eq!(read(&new.path("x/live.txt")), "live=true\n");
    assert_eq!(
        read(&new.path("x/README.md")),
        "- `realtime` (real-time updates): live updates (start from `live.txt`)\n"
    );

    for (bad, needle) in [
        (
            "[needs.telepathy]\nset = { live = true }\n",
            "unknown need `telepathy`",
        ),
        (
            "[needs.realtime]\nset = { nope = true }\n",
            "set `nope`: no such variable",
        ),
        (
            "[needs.realtime]\nset = { live = \"yes\" }\n",
            "`live` is a bool, not a string",
        ),
        (
            "[needs.realtime]\nset = { live = true }\n[needs.streaming]\nset = { live = false }\n",
            "needs chosen together must agree",
        ),
        ("[needs.realtime]\n", "give `set`"),
    ] {
        std::fs::write(pack.join("pack.toml"), manifest(bad)).unwrap();
        let mut lint = Scaffold::new().args(["pack", "lint", pack.to_str().unwrap()]);
        let run = lint.run();
        assert_ne!(run.code(), 0, "{bad}: {}", run.stderr());
        assert!(
            run.stderr().contains(needle) || run.stdout().contains(needle),
            "{bad}: {}{}",
            run.stdout(),
            run.stderr()
        );
    }
}

/// `scaffold recommend --explain`: which single answer would change the pick, in text and
/// in JSON (the recommendation's document with an `explain` object).
#[test]
fn recommend_explain_names_the_answers_that_would_change_the_pick() {
    let mut text = Scaffold::new().args([
        "recommend",
        "--needs",
        "realtime,ml",
        "--team",
        "js",
        "--explain",
    ]);
    let run = text.run();
    run.success();
    let out = run.stdout();
    assert!(out.contains("Recommendation: hybrid"), "{out}");
    assert!(
        out.contains("without `ml`, express would win (11.5 vs 4.5 for hybrid)"),
        "{out}"
    );

    let mut json = Scaffold::new().args([
        "recommend",
        "--needs",
        "realtime,ml",
        "--team",
        "js",
        "--explain",
        "--json",
    ]);
    let run = json.run();
    run.success();
    let doc = run.json();
    assert_eq!(doc["stack"], "hybrid");
    assert_eq!(doc["explain"]["stack"], "hybrid");
    let pivotal = doc["explain"]["pivotal"].as_array().expect("a list");
    assert!(pivotal
        .iter()
        .any(|c| c["change"] == "remove" && c["answer"] == "ml" && c["stack"] == "express"));
    // Without --explain the document keeps its shape.
    let mut plain = Scaffold::new().args(["recommend", "--needs", "ml", "--json"]);
    let run = plain.run();
    assert!(run.json().get("explain").is_none());
}
