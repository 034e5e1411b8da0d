//! The global flags (`-q`, `-v`, `--color`), JSON errors for every command that takes
//! `--json`, value completions in bash, and `pack lint`/`pack test` in JSON.

use std::process::Command;

use crate::helpers::{mini_pack, Scaffold};

fn json_error(args: &[&str], code: i32, needle: &str) {
    let run = Scaffold::new().args(args).run();
    assert_eq!(run.code(), code, "{args:?}: {}", run.stderr());
    let doc = run.json();
    assert_eq!(doc["error"]["code"], code, "{args:?}: {doc}");
    let message = doc["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains(needle), "{args:?}: {message}");
    // The message is on stderr too, for people.
    assert!(run.stderr().contains(needle), "{}", run.stderr());
    // One document: it parses as a whole (run.json() did) and nothing follows it.
    assert_eq!(run.stdout().matches("\"error\"").count(), 1);
}

#[test]
fn json_errors_are_one_document_on_stdout() {
    json_error(
        &["new", "x", "--stack", "nope", "--yes", "--json"],
        2,
        "unknown stack",
    );
    json_error(&["new", "x", "--bogus", "--json"], 2, "--bogus");
    json_error(
        &[
            "new",
            "x",
            "--stack",
            "django",
            "--yes",
            "--json",
            "--set",
            "database=oracle",
        ],
        2,
        "oracle",
    );
    json_error(&["recommend", "--team", "cobol", "--json"], 2, "cobol");
    json_error(&["list", "--json", "--nope"], 2, "--nope");
    json_error(
        &["pack", "test", "no-such-pack", "--json"],
        2,
        "no-such-pack",
    );
}

#[test]
fn pack_lint_json_reports_every_problem() {
    let mut s = Scaffold::new().args(["pack", "lint", "p", "--json"]);
    std::fs::create_dir(s.path("p")).unwrap();
    std::fs::write(
        s.path("p/pack.toml"),
        "[pack]\nname='p'\nversion='0.1.0'\ndescription='p'\n[names]\nrules=['cobol']\n",
    )
    .unwrap();
    let run = s.run();
    assert_eq!(run.code(), 2, "{}", run.stderr());
    let doc = run.json();
    assert_eq!(doc["errors"], 1, "{doc}");
    assert_eq!(doc["error"]["code"], 2);
    assert!(doc["diagnostics"][0]["message"]
        .as_str()
        .unwrap()
        .contains("cobol"));
    let ok = Scaffold::new()
        .args(["pack", "lint", "--json"])
        .args([mini_pack()])
        .run();
    ok.success();
    assert_eq!(ok.json()["errors"], 0);
}

#[test]
fn pack_test_that_refuses_every_combination_fails() {
    let mut s = Scaffold::new().args(["pack", "test", "p", "--matrix", "--json", "--trust"]);
    std::fs::create_dir(s.path("p")).unwrap();
    std::fs::write(
        s.path("p/pack.toml"),
        "[pack]\nname='p'\nversion='0.1.0'\ndescription='p'\n\
         [[variables]]\nname='a'\ntype='bool'\ndefault=false\n\
         [[constraints]]\nwhen='a or not a'\nrequires='false'\nmessage='never'\n\
         [checks]\nrun=['true']\n",
    )
    .unwrap();
    std::fs::write(s.path("p/x.txt"), "x").unwrap();
    let run = s.run();
    assert_eq!(run.code(), 1, "{}\n{}", run.stdout(), run.stderr());
    let doc = run.json();
    assert_eq!(doc["tested"], 0, "{doc}");
    assert!(doc["error"]["message"]
        .as_str()
        .unwrap()
        .contains("refused all"));
}

#[test]
fn quiet_verbose_and_color() {
    let new = |extra: &[&str]| {
        Scaffold::new()
            .args(["new", "app", "--stack", "express", "--yes", "--no-git"])
            .args(extra)
            .run()
    };
    let quiet = new(&["-q"]);
    quiet.success();
    assert_eq!(quiet.stderr(), "", "-q prints nothing on success");
    let normal = new(&[]);
    assert!(normal.stderr().contains("Rendered"));
    assert!(!normal.stderr().contains("render "));
    let verbose = new(&["--verbose"]);
    assert!(
        verbose.stderr().contains("pack `express`") && verbose.stderr().contains("render "),
        "{}",
        verbose.stderr()
    );
    // Colour: never without a terminal unless asked, never when refused.
    let always = new(&["--color", "always"]);
    assert!(always.stderr().contains("\u{1b}["), "{}", always.stderr());
    let err = Scaffold::new()
        .args(["--color=always", "new", "x", "--stack", "nope", "--yes"])
        .run();
    assert!(
        err.stderr().contains("\u{1b}[1;31merror:"),
        "{}",
        err.stderr()
    );
    let never = Scaffold::new()
        .args(["new", "x", "--stack", "nope", "--yes", "--color", "never"])
        .env("TERM", "xterm")
        .run();
    assert!(!never.stderr().contains('\u{1b}'));
    assert_eq!(
        Scaffold::new().args(["-q", "-v", "list"]).run().code(),
        2,
        "-q and -v conflict"
    );
}

/// Complete `words` (the last one being completed) with the registration bash sources.
fn bash_complete(words: &[&str]) -> Vec<String> {
    let home = tempfile::tempdir().unwrap();
    let (lines, stderr) = bash_complete_in(home.path(), words);
    assert!(stderr.is_empty(), "{stderr}");
    lines
}

/// Complete `words` with the user packs in `home/packs`: the candidates, and stderr.
fn bash_complete_in(home: &std::path::Path, words: &[&str]) -> (Vec<String>, String) {
    let bin = env!("CARGO_BIN_EXE_scaffold");
    let script = format!(
        r#"source <(COMPLETE=bash '{bin}')
COMP_WORDS=("$@"); COMP_CWORD=$(( ${{#COMP_WORDS[@]}} - 1 ))
COMP_LINE="$*"; COMP_POINT=${{#COMP_LINE}}
_clap_complete_scaffold scaffold "${{COMP_WORDS[COMP_CWORD]}}" "${{COMP_WORDS[COMP_CWORD-1]}}"
printf '%s\n' "${{COMPREPLY[@]}}" | sort
"#
    );
    let out = Command::new("bash")
        .args(["-c", &script, "bash"])
        .args(words)
        .env("SCAFFOLD_PACKS_DIR", home.join("packs"))
        .output()
        .expect("bash");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect();
    (lines, String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn completion_lists_user_packs_and_stays_silent_about_broken_ones() {
    let home = tempfile::tempdir().unwrap();
    for (dir, manifest) in [
        (
            "mine",
            "[pack]\nname = \"mine\"\nversion = \"1.0.0\"\ndescription = \"d\"\n",
        ),
        ("broken", "[pack\nname = "),
    ] {
        let d = home.path().join("packs").join(dir);
        std::fs::create_dir_all(&d).unwrap();
        std::fs::write(d.join("pack.toml"), manifest).unwrap();
    }
    // A warning would land in the middle of the command line being completed.
    let (lines, stderr) = bash_complete_in(home.path(), &["scaffold", "new", "x", "--stack", "m"]);
    assert_eq!(lines, ["mine"]);
    assert!(stderr.is_empty(), "{stderr}");
}

#[test]
fn bash_completes_values() {
    assert_eq!(
        bash_complete(&["scaffold", "new", "x", "--stack", "fa"]),
        ["fastapi"]
    );
    assert_eq!(
        bash_complete(&["scaffold", "new", "x", "--stack", ""]),
        ["django", "express", "fastapi", "hybrid", "nestjs"]
    );
    assert_eq!(
        bash_complete(&["scaffold", "new", "x", "--needs", "realtime,str"]),
        ["realtime,streaming"]
    );
    assert_eq!(
        bash_complete(&["scaffold", "recommend", "--team", "b"]),
        ["both"]
    );
    let keys = bash_complete(&["scaffold", "new", "x", "--stack", "django", "--set", ""]);
    assert!(keys.contains(&"database=".to_string()), "{keys:?}");
    assert_eq!(
        bash_complete(&[
            "scaffold",
            "new",
            "x",
            "--stack",
            "django",
            "--set",
            "database="
        ]),
        ["database=postgres", "database=sqlite"]
    );
    assert_eq!(
        bash_complete(&["scaffold", "pack", "export", "nes"]),
        ["nestjs"]
    );
    // The script `scaffold completions bash` prints registers the same function.
    let run = Scaffold::new().args(["completions", "bash"]).run();
    assert!(run.stdout().contains("_clap_complete_scaffold"));
}

#[test]
fn pack_lint_reports_every_manifest_problem_and_where_a_block_opens() {
    let mut s = Scaffold::new().args(["pack", "lint", "p"]);
    std::fs::create_dir(s.path("p")).unwrap();
    std::fs::write(
        s.path("p/pack.toml"),
        "[pack]\nname = 'p'\nversion = '1.0'\ndescription = 'd'\ncolour = 'red'\n\n\
         [[variables]]\nname = 'Bad'\ntype = 'string'\ntypo = 1\n\n[extras]\nx = 1\n",
    )
    .unwrap();
    std::fs::write(
        s.path("p/a.txt.tera"),
        "one\n{% if true %}\nthree\n{% for x in [1] %}{{ x }}{% endfor %}\nfive\n",
    )
    .unwrap();
    let run = s.run();
    assert_eq!(run.code(), 2, "{}", run.stderr());
    let out = run.stdout();
    for needle in [
        "pack.toml:3: error: `version = \"1.0\"` is not MAJOR.MINOR.PATCH",
        "pack.toml:5: error: unknown key `colour` in `[pack]`",
        "pack.toml:8: error: variable `Bad`",
        "pack.toml:10: error: unknown key `typo` in `[variables]`",
        "pack.toml:12: error: unknown table `[extras]`",
        "a.txt.tera:2: error: `{% if %}` is never closed",
    ] {
        assert!(out.contains(needle), "{needle:?} not in:\n{out}");
    }
}
