//! `scaffold list` and `scaffold completions`.

use crate::helpers::Scaffold;

#[test]
fn list_json_names_packs_and_variables() {
    let run = Scaffold::new().args(["list", "--json"]).run();
    run.success();
    let json = run.json();
    let packs = json["packs"].as_array().unwrap();
    assert!(!packs.is_empty());
    for p in packs {
        assert!(p["name"].is_string() && p["version"].is_string() && p["description"].is_string());
        for v in p["variables"].as_array().unwrap() {
            assert!(v["name"].is_string() && v["type"].is_string(), "{v}");
        }
    }
}

#[test]
fn list_human() {
    let run = Scaffold::new().args(["list"]).run();
    run.success();
    assert!(run.stdout().contains("--set "), "{}", run.stdout());
}

#[test]
fn completions_for_each_shell() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let run = Scaffold::new().args(["completions", shell]).run();
        run.success();
        assert!(run.stdout().contains("scaffold"), "{shell}");
    }
    assert_eq!(
        Scaffold::new().args(["completions", "tcsh"]).run().code(),
        2
    );
}
