//! Project names per stack: each pack refuses only what would break it, derives the
//! identifiers it needs, and the refusal names the rule; `scaffold new .` renders in place.

use crate::helpers::{read, Scaffold};

fn dry(name: &str, stack: &str) -> Scaffold {
    Scaffold::new().args([
        "new",
        name,
        "--stack",
        stack,
        "--yes",
        "--no-git",
        "--dry-run",
    ])
}

#[test]
fn node_stacks_take_names_python_refuses() {
    for stack in ["express", "nestjs"] {
        for name in [
            "2fa",
            "app",
            "test",
            "queue",
            "class",
            "worker",
            "copy",
            "日本語",
        ] {
            dry(name, stack).run().success();
        }
    }
    // The hybrid's Python worker has its own package; the gateway's rules apply.
    dry("worker", "hybrid").run().success();
}

#[test]
fn python_stacks_refuse_by_their_rule() {
    for (name, stack, needle) in [
        (
            "class",
            "django",
            "Python keyword (the `django` pack's python rule)",
        ),
        (
            "copy",
            "fastapi",
            "standard library, which the package would shadow (the `fastapi` pack's python rule)",
        ),
        (
            "django",
            "fastapi",
            "would shadow a module the project imports",
        ),
        ("config", "django", "reserved by the `django` pack"),
    ] {
        dry(name, stack).run().fails_with(2, needle);
    }
    dry("http2", "express")
        .run()
        .fails_with(2, "the `express` pack's node rule");
    // Derived identifiers: a Python package from a leading digit, a slug from non-ASCII.
    let mut s = Scaffold::new().args(["new", "2fa", "--stack", "django", "--yes", "--no-git"]);
    s.run().success();
    assert!(s.path("2fa/project_2fa/__init__.py").exists());
    let mut s = Scaffold::new().args(["new", "日本語", "--stack", "express", "--yes", "--no-git"]);
    s.run().success();
    let pkg = read(&s.path("xn--wgv71a119e/package.json"));
    assert!(pkg.contains("\"name\": \"xn--wgv71a119e\""), "{pkg}");
    assert!(read(&s.path("xn--wgv71a119e/.scaffold.toml")).contains("日本語"));
}

#[test]
fn the_readme_reproduce_example_works() {
    let mut s = Scaffold::new().args(["new", "demo", "--stack", "express", "--yes", "--no-git"]);
    s.run().success();
    let mut copy = Scaffold::new().args(["new", "copy", "--answers"]);
    let answers = s.path("demo/.scaffold.toml");
    copy = copy.args([answers.as_os_str()]).args(["--yes", "--no-git"]);
    copy.run().success();
    assert!(copy.path("copy/package.json").exists());
}

#[test]
fn long_names_fit_postgres() {
    let name = "a".repeat(70);
    let mut s = Scaffold::new().args([
        "new",
        &name,
        "--stack",
        "django",
        "--set",
        "database=postgres",
        "--yes",
        "--no-git",
    ]);
    s.run().success();
    let env = read(&s.path(&format!("{name}/.env.example")));
    let db = env
        .lines()
        .find(|l| l.starts_with("DATABASE_URL="))
        .and_then(|l| l.rsplit('/').next())
        .unwrap_or_default()
        .to_string();
    assert!(!db.is_empty() && db.len() <= 63, "{db:?} in\n{env}");
}

#[test]
fn new_dot_renders_into_an_empty_directory() {
    // In the current directory, as `cargo init`: no `cd` in the next steps.
    let mut s = Scaffold::new().args(["new", ".", "--stack", "express", "--yes", "--no-git"]);
    let run = s.run();
    run.success();
    assert!(s.path("package.json").exists());
    assert!(!run.stderr().contains("cd "), "{}", run.stderr());
    // Non-empty now: refused without --force.
    s.run().fails_with(2, "not empty");

    // `-o DIR .`: the project is named after the directory.
    let s = Scaffold::new();
    let here = s.path("orders");
    std::fs::create_dir(&here).unwrap();
    let mut s = s
        .args(["new", ".", "--stack", "express", "--yes", "--no-git", "-o"])
        .args([here.as_os_str()]);
    s.run().success();
    assert!(read(&here.join("package.json")).contains("\"name\": \"orders\""));

    // An existing empty directory named by NAME.
    let s = Scaffold::new();
    std::fs::create_dir(s.path("empty")).unwrap();
    let mut s = s.args(["new", "empty", "--stack", "express", "--yes", "--no-git"]);
    s.run().success();
    assert!(s.path("empty/package.json").exists());
}

#[test]
fn pack_names_table_is_linted() {
    let mut s = Scaffold::new().args(["pack", "lint", "p"]);
    std::fs::create_dir(s.path("p")).unwrap();
    std::fs::write(
        s.path("p/pack.toml"),
        "[pack]\nname='p'\nversion='0.1.0'\ndescription='p'\n[names]\nrules=['cobol']\nreserved=['Bad Name']\n",
    )
    .unwrap();
    let run = s.run();
    assert_eq!(run.code(), 2, "{}", run.stderr());
    let out = run.stdout();
    assert!(
        out.contains("unknown rule `cobol`") && out.contains("`Bad Name`"),
        "{out}"
    );
}
