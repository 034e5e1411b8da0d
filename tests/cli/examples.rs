//! Every example renders: the answers files, the scripted CI use, and the company pack
//! made by exporting and editing the built-in FastAPI pack.

use std::path::Path;
use std::process::Command;

use crate::helpers::{read, Scaffold};

fn examples() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples")
}

#[test]
fn every_answers_file_renders() {
    let mut count = 0;
    for entry in std::fs::read_dir(examples().join("answers")).unwrap() {
        let path = entry.unwrap().path();
        let mut s = Scaffold::new()
            .args(["new", "svc", "--yes", "--no-git", "--json", "--answers"])
            .args([&path]);
        let run = s.run();
        run.success();
        let json = run.json();
        let text = read(&path);
        if let Some(stack) = text.lines().find_map(|l| l.strip_prefix("stack = ")) {
            assert_eq!(
                json["stack"].as_str(),
                Some(stack.trim_matches('"')),
                "{}",
                path.display()
            );
        }
        let record = read(&s.path("svc/.scaffold.toml"));
        assert!(record.contains("[requirements]"), "{}", path.display());
        count += 1;
    }
    assert!(count >= 5);
}

#[test]
fn recommend_only_answers_take_the_recommendation() {
    let mut s = Scaffold::new()
        .args(["new", "content", "--yes", "--no-git", "--json", "--answers"])
        .args([examples().join("answers/recommend-only.toml")]);
    let run = s.run();
    run.success();
    assert_eq!(run.json()["stack"], "django");
    assert!(read(&s.path("content/README.md")).contains("Why this stack"));
}

#[test]
fn scripted_ci_use() {
    let out = tempfile::tempdir().unwrap();
    let run = Command::new("bash")
        .arg(examples().join("ci.sh"))
        .arg(examples().join("answers/fastapi-postgres.toml"))
        .arg(out.path())
        .env("SCAFFOLD", env!("CARGO_BIN_EXE_scaffold"))
        .env("SKIP_CHECKS", "1")
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        stdout.contains("rendered") && stdout.contains("service"),
        "{stdout}"
    );
    assert!(out.path().join("service/Makefile").is_file());
}

#[test]
fn company_pack_from_the_builtin_fastapi() {
    let work = tempfile::tempdir().unwrap();
    let pack = work.path().join("acme-fastapi");
    let out = work.path().join("out");
    let run = Command::new("bash")
        .arg(examples().join("company-pack/customize.sh"))
        .arg(&pack)
        .arg(&out)
        .env("SCAFFOLD", env!("CARGO_BIN_EXE_scaffold"))
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let project = out.join("payments-api");
    assert_eq!(
        read(&project.join("CODEOWNERS")),
        "# Every change to Payments API is reviewed by its owning team.\n* @acme/payments\n"
    );
    assert!(read(&project.join("docs/RUNBOOK.md")).contains("Tier: 1 (pages the on-call engineer"));
    assert!(read(&project.join(".scaffold.toml")).contains("name = \"acme-fastapi\""));
    assert!(
        project.join("app/main.py").is_file(),
        "the built-in starter is all there"
    );
}
