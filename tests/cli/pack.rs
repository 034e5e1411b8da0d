//! `scaffold pack export`: byte for byte, then usable with --pack.

use std::path::Path;

use crate::helpers::{tree, Scaffold};

#[test]
fn export_is_byte_for_byte_and_renders() {
    for name in ["fastapi"] {
        let mut s = Scaffold::new().args(["pack", "export", name, "mine"]);
        s.run().success();
        let src = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("templates")
            .join(name);
        let out = s.path("mine");
        assert_eq!(tree(&src), tree(&out));
        for f in tree(&src) {
            assert_eq!(
                std::fs::read(src.join(&f)).unwrap(),
                std::fs::read(out.join(&f)).unwrap(),
                "{f}"
            );
        }
        let mut again = Scaffold::new()
            .args(["new", "svc", "--yes", "--no-git", "--pack"])
            .args([&out]);
        again.run().success();
    }
}

#[test]
fn export_refuses_a_non_empty_directory_and_unknown_packs() {
    let mut s = Scaffold::new().args(["pack", "export", "fastapi", "mine"]);
    std::fs::create_dir(s.path("mine")).unwrap();
    std::fs::write(s.path("mine/x"), "x").unwrap();
    s.run().fails_with(2, "already exists and is not empty");
    Scaffold::new()
        .args(["pack", "export", "rails", "x"])
        .run()
        .fails_with(2, "no built-in pack `rails`");
}

fn fixture(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

#[test]
fn lint_reports_every_problem_with_file_and_line() {
    let run = Scaffold::new()
        .args(["pack", "lint"])
        .args([fixture("broken")])
        .run();
    assert_eq!(run.code(), 2, "{}", run.stderr());
    insta::assert_snapshot!("lint_broken", run.stdout());
    assert!(run.stderr().contains("1 warning(s)"), "{}", run.stderr());
}

#[test]
fn lint_strict_fails_on_warnings_only() {
    let run = Scaffold::new()
        .args(["pack", "lint"])
        .args([fixture("warnings")])
        .run();
    run.success();
    insta::assert_snapshot!("lint_warnings", run.stdout());
    let run = Scaffold::new()
        .args(["pack", "lint", "--strict"])
        .args([fixture("warnings")])
        .run();
    run.fails_with(1, "0 error(s), 2 warning(s) (--strict)");
}

#[test]
fn export_edit_lint_render_round_trip() {
    let mut s = Scaffold::new().args(["pack", "export", "fastapi", "mine"]);
    s.run().success();
    let pack = s.path("mine");
    Scaffold::new()
        .args(["pack", "lint", "--strict"])
        .args([&pack])
        .run()
        .success();
    // A company flavour: a new variable used by a new template.
    let manifest = std::fs::read_to_string(pack.join("pack.toml")).unwrap();
    std::fs::write(
        pack.join("pack.toml"),
        format!("{manifest}\n[[variables]]\nname = \"team_email\"\ntype = \"string\"\ndefault = \"api@example.com\"\nvalidate = '^[^@]+@[^@]+$'\n"),
    )
    .unwrap();
    std::fs::write(pack.join("OWNERS.tera"), "{{ team_email }}\n").unwrap();
    Scaffold::new()
        .args(["pack", "lint", "--strict"])
        .args([&pack])
        .run()
        .success();
    let mut r = Scaffold::new()
        .args([
            "new",
            "svc",
            "--yes",
            "--no-git",
            "--set",
            "team_email=core@corp.example",
            "--pack",
        ])
        .args([&pack]);
    r.run().success();
    assert_eq!(
        std::fs::read_to_string(r.path("svc/OWNERS")).unwrap(),
        "core@corp.example\n"
    );
}
